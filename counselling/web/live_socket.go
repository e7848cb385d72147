package web

import (
	"context"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/templates"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/labstack/echo/v4"
)

// waitingPoll is how often a waiting chat's page learns its place in the
// queue anew.
const waitingPoll = 3 * time.Second

// chatConn is one browser's connection to a chat. Its reader stores what
// the browser sends; its writer is the only one to write to the browser, so
// that the chat's messages reach it in order and each once.
type chatConn struct {
	s      *Server
	conn   *websocket.Conn
	caller counselling.Caller
	sess   *counselling.Session
	id     string
	office int64
	lang   string
	connID uint64
	side   string
	out    chan live.Frame // the reader's answers (acks, errors), written by the writer

	lastSent int64 // writer only: the last seq the browser has been sent
	status   string
	place    int
}

// chatSocket is a chat's WebSocket: the protocol is described in
// counselling/live (hello with the last seq seen, then messages both ways,
// each stored before it is acknowledged and delivered).
func (s *Server) chatSocket(c echo.Context) error {
	if !s.socketOrigin(c.Request()) {
		return errCrossOrigin
	}
	caller := s.callerOf(c)
	id := c.Param("id")
	ch, err := s.db.LiveChat(c.Request().Context(), caller, id)
	if err != nil {
		return err
	}
	role := counselling.JoinChatAs(caller, ch)
	if role == counselling.ChatNone {
		return errNotFound
	}
	sub := s.live.hub.Subscribe(live.ChatTopic(id))
	defer sub.Close()
	conn, err := s.accept(c)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	cc := &chatConn{s: s, conn: conn, caller: caller, sess: sessionOf(c), id: id, office: ch.OfficeID, lang: langOf(c),
		connID: s.live.connID.Add(1), side: live.FromSeeker, out: make(chan live.Frame, 16)}
	switch role {
	case counselling.ChatHolder:
		cc.side = live.FromCounsellor
		s.holderJoin(id, caller.AccountID)
		defer s.holderLeave(ch.OfficeID, id, caller.AccountID)
		cc.resumeReading()
	case counselling.ChatReader:
		cc.side = live.FromReader
		s.readerJoin(id)
		defer s.readerLeave(id)
	default:
		if ch.Status == counselling.ChatRunning {
			s.holderMissing(ch.OfficeID, id, ch.CounsellorID)
		}
		cc.resumeReading()
	}
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	hello, err := cc.readHello(ctx)
	if err != nil {
		return nil
	}
	cc.lastSent = hello.Last
	cc.resumeCall(ch)
	go func() {
		defer cancel()
		cc.read(ctx)
	}()
	cc.write(ctx, sub)
	return nil
}

func (cc *chatConn) readHello(ctx context.Context) (live.Frame, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var f live.Frame
	if err := wsjson.Read(ctx, cc.conn, &f); err != nil {
		return f, err
	}
	if f.Type != live.TypeHello || f.Last < 0 {
		cc.conn.Close(websocket.StatusPolicyViolation, "hello first")
		return f, errMalformedForm
	}
	return f, nil
}

// read handles what the browser sends until the connection ends. A frame
// that cannot be read or is of no known type is answered with an error and
// changes nothing; a frame over the read limit ends the connection.
func (cc *chatConn) read(ctx context.Context) {
	for {
		typ, data, err := cc.conn.Read(ctx)
		if err != nil {
			return
		}
		f, err := live.Decode(data)
		if typ != websocket.MessageText || err != nil {
			cc.answer(ctx, live.Frame{Type: live.TypeError, Body: cc.t("This message could not be read. Please send it again.")})
			continue
		}
		if cc.side == live.FromReader && f.Type != live.TypeHello {
			// A supervisor reading along changes nothing in the chat.
			cc.answer(ctx, live.Frame{Type: live.TypeError, ID: f.ID, Body: cc.t("You are reading along and cannot write in this chat.")})
			continue
		}
		switch f.Type {
		case live.TypeSend:
			cc.send(ctx, f)
		case live.TypeTyping:
			cc.s.live.hub.Publish(live.ChatTopic(cc.id), live.Frame{Type: live.TypeTyping, From: cc.side, Sender: cc.connID})
		case live.TypeEnd:
			if err := cc.s.db.EndChat(ctx, cc.caller, cc.id); err != nil {
				cc.answer(ctx, cc.errorFrame(f.ID, err))
				continue
			}
			cc.s.chatChanged(cc.office, cc.id)
		case live.TypeHello:
		case live.TypeCallOffer, live.TypeCallJoin, live.TypeCallSDP, live.TypeCallICE, live.TypeCallEnd, live.TypeCallLog, live.TypeCallConfig:
			cc.call(ctx, f)
		default:
			cc.answer(ctx, live.Frame{Type: live.TypeError, Body: cc.t("This message could not be read. Please send it again.")})
		}
	}
}

