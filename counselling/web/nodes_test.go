package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/counselling/web"
	"confidant/store"
	"confidant/store/storetest"
)

// clusterHub joins the hubs of several nodes in one process as the
// PostgreSQL bus (counselling/live/pgbus) joins those of real ones: a frame
// published on one node reaches the subscribers of every node, and on the
// others it carries no sender, since no connection of theirs sent it.
type clusterHub struct {
	mu   sync.Mutex
	hubs []*live.LocalHub
}

type nodeHub struct {
	cluster *clusterHub
	own     *live.LocalHub
}

func (n nodeHub) Subscribe(topic string, wake func()) *live.Subscription {
	return n.own.Subscribe(topic, wake)
}

func (n nodeHub) SubscribeBuffered(topic string, buffer int) *live.Subscription {
	return n.own.SubscribeBuffered(topic, buffer)
}

func (n nodeHub) Publish(topic string, f live.Frame) {
	n.cluster.mu.Lock()
	hubs := append([]*live.LocalHub(nil), n.cluster.hubs...)
	n.cluster.mu.Unlock()
	for _, h := range hubs {
		g := f
		if h != n.own {
			g.Sender = 0
		}
		h.Publish(topic, g)
	}
}

// onNode makes a server one node of an office of several on one database:
// live frames cross through the cluster's hub, and the live state and the
// login limiter's counts are the database's, as with several nodes on
// PostgreSQL.
func onNode(name string, cluster *clusterHub, db *storetest.DB) option {
	h := live.NewLocalHub()
	cluster.mu.Lock()
	cluster.hubs = append(cluster.hubs, h)
	cluster.mu.Unlock()
	return func(c *web.Config) {
		c.LiveHub = nodeHub{cluster: cluster, own: h}
		c.LiveShared = db.LiveState(name)
		c.Guesses = db.DB
	}
}

// twoNodes starts two nodes of one office on one database.
func twoNodes(t *testing.T, opts ...option) (*office, *office) {
	t.Helper()
	db := storetest.MustOpenDB(t)
	cluster := &clusterHub{}
	a := newOfficeOn(t, db, append([]option{onNode("node-a", cluster, db)}, opts...)...)
	b := newOfficeOn(t, db, append([]option{onNode("node-b", cluster, db)}, opts...)...)
	return a, b
}

// at is the same browser (its cookies) talking to another node, as a load
// balancer without sticky sessions would send it.
func (b *browser) at(o *office) *browser { return &browser{o: o, client: b.client} }

// A guest chats on node A with a counsellor on node B: the counsellor's
// availability switched on at B is what A offers, messages and typing cross
// both ways, the guest's node sees that the chat's counsellor is connected
// (on the other node) and does not hand the chat back to the queue, and a
// supervisor reading along on B is announced to the guest on A.
func TestAGuestOnOneNodeChatsWithACounsellorOnAnother(t *testing.T) {
	const grace = 400 * time.Millisecond
	a, b := twoNodes(t, func(c *web.Config) { c.HolderGrace = grace })
	c := a.enrol(counselling.RoleCounsellor, "Node Counsellor").browser.at(b)
	c.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")
	if p := a.browser().get("/live"); !strings.Contains(p.body, "A counsellor is available now.") {
		t.Fatal("node A does not offer the counsellor who switched on at node B")
	}

	guest, id := startGuestChat(t, a, "anxiety")
	g := guest.dial(id, 0)
	defer g.close()
	g.state(counselling.ChatWaiting)
	g.say("g-1", "Is anyone there?")
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	g.state(counselling.ChatRunning)
	s := c.dial(id, 0)
	defer s.close()
	s.message("Is anyone there?")
	s.say("c-1", "Yes, I am here.")
	g.message("Yes, I am here.")
	g.send(live.Frame{Type: live.TypeTyping})
	s.next("typing from the other node", func(f live.Frame) bool { return f.Type == live.TypeTyping && f.From == live.FromSeeker })

	// The guest's page reconnects on node A, whose memory holds no
	// connection of the counsellor's: the chat must stay theirs.
	g.close()
	g = guest.dial(id, 2)
	defer g.close()
	g.state(counselling.ChatRunning)
	time.Sleep(2 * grace)
	s.say("c-2", "Still here.")
	if f := g.next("the counsellor's next message", func(f live.Frame) bool {
		return f.Type == live.TypeGone || f.Type == live.TypeMessage
	}); f.Type != live.TypeMessage || f.Body != "Still here." {
		t.Fatalf("the guest got %+v: node A handed back a chat whose counsellor is on node B", f)
	}
	// The counsellor's page on B goes: node A, where the guest is, hears of
	// it and the chat goes back to the queue after the grace.
	s.close()
	g.next("word that the counsellor is gone", func(f live.Frame) bool { return f.Type == live.TypeGone })
	g.state(counselling.ChatWaiting)
}

