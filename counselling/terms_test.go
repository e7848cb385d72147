package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestTermsInTheReadersLanguage(t *testing.T) {
	terms := counselling.Terms{Version: 3, Lang: "en", Texts: map[string]string{"en": "English terms", "de": "Deutsche Bedingungen"}}
	for _, tc := range []struct{ lang, text, textLang string }{
		{"en", "English terms", "en"},
		{"de", "Deutsche Bedingungen", "de"},
		{"nl", "English terms", "en"},
		{"", "English terms", "en"},
	} {
		if text, lang := terms.In(tc.lang); text != tc.text || lang != tc.textLang {
			t.Errorf("In(%q) = %q, %q; want %q, %q", tc.lang, text, lang, tc.text, tc.textLang)
		}
	}
	if terms.ValidateTranslation("en", "Other English terms") == nil {
		t.Error("a translation may replace the text the version was published in")
	}
	if terms.ValidateTranslation("da", "") == nil {
		t.Error("an empty translation is accepted")
	}
	if err := terms.ValidateTranslation("da", "Danske vilkår"); err != nil {
		t.Errorf("a Danish translation is refused: %v", err)
	}
}
