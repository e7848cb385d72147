package web_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/counselling/vault"
	"confidant/counselling/web"
	"confidant/store"
	"confidant/store/storetest"

	"github.com/coder/websocket"
)

func TestGuestAndCounsellorChat(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	other := o.enrol(counselling.RoleCounsellor, "Second Counsellor")
	if p := o.browser().get("/live"); !strings.Contains(p.body, "Nobody is available for live chat right now.") {
		t.Fatal("/live says someone is available before anyone switched on")
	}
	c.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")
	if p := o.browser().get("/live"); !strings.Contains(p.body, "A counsellor is available now.") || strings.Contains(p.body, "Chat Counsellor") {
		t.Fatal("/live does not say that someone is available, or says who")
	}

	guest, id := startGuestChat(t, o, "anxiety")
	if p := guest.get("/threads"); p.status != http.StatusForbidden || !strings.Contains(p.body, "As a guest you can only chat.") {
		t.Fatalf("a guest opened /threads: %d", p.status)
	}
	if p := guest.get("/account"); p.status != http.StatusForbidden {
		t.Fatalf("a guest opened /account: %d", p.status)
	}
	page := guest.get("/live/" + id)
	if page.status != http.StatusOK || !strings.Contains(page.body, "You are number 1 in the queue") ||
		!strings.Contains(page.body, `<label for="message">Message</label>`) || !strings.Contains(page.body, ">Send</button>") ||
		!strings.Contains(page.body, ">End chat</button>") {
		t.Fatalf("waiting page: %d\n%s", page.status, page.body)
	}
	g := guest.dial(id, 0)
	defer g.close()
	if f := g.state(counselling.ChatWaiting); f.Place != 1 {
		t.Fatalf("place in queue %d, want 1", f.Place)
	}
	if ack := g.say("g-1", "I feel so alone tonight"); ack.Seq != 1 {
		t.Fatalf("first message numbered %d", ack.Seq)
	}
	q := c.get("/live/queue")
	if !strings.Contains(q.body, "I feel so alone tonight") || !strings.Contains(q.body, ">Accept</button>") || !strings.Contains(q.body, "I&#39;m away") {
		t.Fatalf("live queue lacks the waiting chat or the switch:\n%s", q.body)
	}
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	if p := other.post("/live/"+id+"/accept", nil); p.status != http.StatusConflict || !strings.Contains(p.body, "Another counsellor has just accepted this chat.") {
		t.Fatalf("second accept: %d", p.status)
	}
	// A second press by the counsellor who holds it changes nothing and
	// links their chat.
	if p := c.post("/live/"+id+"/accept", nil); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "You have already accepted this chat.") || !strings.Contains(p.body, `href="/live/`+id+`"`) {
		t.Fatalf("the holder's second accept: %d", p.status)
	}
	if f := g.state(counselling.ChatRunning); f.Author != "Chat Counsellor" {
		t.Fatalf("the guest is told they chat with %q", f.Author)
	}
	if p := c.get("/live/" + id); p.status != http.StatusOK || !strings.Contains(p.body, "I feel so alone tonight") {
		t.Fatalf("counsellor's chat page: %d", p.status)
	}
	s := c.dial(id, 0)
	defer s.close()
	if f := s.message("I feel so alone tonight"); f.From != live.FromSeeker || !strings.HasPrefix(f.Author, "Guest ") {
		t.Fatalf("the counsellor sees the message as %+v", f)
	}
	s.say("c-1", "I am here with you. What happened?")
	if f := g.message("I am here with you. What happened?"); f.Author != "Chat Counsellor" || f.From != live.FromCounsellor {
		t.Fatalf("the guest sees %+v", f)
	}
	g.send(live.Frame{Type: live.TypeTyping})
	s.next("typing", func(f live.Frame) bool { return f.Type == live.TypeTyping && f.From == live.FromSeeker })
	g.say("g-2", "Thank you. That helped.")
	s.message("Thank you. That helped.")
	g.send(live.Frame{Type: live.TypeEnd})
	s.state(counselling.ChatEnded)
	g.state(counselling.ChatEnded)
	if p := guest.get("/live/" + id); p.status != http.StatusSeeOther || p.header.Get("Location") != "/live" {
		t.Fatalf("the guest's session outlived the chat: %d %s", p.status, p.header.Get("Location"))
	}
	if p := c.get("/inbox"); !strings.Contains(p.body, "/live/"+id) {
		t.Fatal("the counsellor does not find the past chat in the inbox")
	}
	for _, line := range strings.Split(o.log.String(), "\n") {
		for _, secret := range []string{"alone tonight", "Guest ", "127.0.0.1"} {
			if strings.Contains(line, secret) {
				t.Errorf("the log holds %q: %s", secret, line)
			}
		}
	}
}

