package web

import (
	"context"
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// Reaching out, on the web: a help-seeker's pages keep a socket open
// (/live/ring/ws) while they are online, through which a counsellor's ring
// arrives, either answering the help-seeker's call-back request or inviting
// someone who allows contact; the counsellor's queue page has a socket of its
// own (/live/reach/ws) that hears whether the ring was accepted. Who is
// online and which rings are under way is kept in the live state every node
// shares, like the counsellors' availability: on one node in memory, so that
// after a restart nobody rings until pages reconnect; call-back requests
// wait in the store.

// reachFrame is what a page's frame carries for reaching out.
func (s *Server) reachFrame(c echo.Context, sess *counselling.Session) *templates.ReachFrame {
	caller := counselling.CallerOf(sess)
	switch {
	case counselling.MayUseAccountPages(caller):
		n, err := s.db.ExpiredCallbacks(c.Request().Context(), caller)
		if err != nil {
			s.log.Error("count expired call-backs", "error", err.Error())
		}
		return &templates.ReachFrame{ScriptURL: s.assets.URL("reach.js"), Seeker: true, Expired: n}
	case sess.FullyAuthenticated() && caller.Counsels():
		return &templates.ReachFrame{ScriptURL: s.assets.URL("reach.js")}
	}
	return nil
}

// reachQueue is the counsellor's share of reaching out on the live queue.
func (s *Server) reachQueue(c echo.Context, caller counselling.Caller) (templates.ReachQueueData, error) {
	ctx := c.Request().Context()
	now := s.cfg.Clock.Now()
	d := templates.ReachQueueData{Now: now, Video: s.cfg.Relay != nil, Rings: s.reach.of(caller.AccountID, now)}
	var err error
	if d.Zone, err = s.officeZone(ctx, caller.OfficeID); err != nil {
		return d, err
	}
	if d.Callbacks, err = s.db.CallbackQueue(ctx, caller); err != nil {
		return d, err
	}
	// Only people who allow contact are loaded at all; of those, the page
	// lists who is online now and shares a theme the counsellor counsels.
	people, err := s.db.OutreachCandidates(ctx, caller)
	if err != nil {
		return d, err
	}
	if len(people) == 0 {
		return d, nil
	}
	mine, err := s.db.CounselledThemes(ctx, caller)
	if err != nil {
		return d, err
	}
	for _, p := range people {
		if _, err := counselling.MayInvite(caller, p, mine); err != nil || !s.reach.isOnline(p.SeekerID) {
			continue
		}
		d.Invitable = append(d.Invitable, templates.ReachPerson{ID: p.SeekerID, Nickname: p.Nickname})
	}
	return d, nil
}

func callbackForm(values map[string][]string, err error) templates.Form {
	return formOf(values, err, "counsellor", "kind", "window_from", "window_to")
}

func (s *Server) renderCallbacks(c echo.Context, status int, f templates.Form, message string) error {
	caller := s.callerOf(c)
	ctx := c.Request().Context()
	who, err := s.db.CallbackCounsellors(ctx, caller)
	if err != nil {
		return err
	}
	requests, err := s.db.SeekerCallbacks(ctx, caller)
	if err != nil {
		return err
	}
	zone, err := s.officeZone(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	d := templates.CallbackData{Requests: requests, Form: f, Message: message, Now: s.cfg.Clock.Now(), Zone: zone}
	for _, m := range who {
		d.Counsellors = append(d.Counsellors, templates.Option{Value: m.ID, Label: m.Name})
	}
	return s.render(c, status, templates.CallbackPage(s.page(c, "Ask to be called back"), d, s.cfg.Relay != nil))
}

var callbackDone = map[string]string{
	"requested": "Your request is sent. Your counsellor will call you back when they are free; keep a page of ours open to be rung.",
	"removed":   "The request is removed.",
}

func (s *Server) callbackPage(c echo.Context) error {
	return s.renderCallbacks(c, http.StatusOK, templates.Form{}, callbackDone[c.QueryParam("done")])
}

func (s *Server) requestCallback(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		kind := form.Get("kind")
		if kind == counselling.ReachVideo && s.cfg.Relay == nil {
			kind = ""
		}
		_, err = s.db.RequestCallback(c.Request().Context(), s.callerOf(c), form.Get("counsellor"), kind,
			form.Get("window_from"), form.Get("window_to"))
		if err == nil {
			// The counsellor asked, and only they, hear that their call-back
			// queue changed.
			s.live.hub.Publish(reachTopic(form.Get("counsellor")), live.Frame{Type: typeRingChange})
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		f := callbackForm(form, err)
		if len(f.Errors) == 0 {
			f.Message = counselling.ErrorMessage(err)
		}
		return s.renderCallbacks(c, errorStatus(err), f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/live/callback?done=requested")
}

func (s *Server) removeCallback(c echo.Context) error {
	if err := s.db.RemoveCallback(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/live/callback?done=removed")
}

// callBack rings the help-seeker of a call-back request made to the
// caller. A help-seeker who is not online is not rung: the request waits.
func (s *Server) callBack(c echo.Context) error {
	caller := s.callerOf(c)
	ctx := c.Request().Context()
	r, err := s.db.CallbackFor(ctx, caller, c.Param("id"))
	if err != nil {
		if counselling.ErrorCode(err) == counselling.EConflict {
			return s.renderLiveQueue(c, http.StatusConflict, counselling.ErrorMessage(err))
		}
		return err
	}
	if !s.reach.isOnline(r.SeekerID) {
		return s.renderLiveQueue(c, http.StatusConflict,
			"This person is not online now. The request stays in your call-back queue until it expires.")
	}
	nick, err := s.seekerName(ctx, caller, r.SeekerID, r.ID)
	if err != nil {
		return err
	}
	return s.ring(c, caller, &ring{seekerID: r.SeekerID, seeker: nick, kind: r.Kind, callbackID: r.ID})
}

// seekerName is the nickname the counsellor's queue shows for a request.
func (s *Server) seekerName(ctx context.Context, caller counselling.Caller, seekerID, callbackID string) (string, error) {
	queue, err := s.db.CallbackQueue(ctx, caller)
	if err != nil {
		return "", err
	}
	for _, q := range queue {
		if q.ID == callbackID {
			return q.Seeker, nil
		}
	}
	return "", counselling.ErrCallbackGone
}

// invite rings a help-seeker the counsellor may invite (counselling.MayInvite).
// Whether they are online is looked at only once the rule allowed it, so a
// refusal never depends on it.
func (s *Server) invite(c echo.Context) error {
	caller := s.callerOf(c)
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	kind := form.Get("kind")
	if err := counselling.ValidateReachKind(kind); err != nil || kind == counselling.ReachVideo && s.cfg.Relay == nil {
		return s.renderLiveQueue(c, http.StatusBadRequest, "Please choose chat or video.")
	}
	seekerID := form.Get("seeker")
	nick, err := s.db.MayInvite(c.Request().Context(), caller, seekerID)
	if err != nil {
		if code := counselling.ErrorCode(err); code == counselling.EForbidden || code == counselling.EInvalid {
			return s.renderLiveQueue(c, errorStatus(err), counselling.ErrorMessage(err))
		}
		return err
	}
	if !s.reach.isOnline(seekerID) {
		return s.renderLiveQueue(c, http.StatusConflict, counselling.ErrorMessage(counselling.ErrReachOffline))
	}
	return s.ring(c, caller, &ring{seekerID: seekerID, seeker: nick, kind: kind})
}

// ring starts a ring and sends it to every page of the help-seeker's.
func (s *Server) ring(c echo.Context, caller counselling.Caller, r *ring) error {
	names, err := s.db.Staff(c.Request().Context(), caller.OfficeID)
	if err != nil {
		return err
	}
	for _, m := range names {
		if m.ID == caller.AccountID {
			r.counsellor = m.Name
		}
	}
	r.id, r.officeID, r.counsellorID, r.state, r.at = newGroupID(), caller.OfficeID, caller.AccountID, "ringing", s.cfg.Clock.Now()
	if err := s.reach.start(r); err != nil {
		return err
	}
	s.live.hub.Publish(ringTopic(r.seekerID), ringFrame(r))
	return c.Redirect(http.StatusSeeOther, "/live/queue")
}

func ringFrame(r *ring) live.Frame {
	why := "invite"
	if r.callbackID != "" {
		why = "callback"
	}
	return live.Frame{Type: typeRing, ID: r.id, Author: r.counsellor, Status: r.kind, Body: why}
}

// acceptRing opens the chat a ring offers, between exactly its two people,
// and takes the help-seeker there; the counsellor's queue page follows.
func (s *Server) acceptRing(c echo.Context) error {
	caller := s.callerOf(c)
	now := s.cfg.Clock.Now()
	r := s.reach.answer(c.Param("id"), caller.AccountID, now, "answered")
	if r == nil {
		return errRingGone
	}
	var chatID string
	var err error
	if r.callbackID != "" {
		chatID, err = s.db.AnswerCallback(c.Request().Context(), caller, r.callbackID)
	} else {
		chatID, err = s.db.OpenInvitedChat(c.Request().Context(), caller, r.counsellorID, r.kind)
	}
	if err != nil {
		s.reach.undo(r, now)
		return err
	}
	s.reach.answered(r, chatID, now)
	s.live.hub.Publish(ringTopic(caller.AccountID), live.Frame{Type: typeRingEnd, ID: r.id})
	s.live.hub.Publish(reachTopic(r.counsellorID), live.Frame{Type: typeRingAnswer, ID: chatID, Status: r.kind})
	return c.Redirect(http.StatusSeeOther, "/live/"+chatID)
}

var errRingGone = counselling.Errorf(counselling.ENotFound, "This call is over. If you still want to talk, you can start a chat or ask to be called back.")

// declineRing says "not now": the counsellor is told so, never why, and a
// call-back request stays open.
func (s *Server) declineRing(c echo.Context) error {
	caller := s.callerOf(c)
	r := s.reach.answer(c.Param("id"), caller.AccountID, s.cfg.Clock.Now(), "not-now")
	if r == nil {
		return errRingGone
	}
	s.live.hub.Publish(ringTopic(caller.AccountID), live.Frame{Type: typeRingEnd, ID: r.id})
	s.live.hub.Publish(reachTopic(r.counsellorID), live.Frame{Type: typeRingChange})
	return c.Redirect(http.StatusSeeOther, "/live/callback")
}

// setContactConsent gives or withdraws the help-seeker's consent to be
// contacted again.
func (s *Server) setContactConsent(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	on := form.Get("consent") == "1"
	if !on && form.Get("consent") != "0" {
		return counselling.Errorf(counselling.EInvalid, "Please choose whether you allow it or not.")
	}
	if err := s.db.SetContactConsent(c.Request().Context(), s.callerOf(c), on); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?saved=contact")
}

// saveCallbackSettings changes how long the office's call-back requests
// wait.
func (s *Server) saveCallbackSettings(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		hours, convErr := strconv.Atoi(form.Get("callback_expiry_hours"))
		if convErr != nil {
			hours = 0
		}
		err = s.db.SetCallbackExpiryHours(c.Request().Context(), s.callerOf(c), hours)
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSettings(c, errorStatus(err), templates.AdminSettingsData{CallbackForm: formOf(form, err, "callback_expiry_hours")})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?done=callback")
}

// ringSocket is a help-seeker's page's socket while they are online: rings
// arrive through it. A ring under way when the page connects is sent at once.
func (s *Server) ringSocket(c echo.Context) error {
	caller := s.callerOf(c)
	sub := s.live.hub.Subscribe(ringTopic(caller.AccountID), nil)
	defer sub.Close()
	// Online from before the handshake is answered, so that a ring sent
	// once the page's socket is open always finds it.
	s.reach.connect(caller.AccountID, true)
	defer s.reach.connect(caller.AccountID, false)
	conn, err := s.accept(c)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	return s.pump(c.Request().Context(), conn, sub, nil, func(ctx context.Context) error {
		if r := s.reach.ringing(caller.AccountID, s.cfg.Clock.Now()); r != nil {
			return writeFrame(ctx, conn, ringFrame(r))
		}
		return nil
	})
}

// reachSocket is the counsellor's queue page's socket that hears how their
// rings end and when someone asks them to call back.
func (s *Server) reachSocket(c echo.Context) error {
	caller := s.callerOf(c)
	sub := s.live.hub.Subscribe(reachTopic(caller.AccountID), nil)
	defer sub.Close()
	conn, err := s.accept(c)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	return s.pump(c.Request().Context(), conn, sub, nil, nil)
}

// expireCallbacks marks call-back requests whose time is up and wakes the
// mail worker for the mails that say so.
func (s *Server) expireCallbacks(ctx context.Context) {
	n, err := s.db.ExpireCallbacks(ctx)
	if err != nil {
		s.log.Error("expire call-backs", "error", err.Error())
		return
	}
	if n > 0 && s.cfg.MailWake != nil {
		s.cfg.MailWake()
	}
}