// send stores a message and acknowledges it; only a stored message is
// delivered to the other side. Writing counts as activity on the session,
// as a request would, so that a long chat does not let it expire.
func (cc *chatConn) send(ctx context.Context, f live.Frame) {
	if now := cc.s.cfg.Clock.Now(); cc.s.cfg.Sessions.NeedsTouch(cc.sess, now) {
		if err := cc.s.db.TouchSession(ctx, cc.sess); err != nil {
			cc.answer(ctx, cc.errorFrame(f.ID, err))
			return
		}
		cc.sess.LastSeenAt = now
	}
	m, dup, err := cc.s.db.ChatSend(ctx, cc.caller, cc.id, f.ID, f.Body)
	if err != nil {
		cc.answer(ctx, cc.errorFrame(f.ID, err))
		return
	}
	cc.answer(ctx, live.Frame{Type: live.TypeAck, ID: f.ID, Seq: m.Seq, At: live.Time(m.CreatedAt)})
	if dup {
		return
	}
	if cc.caller.Kind == counselling.KindStaff {
		cc.s.live.avail.Touch(cc.caller.AccountID)
	}
	cc.s.live.hub.Publish(live.ChatTopic(cc.id), live.Frame{Type: live.TypeMessage, Seq: m.Seq})
	if cc.caller.Kind == counselling.KindSeeker {
		// A message written while waiting shows in the live queue.
		cc.s.live.hub.Publish(live.QueueTopic(cc.office), live.Frame{Type: live.TypeQueue})
	}
}

func (cc *chatConn) answer(ctx context.Context, f live.Frame) {
	select {
	case cc.out <- f:
	case <-ctx.Done():
	}
}

func (cc *chatConn) t(id string) string { return templates.Translate(cc.lang, id, nil, nil) }

func (cc *chatConn) errorFrame(clientID string, err error) live.Frame {
	msg := "Something went wrong on our side. Please try again in a moment."
	if code := counselling.ErrorCode(err); code != counselling.EInternal && code != "" {
		msg = counselling.ErrorMessage(err)
		if fields := counselling.ErrorFields(err); fields["body"] != "" {
			msg = fields["body"]
		}
	} else {
		cc.s.log.Error("chat message", "error", err.Error())
	}
	return live.Frame{Type: live.TypeError, ID: clientID, Body: cc.t(msg)}
}

// write sends the browser what it missed since its last seq, then whatever
// the chat's topic and the reader bring, until the connection ends.
func (cc *chatConn) write(ctx context.Context, sub *live.Subscription) {
	if !cc.catchUp(ctx) {
		return
	}
	poll := time.NewTicker(waitingPoll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Dropped:
			cc.conn.Close(websocket.StatusTryAgainLater, "slow")
			return
		case f := <-cc.out:
			if writeFrame(ctx, cc.conn, f) != nil {
				return
			}
		case f := <-sub.C:
			if !live.Forward(cc.side, f) {
				continue
			}
			if f.Type == live.TypeReading {
				// What the page is told is whether anyone reads along now,
				// so that frames crossing each other cannot leave it wrong.
				if writeFrame(ctx, cc.conn, cc.s.readingFrame(cc.id)) != nil {
					return
				}
				continue
			}
			if live.IsCall(f.Type) {
				if !cc.forwardCall(ctx, f) {
					return
				}
				continue
			}
			switch f.Type {
			case live.TypeTyping:
				if f.Sender != cc.connID && f.From != cc.side && writeFrame(ctx, cc.conn, f) != nil {
					return
				}
			case live.TypeGone:
				if cc.side == live.FromSeeker && writeFrame(ctx, cc.conn, f) != nil {
					return
				}
				if !cc.catchUp(ctx) {
					return
				}
			default:
				if !cc.catchUp(ctx) {
					return
				}
			}
		case <-poll.C:
			if cc.status == counselling.ChatWaiting && !cc.catchUp(ctx) {
				return
			}
		}
	}
}

