package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// liveThemes is the office's themes as options, with whether someone
// available now counsels each (keyed by slug), by the domain's rule
// (counselling.ThemesAvailable). It never learns who is available.
func (s *Server) liveThemes(c echo.Context, officeID int64) ([]templates.Option, map[string]bool, error) {
	themes, err := s.db.Themes(c.Request().Context(), officeID)
	if err != nil {
		return nil, nil, err
	}
	byID := counselling.ThemesAvailable(themes, s.live.avail.Themes(officeID))
	opts := make([]templates.Option, len(themes))
	available := map[string]bool{}
	for i, t := range themes {
		opts[i] = templates.Option{Value: t.Slug, Label: t.Name}
		if byID[t.ID] {
			available[t.Slug] = true
		}
	}
	return opts, available, nil
}

// switchAvailability switches the caller available, for the themes they
// counsel, or away.
func (s *Server) switchAvailability(c echo.Context, on bool) error {
	caller := s.callerOf(c)
	themes := counselling.AllThemes
	if on {
		var err error
		if themes, err = s.db.CounselledThemes(c.Request().Context(), caller); err != nil {
			return err
		}
	}
	s.live.avail.Set(caller.OfficeID, caller.AccountID, on, themes)
	s.availabilityChanged(caller.OfficeID)
	return nil
}

// availabilityChanged tells the office's queue pages to fetch their lists
// again: which chats come first for a counsellor depends on who else is
// available for which themes.
func (s *Server) availabilityChanged(officeID int64) {
	s.live.hub.Publish(live.QueueTopic(officeID), live.Frame{Type: live.TypeQueue})
}

// liveQueueFor is the caller's live queue split by the domain's rule
// (counselling.LiveQueueFor): the chats they are meant for first, then the
// others.
func (s *Server) liveQueueFor(c echo.Context, caller counselling.Caller, items []counselling.LiveQueueItem) (first, rest []counselling.LiveQueueItem, err error) {
	mine, err := s.db.CounselledThemes(c.Request().Context(), caller)
	if err != nil {
		return nil, nil, err
	}
	first, rest = counselling.LiveQueueFor(items, mine, s.live.avail.Themes(caller.OfficeID))
	return first, rest, nil
}

// counselledThemesData fills the staff settings page's choice of themes for
// counsellors and supervisors; others counsel no theme and see none.
func (s *Server) counselledThemesData(c echo.Context, d *templates.StaffSettingsData) error {
	caller := s.callerOf(c)
	if !caller.Counsels() {
		return nil
	}
	themes, err := s.db.Themes(c.Request().Context(), caller.OfficeID)
	if err != nil {
		return err
	}
	mine, err := s.db.CounselledThemes(c.Request().Context(), caller)
	if err != nil {
		return err
	}
	d.Counsels = true
	d.Counselled = map[string]bool{}
	for _, t := range themes {
		d.Themes = append(d.Themes, templates.Option{Value: t.Slug, Label: t.Name})
		if mine.Covers(t.ID) {
			d.Counselled[t.Slug] = true
		}
	}
	return nil
}

// saveCounselledThemes stores which themes the caller counsels; while they
// are available, their availability follows at once.
func (s *Server) saveCounselledThemes(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	caller := s.callerOf(c)
	chosen, err := s.db.SetCounselledThemes(c.Request().Context(), caller, form["themes"])
	if err != nil {
		if !showsForm(err) {
			return err
		}
		d := templates.StaffSettingsData{MailEnabled: s.cfg.MailEnabled, ThemesForm: formOf(form, err)}
		if err := s.staffSettingsValues(c, &d); err != nil {
			return err
		}
		if err := s.counselledThemesData(c, &d); err != nil {
			return err
		}
		// The boxes show what was sent, not what is stored.
		d.Counselled = map[string]bool{}
		for _, slug := range form["themes"] {
			d.Counselled[slug] = true
		}
		return s.render(c, errorStatus(err), templates.StaffSettings(s.page(c, "My notifications"), d))
	}
	s.live.avail.SetThemes(caller.AccountID, chosen)
	s.availabilityChanged(caller.OfficeID)
	return c.Redirect(http.StatusSeeOther, "/inbox/settings?done=themes")
}
