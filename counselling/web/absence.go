package web

import (
	"net/http"
	"net/url"
	"time"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

const ctxCaller = "workday.caller"

// callerWithStandIns is the caller of the request, with the absent colleagues
// they stand in for now (counselling.StandingInFor), looked up once per
// request.
func (s *Server) callerWithStandIns(c echo.Context) counselling.Caller {
	if caller, ok := c.Get(ctxCaller).(counselling.Caller); ok {
		return caller
	}
	caller := counselling.CallerOf(sessionOf(c))
	if caller.Counsels() {
		absences, err := s.db.StandInAbsences(c.Request().Context(), caller.AccountID)
		if err != nil {
			// Without the absences the caller keeps their own scope, which is
			// never wider than it should be.
			s.cfg.Logger.Error("read absences", "error", err.Error())
		}
		caller.StandsInFor = counselling.StandingInFor(caller.AccountID, absences, s.cfg.Clock.Now())
	}
	c.Set(ctxCaller, caller)
	return caller
}

// absenceDays reads an absence's first and last day, written 2026-03-02, in
// the office's time zone: it starts at the first day's midnight and ends at
// the midnight after the last day.
func absenceDays(form url.Values, loc *time.Location) (from, until time.Time, err error) {
	p := counselling.Problems{}
	if v := form.Get("from"); v != "" {
		if from, err = time.ParseInLocation(counselling.DateLayout, v, loc); err != nil {
			p.Add("from", "Please give a day as 2026-12-24.")
		}
	}
	if v := form.Get("to"); v != "" {
		last, err := time.ParseInLocation(counselling.DateLayout, v, loc)
		if err != nil {
			p.Add("to", "Please give a day as 2026-12-24.")
		} else {
			until = time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
		}
	}
	return from, until, p.Err()
}

func (s *Server) absencePage(c echo.Context) error {
	return s.renderAbsences(c, http.StatusOK, templates.Form{})
}

func (s *Server) renderAbsences(c echo.Context, status int, f templates.Form) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	own, standing, err := s.db.Absences(ctx, caller)
	if err != nil {
		return err
	}
	staff, err := s.db.Staff(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	wd, err := s.db.Workday(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	d := templates.AbsenceData{Own: own, Standing: standing, Form: f, Zone: wd.Workweek().Location, Now: s.cfg.Clock.Now(),
		Saved: c.QueryParam("done") == "saved", Ended: c.QueryParam("done") == "ended"}
	for _, m := range counselling.StandInCandidates(caller, staff) {
		d.Colleagues = append(d.Colleagues, templates.Option{Value: m.ID, Label: m.Name, Role: string(m.Role)})
	}
	return s.render(c, status, templates.Absences(s.page(c, "My absences"), d))
}

func (s *Server) recordAbsence(c echo.Context) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	form, err := parseForm(c)
	if err == nil {
		var wd counselling.Workday
		if wd, err = s.db.Workday(ctx, caller.OfficeID); err == nil {
			var from, until time.Time
			if from, until, err = absenceDays(form, wd.Workweek().Location); err == nil {
				_, err = s.db.RecordAbsence(ctx, caller, counselling.Absence{StandInID: form.Get("stand_in"), From: from, Until: until})
			}
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderAbsences(c, errorStatus(err), formOf(form, err, "from", "to", "stand_in"))
	}
	return c.Redirect(http.StatusSeeOther, "/inbox/absence?done=saved")
}

func (s *Server) endAbsence(c echo.Context) error {
	if err := s.db.EndAbsence(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/inbox/absence?done=ended")
}

// seekerWorkday is what a help-seeker's conversation page says about the
// promise and their counsellor's absence.
func (s *Server) seekerWorkday(c echo.Context, t *counselling.Thread) (templates.SeekerWorkday, error) {
	ctx := c.Request().Context()
	wd, err := s.db.Workday(ctx, t.OfficeID)
	if err != nil {
		return templates.SeekerWorkday{}, err
	}
	w := wd.Workweek()
	now := s.cfg.Clock.Now()
	out := templates.SeekerWorkday{Zone: w.Location}
	if t.Status != counselling.StatusClosed {
		out.Due = t.DueAt
		if out.Overdue = counselling.Overdue(t.DueAt, now); out.Overdue {
			out.Expect = counselling.NewExpectation(now, w)
		}
	}
	if t.CounsellorID != "" && t.Status != counselling.StatusClosed {
		a, err := s.db.CurrentAbsence(ctx, t.CounsellorID)
		if err != nil {
			return out, err
		}
		if a != nil {
			out.AwayUntil = a.LastDay(w.Location)
		}
	}
	return out, nil
}