func TestChatReconnectResumesWithoutLossOrDuplicates(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	seeker := o.browser()
	seeker.register("Phone Writer", "a fine long password")
	id := chatOf(t, seeker.post("/live", url.Values{"theme": {"family"}}))
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	h := seeker.dial(id, 0)
	s := c.dial(id, 0)
	defer s.close()
	h.say("h-1", "one")
	s.message("one")
	s.say("c-1", "two")
	h.message("two")
	h.close() // the phone loses its connection

	s.say("c-2", "three")
	s.say("c-3", "four")
	h = seeker.dial(id, h.seen)
	defer h.close()
	h.message("three")
	h.message("four")
	// The phone sends again what it had sent just before the drop, without
	// an acknowledgement, twice; it is stored once.
	h.say("h-2", "five")
	if ack := h.say("h-2", "five"); ack.Seq != 5 {
		t.Fatalf("the message sent again is numbered %d, want 5", ack.Seq)
	}
	s.message("five")
	s.say("c-4", "six")
	h.message("six")
	if n := o.db.Count(t, `SELECT count(*) FROM messages WHERE thread_id = ?`, id); n != 6 {
		t.Fatalf("%d messages stored, want 6", n)
	}
	if p := seeker.get("/threads"); !strings.Contains(p.body, "/live/"+id) {
		t.Fatal("the help-seeker does not find the chat in their list")
	}
	if p := seeker.get("/threads/" + id); p.status != http.StatusSeeOther || p.header.Get("Location") != "/live/"+id {
		t.Fatalf("the chat opened as a mail thread: %d %s", p.status, p.header.Get("Location"))
	}
	if p := c.get("/inbox/" + id); p.status != http.StatusOK || strings.Contains(p.body, "/inbox/"+id+"/reply") ||
		!strings.Contains(p.body, "/inbox/"+id+"/note") || !strings.Contains(p.body, `href="/live/`+id+`"`) {
		t.Fatalf("the chat's inbox page offers a mail reply, or no notes or way to the chat: %d", p.status)
	}
}

