package web

import (
	"context"
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

// waitingPoll is how often a waiting chat's page learns its place in the
// queue anew.
const waitingPoll = 3 * time.Second

// chatConn is one browser's connection to a chat. The handler's goroutine
// reads and stores what the browser sends. Writing needs no goroutine of its
// own while the connection is idle: the hub and the reader queue frames and
// wake the connection, which starts one writer that writes all there is and
// ends. Only one writer runs at a time, so that the chat's messages reach the
// browser in order and each once, and a slow browser holds up only its own
// writer: the hub never waits for it, it drops it when its buffer is full.
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
	sub    *live.Subscription
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	open    bool // writers may start: the browser has said hello
	running bool // a writer runs
	again   bool // something came while the writer ran: it looks again
	pollDue atomic.Bool
	// holder is the counsellor of the chat while it runs, as the writer
	// last read it (empty otherwise), for the help-seeker's watch.
	holder atomic.Pointer[string]

	// The writer's own: only the one running writer touches them.
	caughtUp  bool
	pollArmed bool
	lastSent  int64 // the last seq the browser has been sent
	status    string
	place     int
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
	cc := &chatConn{s: s, caller: caller, sess: sessionOf(c), id: id, office: ch.OfficeID, lang: langOf(c),
		connID: s.live.connID.Add(1), side: live.FromSeeker, out: make(chan live.Frame, 16)}
	cc.sub = s.live.hub.Subscribe(live.ChatTopic(id), cc.wake)
	conn, err := s.accept(c)
	if err != nil {
		cc.sub.Close()
		return err
	}
	cc.conn = conn
	// The handler returns and the socket lives on in a goroutine of its own
	// that starts with a small stack: an idle socket then costs one such
	// goroutine, not the handler's deep one (net/http's and echo's frames).
	// It holds nothing of the request: echo reuses its context and net/http
	// cancels the request's when the handler returns.
	go cc.run(ch, role)
	return nil
}

// run is the life of a chat's socket after the handshake: it reads and
// stores what the browser sends until the connection ends.
func (cc *chatConn) run(ch *counselling.LiveChat, role counselling.ChatRole) {
	s, id, caller := cc.s, cc.id, cc.caller
	defer cc.sub.Close()
	defer cc.conn.CloseNow()
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
			cc.holder.Store(&ch.CounsellorID)
			s.holderMissing(ch.OfficeID, id, ch.CounsellorID)
		}
		cc.resumeReading()
	}
	cc.ctx, cc.cancel = context.WithCancel(context.Background())
	defer cc.cancel()
	if cc.side == live.FromSeeker {
		cc.watchHolder()
	}
	hello, err := cc.readHello(cc.ctx)
	if err != nil {
		return
	}
	cc.lastSent = hello.Last
	cc.resumeCall(ch)
	cc.mu.Lock()
	cc.open = true
	cc.mu.Unlock()
	cc.wake()
	cc.read(cc.ctx)
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
		cc.wake()
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

// wake starts a writer unless one runs, in which case that one looks again
// before it ends. It never waits, so the hub may call it.
func (cc *chatConn) wake() {
	cc.mu.Lock()
	if !cc.open || cc.running {
		cc.again = cc.running
		cc.mu.Unlock()
		return
	}
	cc.running = true
	cc.mu.Unlock()
	go cc.writer()
}

// writer writes until nothing is left, then ends. When the connection
// fails it ends it, and no writer starts again.
func (cc *chatConn) writer() {
	for {
		if !cc.write() {
			cc.cancel()
			return
		}
		cc.mu.Lock()
		if !cc.again {
			cc.running = false
			cc.mu.Unlock()
			return
		}
		cc.again = false
		cc.mu.Unlock()
	}
}

// write sends the browser what it missed since its last seq (first), then
// whatever the chat's topic and the reader have queued; it reports false
// when the connection is to end.
func (cc *chatConn) write() bool {
	ctx := cc.ctx
	if ctx.Err() != nil {
		return false
	}
	if !cc.caughtUp {
		cc.caughtUp = true
		if !cc.catchUp(ctx) {
			return false
		}
	}
	if cc.pollDue.Swap(false) {
		cc.pollArmed = false
		if cc.status == counselling.ChatWaiting && !cc.catchUp(ctx) {
			return false
		}
	}
	for {
		// The reader's answers go first: an acknowledgement queued before
		// its message was published reaches the sender before the message.
		select {
		case f := <-cc.out:
			if writeFrame(ctx, cc.conn, f) != nil {
				return false
			}
			continue
		default:
		}
		select {
		case <-cc.sub.Dropped:
			cc.conn.Close(websocket.StatusTryAgainLater, "slow")
			return false
		case f := <-cc.out:
			if writeFrame(ctx, cc.conn, f) != nil {
				return false
			}
		case f := <-cc.sub.C:
			if !cc.forward(ctx, f) {
				return false
			}
		default:
			cc.armPoll()
			return true
		}
	}
}

