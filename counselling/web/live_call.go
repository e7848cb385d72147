package web

import (
	"context"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/counselling/live/turn"

	"github.com/labstack/echo/v4"
)

// callTTL is how long a participant's relay credentials stay valid. The
// relay checks them again each time the browser refreshes its allocation,
// so they must outlast the longest call.
const callTTL = 4 * time.Hour

// call handles a call frame a browser sent over the chat's socket. The
// reader handles one frame after the other, so each peer's signalling is
// relayed in the order it was sent. Signalling is passed on and never stored
// or logged: a description or candidate names addresses.
func (cc *chatConn) call(ctx context.Context, f live.Frame) {
	refuse := func(msg string) {
		cc.answer(ctx, live.Frame{Type: live.TypeError, Body: cc.t(msg)})
	}
	if cc.s.cfg.Relay == nil {
		refuse("Video calls are not offered by this office.")
		return
	}
	if !live.MaySignal(cc.side, f.Type) {
		if f.Type == live.TypeCallOffer {
			refuse("Only the counsellor can start a video call.")
		} else {
			refuse("This message could not be read. Please send it again.")
		}
		return
	}
	out := live.Frame{Type: f.Type, From: cc.side, Sender: cc.connID, Call: &live.Call{}}
	switch f.Type {
	case live.TypeCallOffer, live.TypeCallJoin:
		ch, err := cc.s.db.LiveChat(ctx, cc.caller, cc.id)
		if err != nil {
			cc.answer(ctx, cc.errorFrame("", err))
			return
		}
		if ch.Status != counselling.ChatRunning {
			refuse("A video call is only possible while the chat is running.")
			return
		}
		if f.Type == live.TypeCallJoin {
			out.Call.Voice = f.Call != nil && f.Call.Voice
		}
		// Each participant gets credentials of their own when the call
		// starts for them; the page is never given any other ICE server.
		if f.Type == live.TypeCallOffer {
			cc.s.setCallOffered(cc.id, true)
		}
		creds := cc.s.cfg.Relay.Credentials(cc.s.cfg.Clock.Now(), callTTL)
		cc.answer(ctx, live.Frame{Type: live.TypeCallConfig, Call: &live.Call{ICEServers: []turn.ICEServer{creds}}})
	case live.TypeCallSDP:
		if f.Call == nil || f.Call.SDP == nil || (f.Call.SDP.Type != "offer" && f.Call.SDP.Type != "answer") {
			refuse("This message could not be read. Please send it again.")
			return
		}
		out.Call.SDP = &live.SessionDesc{Type: f.Call.SDP.Type, SDP: live.RelayOnlySDP(f.Call.SDP.SDP)}
	case live.TypeCallICE:
		if f.Call == nil || f.Call.Candidate == nil {
			refuse("This message could not be read. Please send it again.")
			return
		}
		c, ok := live.RelayCandidate(f.Call.Candidate.Candidate)
		if !ok {
			// A candidate that could reveal an address is dropped without
			// a word: the browser gathers only relay candidates anyway.
			return
		}
		out.Call.Candidate = &live.Candidate{Candidate: c, SDPMid: f.Call.Candidate.SDPMid, SDPMLineIndex: f.Call.Candidate.SDPMLineIndex}
	case live.TypeCallLog:
		// Only the error's number reaches the log, never the addresses
		// or URL the browser reports with it.
		code := 0
		if f.Call != nil {
			code = f.Call.Code
		}
		cc.s.log.Warn("call: relay candidate error", "code", code)
		return
	case live.TypeCallEnd:
		cc.s.setCallOffered(cc.id, false)
	}
	cc.s.live.hub.Publish(live.ChatTopic(cc.id), out)
}

// forwardCall writes a call frame from the hub to this browser if it comes
// from the other side of the chat; it reports false when the connection is
// gone.
func (cc *chatConn) forwardCall(ctx context.Context, f live.Frame) bool {
	if f.From == cc.side || f.Sender == cc.connID {
		return true
	}
	return writeFrame(ctx, cc.conn, f) == nil
}

// permissionsPolicy denies every powerful feature, except that the chat page
// and the group call page, where calls happen, may use camera, microphone and screen for itself when
// the office offers calls.
func (s *Server) permissionsPolicy(c echo.Context) string {
	media := "camera=(), microphone=(), display-capture=()"
	if s.cfg.Relay != nil && (c.Path() == "/live/:id" || c.Path() == "/calls/:id") {
		media = "camera=(self), microphone=(self), display-capture=(self)"
	}
	return media + ", geolocation=(), payment=(), usb=(), browsing-topics=()"
}

// Which chats' counsellors have offered a call that has not been hung up is
// kept in the shared state (for as long as credentials last), so that a
// help-seeker whose page (re)connects, to any node, is offered it too. It
// holds a mark, never signalling.
func callKey(chatID string) string { return "call/" + chatID }

func (s *Server) setCallOffered(chatID string, offered bool) {
	ctx, cancel := sharedCtx()
	defer cancel()
	if !offered {
		s.live.shared.Delete(ctx, callKey(chatID))
		return
	}
	s.live.shared.Put(ctx, callKey(chatID), []byte{1}, callTTL)
}

func (s *Server) callOffered(chatID string) bool {
	ctx, cancel := sharedCtx()
	defer cancel()
	v, err := s.live.shared.Get(ctx, callKey(chatID))
	return err == nil && v != nil
}

// resumeCall offers a help-seeker whose page connects to a running chat the
// call its counsellor has offered.
func (cc *chatConn) resumeCall(ch *counselling.LiveChat) {
	if cc.s.cfg.Relay == nil || cc.side != live.FromSeeker || ch.Status != counselling.ChatRunning || !cc.s.callOffered(cc.id) {
		return
	}
	select {
	case cc.out <- live.Frame{Type: live.TypeCallOffer, From: live.FromCounsellor, Call: &live.Call{}}:
	default:
	}
}
