package counselling

// Terms is one version of an office's privacy terms: the text it was
// published in, and the translations added to it since.
type Terms struct {
	Version int
	// Lang is the language the version was published in.
	Lang string
	// Texts holds the version's text by language, Lang included.
	Texts map[string]string
}

// In is the text a reader of lang is shown, and the language it is in: the
// version's text in lang where it has one, or else the text it was published
// in (which the page then says is not in the reader's language).
func (t Terms) In(lang string) (text, textLang string) {
	if s, ok := t.Texts[lang]; ok {
		return s, lang
	}
	return t.Texts[t.Lang], t.Lang
}

// ValidateTranslation checks a translation of the terms into lang.
// The language a version was published in is changed only by publishing a
// new version, which everyone accepts again.
func (t Terms) ValidateTranslation(lang, text string) error {
	if lang == t.Lang {
		return FieldError("terms_lang", "The current version was published in this language. To change its text, publish a new version.")
	}
	return ValidateText("terms_text", text, 50_000)
}