// armPoll has a waiting chat's page learn its place in the queue anew after
// a while, as the queue moves without a frame on the chat's topic.
func (cc *chatConn) armPoll() {
	if cc.status != counselling.ChatWaiting || cc.pollArmed {
		return
	}
	cc.pollArmed = true
	time.AfterFunc(waitingPoll, func() {
		cc.pollDue.Store(true)
		cc.wake()
	})
}

// forward writes a frame from the chat's topic as this browser is to see it;
// it reports false when the connection is gone.
func (cc *chatConn) forward(ctx context.Context, f live.Frame) bool {
	if !live.Forward(cc.side, f) {
		return true
	}
	if f.Type == live.TypeReading {
		// What the page is told is whether anyone reads along now, so
		// that frames crossing each other cannot leave it wrong.
		return writeFrame(ctx, cc.conn, cc.s.readingFrame(cc.id)) == nil
	}
	if live.IsCall(f.Type) {
		return cc.forwardCall(ctx, f)
	}
	switch f.Type {
	case live.TypeTyping:
		if f.Sender != cc.connID && f.From != cc.side {
			return writeFrame(ctx, cc.conn, f) == nil
		}
		return true
	case live.TypeGone:
		if cc.side == live.FromSeeker && writeFrame(ctx, cc.conn, f) != nil {
			return false
		}
		return cc.catchUp(ctx)
	default:
		return cc.catchUp(ctx)
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
		holder := ""
		if ch.Status == counselling.ChatRunning {
			holder = ch.CounsellorID
		}
		cc.holder.Store(&holder)
		cc.status, cc.place = ch.Status, ch.Place
		f := live.Frame{Type: live.TypeState, Status: ch.Status, Place: ch.Place, Author: templates.StaffNameIn(cc.lang, ch.Counsellor)}
		if writeFrame(ctx, cc.conn, f) != nil {
			return false
		}
	}
	for _, m := range ch.Messages {
		from := live.FromCounsellor
		if m.FromSeeker {
			from = live.FromSeeker
		}
		f := live.Frame{Type: live.TypeMessage, Seq: m.Seq, ID: m.ClientID, Body: m.Body, From: from, Author: templates.StaffNameIn(cc.lang, m.Author), At: live.Time(m.CreatedAt)}
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

// holderJoin and holderLeave count the sockets of a chat's counsellor, on
// every node. When the last one has been gone for the grace time, the chat
// goes back to the queue with its transcript and the help-seeker is told.
func holderKey(chatID, accountID string) string { return "holder/" + chatID + "/" + accountID }

func (s *Server) holderJoin(chatID, accountID string) {
	s.live.join(holderKey(chatID, accountID))
}

func (s *Server) holderLeave(officeID int64, chatID, accountID string) {
	s.live.leave(holderKey(chatID, accountID))
	if s.live.count(holderKey(chatID, accountID)) <= 0 {
		s.requeueIfGone(officeID, chatID, accountID)
	}
}

// holderMissing is called when a help-seeker joins a running chat, and then
// every holderCheckEvery while their connection lasts: if its counsellor has
// no connection to it, the same grace time starts. So a chat goes back to
// the queue when its counsellor does not come back after a restart of the
// office, or after the node that held their connections stopped: nobody saw
// those go, and they stop counting only once that node has missed its beats.
func (s *Server) holderMissing(officeID int64, chatID, accountID string) {
	if s.live.count(holderKey(chatID, accountID)) <= 0 {
		s.requeueIfGone(officeID, chatID, accountID)
	}
}

// holderCheckEvery is how often a help-seeker's connection to a running chat
// looks whether its counsellor is connected, on any node (more often when
// the grace time is shorter).
const holderCheckEvery = 10 * time.Second

// watchHolder looks, while the help-seeker's connection lasts, whether the
// running chat's counsellor is still connected (holderMissing).
func (cc *chatConn) watchHolder() {
	every := min(cc.s.live.grace, holderCheckEvery)
	var look func()
	look = func() {
		if cc.ctx.Err() != nil {
			return
		}
		if h := cc.holder.Load(); h != nil && *h != "" {
			cc.s.holderMissing(cc.office, cc.id, *h)
		}
		time.AfterFunc(every, look)
	}
	time.AfterFunc(every, look)
}

// requeueIfGone hands the chat back to the queue after the grace time,
// unless its counsellor has come back by then, to this node or another. A
// node runs one grace time per chat at once: the help-seeker's pages and
// the counsellor's leaving all start the same one.
func (s *Server) requeueIfGone(officeID int64, chatID, accountID string) {
	if !s.live.startGrace(chatID) {
		return
	}
	time.AfterFunc(s.live.grace, func() {
		defer s.live.endGrace(chatID)
		if s.live.count(holderKey(chatID, accountID)) > 0 {
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
