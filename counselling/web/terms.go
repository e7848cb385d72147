package web

import (
	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// termsFor is the office's current privacy terms as the reader sees them
// (counselling.Terms.In): in the reader's language where the terms have a
// text in it, else in the language they were published in. The default text
// of a fresh office has its translations in the message catalogue.
func (s *Server) termsFor(c echo.Context, officeID int64) (text, textLang string, version int, err error) {
	terms, err := s.db.Terms(c.Request().Context(), officeID)
	if err != nil {
		return "", "", 0, err
	}
	lang := langOf(c)
	if _, ok := terms.Texts[lang]; !ok && terms.Texts[terms.Lang] == counselling.DefaultTermsText {
		if t := templates.Translate(lang, counselling.DefaultTermsText, nil, nil); t != counselling.DefaultTermsText || lang == "en" {
			terms.Texts[lang] = t
		}
	}
	text, textLang = terms.In(lang)
	return text, textLang, terms.Version, nil
}