func TestServerRestartMidChatLosesNothing(t *testing.T) {
	dir := t.TempDir()
	clock := storetest.NewClock()
	location := filepath.Join(dir, store.FileName)
	if storetest.Postgres() {
		location = storetest.NewDatabase(t, true)
	}
	open := func() *storetest.DB {
		keys, err := vault.LoadOrCreate(dir, false)
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(context.Background(), location, keys, store.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		return &storetest.DB{DB: db, Dir: dir, Clock: clock}
	}
	db := open()
	o := newOfficeOn(t, db)
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	guest, id := startGuestChat(t, o, "violence")
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	g, s := guest.dial(id, 0), c.dial(id, 0)
	g.say("g-1", "before the restart")
	s.message("before the restart")

	o.srv.Close()
	db.Close()
	db = open()
	t.Cleanup(func() { db.Close() })
	o2 := newOfficeOn(t, db)
	guest.o, c.o = o2, o2
	g2, s2 := guest.dial(id, 0), c.dial(id, 0)
	defer g2.close()
	defer s2.close()
	s2.message("before the restart")
	g2.message("before the restart")
	s2.say("c-1", "after the restart")
	g2.message("after the restart")
}

func TestChatSocketRefusesOthersAndBadFrames(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	colleague := o.enrol(counselling.RoleCounsellor, "Other Counsellor")
	guest, id := startGuestChat(t, o, "family")
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	stranger := o.browser()
	stranger.register("Curious Stranger", "a fine long password")
	// A supervisor may read a flagged chat's transcript, and reads it along
	// only in their own office.
	if _, err := o.db.CreateOffice(context.Background(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	sup := o.enrol(counselling.RoleSupervisor, "Reading Supervisor")
	elsewhere := o.enrolIn("north", counselling.RoleSupervisor, "Elsewhere Supervisor")
	c.mustPost("/inbox/"+id+"/flag", url.Values{"reason": {"a risk to others"}}, "/inbox/"+id)
	if p := sup.get("/inbox/" + id); p.status != http.StatusOK {
		t.Fatalf("the supervisor cannot read the flagged chat: %d", p.status)
	}
	same := http.Header{"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}
	for name, b := range map[string]*browser{"another help-seeker": stranger, "another counsellor": colleague.browser, "a supervisor of another office": elsewhere.browser} {
		if p := b.get("/live/" + id); p.status != http.StatusNotFound {
			t.Errorf("%s opened the chat page: %d", name, p.status)
		}
		if _, err := b.dialWith(id, same); !isStatus(err, http.StatusNotFound) {
			t.Errorf("%s opened the chat's socket: %v", name, err)
		}
	}
	for name, h := range map[string]http.Header{
		"another origin":          {"Origin": {"http://evil.example"}},
		"another scheme":          {"Origin": {strings.Replace(o.srv.URL, "http:", "https:", 1)}},
		"a cross-site fetch":      {"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"cross-site"}},
		"no origin":               {},
		"same site, other origin": {"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-site"}},
	} {
		if _, err := guest.dialWith(id, h); !isStatus(err, http.StatusForbidden) {
			t.Errorf("a handshake from %s was not refused: %v", name, err)
		}
	}

	g := guest.dial(id, 0)
	defer g.close()
	g.state(counselling.ChatRunning)
	ctx := context.Background()
	g.conn.Write(ctx, websocket.MessageText, []byte(`{"type":"send","id":"x-1",`))
	if f := g.next("error", func(f live.Frame) bool { return f.Type == live.TypeError }); f.Body == "" {
		t.Fatal("a malformed frame got no explanation")
	}
	g.send(live.Frame{Type: "delete", ID: "x-2"})
	g.next("error", func(f live.Frame) bool { return f.Type == live.TypeError })
	g.send(live.Frame{Type: live.TypeSend, ID: "x-3", Body: strings.Repeat("x", counselling.ChatBodyMaxRunes+1)})
	if f := g.next("error", func(f live.Frame) bool { return f.Type == live.TypeError }); f.ID != "x-3" || !strings.Contains(f.Body, "too long") {
		t.Fatalf("an overlong message got %+v", f)
	}
	big := `{"type":"send","id":"x-4","body":"` + strings.Repeat("y", counselling.ChatFrameMaxBytes) + `"}`
	g.conn.Write(ctx, websocket.MessageText, []byte(big))
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		if _, _, err := g.conn.Read(rctx); err != nil {
			if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
				t.Fatalf("an oversized frame ended the connection with %v, want message too big", err)
			}
			break
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM messages WHERE thread_id = ?`, id); n != 0 {
		t.Fatalf("refused frames stored %d messages", n)
	}
}

func isStatus(err error, status int) bool {
	de, ok := err.(*dialError)
	return ok && de.status == status
}

func TestCounsellorGoneHandsTheChatBackToTheQueue(t *testing.T) {
	o := newOffice(t, func(c *web.Config) { c.HolderGrace = 200 * time.Millisecond })
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	next := o.enrol(counselling.RoleCounsellor, "Next Counsellor")
	guest, id := startGuestChat(t, o, "loneliness")
	// Accepting opens the counsellor's chat page; the help-seeker's page,
	// which looks whether the counsellor is connected, comes after it.
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	s := c.dial(id, 0)
	g := guest.dial(id, 0)
	defer g.close()
	g.say("g-1", "are you there?")
	s.message("are you there?")
	s.close() // the laptop closes
	g.next("word that the counsellor is gone", func(f live.Frame) bool { return f.Type == live.TypeGone })
	g.state(counselling.ChatWaiting)
	if p := next.get("/live/queue"); !strings.Contains(p.body, "are you there?") {
		t.Fatal("the chat is not back in the queue with its transcript")
	}
	next.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	g.state(counselling.ChatRunning)
	n := next.dial(id, 0)
	defer n.close()
	n.message("are you there?")
}

func TestWritingInAChatKeepsTheSessionAlive(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	guest, id := startGuestChat(t, o, "family")
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	g := guest.dial(id, 0)
	defer g.close()
	for i := range 3 {
		o.db.Clock.Advance(20 * time.Minute) // past the idle limit of 30 minutes in all
		g.say("g-"+itoa(int64(i)), "still writing")
	}
	if p := guest.get("/live/" + id); p.status != http.StatusOK {
		t.Fatalf("after an hour of writing the guest's chat page answers %d", p.status)
	}
}

// After a restart, a counsellor who does not come back is treated like one
// whose page was lost: the chat goes back to the queue.
func TestChatGoesBackWhenItsCounsellorNeverReturnsAfterARestart(t *testing.T) {
	db := storetest.MustOpenDB(t)
	o := newOfficeOn(t, db)
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	guest, id := startGuestChat(t, o, "family")
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	o.srv.Close()
	o2 := newOfficeOn(t, db, func(c *web.Config) { c.HolderGrace = 50 * time.Millisecond })
	guest.o = o2
	g := guest.dial(id, 0)
	defer g.close()
	g.state(counselling.ChatRunning)
	g.next("word that the counsellor is gone", func(f live.Frame) bool { return f.Type == live.TypeGone })
	g.state(counselling.ChatWaiting)
}

func TestLiveWithoutJavaScriptOffersMail(t *testing.T) {
	o := newOffice(t)
	p := o.browser().get("/live")
	if !strings.Contains(p.body, "Live chat needs JavaScript") || !strings.Contains(p.body, `<div id="live-start" class="needs-js" hidden>`) ||
		!strings.Contains(p.body, `href="/register"`) {
		t.Fatalf("/live without JavaScript does not say so, shows the form, or offers no way to write:\n%s", p.body)
	}
	if strings.Contains(p.body, "<script>") || !strings.Contains(p.body, "/static/live.") {
		t.Fatal("/live carries inline script or lacks its script file")
	}
}

func TestQueueTabKeepsTheCounsellorPresentAndHearsOfNewChats(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Queue Counsellor")
	if _, err := c.browser.dialQueue(http.Header{"Origin": {"http://evil.example"}}); !isStatus(err, http.StatusForbidden) {
		t.Fatalf("a queue socket from another site was not refused: %v", err)
	}
	if _, err := o.browser().dialQueue(http.Header{"Origin": {o.srv.URL}}); err == nil {
		t.Fatal("a visitor opened the queue socket")
	}
	conn, err := c.browser.dialQueue(http.Header{"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}})
	if err != nil {
		t.Fatal(err)
	}
	c.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")
	startGuestChat(t, o, "family")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(data), `"type":"queue"`) {
		t.Fatalf("the queue tab heard %s, %v", data, err)
	}
	conn.Close(websocket.StatusNormalClosure, "")
	if p := o.browser().get("/live"); !strings.Contains(p.body, "A counsellor is available now.") {
		t.Fatal("availability went as soon as the tab closed")
	}
	// Once the server has seen the tab go, a minute later the counsellor is
	// away: well before the 15 idle minutes that would switch them off too.
	for i := 0; ; i++ {
		o.db.Clock.Advance(61 * time.Second)
		if p := o.browser().get("/live"); strings.Contains(p.body, "Nobody is available for live chat right now.") {
			break
		}
		if i == 10 {
			t.Fatal("still available ten minutes after the last queue tab closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *browser) dialQueue(h http.Header) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(b.o.srv.URL, "http") + "/live/queue/ws"
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.client, HTTPHeader: h})
	if err != nil && resp != nil {
		return nil, &dialError{status: resp.StatusCode, err: err}
	}
	return conn, err
}
