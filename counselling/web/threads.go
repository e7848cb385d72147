package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

func (s *Server) callerOf(c echo.Context) counselling.Caller {
	return s.callerWithStandIns(c)
}

// thread loads a thread the caller may read and marks it read, except in
// answer to HEAD: HEAD only asks what a GET would answer, so it changes
// nothing, and a thread it touched stays unread.
func (s *Server) thread(c echo.Context, caller counselling.Caller, id string) (*counselling.Thread, error) {
	if isHead(c.Request()) {
		return s.db.PeekThread(c.Request().Context(), caller, id)
	}
	return s.db.Thread(c.Request().Context(), caller, id)
}

// notified wakes the mail worker after something was queued.
func (s *Server) notified() {
	if s.cfg.MailWake != nil {
		s.cfg.MailWake()
	}
}

func (s *Server) threads(c echo.Context) error {
	list, err := s.db.SeekerThreads(c.Request().Context(), s.callerOf(c))
	if err != nil {
		return err
	}
	code, err := s.recoveryCode(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Threads(s.page(c, "My messages"),
		templates.SeekerThreadsData{Threads: list, Now: s.cfg.Clock.Now(), RecoveryCode: code}))
}

func (s *Server) themeOptions(c echo.Context, officeID int64) ([]templates.Option, error) {
	themes, err := s.db.Themes(c.Request().Context(), officeID)
	if err != nil {
		return nil, err
	}
	opts := make([]templates.Option, len(themes))
	for i, t := range themes {
		opts[i] = templates.Option{Value: t.Slug, Label: t.Name}
	}
	return opts, nil
}

func (s *Server) renderNewThread(c echo.Context, status int, f templates.Form) error {
	themes, err := s.themeOptions(c, sessionOf(c).OfficeID)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.NewThread(s.page(c, "Write a message"), templates.NewThreadData{Form: f, Themes: themes}))
}

func (s *Server) newThreadForm(c echo.Context) error {
	if err := s.db.MayStart(c.Request().Context(), s.callerOf(c)); err != nil {
		if err != counselling.ErrBlocked && err != counselling.ErrTooManyOpen {
			return err
		}
		return s.render(c, http.StatusOK, templates.NewThread(s.page(c, "Write a message"), templates.NewThreadData{Refused: counselling.ErrorMessage(err)}))
	}
	return s.renderNewThread(c, http.StatusOK, templates.Form{})
}

var threadFields = []string{"theme", "subject", "body"}

func (s *Server) newThread(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return s.renderNewThread(c, errorStatus(err), formOf(nil, err))
	}
	id, err := s.db.CreateThread(c.Request().Context(), s.callerOf(c), counselling.Enquiry{
		Theme: form.Get("theme"), Subject: form.Get("subject"), Body: form.Get("body"),
	}, s.cfg.MailEnabled)
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderNewThread(c, errorStatus(err), formOf(form, err, threadFields...))
	}
	s.notified()
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/threads/"+id, "sent"))
}

func (s *Server) renderSeekerThread(c echo.Context, status int, id string, f templates.Form) error {
	ctx := c.Request().Context()
	t, err := s.thread(c, s.callerOf(c), id)
	if err != nil {
		return err
	}
	if t.Channel == counselling.ChannelChat {
		// A chat is read and written on its own page, which also shows a
		// rating or survey form come back with a problem.
		if status != http.StatusOK {
			return s.renderChat(c, status)
		}
		return c.Redirect(http.StatusSeeOther, "/live/"+id)
	}
	office, err := s.db.Office(ctx, t.OfficeID)
	if err != nil {
		return err
	}
	wd, err := s.seekerWorkday(c, t)
	if err != nil {
		return err
	}
	d := templates.SeekerThreadData{Thread: t, Promise: office.Promise, Form: f, Workday: wd}
	done := ""
	if status == http.StatusOK {
		done = s.confirmation(c)
	}
	if done == "sent" {
		d.Message = "Your message was sent."
	}
	if d.Rating, err = s.ratingPanel(c, s.callerOf(c), t.ID, t.Status, t.CounsellorID); err != nil {
		return err
	}
	if d.Survey, err = s.surveyPanel(c, s.callerOf(c), t.ID, t.Status, t.CounsellorID, done == "survey"); err != nil {
		return err
	}
	p, err := s.conversationPage(c, t)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.SeekerThread(p, d))
}

func (s *Server) seekerThread(c echo.Context) error {
	return s.renderSeekerThread(c, http.StatusOK, c.Param("id"), templates.Form{})
}

func (s *Server) seekerReply(c echo.Context) error {
	id := c.Param("id")
	form, err := parseForm(c)
	if err == nil {
		err = s.db.Reply(c.Request().Context(), s.callerOf(c), id, form.Get("body"), false)
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSeekerThread(c, errorStatus(err), id, formOf(form, err, "body"))
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/threads/"+id, "sent"))
}

// conversationPage is the frame of a help-seeker's conversation page. Its
// title tells the person's conversations apart by number and start date
// only: someone who sees the browser's history on a shared device learns
// neither subject nor theme.
func (s *Server) conversationPage(c echo.Context, t *counselling.Thread) (templates.Page, error) {
	threads, err := s.db.SeekerThreads(c.Request().Context(), s.callerOf(c))
	if err != nil {
		return templates.Page{}, err
	}
	n := 1
	for _, other := range threads {
		if other.ID != t.ID && (other.CreatedAt.Before(t.CreatedAt) || other.CreatedAt.Equal(t.CreatedAt) && other.ID < t.ID) {
			n++
		}
	}
	p := s.page(c, "Conversation {{.Number}}, started {{.Date}}")
	p.TitleData = map[string]any{"Number": n, "Date": t.CreatedAt.UTC().Format("2006-01-02")}
	return p, nil
}
