package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/templates"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/labstack/echo/v4"
)

// liveState is the web layer's share of live chat: the hub that carries a
// chat's frames, who is available, and the state every node shares (Shared):
// which chats' counsellors and readers are connected, who can be rung, rings,
// offered calls and confirmations.
type liveState struct {
	hub    live.Hub
	shared live.Shared
	avail  *live.Availability
	grace  time.Duration
	connID atomic.Uint64

	// graces are the chats whose grace time for their counsellor runs on
	// this node.
	gracesMu sync.Mutex
	graces   map[string]bool
}

// startGrace reports whether no grace time runs for the chat on this node,
// and then counts one as running until endGrace.
func (l *liveState) startGrace(chatID string) bool {
	l.gracesMu.Lock()
	defer l.gracesMu.Unlock()
	if l.graces[chatID] {
		return false
	}
	if l.graces == nil {
		l.graces = map[string]bool{}
	}
	l.graces[chatID] = true
	return true
}

func (l *liveState) endGrace(chatID string) {
	l.gracesMu.Lock()
	defer l.gracesMu.Unlock()
	delete(l.graces, chatID)
}

func newLiveState(cfg Config) *liveState {
	hub := cfg.LiveHub
	if hub == nil {
		hub = live.NewLocalHub()
	}
	shared := cfg.LiveShared
	if shared == nil {
		shared = live.NewMemoryShared(cfg.Clock)
	}
	grace := cfg.HolderGrace
	if grace == 0 {
		grace = counselling.HolderGoneGrace
	}
	return &liveState{hub: hub, shared: shared, avail: live.NewAvailability(cfg.Clock, shared), grace: grace}
}

// sharedTimeout bounds a look at the shared state from a socket's life,
// which has no request to bound it.
const sharedTimeout = 5 * time.Second

func sharedCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), sharedTimeout)
}

// count is how many connections are open under key on every node; a count
// that cannot be read is none.
func (l *liveState) count(key string) int {
	ctx, cancel := sharedCtx()
	defer cancel()
	n, _ := l.shared.Count(ctx, key)
	return n
}

func (l *liveState) join(key string) {
	ctx, cancel := sharedCtx()
	defer cancel()
	l.shared.Join(ctx, key)
}

func (l *liveState) leave(key string) {
	ctx, cancel := sharedCtx()
	defer cancel()
	l.shared.Leave(ctx, key)
}

// liveOffice is the office a visitor's live chat is with: their own when
// logged in, otherwise the one their URL names (visitorOffice).
func (s *Server) liveOffice(c echo.Context) (*counselling.Office, error) {
	if sess := sessionOf(c); sess != nil {
		return s.db.Office(c.Request().Context(), sess.OfficeID)
	}
	return s.visitorOffice(c)
}

// ctxOfficeURL holds the slug of the office a visitor came to, which their
// links carry on (templates.WithURLOffice).
const ctxOfficeURL = "office-in-url"

// visitorOffice is the office of a visitor without a session: the one their
// URL names (?office=slug, carried on from its start page), else the
// installation's first office. A visitor who came through a second office's
// start page thus reads that office's emergency number and opening hours,
// and a chat they start as a guest is with that office.
func (s *Server) visitorOffice(c echo.Context) (*counselling.Office, error) {
	if slug := c.QueryParam("office"); slug != "" {
		office, err := s.db.OfficeBySlug(c.Request().Context(), slug)
		if err == nil {
			c.Set(ctxOfficeURL, office.Slug)
			return office, nil
		}
		if counselling.ErrorCode(err) != counselling.ENotFound {
			return nil, err
		}
	}
	return s.defaultOffice(c)
}

func (s *Server) livePage(c echo.Context, title string) templates.Page {
	p := s.page(c, title)
	p.LiveJSURL = s.assets.URL("live.js")
	return p
}

