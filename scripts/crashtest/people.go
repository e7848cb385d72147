package main

// The people of the crash test: what they wrote and was acknowledged, their
// browsers, the live chat and the mail sink.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confidant/counselling/live"
	"confidant/scripts/office"

	"github.com/coder/websocket"
	"github.com/emersion/go-smtp"
	_ "github.com/mattn/go-sqlite3"
)

// ledger is every message the office acknowledged, per help-seeker whose
// export must hold it.
type ledger struct {
	mu     sync.Mutex
	msgs   map[string]map[string]bool
	n      atomic.Int64
	byKind map[string]int
}

func newLedger() *ledger {
	return &ledger{msgs: map[string]map[string]bool{}, byKind: map[string]int{}}
}

// kinds says how many acknowledged messages of each kind there are.
func (l *ledger) kinds() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d help-seeker, %d counsellor, %d chat", l.byKind["Help-seeker"]+l.byKind["First"], l.byKind["Counsellor"], l.byKind["Chat"])
}

func (l *ledger) add(nick, body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.msgs[nick] == nil {
		l.msgs[nick] = map[string]bool{}
	}
	l.msgs[nick][body] = true
	l.n.Add(1)
	kind, _, _ := strings.Cut(body, " message number")
	l.byKind[kind]++
}

func (l *ledger) snapshot(nick string) map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]bool, len(l.msgs[nick]))
	for k := range l.msgs[nick] {
		out[k] = true
	}
	return out
}

func (l *ledger) total() int64 { return l.n.Load() }

// replies is how many counsellor replies were acknowledged: each queued a
// mail to its help-seeker in the same transaction.
func (l *ledger) replies() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byKind["Counsellor"]
}

var counter atomic.Int64

// unique makes a message text no other message contains.
func unique(kind string) string {
	return fmt.Sprintf("%s message number %d, written at %s.", kind, counter.Add(1), time.Now().Format(time.RFC3339Nano))
}

// client is one person's browser in the office of e.
type client struct {
	*office.Client
	e *env
}

func newClient(e *env) *client { return &client{Client: office.NewClient(e.base), e: e} }

func (c *client) exportFrom(base string) (string, error) {
	resp, page, err := c.Do(context.Background(), http.MethodGet, base, "/account/export", nil)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("export: %d", resp.StatusCode)
	}
	return page, nil
}

func (c *client) take(thread string) error {
	resp, _, err := c.Post("/inbox/"+thread+"/take", url.Values{})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("take: %v %v", err, resp)
	}
	return nil
}

// answer posts counsellor replies to s's thread until ctx ends.
func (c *client) answer(ctx context.Context, s *seeker, l *ledger) {
	for ctx.Err() == nil {
		body := unique("Counsellor")
		resp, _, err := c.Do(ctx, http.MethodPost, c.e.base, "/inbox/"+s.thread+"/reply", url.Values{"body": {body}})
		if err != nil {
			return
		}
		if resp.StatusCode == http.StatusSeeOther {
			l.add(s.nick, body)
		}
	}
}

type seeker struct {
	*client
	nick   string
	thread string
}

var threadPath = regexp.MustCompile(`^/threads/([a-z2-7]{26})$`)

func (s *seeker) openThread(l *ledger) error {
	body := unique("First")
	resp, _, err := s.Post("/threads/new", url.Values{"theme": {"anxiety"}, "body": {body}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("new thread: %v %v", err, resp)
	}
	m := threadPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		return fmt.Errorf("new thread went to %q", resp.Header.Get("Location"))
	}
	s.thread = m[1]
	l.add(s.nick, body)
	return nil
}

// write posts the help-seeker's messages until ctx ends.
func (s *seeker) write(ctx context.Context, l *ledger) {
	for ctx.Err() == nil {
		body := unique("Help-seeker")
		resp, _, err := s.Do(ctx, http.MethodPost, s.e.base, "/threads/"+s.thread+"/reply", url.Values{"body": {body}})
		if err != nil {
			return
		}
		if resp.StatusCode == http.StatusSeeOther {
			l.add(s.nick, body)
		}
	}
}

// checkExport finds every acknowledged message of s in s's export exactly
// once.
func (s *seeker) checkExport(l *ledger) error {
	export, err := s.exportFrom(s.e.base)
	if err != nil {
		return err
	}
	return holdsOnce(export, l.snapshot(s.nick), s.nick)
}