// What one node promises, another keeps: a confirmation set by an action on
// node A is shown by the page that node B serves, once.
func TestConfirmationsHoldAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	seeker := a.browser()
	seeker.register("Roaming Heron", "a long enough passphrase")
	id := seeker.write("anxiety", "", "I cannot sleep.")
	if p := seeker.post("/threads/"+id+"/reply", url.Values{"body": {"And I worry."}}); p.status != http.StatusSeeOther {
		t.Fatalf("reply on node A: %d", p.status)
	}
	onB := seeker.at(b)
	if got := confirmationOn(t, onB.get("/threads/"+id).body); got != "Your message was sent." {
		t.Fatalf("node B confirms %q after a reply on node A", got)
	}
	if got := confirmationOn(t, seeker.get("/threads/"+id).body); got != "" {
		t.Fatalf("node A confirms %q again", got)
	}
}

// The limit of guarded attempts per client holds however they are spread
// over the nodes.
func TestGuessingLimitsHoldAcrossNodes(t *testing.T) {
	a, b := twoNodes(t, func(c *web.Config) { c.LoginsPerMinute = 3 })
	guesser := a.browser()
	attempt := func(o *office) int {
		return guesser.at(o).post("/login", url.Values{"nickname": {"nobody"}, "password": {"whatever it is"}}).status
	}
	for i, o := range []*office{a, b, a} {
		if st := attempt(o); st == http.StatusTooManyRequests {
			t.Fatalf("attempt %d of 3 was refused", i+1)
		}
	}
	if st := attempt(b); st != http.StatusTooManyRequests {
		t.Fatalf("the fourth attempt in a minute, on the other node, answered %d, want 429", st)
	}
	a.db.Clock.Advance(time.Minute)
	if st := attempt(b); st != http.StatusUnauthorized {
		t.Fatalf("after a minute: %d, want an ordinary refusal", st)
	}
}

// Wrong passwords slow the one who guesses on every node alike: the pause a
// client earned at an account with wrong passwords spread over two nodes
// holds on both, and ends on both after a minute.
func TestWrongPasswordsCountAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	a.browser().register("Guarded Lark", "my real password is long")
	guesser := a.browser()
	for i, o := range []*office{a, b, a, b} {
		if p := guesser.at(o).post("/login", url.Values{"nickname": {"Guarded Lark"}, "password": {"guess guess guess"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, p.status)
		}
	}
	right := url.Values{"nickname": {"Guarded Lark"}, "password": {"my real password is long"}}
	for _, o := range []*office{a, b} {
		if p := guesser.at(o).post("/login", right); p.status != http.StatusUnauthorized {
			t.Fatalf("the right password during the pause, on either node: %d, want the same refusal", p.status)
		}
	}
	a.db.Clock.Advance(time.Minute)
	if p := guesser.at(b).post("/login", right); p.status != http.StatusSeeOther {
		t.Fatalf("the right password after a minute: %d, want 303", p.status)
	}
}