func (s *Server) renderLive(c echo.Context, status int, f templates.Form) error {
	office, err := s.liveOffice(c)
	if err != nil {
		return err
	}
	themes, available, err := s.liveThemes(c, office.ID)
	if err != nil {
		return err
	}
	sess := sessionOf(c)
	booking, err := s.bookingData(c)
	if err != nil {
		return err
	}
	survey := templates.SurveyPanel{Form: f}
	if survey.Questions, err = s.db.SurveyQuestions(c.Request().Context(), office.ID, counselling.SurveyBeforeChat); err != nil {
		return err
	}
	if f.HasErrors() {
		survey.Chosen = c.Request().PostForm
	}
	return s.render(c, status, templates.Live(s.livePage(c, "Live chat"), templates.LiveData{
		Themes: themes, Available: len(available) > 0, ThemeAvailable: available, Promise: office.Promise, Form: f,
		Registered: sess != nil && counselling.MayUseAccountPages(counselling.CallerOf(sess)),
		Booking:    booking, Survey: survey,
	}))
}

// liveStart shows, per theme, whether someone is available and the form
// that starts a chat.
func (s *Server) liveStart(c echo.Context) error {
	if sess := sessionOf(c); sess != nil && sess.Kind == counselling.KindStaff {
		return c.Redirect(http.StatusSeeOther, "/live/queue")
	}
	return s.renderLive(c, http.StatusOK, templates.Form{})
}

// startChat queues a chat. A visitor without a session becomes a guest,
// whose session is the one session cookie.
func (s *Server) startChat(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return s.renderLive(c, errorStatus(err), formOf(nil, err))
	}
	ctx := c.Request().Context()
	sess := sessionOf(c)
	office, err := s.liveOffice(c)
	if err != nil {
		return err
	}
	// The survey before the chat is read first, so that answers the office
	// does not ask for keep both the chat and the answers from starting.
	answers, err := s.beforeChatSurvey(c, office.ID, form)
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderLive(c, errorStatus(err), formOf(form, err, "theme"))
	}
	var id string
	switch {
	case sess == nil:
		var token string
		id, token, err = s.db.StartGuestChat(ctx, office.ID, form.Get("theme"), langOf(c))
		if err == nil {
			s.setSessionCookie(c, token)
		}
		err = s.chatStarted(c, office.ID, err)
		if err != nil {
			return err
		}
	default:
		caller := s.callerOf(c)
		if !counselling.MayStartChat(caller) {
			return errNotFound
		}
		if id, err = s.db.StartChat(ctx, caller, form.Get("theme")); err != nil {
			err = s.chatStarted(c, caller.OfficeID, err)
			if err != nil {
				return err
			}
		}
		s.live.hub.Publish(live.QueueTopic(caller.OfficeID), live.Frame{Type: live.TypeQueue})
	}
	s.keepBeforeChatAnswers(c, office.ID, answers)
	return c.Redirect(http.StatusSeeOther, "/live/"+id)
}

// chatStarted tells the office's queue pages, or shows the form again with
// what was wrong.
func (s *Server) chatStarted(c echo.Context, officeID int64, err error) error {
	if err == nil {
		s.live.hub.Publish(live.QueueTopic(officeID), live.Frame{Type: live.TypeQueue})
		return nil
	}
	if !showsForm(err) {
		return err
	}
	form, _ := parseForm(c)
	if rerr := s.renderLive(c, errorStatus(err), formOf(form, err, "theme")); rerr != nil {
		return rerr
	}
	return errShown
}

// errShown says a handler already answered with the form again.
var errShown = errors.New("form shown again")

// requireLive lets help-seekers (guests too) and counsellors through to a
// chat; anyone else finds nothing. A visitor whose guest session ended is
// sent to the start of live chat.
func (s *Server) requireLive(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := sessionOf(c)
		switch {
		case sess == nil && c.Request().Method == http.MethodGet && !strings.HasSuffix(c.Path(), "/ws"):
			return c.Redirect(http.StatusSeeOther, "/live")
		case sess == nil:
			return errNotFound
		case sess.Kind == counselling.KindStaff:
			if !sess.FullyAuthenticated() || !counselling.CallerOf(sess).Counsels() {
				return errNotFound
			}
			s.live.avail.Touch(sess.AccountID)
		case sess.Kind != counselling.KindSeeker:
			return errNotFound
		}
		return next(c)
	}
}

func (s *Server) chatPage(c echo.Context) error {
	return s.renderChat(c, http.StatusOK)
}

