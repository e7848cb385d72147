package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestEmergencyNumber(t *testing.T) {
	for _, tc := range []struct {
		number string
		ok     bool
		tel    string
	}{
		{"112", true, "tel:112"},
		{"+49 30 123 456", true, "tel:+4930123456"},
		{"0800 111 0 111", true, "tel:08001110111"},
		{"1", false, ""},
		{"", false, ""},
		{"11 2+", false, ""},
		{"112; evil", false, ""},
		{"javascript:alert(1)", false, ""},
		{"112\n", false, ""},
		{"123456789012345678901", false, ""},
		{"١١٢", false, ""},
	} {
		err := counselling.ValidateEmergencyNumber(tc.number)
		if (err == nil) != tc.ok {
			t.Errorf("%q: valid = %v, want %v", tc.number, err == nil, tc.ok)
		}
		if tc.ok && counselling.TelURI(tc.number) != tc.tel {
			t.Errorf("%q: %s, want %s", tc.number, counselling.TelURI(tc.number), tc.tel)
		}
	}
}