// A group call led by a counsellor on node B is found by the help-seeker
// whose pages node A serves: the invitation shows, both are in the call,
// descriptions reach the one they are addressed to across the nodes, and
// ending the call on B ends it on A.
func TestAGroupCallSpansNodes(t *testing.T) {
	withR, _ := withRelay(t)
	a, b := twoNodes(t, withR)
	seeker := a.browser()
	seeker.register("Spanning Crane", "a fine long password")
	thread := seeker.write("anxiety", "Together", "Can we talk with others?")
	c := a.enrol(counselling.RoleCounsellor, "Group Node Counsellor").browser.at(b)
	c.mustPost("/inbox/"+thread+"/take", nil, "/inbox/"+thread)
	p := c.post("/inbox/"+thread+"/group-call", nil)
	path := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !callLocation.MatchString(path) {
		t.Fatalf("invite on node B: %d %s", p.status, path)
	}
	if p := seeker.get("/threads"); !strings.Contains(p.body, `href="`+path+`"`) {
		t.Fatal("node A does not show the invitation made on node B")
	}
	if p := seeker.get(path); p.status != http.StatusOK {
		t.Fatalf("node A does not open the group call made on node B: %d", p.status)
	}
	lead := c.joinGroup(path)
	defer lead.close()
	lead.roster(1)
	member := seeker.joinGroup(path)
	defer member.close()
	member.roster(2)
	lead.roster(2)
	member.send(live.GroupFrame{Type: live.TypeCallSDP, Peer: lead.me, Call: &live.Call{SDP: &live.SessionDesc{Type: "offer", SDP: "v=0\r\nacross\r\n"}}})
	if f := lead.next("the offer from node A", func(f live.GroupFrame) bool { return f.Type == live.TypeCallSDP }); f.Peer != member.me || f.Call.SDP.SDP != "v=0\r\nacross\r\n" {
		t.Fatalf("the counsellor on node B got %+v", f)
	}
	c.mustPost(path+"/end", nil, "/inbox")
	member.next("the end of the call", func(f live.GroupFrame) bool { return f.Type == live.TypeCallEnd })
	if p := seeker.get(path); p.status != http.StatusNotFound {
		t.Fatalf("the ended call still opens on node A: %d", p.status)
	}
}

