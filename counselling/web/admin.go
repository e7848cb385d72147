package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// adminContext is what every admin page needs: the office the caller
// administers and whether they also create offices (see administers).
func (s *Server) adminContext(c echo.Context) (*counselling.Office, bool, error) {
	scope, err := s.administers(c)
	if err != nil {
		return nil, false, err
	}
	if scope.None() {
		return nil, false, errNotFound
	}
	office, err := s.db.Office(c.Request().Context(), scope.OfficeID)
	if err != nil {
		return nil, false, err
	}
	return office, scope.Offices, nil
}

func (s *Server) renderAdmin(c echo.Context, status int, d templates.AdminData) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	staff, err := s.db.Staff(c.Request().Context(), office.ID)
	if err != nil {
		return err
	}
	d.Office, d.Installation, d.Staff, d.Self = office, installation, staff, sessionOf(c).AccountID
	return s.render(c, status, templates.Admin(s.page(c, "Administration"), d))
}

var adminMessages = map[string]string{
	"trainee":  "The trainee setting was saved.",
	"role":     "The role was changed.",
	"disabled": "Saved. A disabled staff member's sessions end at once.",
	"enabled":  "Saved. The staff member can log in again.",
	"approved": "The admin is approved and can log in now.",
}

func (s *Server) admin(c echo.Context) error {
	d := templates.AdminData{Message: adminMessages[c.QueryParam("done")]}
	if c.QueryParam("done") == "disabled" {
		if n, err := strconv.Atoi(c.QueryParam("returned")); err == nil && n >= 0 {
			d.Returned = &n
		}
	}
	return s.renderAdmin(c, http.StatusOK, d)
}

func (s *Server) adminAudit(c echo.Context) error {
	_, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	entries, err := s.db.AuditLog(c.Request().Context(), s.callerOf(c), 500)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.AdminAudit(s.page(c, "Audit log"), installation, entries))
}
