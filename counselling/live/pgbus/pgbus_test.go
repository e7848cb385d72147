//go:build postgres

package pgbus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"confidant/counselling/live"
	"confidant/counselling/vault"
	"confidant/store/storetest"

	"github.com/jackc/pgx/v5"
)

// These tests need PostgreSQL: make test-postgres runs them (build tag
// postgres) against its throwaway cluster.

type cluster struct {
	url  string
	keys *vault.Keyring
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	if !storetest.Postgres() {
		t.Fatalf("%s must name a PostgreSQL server (make test-postgres sets it)", storetest.EnvDatabase)
	}
	keys, err := vault.LoadOrCreate(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{url: storetest.NewDatabase(t, true), keys: keys}
}

// node starts a bus as one node would, and stops it when the test ends.
func (c *cluster) node(t *testing.T, name string) *Bus {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b, err := Open(ctx, c.url, name, c.keys, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); b.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; b.Close() })
	// Run has connected once it has counted its first connection.
	for deadline := time.Now().Add(10 * time.Second); ; {
		b.mu.Lock()
		n := b.reconnects
		b.mu.Unlock()
		if n > 0 {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatal("the bus did not start listening")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *cluster) raw(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), c.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// next waits for a subscription's next frame.
func next(t *testing.T, sub *live.Subscription, what string) live.Frame {
	t.Helper()
	select {
	case f := <-sub.C:
		return f
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not arrive", what)
	}
	return live.Frame{}
}

func quiet(t *testing.T, sub *live.Subscription, what string) {
	t.Helper()
	select {
	case f := <-sub.C:
		t.Fatalf("%s: unexpected %+v", what, f)
	case <-time.After(300 * time.Millisecond):
	}
}

// A chat's frames published on one node reach the chat's subscribers on
// another, in order and complete, call descriptions included; the publishing
// node's own subscribers get each once; and what travels through PostgreSQL's
// notifications is a number, never a text, while the table holds the frames
// sealed.
func TestFramesCrossNodesAndNotificationsCarryOnlyNumbers(t *testing.T) {
	c := newCluster(t)
	observer := c.raw(t)
	if _, err := observer.Exec(context.Background(), "LISTEN "+Channel); err != nil {
		t.Fatal(err)
	}
	a, b := c.node(t, "node-a"), c.node(t, "node-b")
	topic := live.ChatTopic("chat1")
	onA, onB := a.Subscribe(topic, nil), b.Subscribe(topic, nil)
	defer onA.Close()
	defer onB.Close()
	other := b.Subscribe(live.ChatTopic("chat2"), nil)
	defer other.Close()

	sdp := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=secret-session-description\r\n"
	frames := []live.Frame{
		{Type: live.TypeMessage, Seq: 7},
		{Type: live.TypeTyping, From: live.FromSeeker, Sender: 42},
		{Type: live.TypeCallSDP, From: live.FromCounsellor, Sender: 42, Call: &live.Call{SDP: &live.SessionDesc{Type: "offer", SDP: sdp}}},
	}
	for _, f := range frames {
		a.Publish(topic, f)
	}
	for i, want := range frames {
		got := next(t, onB, fmt.Sprintf("frame %d on node b", i))
		mine := next(t, onA, fmt.Sprintf("frame %d on node a", i))
		if mine.Sender != want.Sender {
			t.Errorf("node a's own subscriber lost the sender of frame %d", i)
		}
		want.Sender = 0 // no connection of node b sent it
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if !bytes.Equal(gotJSON, wantJSON) || got.Sender != 0 {
			t.Errorf("frame %d on node b is %s (sender %d), want %s", i, gotJSON, got.Sender, wantJSON)
		}
	}
	quiet(t, onA, "node a's subscriber gets its own frames back")
	quiet(t, other, "another chat's subscriber")

	digits := regexp.MustCompile(`^[0-9]+$`)
	for i := range frames {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n, err := observer.WaitForNotification(ctx)
		cancel()
		if err != nil {
			t.Fatalf("notification %d: %v", i, err)
		}
		if !digits.MatchString(n.Payload) {
			t.Errorf("a notification carries %q, want only an event's number", n.Payload)
		}
	}
	var sealed [][]byte
	rows, err := observer.Query(context.Background(), `SELECT payload FROM live_events`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p []byte
		rows.Scan(&p)
		sealed = append(sealed, p)
	}
	rows.Close()
	if len(sealed) != len(frames) {
		t.Fatalf("%d events in the table, want %d", len(sealed), len(frames))
	}
	for _, p := range sealed {
		for _, secret := range []string{"secret-session-description", "chat1", "typing", "call-sdp"} {
			if bytes.Contains(p, []byte(secret)) {
				t.Errorf("an event in the table shows %q", secret)
			}
		}
	}
}

// A node whose listening connection is cut connects again and delivers what
// was published meanwhile, in order, and nudges its chats' pages to catch
// up from the store.
func TestListenerReconnectsAndCatchesUp(t *testing.T) {
	c := newCluster(t)
	a, b := c.node(t, "node-a"), c.node(t, "node-b")
	topic := live.ChatTopic("chat1")
	onB := b.Subscribe(topic, nil)
	defer onB.Close()

	admin := c.raw(t)
	var cut int
	if err := admin.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, listenerName("node-b")).Scan(&cut); err != nil || cut != 1 {
		t.Fatalf("cut %d listening connections of node b (%v), want 1", cut, err)
	}
	for i := 1; i <= 20; i++ {
		a.Publish(topic, live.Frame{Type: live.TypeMessage, Seq: int64(i)})
	}
	var seqs []int64
	nudged := false
	for len(seqs) < 20 {
		f := next(t, onB, fmt.Sprintf("message %d after the reconnect", len(seqs)+1))
		switch f.Type {
		case live.TypeMessage:
			seqs = append(seqs, f.Seq)
		case live.TypeState:
			nudged = true
		}
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("after the reconnect node b got %v, want 1…20 in order", seqs)
		}
	}
	if !nudged {
		// The nudge may come after the events read on reconnecting.
		if f := next(t, onB, "the nudge to catch up"); f.Type != live.TypeState {
			t.Errorf("after a reconnect the chat's page is not nudged, got %+v", f)
		}
	}
	b.mu.Lock()
	n := b.reconnects
	b.mu.Unlock()
	if n < 2 {
		t.Errorf("node b connected %d times, want again after the cut", n)
	}
}

// An event whose transaction commits after a later one (numbers are handed
// out at insert, not at commit) is still delivered, not skipped.
func TestAnEventCommittedLateIsStillDelivered(t *testing.T) {
	c := newCluster(t)
	a, b := c.node(t, "node-a"), c.node(t, "node-b")
	topic := live.ChatTopic("chat1")
	onB := b.Subscribe(topic, nil)
	defer onB.Close()

	ctx := context.Background()
	slow := c.raw(t)
	tx, err := slow.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(event{Topic: topic, Frame: live.Frame{Type: live.TypeMessage, Seq: 1}})
	sealed, err := c.keys.SealSystem(plain, location("late"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO live_events (id, node, payload, created_at) VALUES ('late', 'node-c', $1, $2)`,
		sealed, time.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	a.Publish(topic, live.Frame{Type: live.TypeMessage, Seq: 2})
	if f := next(t, onB, "the later event"); f.Seq != 2 {
		t.Fatalf("got %+v, want the later event first", f)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '0')`, Channel); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if f := next(t, onB, "the event committed late"); f.Seq != 1 {
		t.Fatalf("got %+v, want the event committed late", f)
	}
}