// renderChat is a chat's page, for its help-seeker, its counsellor or a
// supervisor reading along; with the rating and the survey once it is over.
// A guest's page holds them from the start, hidden until the chat ends,
// since the guest's session ends with the chat.
func (s *Server) renderChat(c echo.Context, status int) error {
	caller := s.callerOf(c)
	ch, err := s.db.LiveChat(c.Request().Context(), caller, c.Param("id"))
	if err != nil {
		return err
	}
	staff := caller.Kind == counselling.KindStaff
	d := templates.ChatData{Chat: ch, Staff: staff, Me: templates.T(s.langCtx(c), "You")}
	d.Call = templates.CallData{Enabled: s.cfg.Relay != nil, Staff: staff, ScriptURL: s.assets.URL("call.js"),
		Direct: counselling.CallOpensDirectly(*ch, s.cfg.Clock.Now())}
	if staff {
		// Staff pages do not address their reader informally: the
		// counsellor's own messages carry their name.
		d.Me = ch.Counsellor
		d.Other = templates.T(s.langCtx(c), "Help-seeker")
		if ch.Guest {
			d.Other = counselling.GuestName(ch.SeekerID)
		}
	} else {
		d.Other = templates.T(s.langCtx(c), "Counsellor")
	}
	switch counselling.JoinChatAs(caller, ch) {
	case counselling.ChatNone:
		return errNotFound
	case counselling.ChatReader:
		// A supervisor reads the messages only through the chat's socket,
		// whose opening tells both sides; the page itself carries none, so
		// that nobody reads a chat without its counsellor being told. Each
		// opening is in the audit log.
		if err := s.db.NoteReadAlong(c.Request().Context(), caller, ch.ID); err != nil {
			return err
		}
		d.ReadOnly = true
		d.Call.Enabled, d.Call.Direct = false, false
		read := *ch
		read.Messages = nil
		d.Chat = &read
	case counselling.ChatSeeker:
		if caller.Guest {
			if d.Rating, d.Survey, err = s.guestPanels(c, ch); err != nil {
				return err
			}
			break
		}
		fallthrough
	default:
		if d.Rating, err = s.ratingPanel(c, caller, ch.ID, ch.Status, ch.CounsellorID); err != nil {
			return err
		}
		done := s.confirmation(c) == "survey"
		if d.Survey, err = s.surveyPanel(c, caller, ch.ID, ch.Status, ch.CounsellorID, done); err != nil {
			return err
		}
	}
	return s.render(c, status, templates.Chat(s.livePage(c, "Chat"), d))
}

// guestPanels are the rating form and the survey a guest's chat page holds
// for when the chat ends, with the chat's guest pass.
func (s *Server) guestPanels(c echo.Context, ch *counselling.LiveChat) (templates.RatingPanel, templates.SurveyPanel, error) {
	pass := counselling.GuestPass(sessionOf(c).TokenHash, ch.ID)
	r := templates.RatingPanel{Show: true, Action: "/live/" + ch.ID + "/rating", Pass: pass}
	sp := templates.SurveyPanel{Action: "/live/" + ch.ID + "/survey", Pass: pass}
	var err error
	sp.Questions, err = s.db.SurveyQuestions(c.Request().Context(), ch.OfficeID, counselling.SurveyAfterContact)
	return r, sp, err
}

// langCtx is a context that speaks the reader's language.
func (s *Server) langCtx(c echo.Context) context.Context {
	return templates.WithRegister(templates.WithLanguage(c.Request().Context(), langOf(c)), registerOf(c))
}

func (s *Server) endChat(c echo.Context) error {
	caller := s.callerOf(c)
	id := c.Param("id")
	ctx := c.Request().Context()
	ch, err := s.db.LiveChat(ctx, caller, id)
	if err != nil {
		return err
	}
	if role := counselling.JoinChatAs(caller, ch); role != counselling.ChatSeeker && role != counselling.ChatHolder {
		return errNotFound
	}
	// A guest rates the chat and answers the survey after it with the
	// chat's pass, made from the session that ends with the chat.
	var pass string
	if caller.Guest {
		pass = counselling.GuestPass(sessionOf(c).TokenHash, id)
	}
	if err := s.db.EndChat(ctx, caller, id); err != nil {
		return err
	}
	s.chatChanged(ch.OfficeID, id)
	if caller.Guest {
		s.clearSessionCookie(c)
		c.Set(ctxSession, nil)
		return s.renderGuestEnded(c, http.StatusOK, id, pass, templates.Form{}, templates.Form{}, false)
	}
	return c.Redirect(http.StatusSeeOther, "/live/"+id)
}

