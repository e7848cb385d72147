package web

import (
	"net/http"
	"strings"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

func (s *Server) inbox(c echo.Context) error {
	caller := s.callerOf(c)
	if caller.Role == counselling.RoleAdmin {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	// An unknown status shows the whole inbox: the filters are links the
	// page offers, so only a hand-edited address names another.
	status := c.QueryParam("status")
	if !counselling.ValidInboxStatus(status) {
		status = ""
	}
	ctx := c.Request().Context()
	in, err := s.db.FilteredInbox(ctx, caller, status, c.QueryParam("queue_after"), c.QueryParam("own_after"))
	if err != nil {
		return err
	}
	d := templates.InboxData{Inbox: in, Now: s.cfg.Clock.Now(), Supervisor: caller.Supervises(), Message: s.flash(c), Status: status}
	wd, err := s.db.Workday(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	d.Zone = wd.Workweek().Location
	if d.Supervisor {
		if d.Overdue, err = s.db.OverdueCounts(ctx, caller.OfficeID); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, templates.Inbox(s.page(c, "Inbox"), d))
}

// flash is the confirmation a staff page shows after an action: a code
// mapped to fixed text (see confirmation), so no user text travels.
func (s *Server) flash(c echo.Context) string {
	return flashes[s.confirmation(c)]
}

var flashes = map[string]string{
	"handover": "The conversation was handed over.",
	"closed":   "The conversation was closed.",
	"draft":    "Your draft is saved. It stays here, encrypted, until you send it.",
	"sent":     "Your reply was sent.",
	"pending":  "Your reply waits for a supervisor's approval before the help-seeker sees it.",
	"note":     "The note was added.",
	"themes":   "The themes were saved.",
	"flagged":  "The conversation is flagged; the office's supervisors see it now.",
	"approved": "The reply was approved and delivered.",
	"returned": "The reply went back to the trainee with your comment.",
	"reopened": "The conversation is open again.",
	"taken":    "The conversation is yours now.",
	"trainee":  "The trainee setting was saved.",
	"blocked":  "The help-seeker's account is blocked: it can't start new conversations. Supervisors see the reason and can lift the block.",
}

func (s *Server) renderStaffThread(c echo.Context, status int, id string, f templates.Form) error {
	return s.renderStaffThreadSaying(c, status, id, f, s.flash(c))
}

// renderStaffThreadSaying is renderStaffThread with a confirmation of its own.
func (s *Server) renderStaffThreadSaying(c echo.Context, status int, id string, f templates.Form, message string) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	t, err := s.thread(c, caller, id)
	if err != nil {
		return err
	}
	d := templates.StaffThreadData{Thread: t, Holds: t.HeldBy(caller), StandsIn: t.StandsInFor(caller), Supervisor: caller.Supervises(), Form: f, Message: message,
		GroupCalls: s.cfg.Relay != nil}
	if d.MayBlock = counselling.MayBlock(caller); d.MayBlock {
		if d.Blocked, err = s.db.SeekerBlocked(ctx, caller, id); err != nil {
			return err
		}
	}
	if d.Holds {
		if d.Themes, err = s.themeOptions(c, caller.OfficeID); err != nil {
			return err
		}
		staff, err := s.db.Staff(ctx, caller.OfficeID)
		if err != nil {
			return err
		}
		for _, m := range counselling.HandoverTargets(caller, staff) {
			d.Colleagues = append(d.Colleagues, templates.Option{Value: m.ID, Label: m.Name, Role: string(m.Role)})
		}
	}
	if templates.HasReplyForm(d) {
		if d.Snippets, err = s.db.InsertableSnippets(ctx, caller, langOf(c)); err != nil {
			return err
		}
	}
	if d.Quality, err = s.qualityPanel(c, caller, t, f); err != nil {
		return err
	}
	// The title tells conversations apart by start date and a reference
	// taken from the address, never by subject or theme.
	p := s.page(c, "Conversation started {{.Date}}, reference {{.Ref}}")
	p.TitleData = map[string]any{"Date": t.CreatedAt.UTC().Format("2006-01-02"), "Ref": strings.ToUpper(t.ID[:6])}
	p.SkipLinks = templates.ReplySkipLink(d)
	if len(d.Snippets) > 0 {
		p.PageJSURL = s.assets.URL("snippets.js")
	}
	return s.render(c, status, templates.StaffThread(p, d))
}

// staffThread shows a conversation. A supervisor who may not read it but may
// reassign it (an open conversation of their office held by someone else or
// waiting in the queue) is led to the list where they reassign it.
func (s *Server) staffThread(c echo.Context) error {
	id := c.Param("id")
	err := s.renderStaffThread(c, http.StatusOK, id, templates.Form{})
	if counselling.ErrorCode(err) == counselling.ENotFound {
		ok, checkErr := s.db.MayReassignThread(c.Request().Context(), s.callerOf(c), id)
		if checkErr != nil {
			return checkErr
		}
		if ok {
			return c.Redirect(http.StatusSeeOther, "/inbox/assignments#c-"+id)
		}
	}
	return err
}

func (s *Server) take(c echo.Context) error {
	id := c.Param("id")
	if err := s.db.Take(c.Request().Context(), s.callerOf(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/inbox/"+id, "taken"))
}

// threadAction runs one staff action on a thread from a posted form. A problem
// with the input shows the thread again with the reason; success redirects.
func (s *Server) threadAction(action func(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		form, err := parseForm(c)
		var to string
		if err == nil {
			to, err = action(c, s.callerOf(c), id, form)
		}
		if err != nil {
			// A reply or note to a conversation that was handed on,
			// reassigned or deleted while it was written is shown back.
			if text := first(form, "body"); counselling.ErrorCode(err) == counselling.ENotFound && strings.TrimSpace(text) != "" {
				return s.render(c, http.StatusNotFound, templates.TextKept(s.page(c, "Your text was not sent"), counselling.ErrorMessage(err), text, "/inbox"))
			}
			if !showsForm(err) {
				return err
			}
			return s.renderStaffThread(c, errorStatus(err), id, formOf(form, err, "body"))
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
}

func first(form map[string][]string, name string) string {
	if v := form[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (s *Server) staffReply(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	ctx := c.Request().Context()
	if first(form, "action") == "draft" {
		if err := s.db.SaveDraft(ctx, caller, id, first(form, "body")); err != nil {
			return "", err
		}
		return s.confirm(c, "/inbox/"+id, "draft"), nil
	}
	if err := s.db.Reply(ctx, caller, id, first(form, "body"), s.cfg.MailEnabled); err != nil {
		return "", err
	}
	s.notified()
	if counselling.NeedsApproval(caller) {
		return s.confirm(c, "/inbox/"+id, "pending"), nil
	}
	return s.confirm(c, "/inbox/"+id, "sent"), nil
}

func (s *Server) note(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	if err := s.db.AddNote(c.Request().Context(), caller, id, first(form, "body")); err != nil {
		return "", err
	}
	return s.confirm(c, "/inbox/"+id, "note"), nil
}

func (s *Server) setThemes(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	if err := s.db.SetThemes(c.Request().Context(), caller, id, form["theme"]); err != nil {
		return "", err
	}
	return s.confirm(c, "/inbox/"+id, "themes"), nil
}

func (s *Server) handover(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	if err := s.db.Handover(c.Request().Context(), caller, id, first(form, "to")); err != nil {
		return "", err
	}
	return s.confirm(c, "/inbox", "handover"), nil
}

func (s *Server) flag(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	if err := s.db.Flag(c.Request().Context(), caller, id, first(form, "reason"), s.cfg.MailEnabled); err != nil {
		return "", err
	}
	s.notified()
	return s.confirm(c, "/inbox/"+id, "flagged"), nil
}

func (s *Server) closeThread(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	if err := s.db.SetClosed(c.Request().Context(), caller, id, true); err != nil {
		return "", err
	}
	return s.confirm(c, "/inbox", "closed"), nil
}

func (s *Server) reopenThread(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	return "/inbox/" + id + "?done=reopened", s.db.SetClosed(c.Request().Context(), caller, id, false)
}

func (s *Server) approve(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	err := s.db.Approve(c.Request().Context(), caller, id, first(form, "message"), s.cfg.MailEnabled)
	if err == nil {
		s.notified()
	}
	return "/inbox?done=approved", err
}

func (s *Server) returnReply(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	return "/inbox?done=returned", s.db.ReturnReply(c.Request().Context(), caller, id, first(form, "message"), first(form, "comment"))
}

func (s *Server) staffSettingsForm(c echo.Context) error {
	d := templates.StaffSettingsData{MailEnabled: s.cfg.MailEnabled, Saved: c.QueryParam("done") == "saved",
		ThemesSaved: c.QueryParam("done") == "themes"}
	if err := s.staffSettingsValues(c, &d); err != nil {
		return err
	}
	if err := s.counselledThemesData(c, &d); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.StaffSettings(s.page(c, "My notifications"), d))
}

// staffSettingsValues fills the notification form with what is stored.
func (s *Server) staffSettingsValues(c echo.Context, d *templates.StaffSettingsData) error {
	email, digest, err := s.db.StaffSettings(c.Request().Context(), sessionOf(c).AccountID)
	if err != nil {
		return err
	}
	d.Form = templates.Form{Values: map[string]string{"email": email}}
	if digest {
		d.Form.Values["digest"] = "1"
	}
	return nil
}

func (s *Server) staffSettings(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		err = s.db.SaveStaffSettings(c.Request().Context(), sessionOf(c).AccountID, form.Get("email"), form.Get("digest") != "")
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		d := templates.StaffSettingsData{Form: formOf(form, err, "email", "digest"), MailEnabled: s.cfg.MailEnabled}
		if err := s.counselledThemesData(c, &d); err != nil {
			return err
		}
		return s.render(c, errorStatus(err), templates.StaffSettings(s.page(c, "My notifications"), d))
	}
	return c.Redirect(http.StatusSeeOther, "/inbox/settings?done=saved")
}
