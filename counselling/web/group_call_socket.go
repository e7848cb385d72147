package web

import (
	"context"
	"errors"
	"strconv"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/counselling/live/turn"
	"confidant/templates"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/labstack/echo/v4"
)

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

	me := &groupPeer{account: caller.AccountID, counsellor: caller.Kind == counselling.KindStaff,
		out: make(chan live.GroupFrame, 64), gone: make(chan struct{})}
	err = s.changeGroupCall(ctx, id, nil, func(gc *groupCall) error {
		g := live.GroupFrom(gc.Group)
		if err := g.Join(caller); err != nil {
			return err
		}
		gc.Group = g.State()
		gc.Next++
		me.id = "p" + strconv.Itoa(gc.Next)
		gc.Peers = append(gc.Peers, groupPeerInfo{ID: me.id, Account: me.account, Counsellor: me.counsellor})
		return nil
	})
	switch {
	case errors.Is(err, errNoGroupCall):
		writeGroupFrame(ctx, conn, live.GroupFrame{Type: live.TypeCallEnd})
		return nil
	case counselling.ErrorCode(err) != "" && counselling.ErrorCode(err) != counselling.EInternal:
		writeGroupFrame(ctx, conn, live.GroupFrame{Type: live.TypeGroupRefused, Body: t(counselling.ErrorMessage(err))})
		conn.Close(websocket.StatusPolicyViolation, "refused")
		return nil
	case err != nil:
		return err
	}
	// Each participant gets relay credentials of their own, before anyone
	// may send them a description.
	creds := s.cfg.Relay.Credentials(s.cfg.Clock.Now(), callTTL)
	me.push(live.GroupFrame{Type: live.TypeCallConfig, Call: &live.Call{ICEServers: []turn.ICEServer{creds}}})
	s.attach(id, me)
	s.live.hub.Publish(groupTopic(id), live.Frame{Type: live.TypeGroup})
	defer func() {
		s.detach(id, me)
		s.leaveGroup(id, me)
	}()

	go func() {
		defer cancel()
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			f, err := live.DecodeGroupFrame(data)
			if err != nil {
				return
			}
			if bad := s.groupFrame(ctx, id, me, caller, f); bad != "" {
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

// leaveGroup takes a participant whose browser went out of the call. When
// the counsellor's goes, the call ends for everyone in it: help-seekers do
// not stay in a call without their counsellor.
func (s *Server) leaveGroup(id string, me *groupPeer) {
	ctx, cancel := sharedCtx()
	defer cancel()
	var was, ended bool
	err := s.changeGroupCall(ctx, id, nil, func(gc *groupCall) error {
		// A participant removed by the counsellor has left already.
		was = gc.dropPeer(me.id)
		ended = false
		if !was {
			return nil
		}
		g := live.GroupFrom(gc.Group)
		if ended = g.Leave(me.account); ended {
			gc.Peers = nil
		}
		gc.Group = g.State()
		return nil
	})
	if err != nil && !errors.Is(err, errNoGroupCall) {
		s.log.Error("leave group call", "error", err.Error())
		return
	}
	switch {
	case ended:
		s.live.hub.Publish(groupTopic(id), live.Frame{Type: live.TypeCallEnd})
	case was:
		s.live.hub.Publish(groupTopic(id), live.Frame{Type: live.TypeGroup})
	}
}

// groupFrame handles one frame from a peer and returns what was wrong with
// it, if anything. Descriptions and candidates go to the one peer they are
// addressed to, filtered as in a chat's call, and are never stored in the
// clear or logged.
func (s *Server) groupFrame(ctx context.Context, id string, me *groupPeer, caller counselling.Caller, f live.GroupFrame) string {
	const unreadable = "This message could not be read. Please send it again."
	switch f.Type {
	case live.TypeCallSDP, live.TypeCallICE:
		out, forward, ok := live.GroupSignal(f, me.id)
		if !ok {
			return unreadable
		}
		gc, err := s.loadGroupCall(ctx, id)
		if err != nil || gc == nil || gc.peer(f.Peer) == nil || gc.peer(me.id) == nil {
			return unreadable
		}
		if !forward {
			return ""
		}
		s.live.hub.Publish(groupTopic(id), out)
	case live.TypeGroupRemove:
		var removed bool
		err := s.changeGroupCall(ctx, id, nil, func(gc *groupCall) error {
			removed = false
			target := gc.peer(f.Peer)
			if target == nil {
				return nil
			}
			g := live.GroupFrom(gc.Group)
			if err := g.Remove(caller, target.Account); err != nil {
				return err
			}
			gc.dropPeer(target.ID)
			gc.Group = g.State()
			removed = true
			return nil
		})
		switch {
		case err != nil && counselling.ErrorCode(err) != "" && counselling.ErrorCode(err) != counselling.EInternal:
			return counselling.ErrorMessage(err)
		case err != nil:
			s.log.Error("remove from group call", "error", err.Error())
			return "Something went wrong on our side. Please try again in a moment."
		case !removed:
			return unreadable
		}
		s.live.hub.Publish(groupTopic(id), live.Frame{Type: live.TypeGroupRemoved, ID: f.Peer})
		s.live.hub.Publish(groupTopic(id), live.Frame{Type: live.TypeGroup})
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
