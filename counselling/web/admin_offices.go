package web

import (
	"net/http"

	"confidant/templates"

	"github.com/labstack/echo/v4"
)

func (s *Server) renderOffices(c echo.Context, status int, d templates.AdminOfficesData) error {
	scope, err := s.administers(c)
	if err != nil {
		return err
	}
	if !scope.Offices {
		return errNotFound
	}
	if d.Offices, err = s.db.Offices(c.Request().Context()); err != nil {
		return err
	}
	return s.render(c, status, templates.AdminOffices(s.page(c, "Offices"), d))
}

func (s *Server) adminOffices(c echo.Context) error {
	return s.renderOffices(c, http.StatusOK, templates.AdminOfficesData{})
}

func (s *Server) createOffice(c echo.Context) error {
	if scope, err := s.administers(c); err != nil || !scope.Offices {
		return orElse(err, errNotFound)
	}
	form, err := parseForm(c)
	var token string
	if err == nil {
		_, token, err = s.db.CreateOfficeBy(c.Request().Context(), s.callerOf(c), form.Get("slug"), form.Get("office_name"), form.Get("admin_name"))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderOffices(c, errorStatus(err), templates.AdminOfficesData{Form: formOf(form, err, "slug", "office_name", "admin_name")})
	}
	return s.renderOffices(c, http.StatusOK, templates.AdminOfficesData{InviteURL: s.cfg.BaseURL + "/invite/" + token})
}

// orElse is err, or otherwise when err is nil.
func orElse(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
