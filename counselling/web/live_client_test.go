package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling/live"

	"github.com/coder/websocket"
)

var chatLocation = regexp.MustCompile(`^/live/([a-z2-7]{26})$`)

// chatOf reads the chat id from the answer to POST /live.
func chatOf(t testing.TB, p page) string {
	t.Helper()
	m := chatLocation.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("start chat: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	return m[1]
}

// socket is a browser's WebSocket to a chat.
type socket struct {
	t    testing.TB
	conn *websocket.Conn
	seen int64
}

// dial opens a chat's socket as the browser's page would, from this office.
func (b *browser) dial(chatID string, last int64) *socket {
	b.o.t.Helper()
	conn, err := b.dialWith(chatID, http.Header{"Origin": {b.o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}})
	if err != nil {
		b.o.t.Fatalf("dial chat: %v", err)
	}
	s := &socket{t: b.o.t, conn: conn, seen: last}
	s.send(live.Frame{Type: live.TypeHello, Last: last})
	return s
}

func (b *browser) dialWith(chatID string, h http.Header) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(b.o.srv.URL, "http") + "/live/" + chatID + "/ws"
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.client, HTTPHeader: h})
	if err != nil && resp != nil {
		return nil, &dialError{status: resp.StatusCode, err: err}
	}
	return conn, err
}

type dialError struct {
	status int
	err    error
}

func (e *dialError) Error() string { return e.err.Error() }

func (s *socket) send(f live.Frame) {
	s.t.Helper()
	data, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, data); err != nil {
		s.t.Fatalf("write frame: %v", err)
	}
}

// next reads frames until one satisfies want, and fails after 5 seconds.
// Messages are checked to arrive in order and once.
func (s *socket) next(what string, want func(live.Frame) bool) live.Frame {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", what, err)
		}
		var f live.Frame
		if err := json.Unmarshal(data, &f); err != nil {
			s.t.Fatalf("frame %q: %v", data, err)
		}
		if f.Type == live.TypeMessage {
			if f.Seq != s.seen+1 {
				s.t.Fatalf("message %d after %d: lost or repeated", f.Seq, s.seen)
			}
			s.seen = f.Seq
		}
		if want(f) {
			return f
		}
	}
}

func (s *socket) message(body string) live.Frame {
	s.t.Helper()
	return s.next("message "+body, func(f live.Frame) bool { return f.Type == live.TypeMessage && f.Body == body })
}

func (s *socket) state(status string) live.Frame {
	s.t.Helper()
	return s.next("state "+status, func(f live.Frame) bool { return f.Type == live.TypeState && f.Status == status })
}

// say sends a message and waits until it is acknowledged as stored.
func (s *socket) say(id, body string) live.Frame {
	s.t.Helper()
	s.send(live.Frame{Type: live.TypeSend, ID: id, Body: body})
	return s.next("ack of "+id, func(f live.Frame) bool {
		if f.Type == live.TypeError {
			s.t.Fatalf("message %s refused: %s", id, f.Body)
		}
		return f.Type == live.TypeAck && f.ID == id
	})
}

func (s *socket) close() { s.conn.Close(websocket.StatusNormalClosure, "") }

// startGuestChat starts a chat as a visitor without an account.
func startGuestChat(t testing.TB, o *office, theme string) (*browser, string) {
	t.Helper()
	guest := o.browser()
	if p := guest.get("/live"); p.status != http.StatusOK || !strings.Contains(p.body, "Start chat") {
		t.Fatalf("GET /live: %d", p.status)
	}
	id := chatOf(t, guest.post("/live", url.Values{"theme": {theme}}))
	if guest.cookie() == nil {
		t.Fatal("the guest got no session cookie")
	}
	return guest, id
}
