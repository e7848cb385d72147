package web

import (
	"net/http"

	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// help is the page every help-seeker page links to from the same place in
// its footer: what to do in danger right now (the office's emergency
// number), whether someone can be reached by live chat now, the office's
// opening hours, and how else to reach a person.
func (s *Server) help(c echo.Context) error {
	office, err := s.liveOffice(c)
	if err != nil {
		return err
	}
	_, available, err := s.liveThemes(c, office.ID)
	if err != nil {
		return err
	}
	sess := sessionOf(c)
	return s.render(c, http.StatusOK, templates.Help(s.page(c, "Help now"), templates.HelpData{
		EmergencyNumber: office.EmergencyNumber, Promise: office.Promise, LiveNow: len(available) > 0,
		LoggedIn: sess != nil && !sess.Guest, Hours: office.Hours, TimeZone: office.TimeZone,
	}))
}