// catchUp sends the chat's state when it changed and the messages after the
// last one sent, read from the store: the store, not the hub, is what a
// browser is sent, so a frame the hub dropped costs nothing.
func (cc *chatConn) catchUp(ctx context.Context) bool {
	ch, err := cc.s.db.ChatSince(ctx, cc.caller, cc.id, cc.lastSent)
	if err != nil {
		// The chat is no longer the caller's (it went back to the queue).
		writeFrame(ctx, cc.conn, live.Frame{Type: live.TypeState, Status: "gone"})
		cc.conn.Close(websocket.StatusNormalClosure, "")
		return false
	}
	if ch.Status != cc.status || ch.Place != cc.place {
		cc.status, cc.place = ch.Status, ch.Place
		f := live.Frame{Type: live.TypeState, Status: ch.Status, Place: ch.Place, Author: ch.Counsellor}
		if writeFrame(ctx, cc.conn, f) != nil {
			return false
		}
	}
	for _, m := range ch.Messages {
		from := live.FromCounsellor
		if m.FromSeeker {
			from = live.FromSeeker
		}
		f := live.Frame{Type: live.TypeMessage, Seq: m.Seq, ID: m.ClientID, Body: m.Body, From: from, Author: m.Author, At: live.Time(m.CreatedAt)}
		if from == live.FromSeeker && ch.Guest && cc.side == live.FromCounsellor {
			f.Author = counselling.GuestName(ch.SeekerID)
		}
		if writeFrame(ctx, cc.conn, f) != nil {
			return false
		}
		cc.lastSent = m.Seq
	}
	return true
}

// holderJoin and holderLeave count the sockets of a chat's counsellor. When
// the last one has been gone for the grace time, the chat goes back to the
// queue with its transcript and the help-seeker is told.
func (s *Server) holderJoin(chatID, accountID string) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	s.live.holders[chatID+"/"+accountID]++
}

func (s *Server) holderLeave(officeID int64, chatID, accountID string) {
	key := chatID + "/" + accountID
	s.live.mu.Lock()
	s.live.holders[key]--
	gone := s.live.holders[key] <= 0
	if gone {
		delete(s.live.holders, key)
	}
	s.live.mu.Unlock()
	if gone {
		s.requeueIfGone(officeID, chatID, accountID)
	}
}

// holderMissing is called when a help-seeker joins a running chat: if its
// counsellor has no connection to it (as after a restart of the office, when
// the counsellor does not come back), the same grace time starts.
func (s *Server) holderMissing(officeID int64, chatID, accountID string) {
	s.live.mu.Lock()
	present := s.live.holders[chatID+"/"+accountID] > 0
	s.live.mu.Unlock()
	if !present {
		s.requeueIfGone(officeID, chatID, accountID)
	}
}

// requeueIfGone hands the chat back to the queue after the grace time,
// unless its counsellor has come back by then.
func (s *Server) requeueIfGone(officeID int64, chatID, accountID string) {
	key := chatID + "/" + accountID
	time.AfterFunc(s.live.grace, func() {
		s.live.mu.Lock()
		back := s.live.holders[key] > 0
		s.live.mu.Unlock()
		if back {
			return
		}
		ok, err := s.db.RequeueChat(context.Background(), chatID, accountID)
		if err != nil {
			s.log.Error("hand chat back to the queue", "error", err.Error())
			return
		}
		if ok {
			s.live.hub.Publish(live.ChatTopic(chatID), live.Frame{Type: live.TypeGone})
			s.chatChanged(officeID, chatID)
		}
	})
}