// nodeDies makes node B of two stop as a killed process would, as far as the
// cluster can tell: it never closes what it holds, and beats no more, while
// node A beats on until B's connections no longer count.
func nodeDies(t *testing.T, a *office) {
	t.Helper()
	for _, d := range []time.Duration{store.NodeGone / 2, store.NodeGone/2 + time.Second} {
		a.db.Clock.Advance(d)
		if err := a.db.LiveState("node-a").Beat(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// A counsellor whose queue tab was on a node that died is offered by the
// node that lives on no longer than the usual grace after that node's
// connections stopped counting, as if the tab had closed then, though
// nothing closed it and they did something meanwhile.
func TestACounsellorOnADeadNodeIsNoLongerOffered(t *testing.T) {
	a, b := twoNodes(t)
	c := a.enrol(counselling.RoleCounsellor, "Vanishing Counsellor").browser.at(b)
	tab, err := c.dialQueue(http.Header{"Origin": {b.srv.URL}, "Sec-Fetch-Site": {"same-origin"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.CloseNow()
	// The tab counts once node B's handler has joined it, which may come
	// after the handshake the dial waited for.
	for i := 0; a.db.Count(t, `SELECT count(*) FROM live_tallies WHERE key LIKE 'tab/%'`) == 0; i++ {
		if i == 100 {
			t.Fatal("the queue tab on node B never counted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")
	const offered = "A counsellor is available now."
	if p := a.browser().get("/live"); !strings.Contains(p.body, offered) {
		t.Fatal("node A does not offer the counsellor who switched on at node B")
	}
	nodeDies(t, a)
	if p := a.browser().get("/live"); !strings.Contains(p.body, offered) {
		t.Fatal("the counsellor went as soon as their node's connections stopped counting, without the grace")
	}
	a.db.Clock.Advance(counselling.AvailabilityTabGrace - time.Second)
	c.at(a).get("/live/queue") // they are still active, on node A
	if p := a.browser().get("/live"); !strings.Contains(p.body, offered) {
		t.Fatal("the counsellor went before the grace was over")
	}
	a.db.Clock.Advance(time.Second)
	if p := a.browser().get("/live"); strings.Contains(p.body, offered) || !strings.Contains(p.body, "Nobody is available for live chat right now.") {
		t.Fatal("node A still offers a counsellor whose only live tab died with their node a grace ago")
	}
	if p := c.at(a).get("/live/queue"); strings.Contains(p.body, `name="available" value="0"`) {
		t.Fatal("the counsellor's own queue page still shows them available")
	}
}

// The counsellor of two chats loses their node mid-chat. The chat whose
// page they open again through the other node, within the grace, stays
// theirs and loses nothing either way; the other goes back to the queue
// after the grace, and its help-seeker, whose page is on the node that
// lives on, is told.
func TestChatsOfACounsellorWhoseNodeDied(t *testing.T) {
	const grace = 1500 * time.Millisecond
	a, b := twoNodes(t, func(c *web.Config) { c.HolderGrace = grace })
	c := a.enrol(counselling.RoleCounsellor, "Stranded Counsellor").browser.at(b)
	type chat struct {
		id       string
		guest, s *socket
	}
	var chats []chat
	for _, theme := range []string{"anxiety", "family"} {
		guest, id := startGuestChat(t, a, theme)
		g := guest.dial(id, 0)
		defer g.close()
		g.state(counselling.ChatWaiting)
		c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
		g.state(counselling.ChatRunning)
		s := c.dial(id, 0)
		defer s.close()
		s.say("c-1", "Hello, I am here.")
		g.message("Hello, I am here.")
		chats = append(chats, chat{id: id, guest: g, s: s})
	}
	nodeDies(t, a)
	kept, dropped := chats[0], chats[1]
	// Meanwhile the help-seeker writes; node A stores it.
	kept.guest.say("g-1", "Are you still there?")
	// The grace starts when node A's watch first finds the counsellor
	// gone, so it ends a grace from now at the earliest; they come back
	// halfway.
	time.Sleep(grace / 2)
	back := c.at(a).dial(kept.id, 1)
	defer back.close()
	back.message("Are you still there?")
	back.say("c-2", "Yes, my page reloaded.")
	kept.guest.message("Yes, my page reloaded.")

	dropped.guest.next("word that the counsellor is gone", func(f live.Frame) bool { return f.Type == live.TypeGone })
	dropped.guest.state(counselling.ChatWaiting)
	if p := c.at(a).get("/live/queue"); !strings.Contains(p.body, `/live/`+dropped.id+`/accept`) {
		t.Fatal("the chat whose counsellor did not come back is not in the queue")
	}

	// Well past the grace, the chat the counsellor came back to is theirs.
	time.Sleep(2 * grace)
	kept.guest.say("g-2", "Good.")
	if f := back.next("the help-seeker's next message", func(f live.Frame) bool {
		return f.Type == live.TypeState || f.Type == live.TypeMessage && f.From == live.FromSeeker
	}); f.Type != live.TypeMessage || f.Body != "Good." {
		t.Fatalf("the counsellor got %+v, want the help-seeker's message", f)
	}
	back.say("c-3", "Let us go on.")
	if f := kept.guest.next("the counsellor's next message", func(f live.Frame) bool {
		return f.Type == live.TypeGone || f.Type == live.TypeMessage && f.From == live.FromCounsellor
	}); f.Type != live.TypeMessage || f.Body != "Let us go on." {
		t.Fatalf("the help-seeker got %+v: the chat the counsellor came back to was handed back", f)
	}
}
