package web

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// Group calls are kept in the live state every node shares: who is invited,
// who is in the call and each participant's connection number, never what
// they say or show. A node holds only the connections of its own browsers;
// what one participant's browser sends another's reaches that browser's node
// through the hub, on the call's topic. Each counsellor leads at most one
// group call at a time.
type groupCalls struct {
	mu    sync.Mutex
	local map[string]*localCall // by call id: this node's participants
}

// localCall is this node's share of a group call: its participants here and
// the subscription to the call's topic that reaches them.
type localCall struct {
	peers map[string]*groupPeer
	sub   *live.Subscription
	stop  chan struct{}
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

// groupCallTTL is how long a group call is kept without a change: a call
// its counsellor never ended goes by itself.
const groupCallTTL = 12 * time.Hour

// groupBuffer is how many frames of a group call wait for this node's
// reader of them: the descriptions and candidates of four browsers that
// connect to each other at once come in bursts.
const groupBuffer = 256

func groupCallKey(id string) string          { return "groupcall/" + id }
func groupLeaderKey(accountID string) string { return "groupleader/" + accountID }
func groupTopic(id string) string            { return "group:" + id }

// groupCall is a group call as the shared state keeps it: the domain's
// group and, in the order they joined, the connections in it.
type groupCall struct {
	Group live.GroupState `json:"g"`
	Peers []groupPeerInfo `json:"p,omitempty"`
	Next  int             `json:"n"`
}

type groupPeerInfo struct {
	ID         string `json:"id"`
	Account    string `json:"a"`
	Counsellor bool   `json:"c,omitempty"`
}

func (gc *groupCall) peer(id string) *groupPeerInfo {
	for i := range gc.Peers {
		if gc.Peers[i].ID == id {
			return &gc.Peers[i]
		}
	}
	return nil
}

func (gc *groupCall) dropPeer(id string) bool {
	for i, p := range gc.Peers {
		if p.ID == id {
			gc.Peers = append(gc.Peers[:i], gc.Peers[i+1:]...)
			return true
		}
	}
	return false
}

func decodeGroupCall(b []byte) *groupCall {
	var gc groupCall
	if b == nil || json.Unmarshal(b, &gc) != nil {
		return nil
	}
	return &gc
}

// loadGroupCall returns the group call, or nil when there is none.
func (s *Server) loadGroupCall(ctx context.Context, id string) (*groupCall, error) {
	b, err := s.live.shared.Get(ctx, groupCallKey(id))
	if err != nil {
		return nil, err
	}
	return decodeGroupCall(b), nil
}

// errNoGroupCall says a change found no group call to change.
var errNoGroupCall = errors.New("no such group call")

// changeGroupCall changes a group call as one step across nodes; fn may run
// more than once and must only compute. create, when set, makes the call
// when there is none.
func (s *Server) changeGroupCall(ctx context.Context, id string, create func() (*groupCall, error), fn func(*groupCall) error) error {
	return s.live.shared.Update(ctx, groupCallKey(id), groupCallTTL, func(old []byte) ([]byte, error) {
		gc := decodeGroupCall(old)
		if gc == nil {
			if create == nil {
				return nil, errNoGroupCall
			}
			var err error
			if gc, err = create(); err != nil {
				return nil, err
			}
		}
		if err := fn(gc); err != nil {
			return nil, err
		}
		return json.Marshal(gc)
	})
}

// invitesFor lists the group calls a help-seeker is invited to.
func (s *Server) invitesFor(ctx context.Context, accountID string) []string {
	all, err := s.live.shared.Scan(ctx, groupCallKey(""))
	if err != nil {
		s.log.Error("list group calls", "error", err.Error())
		return nil
	}
	var ids []string
	for _, b := range all {
		if gc := decodeGroupCall(b); gc != nil && live.GroupFrom(gc.Group).Invited(accountID) {
			ids = append(ids, gc.Group.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// roster tells this node's participants of a call who is in it.
func (s *Server) roster(id string) {
	ctx, cancel := sharedCtx()
	defer cancel()
	gc, err := s.loadGroupCall(ctx, id)
	if err != nil || gc == nil {
		return
	}
	peers := make([]live.GroupPeer, len(gc.Peers))
	for i, p := range gc.Peers {
		peers[i] = live.GroupPeer{ID: p.ID, Counsellor: p.Counsellor}
	}
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	lc := s.groups.local[id]
	if lc == nil {
		return
	}
	for _, p := range lc.peers {
		if gc.peer(p.id) != nil {
			p.push(live.GroupFrame{Type: live.TypeGroup, You: p.id, Peers: peers})
		}
	}
}

// attach makes a participant's browser reachable on this node; the first of
// a call subscribes this node to the call's topic.
func (s *Server) attach(id string, p *groupPeer) {
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	if s.groups.local == nil {
		s.groups.local = map[string]*localCall{}
	}
	lc := s.groups.local[id]
	if lc == nil {
		lc = &localCall{peers: map[string]*groupPeer{}, sub: s.live.hub.SubscribeBuffered(groupTopic(id), groupBuffer), stop: make(chan struct{})}
		s.groups.local[id] = lc
		go s.dispatch(id, lc)
	}
	lc.peers[p.id] = p
}

func (s *Server) detach(id string, p *groupPeer) {
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	lc := s.groups.local[id]
	if lc == nil {
		return
	}
	delete(lc.peers, p.id)
	if len(lc.peers) == 0 {
		delete(s.groups.local, id)
		lc.sub.Close()
		close(lc.stop)
	}
}

// dispatch hands what arrives on a call's topic to this node's
// participants: a description or candidate to the one it is addressed to
// (ID), with the sender's number (From); word that the roster changed, that
// someone was removed (ID), or that the call ended.
func (s *Server) dispatch(id string, lc *localCall) {
	for {
		select {
		case <-lc.stop:
			return
		case <-lc.sub.Dropped:
			// Too slow for once: subscribe again; what was lost were
			// nudges and signalling the browsers repeat when they
			// reconnect.
			s.groups.mu.Lock()
			lc.sub = s.live.hub.SubscribeBuffered(groupTopic(id), groupBuffer)
			s.groups.mu.Unlock()
			s.roster(id)
		case f := <-lc.sub.C:
			switch f.Type {
			case live.TypeGroup:
				s.roster(id)
			case live.TypeCallSDP, live.TypeCallICE:
				s.groups.mu.Lock()
				if p := lc.peers[f.ID]; p != nil {
					p.push(live.GroupFrame{Type: f.Type, Peer: f.From, Call: f.Call})
				}
				s.groups.mu.Unlock()
			case live.TypeGroupRemoved:
				s.groups.mu.Lock()
				if p := lc.peers[f.ID]; p != nil {
					p.push(live.GroupFrame{Type: live.TypeGroupRemoved})
					p.end()
				}
				s.groups.mu.Unlock()
			case live.TypeCallEnd:
				s.groups.mu.Lock()
				for _, p := range lc.peers {
					p.push(live.GroupFrame{Type: live.TypeCallEnd})
					p.end()
				}
				s.groups.mu.Unlock()
			}
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
	// The counsellor's group call, or a new one.
	var id string
	if err := s.live.shared.Update(ctx, groupLeaderKey(caller.AccountID), groupCallTTL, func(old []byte) ([]byte, error) {
		id = string(old)
		if id == "" {
			id = newGroupID()
		}
		return []byte(id), nil
	}); err != nil {
		return err
	}
	create := func() (*groupCall, error) {
		g, err := live.NewGroup(id, caller)
		if err != nil {
			return nil, err
		}
		return &groupCall{Group: g.State()}, nil
	}
	err = s.changeGroupCall(ctx, id, create, func(gc *groupCall) error {
		g := live.GroupFrom(gc.Group)
		if err := g.Invite(caller, t, guest); err != nil {
			return err
		}
		gc.Group = g.State()
		return nil
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/calls/"+id)
}

// requireGroup lets through the counsellor of a group call and the
// help-seekers invited to it; anyone else finds nothing.
func (s *Server) requireGroup(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := sessionOf(c)
		if sess == nil || (sess.Kind == counselling.KindStaff && !sess.FullyAuthenticated()) {
			return errNotFound
		}
		gc, err := s.loadGroupCall(c.Request().Context(), c.Param("id"))
		if err != nil {
			return err
		}
		ok := gc != nil && live.GroupFrom(gc.Group).MaySee(s.callerOf(c))
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
	ctx := c.Request().Context()
	gc, err := s.loadGroupCall(ctx, id)
	if err != nil {
		return err
	}
	if gc == nil || gc.Group.CounsellorID != caller.AccountID {
		return errNotFound
	}
	if err := s.live.shared.Delete(ctx, groupCallKey(id)); err != nil {
		return err
	}
	if err := s.live.shared.Update(ctx, groupLeaderKey(caller.AccountID), groupCallTTL, func(old []byte) ([]byte, error) {
		if string(old) == id {
			return nil, nil
		}
		return old, nil
	}); err != nil {
		return err
	}
	s.live.hub.Publish(groupTopic(id), live.Frame{Type: live.TypeCallEnd})
	return c.Redirect(http.StatusSeeOther, "/inbox")
}
