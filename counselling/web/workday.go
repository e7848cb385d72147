package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// adminWorkday shows the working time of the office the admin administers:
// its time zone, answer-time promise, opening hours and holidays.
func (s *Server) adminWorkday(c echo.Context) error {
	caller := s.callerOf(c)
	wd, err := s.db.Workday(c.Request().Context(), caller.OfficeID)
	if err != nil {
		return err
	}
	f := templates.Form{Values: workdayValues(wd)}
	return s.renderWorkday(c, http.StatusOK, f, c.QueryParam("done") == "saved")
}

func (s *Server) renderWorkday(c echo.Context, status int, f templates.Form, saved bool) error {
	_, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.AdminWorkday(s.page(c, "Working time"), templates.AdminWorkdayData{
		Form: f, Saved: saved, Installation: installation}))
}

// workdayValues fills the form with what is stored.
func workdayValues(wd counselling.Workday) map[string]string {
	v := map[string]string{"time_zone": wd.TimeZone, "promise_amount": strconv.Itoa(wd.Promise.Amount),
		"promise_unit": wd.Promise.Unit, "holidays": strings.Join(wd.Holidays, "\n")}
	for day, h := range wd.Hours {
		if h.Open() {
			v["opens_"+strconv.Itoa(day)] = counselling.FormatClock(h.Opens)
			v["closes_"+strconv.Itoa(day)] = counselling.FormatClock(h.Closes)
		}
	}
	return v
}

// workdayFields are the form's fields, shown again after a refusal.
func workdayFields() []string {
	out := []string{"time_zone", "promise_amount", "promise_unit", "holidays"}
	for day := 0; day < 7; day++ {
		out = append(out, "opens_"+strconv.Itoa(day), "closes_"+strconv.Itoa(day))
	}
	return out
}

// workdayOf reads the form. A day with both times empty is closed; a time
// that cannot be read makes the day's hours invalid, which the domain refuses.
func workdayOf(form url.Values) counselling.Workday {
	amount, err := strconv.Atoi(strings.TrimSpace(form.Get("promise_amount")))
	if err != nil {
		amount = 0
	}
	d := counselling.Workday{TimeZone: form.Get("time_zone"), Promise: counselling.Promise{Amount: amount, Unit: form.Get("promise_unit")},
		Holidays: strings.Split(strings.ReplaceAll(form.Get("holidays"), "\r", ""), "\n")}
	for day := 0; day < 7; day++ {
		opens, closes := strings.TrimSpace(form.Get("opens_"+strconv.Itoa(day))), strings.TrimSpace(form.Get("closes_"+strconv.Itoa(day)))
		if opens == "" && closes == "" {
			continue
		}
		o, ok1 := counselling.ParseClock(opens)
		cl, ok2 := counselling.ParseClock(closes)
		if !ok1 || !ok2 {
			o, cl = 1, 0
		}
		d.Hours[day] = counselling.DayHours{Opens: o, Closes: cl}
	}
	return d
}

func (s *Server) saveWorkday(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		err = s.db.SaveWorkday(c.Request().Context(), s.callerOf(c), workdayOf(form))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderWorkday(c, errorStatus(err), formOf(form, err, workdayFields()...), false)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/workday?done=saved")
}
