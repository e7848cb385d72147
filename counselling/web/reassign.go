package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// assignments is the supervisor's list of the office's open conversations,
// each with a form that gives it to a colleague or back to the queue.
func (s *Server) assignments(c echo.Context) error {
	msg := ""
	if c.QueryParam("done") == "reassigned" {
		msg = "The conversation was reassigned."
	}
	return s.renderAssignments(c, http.StatusOK, templates.AssignmentsData{Message: msg})
}

func (s *Server) renderAssignments(c echo.Context, status int, d templates.AssignmentsData) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	list, err := s.db.Assignments(ctx, caller)
	if err != nil {
		return err
	}
	staff, err := s.db.Staff(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	d.Assignments, d.Now = list, s.cfg.Clock.Now()
	for _, m := range counselling.ReassignTargets(caller, staff) {
		d.Colleagues = append(d.Colleagues, templates.Option{Value: m.ID, Label: m.Name, Role: string(m.Role)})
	}
	return s.render(c, status, templates.Assignments(s.page(c, "Reassign conversations"), d))
}

// reassign gives one conversation to a colleague or back to the queue; a
// refused choice shows the list again with the reason, and nothing changes.
func (s *Server) reassign(c echo.Context) error {
	id := c.Param("id")
	form, err := parseForm(c)
	if err == nil {
		err = s.db.Reassign(c.Request().Context(), s.callerOf(c), id, form.Get("to"))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderAssignments(c, errorStatus(err), templates.AssignmentsData{
			Form: templates.Form{Message: counselling.ErrorMessage(err)}, Failed: id})
	}
	return c.Redirect(http.StatusSeeOther, "/inbox/assignments?done=reassigned")
}
