package counselling

// LanguageSettings are how an office's pages speak beyond the language.
type LanguageSettings struct {
	// FormalGerman: German pages and mails address the reader with "Sie"
	// instead of "du".
	FormalGerman bool
	// EasyLanguage: help-seeker pages offer a version in easy language
	// (in German following the rules of Leichte Sprache).
	EasyLanguage bool
}

// AuditLanguage tells in the audit log how an office's pages now speak.
const AuditLanguage = "German with Sie: {{.Formal}}, easy language: {{.Easy}}"

// Register is the form of a language a page is drawn in.
type Register struct {
	// Formal: the formal German catalogue ("Sie").
	Formal bool
	// Easy: the easy-language catalogue of the page's language.
	Easy bool
}

// RegisterFor decides the form of lang a reader gets from an office with
// settings s: easy language only where the office offers it and the reader
// chose it, and never on staff pages, which have no easy version; "Sie" only
// in German and only where the office chose it. An easy-language page says
// "du" even in an office that chose "Sie": its catalogue covers every text a
// help-seeker page shows, so the page never mixes the two, and informal
// address is part of keeping the text plain.
func (s LanguageSettings) RegisterFor(lang string, wantsEasy, staff bool) Register {
	easy := s.EasyLanguage && wantsEasy && !staff
	return Register{Easy: easy, Formal: !easy && lang == "de" && s.FormalGerman}
}