// chatChanged tells a chat's pages and the office's queue pages that the
// chat's state changed.
func (s *Server) chatChanged(officeID int64, chatID string) {
	s.live.hub.Publish(live.ChatTopic(chatID), live.Frame{Type: live.TypeState})
	s.live.hub.Publish(live.QueueTopic(officeID), live.Frame{Type: live.TypeQueue})
}

func (s *Server) liveQueue(c echo.Context) error {
	return s.renderLiveQueue(c, http.StatusOK, "")
}

func (s *Server) renderLiveQueue(c echo.Context, status int, message string) error {
	return s.renderLiveQueueWith(c, status, message, "")
}

// renderLiveQueueWith is renderLiveQueue linking yours, a chat the reader
// holds, when it is set.
func (s *Server) renderLiveQueueWith(c echo.Context, status int, message, yours string) error {
	caller := s.callerOf(c)
	items, err := s.db.LiveQueue(c.Request().Context(), caller)
	if err != nil {
		return err
	}
	items, others, err := s.liveQueueFor(c, caller, items)
	if err != nil {
		return err
	}
	running, err := s.db.RunningChats(c.Request().Context(), caller)
	if err != nil {
		return err
	}
	reach, err := s.reachQueue(c, caller)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.LiveQueue(s.livePage(c, "Live queue"), templates.LiveQueueData{
		Items: items, Others: others, Available: s.live.avail.IsAvailable(caller.AccountID), Now: s.cfg.Clock.Now(), Message: message, Yours: yours,
		Supervises: caller.Supervises(), Running: running, Reach: reach,
	}))
}

func (s *Server) setAvailability(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	switch form.Get("available") {
	case "1", "0":
		if err := s.switchAvailability(c, form.Get("available") == "1"); err != nil {
			return err
		}
	default:
		return s.renderLiveQueue(c, http.StatusBadRequest, "Please choose whether you are available or away.")
	}
	return c.Redirect(http.StatusSeeOther, "/live/queue")
}

func (s *Server) acceptChat(c echo.Context) error {
	caller := s.callerOf(c)
	id := c.Param("id")
	if err := s.db.AcceptChat(c.Request().Context(), caller, id); err != nil {
		if counselling.ErrorCode(err) != counselling.EConflict {
			return err
		}
		var yours string
		if errors.Is(err, counselling.ErrChatYours) {
			yours = id
		}
		return s.renderLiveQueueWith(c, http.StatusConflict, counselling.ErrorMessage(err), yours)
	}
	s.chatChanged(caller.OfficeID, id)
	return c.Redirect(http.StatusSeeOther, "/live/"+id)
}

// queueSocket is the queue page's live tab: while it is open the counsellor
// counts as present, and it is told when the live queue changes.
func (s *Server) queueSocket(c echo.Context) error {
	caller := s.callerOf(c)
	sub := s.live.hub.Subscribe(live.QueueTopic(caller.OfficeID), nil)
	defer sub.Close()
	conn, err := s.accept(c)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	s.live.avail.TabOpened(caller.AccountID)
	defer s.live.avail.TabClosed(caller.AccountID)
	// Whatever the page sends shows that someone is still there.
	return s.pump(c.Request().Context(), conn, sub, func() { s.live.avail.Touch(caller.AccountID) }, nil)
}

// pump writes a subscription's frames to a socket until either ends. The
// browser sends nothing that is stored; onRead, when set, is told of each
// frame it sends (that someone is still there), and reading notices the
// browser leaving. first, when set, runs before the first frame is written.
// A subscriber too slow to keep up is disconnected, to reconnect and catch up.
func (s *Server) pump(ctx context.Context, conn *websocket.Conn, sub *live.Subscription, onRead func(), first func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer cancel()
		for {
			var f live.Frame
			if err := wsjson.Read(ctx, conn, &f); err != nil {
				return
			}
			if onRead != nil {
				onRead()
			}
		}
	}()
	if first != nil {
		if err := first(ctx); err != nil {
			return nil
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Dropped:
			conn.Close(websocket.StatusTryAgainLater, "slow")
			return nil
		case f := <-sub.C:
			if err := writeFrame(ctx, conn, f); err != nil {
				return nil
			}
		}
	}
}

func writeFrame(ctx context.Context, conn *websocket.Conn, f live.Frame) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return wsjson.Write(ctx, conn, f)
}