// holdsOnce checks that the export holds each of bodies exactly once.
func holdsOnce(export string, bodies map[string]bool, nick string) error {
	var data struct {
		Threads []struct {
			Messages []struct {
				Body string `json:"body"`
			} `json:"messages"`
		} `json:"threads"`
	}
	if err := json.Unmarshal([]byte(export), &data); err != nil {
		return fmt.Errorf("the export of %s is no JSON: %w", nick, err)
	}
	seen := map[string]int{}
	for _, t := range data.Threads {
		for _, m := range t.Messages {
			seen[m.Body]++
		}
	}
	for body := range bodies {
		if n := seen[body]; n != 1 {
			return fmt.Errorf("an acknowledged message of %s is in the export %d times", nick, n)
		}
	}
	return nil
}

// chat is a live chat between a help-seeker and the counsellor.
type chat struct {
	e          *env
	id         string
	seeker     *seeker
	counsellor *client
}

var chatPath = regexp.MustCompile(`^/live/([a-z2-7]{26})$`)

func startChat(e *env, counsellor *client, s *seeker) (*chat, error) {
	if resp, _, err := counsellor.Post("/live/availability", url.Values{"available": {"1"}}); err != nil || resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("availability: %v %v", err, resp)
	}
	resp, _, err := s.Post("/live", url.Values{"theme": {"anxiety"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("start chat: %v %v", err, resp)
	}
	m := chatPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		return nil, fmt.Errorf("start chat went to %q", resp.Header.Get("Location"))
	}
	if resp, _, err := counsellor.Post("/live/"+m[1]+"/accept", url.Values{}); err != nil || resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("accept chat: %v %v", err, resp)
	}
	return &chat{e: e, id: m[1], seeker: s, counsellor: counsellor}, nil
}

// talk keeps both sides' sockets open and sends the help-seeker's chat
// messages, recording each one the office acknowledges, until ctx ends.
func (ch *chat) talk(ctx context.Context, l *ledger) {
	// The counsellor's page is open, so the chat stays theirs.
	if conn, err := ch.dial(ctx, ch.counsellor); err == nil {
		go func() {
			for {
				if _, _, err := conn.Read(ctx); err != nil {
					return
				}
			}
		}()
	}
	conn, err := ch.dial(ctx, ch.seeker.client)
	if err != nil {
		return
	}
	sent := map[string]string{}
	acks := make(chan string, 64)
	go func() {
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				close(acks)
				return
			}
			if f, err := live.Decode(data); err == nil && f.Type == live.TypeAck {
				acks <- f.ID
			}
		}
	}()
	for i := 0; ctx.Err() == nil; i++ {
		id := fmt.Sprintf("c%d-%d", counter.Add(1), i)
		body := unique("Chat")
		sent[id] = body
		data, _ := json.Marshal(live.Frame{Type: live.TypeSend, ID: id, Body: body})
		if err := conn.Write(ctx, websocket.MessageText, data); err != nil {
			return
		}
		select {
		case ackID, ok := <-acks:
			if !ok {
				return
			}
			if b, found := sent[ackID]; found {
				l.add(ch.seeker.nick, b)
			}
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (ch *chat) dial(ctx context.Context, c *client) (*websocket.Conn, error) {
	u := "ws://" + ch.e.addr + "/live/" + ch.id + "/ws"
	h := http.Header{"Origin": {ch.e.base}, "Sec-Fetch-Site": {"same-origin"}}
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.HTTP, HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	hello, _ := json.Marshal(live.Frame{Type: live.TypeHello, Last: 0})
	if err := conn.Write(ctx, websocket.MessageText, hello); err != nil {
		return nil, err
	}
	return conn, nil
}

// sink is an SMTP server that counts what it receives. While held, it
// answers no mail: a sender's MAIL command waits until the sink is released
// and is then refused, so nothing sent while held is ever delivered, and the
// office's outbox must keep every mail queued meanwhile until a later try.
type sink struct {
	addr string
	srv  *smtp.Server
	n    atomic.Int64

	mu   sync.Mutex
	gate chan struct{} // closed on release; nil while mail is accepted
}

func startSink() (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{addr: ln.Addr().String()}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	// A killed office leaves connections half-open; that is expected here.
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(ln)
	return s, nil
}

func (s *sink) close()       { s.release(); s.srv.Close() }
func (s *sink) count() int64 { return s.n.Load() }

// hold stops the sink accepting mail until release.
func (s *sink) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate == nil {
		s.gate = make(chan struct{})
	}
}

// release lets mail through again; senders that waited are refused.
func (s *sink) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
}

type sinkSession struct{ s *sink }

func (*sinkSession) Reset()        {}
func (*sinkSession) Logout() error { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error {
	ss.s.mu.Lock()
	gate := ss.s.gate
	ss.s.mu.Unlock()
	if gate == nil {
		return nil
	}
	<-gate
	return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "the sink was held"}
}
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, bufio.NewReader(r)); err != nil {
		return err
	}
	ss.s.n.Add(1)
	return nil
}
