package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

func (s *Server) renderAdmin(c echo.Context, status int, d templates.AdminData) error {
	staff, err := s.db.Staff(c.Request().Context(), sessionOf(c).OfficeID)
	if err != nil {
		return err
	}
	d.Staff = staff
	return s.render(c, status, templates.Admin(s.page(c, "Administration"), d))
}

func (s *Server) admin(c echo.Context) error {
	return s.renderAdmin(c, http.StatusOK, templates.AdminData{Message: flash(c)})
}

func (s *Server) inviteStaff(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(nil, err)})
	}
	token, err := s.db.CreateStaff(c.Request().Context(), counselling.NewStaff{
		OfficeID: sessionOf(c).OfficeID, Role: counselling.Role(form.Get("role")), Name: form.Get("name"),
	})
	if err != nil {
		if counselling.ErrorCode(err) != counselling.EInvalid {
			return err
		}
		return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(form, err, "name")})
	}
	return s.renderAdmin(c, http.StatusOK, templates.AdminData{InviteURL: s.cfg.BaseURL + "/invite/" + token,
		Message: "The invitation was created. Give the link to the person; it works once."})
}

func (s *Server) setTrainee(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	if err := s.db.SetTrainee(c.Request().Context(), sessionOf(c).OfficeID, c.Param("id"), form.Get("trainee") == "1"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin?done=trainee")
}
