package counselling

import "testing"

func TestRegisterFor(t *testing.T) {
	both := LanguageSettings{FormalGerman: true, EasyLanguage: true}
	for _, tc := range []struct {
		name      string
		s         LanguageSettings
		lang      string
		wantsEasy bool
		staff     bool
		want      Register
	}{
		{"the default: du, no easy language", LanguageSettings{}, "de", false, false, Register{}},
		{"easy language is not offered", LanguageSettings{}, "de", true, false, Register{}},
		{"easy language offered, not chosen", LanguageSettings{EasyLanguage: true}, "nl", false, false, Register{}},
		{"easy language offered and chosen", LanguageSettings{EasyLanguage: true}, "nl", true, false, Register{Easy: true}},
		{"staff pages have no easy version", LanguageSettings{EasyLanguage: true}, "en", true, true, Register{}},
		{"Sie in German", LanguageSettings{FormalGerman: true}, "de", false, false, Register{Formal: true}},
		{"Sie on German staff pages too", LanguageSettings{FormalGerman: true}, "de", false, true, Register{Formal: true}},
		{"Sie is German only", LanguageSettings{FormalGerman: true}, "da", false, false, Register{}},
		{"easy German says du", both, "de", true, false, Register{Easy: true}},
		{"a staff member who once chose easy language reads Sie", both, "de", true, true, Register{Formal: true}},
	} {
		if got := tc.s.RegisterFor(tc.lang, tc.wantsEasy, tc.staff); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
