package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// adminFormError shows a refused admin change on the staff page.
func (s *Server) adminFormError(c echo.Context, err error) error {
	if !showsForm(err) {
		return err
	}
	return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(nil, err)})
}

func (s *Server) inviteStaff(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := parseForm(c)
	if err != nil {
		return s.adminFormError(c, err)
	}
	email := form.Get("email")
	if email != "" && !counselling.ValidEmail(email) {
		err := counselling.FieldError("email", "This does not look like an email address.")
		return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(form, err, "name", "email")})
	}
	caller := s.callerOf(c)
	token, err := s.db.InviteStaff(ctx, caller, counselling.NewStaff{OfficeID: caller.OfficeID, Role: counselling.Role(form.Get("role")), Name: form.Get("name")})
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(form, err, "name", "email")})
	}
	link := s.cfg.BaseURL + "/invite/" + token
	msg := "The invitation was created. Give the link to the person; it works once."
	if email != "" && s.cfg.SendInvite != nil {
		if err := s.cfg.SendInvite(ctx, langOf(c), email, link); err != nil {
			s.log.Warn("invite mail", "event", "could not be sent")
			msg = "The invitation was created, but the mail could not be sent. Give the link to the person yourself."
		} else {
			msg = "The invitation was created and mailed. You can also give the link yourself; it works once."
		}
	}
	return s.renderAdmin(c, http.StatusOK, templates.AdminData{InviteURL: link, Message: msg})
}

// staffAction runs an admin change to one staff member from a posted form.
func (s *Server) staffAction(done string, act func(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := parseForm(c)
		if err == nil {
			err = act(c, s.callerOf(c), c.Param("id"), form)
		}
		if err != nil {
			return s.adminFormError(c, err)
		}
		return c.Redirect(http.StatusSeeOther, "/admin?done="+done)
	}
}

func (s *Server) setTrainee(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error {
	return s.db.SetTrainee(c.Request().Context(), caller, id, first(form, "trainee") == "1")
}

func (s *Server) setRole(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error {
	return s.db.SetRole(c.Request().Context(), caller, id, counselling.Role(first(form, "role")))
}

func (s *Server) approveAdmin(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error {
	return s.db.ApproveAdmin(c.Request().Context(), caller, id)
}

// disableStaff disables (or enables) a staff member; the admin is told how
// many open conversations went back to the queue.
func (s *Server) disableStaff(c echo.Context) error {
	form, err := parseForm(c)
	disabled := first(form, "disabled") == "1"
	returned := 0
	if err == nil {
		returned, err = s.db.SetDisabled(c.Request().Context(), s.callerOf(c), c.Param("id"), disabled)
	}
	if err != nil {
		return s.adminFormError(c, err)
	}
	if !disabled {
		return c.Redirect(http.StatusSeeOther, "/admin?done=enabled")
	}
	return c.Redirect(http.StatusSeeOther, "/admin?done=disabled&returned="+strconv.Itoa(returned))
}
