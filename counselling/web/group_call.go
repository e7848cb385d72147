package web

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/counselling/live/turn"
	"confidant/templates"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/labstack/echo/v4"
)

// groupCalls are the office's group calls, held in memory only: who is
// invited and who is connected, never what they say or show. Each
// counsellor leads at most one at a time.
type groupCalls struct {
	mu       sync.Mutex
	byID     map[string]*groupCall
	byLeader map[string]string
	next     uint64
}

type groupCall struct {
	g     *live.Group
	peers []*groupPeer // in the order they joined
}

// groupPeer is one browser in a group call; its writer alone writes to it.
type groupPeer struct {
	id         string
	account    string
	counsellor bool
	out        chan live.GroupFrame
	gone       chan struct{} // closed when the peer was removed or the call ended
	once       sync.Once
}

func (p *groupPeer) end() { p.once.Do(func() { close(p.gone) }) }

// push queues a frame for a peer without waiting; a peer that cannot keep up
// is ended, and its page may join again.
func (p *groupPeer) push(f live.GroupFrame) {
	select {
	case p.out <- f:
	default:
		p.end()
	}
}

func newGroupID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="))
}

// leaderGroup returns the group call a counsellor leads, starting one.
func (gc *groupCalls) leaderGroup(c counselling.Caller) (*groupCall, error) {
	if id, ok := gc.byLeader[c.AccountID]; ok {
		return gc.byID[id], nil
	}
	g, err := live.NewGroup(newGroupID(), c)
	if err != nil {
		return nil, err
	}
	if gc.byID == nil {
		gc.byID, gc.byLeader = map[string]*groupCall{}, map[string]string{}
	}
	call := &groupCall{g: g}
	gc.byID[g.ID], gc.byLeader[c.AccountID] = call, g.ID
	return call, nil
}

