package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestSpreadsheetCellNeutralisesFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+1+2", "'+1+2"},
		{"-3", "'-3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"", ""},
		{"42", "42"},
		{"<5", "<5"},
		{"# Contacts by region", "# Contacts by region"},
		{"Aarhus = north", "Aarhus = north"},
		{"'quoted", "'quoted"},
		{" =spaced", " =spaced"},
	} {
		if got := counselling.SpreadsheetCell(tc.in); got != tc.want {
			t.Errorf("SpreadsheetCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
