package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// rosterPage shows the office's duty roster to those who keep it (admins and
// supervisors); anyone else gets not-found.
func (s *Server) rosterPage(c echo.Context) error {
	return s.renderRoster(c, http.StatusOK, templates.Form{}, templates.Form{})
}

func (s *Server) renderRoster(c echo.Context, status int, duty, exception templates.Form) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	times, exceptions, err := s.db.Roster(ctx, caller)
	if err != nil {
		return err
	}
	wd, err := s.db.Workday(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	staff, err := s.db.Staff(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	d := templates.RosterData{Times: times, Exceptions: exceptions, AutoAssign: wd.AutoAssign, Duty: duty, Exception: exception,
		Message: rosterFlashes[c.QueryParam("done")], Admin: caller.Role == counselling.RoleAdmin}
	if d.Admin {
		if _, d.Installation, err = s.adminContext(c); err != nil {
			return err
		}
	}
	for _, m := range staff {
		if counselling.MayBeOnDuty(caller.OfficeID, m) {
			d.Counsellors = append(d.Counsellors, templates.Option{Value: m.ID, Label: m.Name, Role: string(m.Role)})
		}
	}
	return s.render(c, status, templates.Roster(s.page(c, "Duty roster"), d))
}

var rosterFlashes = map[string]string{
	"auto-on":   "New enquiries now go to the counsellor on duty with the lightest load.",
	"auto-off":  "New enquiries now wait in the open queue.",
	"duty":      "The duty was added.",
	"exception": "The exception was added.",
	"removed":   "The entry was removed.",
}

func (s *Server) setAutoAssign(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	var on bool
	switch form.Get("auto_assign") {
	case "1":
		on = true
	case "0":
	default:
		return counselling.Errorf(counselling.EInvalid, "Please choose whether new enquiries go to the counsellor on duty or wait in the open queue.")
	}
	if err := s.db.SetAutoAssign(c.Request().Context(), s.callerOf(c), on); err != nil {
		return err
	}
	if on {
		return c.Redirect(http.StatusSeeOther, "/roster?done=auto-on")
	}
	return c.Redirect(http.StatusSeeOther, "/roster?done=auto-off")
}

// clockField reads a time of day from a form field into minutes after
// midnight; -1 when it cannot be read, which the domain refuses.
func clockField(form url.Values, name string) int {
	if m, ok := counselling.ParseClock(form.Get(name)); ok {
		return m
	}
	return -1
}

var dutyFields = []string{"account", "weekday", "starts", "ends"}

func (s *Server) addDuty(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		wd, convErr := strconv.Atoi(form.Get("weekday"))
		if convErr != nil {
			wd = -1
		}
		err = s.db.AddDutyTime(c.Request().Context(), s.callerOf(c), counselling.DutyTime{AccountID: form.Get("account"),
			Weekday: time.Weekday(wd), Starts: clockField(form, "starts"), Ends: clockField(form, "ends")})
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderRoster(c, errorStatus(err), formOf(form, err, dutyFields...), templates.Form{})
	}
	return c.Redirect(http.StatusSeeOther, "/roster?done=duty")
}

// The exception form's times are named apart from the weekly duty's, as
// both forms share one page.
var exceptionFields = []string{"account", "day", "day_starts", "day_ends", "off"}

func (s *Server) addDutyException(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		e := counselling.DutyException{AccountID: form.Get("account"), Day: form.Get("day"), Off: form.Get("off") == "1"}
		if !e.Off {
			e.Starts, e.Ends = clockField(form, "day_starts"), clockField(form, "day_ends")
		}
		err = s.db.AddDutyException(c.Request().Context(), s.callerOf(c), e)
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		f := formOf(form, err, exceptionFields...)
		for from, to := range map[string]string{"starts": "day_starts", "ends": "day_ends"} {
			if msg, ok := f.Errors[from]; ok {
				delete(f.Errors, from)
				f.Errors[to] = msg
			}
		}
		return s.renderRoster(c, errorStatus(err), templates.Form{}, f)
	}
	return c.Redirect(http.StatusSeeOther, "/roster?done=exception")
}

func (s *Server) removeDuty(c echo.Context) error {
	if err := s.db.RemoveDuty(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/roster?done=removed")
}