// invitesFor lists the group calls a help-seeker is invited to.
func (gc *groupCalls) invitesFor(accountID string) []string {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	var ids []string
	for id, call := range gc.byID {
		if call.g.Invited(accountID) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (gc *groupCalls) get(id string) *groupCall {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	return gc.byID[id]
}

// roster tells every peer who is in the call; the caller holds gc.mu.
func (call *groupCall) roster() {
	peers := make([]live.GroupPeer, len(call.peers))
	for i, p := range call.peers {
		peers[i] = live.GroupPeer{ID: p.id, Counsellor: p.counsellor}
	}
	for _, p := range call.peers {
		p.push(live.GroupFrame{Type: live.TypeGroup, You: p.id, Peers: peers})
	}
}

func (call *groupCall) peer(id string) *groupPeer {
	for _, p := range call.peers {
		if p.id == id {
			return p
		}
	}
	return nil
}

// drop takes a peer out of the list of connections; the caller holds gc.mu.
// When the counsellor's connection goes, the call ends for everyone in it:
// help-seekers do not stay in a call without their counsellor.
func (call *groupCall) drop(p *groupPeer) {
	for i, q := range call.peers {
		if q == p {
			call.peers = append(call.peers[:i], call.peers[i+1:]...)
			if call.g.Leave(p.account) {
				for _, other := range call.peers {
					other.push(live.GroupFrame{Type: live.TypeCallEnd})
					other.end()
				}
				call.peers = nil
				return
			}
			call.roster()
			return
		}
	}
}

// inviteToGroup invites the help-seeker of a conversation the counsellor
// holds to the counsellor's group call, and opens the call's page.
func (s *Server) inviteToGroup(c echo.Context) error {
	if s.cfg.Relay == nil {
		return counselling.Errorf(counselling.ENotFound, "Video calls are not offered by this office.")
	}
	caller := s.callerOf(c)
	ctx := c.Request().Context()
	t, err := s.db.Thread(ctx, caller, c.Param("id"))
	if err != nil {
		return err
	}
	guest := false
	if t.Channel == counselling.ChannelChat {
		ch, err := s.db.LiveChat(ctx, caller, t.ID)
		if err != nil {
			return err
		}
		guest = ch.Guest
	}
	s.groups.mu.Lock()
	call, err := s.groups.leaderGroup(caller)
	if err == nil {
		err = call.g.Invite(caller, t, guest)
	}
	s.groups.mu.Unlock()
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/calls/"+call.g.ID)
}

// requireGroup lets through the counsellor of a group call and the
// help-seekers invited to it; anyone else finds nothing.
func (s *Server) requireGroup(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := sessionOf(c)
		if sess == nil || (sess.Kind == counselling.KindStaff && !sess.FullyAuthenticated()) {
			return errNotFound
		}
		call := s.groups.get(c.Param("id"))
		if call == nil {
			return errNotFound
		}
		s.groups.mu.Lock()
		ok := call.g.MaySee(s.callerOf(c))
		s.groups.mu.Unlock()
		if !ok {
			return errNotFound
		}
		return next(c)
	}
}

func (s *Server) groupPage(c echo.Context) error {
	caller := s.callerOf(c)
	p := s.page(c, "Group call")
	return s.render(c, http.StatusOK, templates.GroupCall(p, templates.GroupCallData{
		ID: c.Param("id"), Counsellor: caller.Kind == counselling.KindStaff, ScriptURL: s.assets.URL("group.js"),
	}))
}

// endGroup ends the counsellor's group call: everyone in it is told, and the
// invitations go.
func (s *Server) endGroup(c echo.Context) error {
	caller := s.callerOf(c)
	id := c.Param("id")
	s.groups.mu.Lock()
	call := s.groups.byID[id]
	if call == nil || call.g.CounsellorID != caller.AccountID {
		s.groups.mu.Unlock()
		return errNotFound
	}
	delete(s.groups.byID, id)
	delete(s.groups.byLeader, caller.AccountID)
	for _, p := range call.peers {
		p.push(live.GroupFrame{Type: live.TypeCallEnd})
		p.end()
	}
	s.groups.mu.Unlock()
	return c.Redirect(http.StatusSeeOther, "/inbox")
}

// groupSocket carries a group call's signalling. The browser joins by
// connecting and saying hello (the page asks for camera and microphone
// first); a browser that
// may not join, as the fifth of a full call, is told why and let go.
func (s *Server) groupSocket(c echo.Context) error {
	if s.cfg.Relay == nil {
		return errNotFound
	}
	caller := s.callerOf(c)
	id := c.Param("id")
	call := s.groups.get(id)
	conn, err := s.accept(c)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	t := func(msg string) string { return templates.Translate(langOf(c), msg, nil, nil) }
	hctx, hcancel := context.WithTimeout(ctx, 30*time.Second)
	var hello live.GroupFrame
	err = wsjson.Read(hctx, conn, &hello)
	hcancel()
	if err != nil || hello.Type != live.TypeHello {
		conn.Close(websocket.StatusPolicyViolation, "hello first")
		return nil
	}

	s.groups.mu.Lock()
	if call == nil || s.groups.byID[id] != call {
		s.groups.mu.Unlock()
		writeGroupFrame(ctx, conn, live.GroupFrame{Type: live.TypeCallEnd})
		return nil
	}
	if err := call.g.Join(caller); err != nil {
		s.groups.mu.Unlock()
		writeGroupFrame(ctx, conn, live.GroupFrame{Type: live.TypeGroupRefused, Body: t(counselling.ErrorMessage(err))})
		conn.Close(websocket.StatusPolicyViolation, "refused")
		return nil
	}
	s.groups.next++
	me := &groupPeer{id: "p" + strconv.FormatUint(s.groups.next, 10), account: caller.AccountID,
		counsellor: caller.Kind == counselling.KindStaff, out: make(chan live.GroupFrame, 64), gone: make(chan struct{})}
	// Each participant gets relay credentials of their own, before anyone
	// may send them a description.
	creds := s.cfg.Relay.Credentials(s.cfg.Clock.Now(), callTTL)
	me.push(live.GroupFrame{Type: live.TypeCallConfig, Call: &live.Call{ICEServers: []turn.ICEServer{creds}}})
	call.peers = append(call.peers, me)
	call.roster()
	s.groups.mu.Unlock()
	defer func() {
		s.groups.mu.Lock()
		call.drop(me)
		s.groups.mu.Unlock()
	}()

	go func() {
		defer cancel()
		for {
			var f live.GroupFrame
			if err := wsjson.Read(ctx, conn, &f); err != nil {
				return
			}
			if bad := s.groupFrame(call, me, caller, f); bad != "" {
				me.push(live.GroupFrame{Type: live.TypeError, Body: t(bad)})
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-me.gone:
			// Frames queued before the end (removed, call ended) go out first.
			for {
				select {
				case f := <-me.out:
					writeGroupFrame(ctx, conn, f)
					continue
				default:
				}
				break
			}
			conn.Close(websocket.StatusNormalClosure, "")
			return nil
		case f := <-me.out:
			if writeGroupFrame(ctx, conn, f) != nil {
				return nil
			}
		}
	}
}

// groupFrame handles one frame from a peer and returns what was wrong with
// it, if anything. Descriptions and candidates go to the one peer they are
// addressed to, filtered as in a chat's call, and are never stored or logged.
func (s *Server) groupFrame(call *groupCall, me *groupPeer, caller counselling.Caller, f live.GroupFrame) string {
	const unreadable = "This message could not be read. Please send it again."
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	switch f.Type {
	case live.TypeCallSDP, live.TypeCallICE:
		to := call.peer(f.Peer)
		if to == nil || to == me || f.Call == nil {
			return unreadable
		}
		out := live.GroupFrame{Type: f.Type, Peer: me.id, Call: &live.Call{}}
		if f.Type == live.TypeCallSDP {
			if f.Call.SDP == nil || (f.Call.SDP.Type != "offer" && f.Call.SDP.Type != "answer") {
				return unreadable
			}
			out.Call.SDP = &live.SessionDesc{Type: f.Call.SDP.Type, SDP: live.RelayOnlySDP(f.Call.SDP.SDP)}
		} else {
			if f.Call.Candidate == nil {
				return unreadable
			}
			c, ok := live.RelayCandidate(f.Call.Candidate.Candidate)
			if !ok {
				return ""
			}
			out.Call.Candidate = &live.Candidate{Candidate: c, SDPMid: f.Call.Candidate.SDPMid, SDPMLineIndex: f.Call.Candidate.SDPMLineIndex}
		}
		to.push(out)
	case live.TypeGroupRemove:
		target := call.peer(f.Peer)
		if target == nil {
			return unreadable
		}
		if err := call.g.Remove(caller, target.account); err != nil {
			return counselling.ErrorMessage(err)
		}
		target.push(live.GroupFrame{Type: live.TypeGroupRemoved})
		target.end()
		for i, q := range call.peers {
			if q == target {
				call.peers = append(call.peers[:i], call.peers[i+1:]...)
				break
			}
		}
		call.roster()
	case live.TypeCallLog:
		code := 0
		if f.Call != nil {
			code = f.Call.Code
		}
		s.log.Warn("group call: relay candidate error", "code", code)
	case live.TypeHello:
	default:
		return unreadable
	}
	return ""
}

func writeGroupFrame(ctx context.Context, conn *websocket.Conn, f live.GroupFrame) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return wsjson.Write(ctx, conn, f)
}
