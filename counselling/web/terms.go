package web

import (
	"github.com/labstack/echo/v4"
)

// termsFor is the office's current privacy terms as the reader sees them
// (counselling.Terms.In): in the reader's language where the terms have a
// text in it, else in the language they were published in. The default text
// of a fresh office is stored in every offered language.
func (s *Server) termsFor(c echo.Context, officeID int64) (text, textLang string, version int, err error) {
	terms, err := s.db.Terms(c.Request().Context(), officeID)
	if err != nil {
		return "", "", 0, err
	}
	text, textLang = terms.In(langOf(c))
	return text, textLang, terms.Version, nil
}
