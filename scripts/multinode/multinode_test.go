//go:build postgres

package multinode

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/scripts/office"
	"confidant/store/storetest"

	"github.com/coder/websocket"
)

// node is one confidant serve process of the office.
type node struct {
	*office.Office
	metrics string
}

func startNode(t *testing.T, bin, data, database string) *node {
	t.Helper()
	metrics := office.FreeAddr()
	o, err := office.Start(bin, data, office.FreeAddr(), "--database", database, "--metrics-addr", metrics,
		// The nightly purge is due at the start of every minute on both
		// nodes: each time it must run on one of them.
		"--purge-schedule", "* * * * *")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		o.Kill()
		if t.Failed() {
			t.Logf("the log of the node on %s:\n%s", o.Addr, o.Log())
		}
	})
	return &node{Office: o, metrics: metrics}
}

// purgeRuns is how many nightly purges the node has run.
func (n *node) purgeRuns(t *testing.T) int {
	t.Helper()
	resp, err := http.Get("http://" + n.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^confidant_purge_runs_total\{result="ok"\} (\d+)$`).FindStringSubmatch(string(body))
	if m == nil {
		return 0
	}
	var runs int
	fmt.Sscan(m[1], &runs)
	return runs
}

func copyKeys(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"master.key", "index.key", "vapid.key"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func mustStatus(t *testing.T, what string, resp *http.Response, err error, status int) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.StatusCode != status {
		t.Fatalf("%s: %d, want %d", what, resp.StatusCode, status)
	}
}

// at is a request to the node at base with the client's cookies.
func at(c *office.Client, base, method, path string, form url.Values) (*http.Response, string, error) {
	return c.Do(context.Background(), method, base, path, form)
}

// chatSocket is a browser's socket to a chat on one node.
type chatSocket struct {
	t     *testing.T
	conn  *websocket.Conn
	in    chan live.Frame
	seen  map[string]int // message bodies received, and how often
	types []string
	last  int64
}

func dial(t *testing.T, c *office.Client, base, chatID string, last int64) *chatSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(base, "http") + "/live/" + chatID + "/ws"
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.HTTP,
		HTTPHeader: http.Header{"Origin": {base}, "Sec-Fetch-Site": {"same-origin"}}})
	if err != nil {
		t.Fatalf("dial %s: %v", base, err)
	}
	s := &chatSocket{t: t, conn: conn, in: make(chan live.Frame, 256), seen: map[string]int{}, last: last}
	s.send(live.Frame{Type: live.TypeHello, Last: last})
	go func() {
		defer close(s.in)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			if f, err := live.Decode(data); err == nil {
				s.in <- f
			}
		}
	}()
	t.Cleanup(func() { conn.CloseNow() })
	return s
}

func (s *chatSocket) send(f live.Frame) error {
	data, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, data)
}

// until reads frames until want holds, counting the messages it passes.
func (s *chatSocket) until(what string, want func(live.Frame) bool) live.Frame {
	s.t.Helper()
	return s.within(15*time.Second, what, want)
}

// within is until with a time of its own.
func (s *chatSocket) within(d time.Duration, what string, want func(live.Frame) bool) live.Frame {
	s.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case f, ok := <-s.in:
			if !ok {
				s.t.Fatalf("the socket closed while waiting for %s", what)
			}
			s.types = append(s.types, f.Type+":"+f.Status+f.Body)
			if f.Type == live.TypeMessage {
				s.seen[f.Body]++
				s.last = max(s.last, f.Seq)
			}
			if want(f) {
				return f
			}
		case <-timeout:
			s.t.Fatalf("%s did not arrive; the socket got %v", what, s.types)
		}
	}
}

func (s *chatSocket) say(id, body string) {
	s.t.Helper()
	if err := s.send(live.Frame{Type: live.TypeSend, ID: id, Body: body}); err != nil {
		s.t.Fatal(err)
	}
	s.until("the acknowledgement of "+id, func(f live.Frame) bool {
		if f.Type == live.TypeError {
			s.t.Fatalf("message %s refused: %s", id, f.Body)
		}
		return f.Type == live.TypeAck && f.ID == id
	})
}

func (s *chatSocket) message(body string) {
	s.t.Helper()
	s.until("the message "+body, func(f live.Frame) bool { return f.Type == live.TypeMessage && f.Body == body })
}

// startCluster builds the binary and starts two nodes on a new database;
// dataB is node B's data folder.
func startCluster(t *testing.T) (bin, database string, a, b *node, dataB string) {
	t.Helper()
	if !storetest.Postgres() {
		t.Fatalf("%s must name a PostgreSQL server (make test-postgres sets it)", storetest.EnvDatabase)
	}
	database = storetest.NewDatabase(t, false)
	work := t.TempDir()
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(strings.TrimSpace(string(root)))
	if bin, err = office.Build(work); err != nil {
		t.Fatal(err)
	}
	dataA := filepath.Join(work, "a")
	dataB = filepath.Join(work, "b")
	a = startNode(t, bin, dataA, database)
	copyKeys(t, dataA, dataB)
	b = startNode(t, bin, dataB, database)
	return bin, database, a, b, dataB
}

var (
	threadPath = regexp.MustCompile(`^/threads/([a-z2-7]{26})$`)
	chatPath   = regexp.MustCompile(`^/live/([a-z2-7]{26})$`)
)

// Two nodes on one PostgreSQL serve one office as one: whichever node a
// request reaches, people find what they did on the other, live chats run
// across the two, a node's death loses no acknowledged message, and the
// nightly purge, due on both nodes, runs once.
func TestTwoNodesOnOnePostgreSQL(t *testing.T) {
	bin, database, a, b, dataB := startCluster(t)
	// The purge is next due at the start of the coming minute, on both
	// nodes; what ran before is counted now.
	due := time.Now().Truncate(time.Minute).Add(time.Minute)
	if time.Until(due) < 2*time.Second {
		time.Sleep(time.Until(due) + 3*time.Second)
		due = due.Add(time.Minute)
	}
	runsBefore := a.purgeRuns(t) + b.purgeRuns(t)

	invite, err := office.Invite(bin, dataB, b.Base, "counsellor", "Node Counsellor", "--database", database)
	if err != nil || invite == "" {
		t.Fatalf("invite: %q %v", invite, err)
	}
	counsellor := office.NewClient(b.Base)
	if _, err := counsellor.Enrol(invite, "a counsellor's long passphrase"); err != nil {
		t.Fatal(err)
	}

	// A help-seeker registers on node A and logs in on node B.
	seekerA := office.NewClient(a.Base)
	if err := seekerA.Register("Crossing Heron", "a help-seeker's long passphrase", ""); err != nil {
		t.Fatal(err)
	}
	seekerB := office.NewClient(b.Base)
	resp, _, err := seekerB.Post("/login", url.Values{"nickname": {"Crossing Heron"}, "password": {"a help-seeker's long passphrase"}})
	mustStatus(t, "login on node B", resp, err, http.StatusSeeOther)

	// A counsellor on node B answers a conversation written on node A.
	resp, _, err = seekerA.Post("/threads/new", url.Values{"theme": {"anxiety"}, "body": {"I cannot sleep before exams."}})
	mustStatus(t, "write on node A", resp, err, http.StatusSeeOther)
	m := threadPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("writing led to %q", resp.Header.Get("Location"))
	}
	thread := m[1]
	resp, _, err = counsellor.Post("/inbox/"+thread+"/take", url.Values{})
	mustStatus(t, "take on node B", resp, err, http.StatusSeeOther)
	resp, page, err := counsellor.Get("/inbox/" + thread)
	mustStatus(t, "open on node B", resp, err, http.StatusOK)
	if !strings.Contains(page, "I cannot sleep before exams.") {
		t.Fatal("node B does not show the conversation written on node A")
	}
	resp, _, err = counsellor.Post("/inbox/"+thread+"/reply", url.Values{"body": {"Sleep comes back; let us look at your evenings."}})
	mustStatus(t, "reply on node B", resp, err, http.StatusSeeOther)
	resp, page, err = seekerB.Do(context.Background(), http.MethodGet, a.Base, "/threads/"+thread, nil)
	mustStatus(t, "read on node A", resp, err, http.StatusOK)
	if !strings.Contains(page, "Sleep comes back; let us look at your evenings.") {
		t.Fatal("node A does not show the reply written on node B")
	}

	// Both nodes were due to purge at the start of the minute: it ran once.
	time.Sleep(time.Until(due.Add(3 * time.Second)))
	if time.Now().After(due.Add(time.Minute)) {
		t.Fatal("the test took more than a minute to get here; it cannot tell one run of the purge from two")
	}
	if runs := a.purgeRuns(t) + b.purgeRuns(t) - runsBefore; runs != 1 {
		t.Fatalf("the nightly purge, due on both nodes, ran %d times, want once", runs)
	}

	// A guest on node A and the counsellor on node B chat both ways.
	resp, _, err = counsellor.Post("/live/availability", url.Values{"available": {"1"}})
	mustStatus(t, "available on node B", resp, err, http.StatusSeeOther)
	guest := office.NewClient(a.Base)
	if _, page, _ := guest.Get("/live"); !strings.Contains(page, "A counsellor is available now.") {
		t.Fatal("node A does not offer the counsellor who switched on at node B")
	}
	resp, _, err = guest.Post("/live", url.Values{"theme": {"anxiety"}})
	mustStatus(t, "start a chat on node A", resp, err, http.StatusSeeOther)
	m = chatPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("starting a chat led to %q", resp.Header.Get("Location"))
	}
	chat := m[1]
	g := dial(t, guest, a.Base, chat, 0)
	g.say("g-1", "Hello, is anyone there?")
	resp, _, err = counsellor.Post("/live/"+chat+"/accept", url.Values{})
	mustStatus(t, "accept on node B", resp, err, http.StatusSeeOther)
	c := dial(t, counsellor, b.Base, chat, 0)
	c.message("Hello, is anyone there?")
	c.say("c-1", "Yes. I am here for you.")
	g.message("Yes. I am here for you.")

	// Mid-chat, node A dies. Every message node A acknowledged, and every
	// one the counsellor sends meanwhile, reaches the guest, who reconnects
	// through node B, once.
	var acked []string
	for i := range 5 {
		body := fmt.Sprintf("Guest line %d", i)
		g.say(fmt.Sprintf("g-%d", i+2), body)
		acked = append(acked, body)
	}
	a.Kill()
	c.say("c-2", "Are you still with me?")
	g2 := dial(t, guest, b.Base, chat, 0)
	for _, body := range append(acked, "Hello, is anyone there?", "Yes. I am here for you.", "Are you still with me?") {
		if g2.seen[body] == 0 {
			g2.message(body)
		}
	}
	g2.say("g-9", "Yes, the page just reloaded.")
	for _, body := range append(acked, "Yes, the page just reloaded.") {
		if c.seen[body] == 0 {
			c.message(body)
		}
	}
	for body, n := range g2.seen {
		if n != 1 {
			t.Errorf("the guest got %q %d times after reconnecting", body, n)
		}
	}
	for body, n := range c.seen {
		if n != 1 {
			t.Errorf("the counsellor got %q %d times", body, n)
		}
	}
}

// queueTab opens the counsellor's live tab (the queue page's socket) on the
// node at base, and reads what it is sent until it closes.
func queueTab(t *testing.T, c *office.Client, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/live/queue/ws", &websocket.DialOptions{HTTPClient: c.HTTP,
		HTTPHeader: http.Header{"Origin": {base}, "Sec-Fetch-Site": {"same-origin"}}})
	if err != nil {
		t.Fatalf("open the queue tab on %s: %v", base, err)
	}
	go func() {
		for {
			if _, _, err := conn.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { conn.CloseNow() })
}

// The node a counsellor's pages are on dies in the middle of two chats
// whose help-seekers' pages are on the other node. The chat the counsellor
// opens again through the other node, within the grace, stays theirs and
// loses nothing either way; the other goes back to the queue once its
// counsellor has been gone the grace, and its help-seeker is told; and the
// counsellor, whose only live tab died with the node, is no longer offered.
func TestTheCounsellorsNodeDiesMidChat(t *testing.T) {
	bin, database, a, b, dataB := startCluster(t)
	invite, err := office.Invite(bin, dataB, b.Base, "counsellor", "Stranded Counsellor", "--database", database)
	if err != nil || invite == "" {
		t.Fatalf("invite: %q %v", invite, err)
	}
	counsellor := office.NewClient(b.Base)
	if _, err := counsellor.Enrol(invite, "a counsellor's long passphrase"); err != nil {
		t.Fatal(err)
	}
	queueTab(t, counsellor, b.Base)
	resp, _, err := counsellor.Post("/live/availability", url.Values{"available": {"1"}})
	mustStatus(t, "available on node B", resp, err, http.StatusSeeOther)
	const offered, nobody = "A counsellor is available now.", "Nobody is available for live chat right now."
	if _, page, _ := office.NewClient(a.Base).Get("/live"); !strings.Contains(page, offered) {
		t.Fatal("node A does not offer the counsellor who switched on at node B")
	}

	type chat struct {
		id            string
		guest, holder *chatSocket
	}
	var chats []chat
	for i := range 2 {
		guest := office.NewClient(a.Base)
		resp, _, err := guest.Post("/live", url.Values{"theme": {"anxiety"}})
		mustStatus(t, "start a chat on node A", resp, err, http.StatusSeeOther)
		m := chatPath.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			t.Fatalf("starting a chat led to %q", resp.Header.Get("Location"))
		}
		g := dial(t, guest, a.Base, m[1], 0)
		g.say("g-1", fmt.Sprintf("Hello from guest %d", i))
		resp, _, err = counsellor.Post("/live/"+m[1]+"/accept", url.Values{})
		mustStatus(t, "accept on node B", resp, err, http.StatusSeeOther)
		c := dial(t, counsellor, b.Base, m[1], 0)
		c.message(fmt.Sprintf("Hello from guest %d", i))
		c.say("c-1", fmt.Sprintf("I am here, guest %d.", i))
		g.message(fmt.Sprintf("I am here, guest %d.", i))
		chats = append(chats, chat{id: m[1], guest: g, holder: c})
	}
	kept, dropped := chats[0], chats[1]

	b.Kill()
	killed := time.Now()
	seenBefore := len(kept.guest.types)
	// Node B's connections stop counting 30 s after its last beat at the
	// latest; the help-seekers' pages on node A look every 10 s and then
	// start the grace of a minute.
	const (
		stale   = 30 * time.Second
		look    = 10 * time.Second
		grace   = time.Minute
		leeway  = 15 * time.Second
		comesIn = stale + look + 5*time.Second // within the grace, wherever it began
	)
	kept.guest.say("g-2", "Are you still there?")

	// The counsellor's page comes back through node A.
	time.Sleep(time.Until(killed.Add(comesIn)))
	counsellor.Base = a.Base
	back := dial(t, counsellor, a.Base, kept.id, kept.holder.last)
	back.message("Are you still there?")
	back.say("c-2", "Yes, my page reloaded.")
	kept.guest.message("Yes, my page reloaded.")

	// The other chat's counsellor never comes back: its help-seeker, on
	// node A all along, is told, and the chat waits in the queue again.
	dropped.guest.within(time.Until(killed.Add(stale+look+grace+leeway)), "word that the counsellor is gone",
		func(f live.Frame) bool { return f.Type == live.TypeGone })
	dropped.guest.until("the chat waiting again", func(f live.Frame) bool {
		return f.Type == live.TypeState && f.Status == counselling.ChatWaiting
	})
	if _, page, _ := counsellor.Get("/live/queue"); !strings.Contains(page, "/live/"+dropped.id+"/accept") {
		t.Fatal("the chat whose counsellor did not come back is not in the queue on node A")
	}

	// Nor is the counsellor offered once their tab, gone with node B, has
	// been gone the grace.
	for {
		_, page, err := office.NewClient(a.Base).Get("/live")
		if err == nil && strings.Contains(page, nobody) && !strings.Contains(page, offered) {
			break
		}
		if time.Since(killed) > stale+look+grace+leeway {
			t.Fatalf("%s after node B died, node A still offers the counsellor whose only live tab was there", time.Since(killed).Round(time.Second))
		}
		time.Sleep(2 * time.Second)
	}

	// Past every grace, the chat the counsellor came back to is theirs and
	// runs both ways, each message once.
	kept.guest.say("g-3", "Good, let us go on.")
	back.message("Good, let us go on.")
	back.say("c-3", "Where were we?")
	kept.guest.message("Where were we?")
	for _, s := range []*chatSocket{kept.guest, back} {
		for body, n := range s.seen {
			if n != 1 {
				t.Errorf("%q arrived %d times", body, n)
			}
		}
	}
	for _, f := range kept.guest.types[seenBefore:] {
		if strings.HasPrefix(f, live.TypeGone+":") || f == live.TypeState+":"+counselling.ChatWaiting {
			t.Fatalf("the chat the counsellor came back to went back to the queue: %v", kept.guest.types)
		}
	}
}
