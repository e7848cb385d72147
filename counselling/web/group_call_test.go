package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"

	"github.com/coder/websocket"
)

// groupSocket is a browser's WebSocket to a group call.
type groupSocket struct {
	t    testing.TB
	conn *websocket.Conn
	me   string
}

func (b *browser) dialGroup(path string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(b.o.srv.URL, "http") + path + "/ws"
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.client,
		HTTPHeader: http.Header{"Origin": {b.o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}})
	if err != nil && resp != nil {
		return nil, &dialError{status: resp.StatusCode, err: err}
	}
	return conn, err
}

// joinGroup connects to a group call as its page does after the join button.
func (b *browser) joinGroup(path string) *groupSocket {
	b.o.t.Helper()
	conn, err := b.dialGroup(path)
	if err != nil {
		b.o.t.Fatalf("dial group call: %v", err)
	}
	s := &groupSocket{t: b.o.t, conn: conn}
	s.send(live.GroupFrame{Type: live.TypeHello})
	return s
}

func (s *groupSocket) send(f live.GroupFrame) {
	s.t.Helper()
	data, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, data); err != nil {
		s.t.Fatalf("write group frame: %v", err)
	}
}

// next reads frames until one satisfies want; a roster remembers who this
// socket is.
func (s *groupSocket) next(what string, want func(live.GroupFrame) bool) live.GroupFrame {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", what, err)
		}
		var f live.GroupFrame
		if err := json.Unmarshal(data, &f); err != nil {
			s.t.Fatalf("frame %q: %v", data, err)
		}
		if f.Type == live.TypeGroup {
			s.me = f.You
		}
		if want(f) {
			return f
		}
	}
}

// roster waits until the call holds n people.
func (s *groupSocket) roster(n int) live.GroupFrame {
	s.t.Helper()
	return s.next(fmt.Sprintf("a roster of %d", n), func(f live.GroupFrame) bool { return f.Type == live.TypeGroup && len(f.Peers) == n })
}

// onlyMarker checks that the first frame but rosters to arrive is the
// marker description, so that nothing addressed to others came before it.
func (s *groupSocket) onlyMarker(what string) {
	s.t.Helper()
	f := s.next("marker", func(f live.GroupFrame) bool { return f.Type != live.TypeGroup })
	if f.Type != live.TypeCallSDP || f.Call == nil || f.Call.SDP == nil || f.Call.SDP.SDP != "v=0\r\nmarker\r\n" {
		s.t.Fatalf("%s: got %+v", what, f)
	}
}

func (s *groupSocket) close() { s.conn.Close(websocket.StatusNormalClosure, "") }

var callLocation = regexpMust(`^/calls/([a-z2-7]{26})$`)

func TestGroupCallInviteJoinCapacityRemoveAndRelayOnlySignalling(t *testing.T) {
	withR, relay := withRelay(t)
	o := newOffice(t, withR)
	c := o.enrol(counselling.RoleCounsellor, "Group Counsellor")
	colleague := o.enrol(counselling.RoleCounsellor, "Other Counsellor")
	var seekers []*browser
	var threads []string
	for i := 1; i <= 5; i++ {
		b := o.browser()
		b.register(fmt.Sprintf("Group Seeker %d", i), "a fine long password")
		id := b.write("anxiety", fmt.Sprintf("Subject %d", i), fmt.Sprintf("Hello from %d", i))
		if i <= 4 {
			c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
		} else {
			colleague.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
		}
		seekers = append(seekers, b)
		threads = append(threads, id)
	}
	if p := c.get("/inbox/" + threads[0]); !strings.Contains(p.body, ">Invite to group call</button>") {
		t.Fatal("the conversation page does not offer to invite to a group call")
	}
	// A counsellor invites only from conversations they hold.
	if p := c.post("/inbox/"+threads[4]+"/group-call", nil); p.status != http.StatusNotFound {
		t.Fatalf("a colleague's help-seeker was invited: %d", p.status)
	}
	var path string
	for i := 0; i < 4; i++ {
		p := c.post("/inbox/"+threads[i]+"/group-call", nil)
		if p.status != http.StatusSeeOther || !callLocation.MatchString(p.header.Get("Location")) {
			t.Fatalf("invite %d: %d %s", i, p.status, p.header.Get("Location"))
		}
		if path != "" && p.header.Get("Location") != path {
			t.Fatal("a second invitation started a second group call")
		}
		path = p.header.Get("Location")
	}
	for i, b := range seekers[:4] {
		for _, page := range []string{"/threads", "/threads/" + threads[i]} {
			if p := b.get(page); !strings.Contains(p.body, "Your counsellor invites you to a group call.") || !strings.Contains(p.body, `href="`+path+`"`) {
				t.Fatalf("help-seeker %d's %s does not show the invitation", i+1, page)
			}
		}
	}
	if p := seekers[4].get("/threads"); strings.Contains(p.body, path) {
		t.Fatal("a help-seeker who was not invited sees the invitation")
	}
	page := seekers[0].get(path)
	if page.status != http.StatusOK || !strings.Contains(page.body, ">Join group call</button>") || !strings.Contains(page.body, "Nothing is recorded.") {
		t.Fatalf("the group call page: %d\n%s", page.status, page.body)
	}
	if pp := page.header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=(self)") || !strings.Contains(pp, "microphone=(self)") {
		t.Errorf("the group call page's Permissions-Policy %q does not allow camera and microphone", pp)
	}
	for name, b := range map[string]*browser{"a help-seeker not invited": seekers[4], "another counsellor": colleague.browser, "a visitor": o.browser()} {
		if p := b.get(path); p.status != http.StatusNotFound {
			t.Errorf("%s opened the group call: %d", name, p.status)
		}
		if _, err := b.dialGroup(path); !isStatus(err, http.StatusNotFound) {
			t.Errorf("%s connected to the group call: %v", name, err)
		}
	}

	// Help-seekers never meet without their counsellor.
	early := seekers[0].joinGroup(path)
	if f := early.next("refusal", func(f live.GroupFrame) bool { return f.Type == live.TypeGroupRefused }); !strings.Contains(f.Body, "Your counsellor is not in the group call yet.") {
		t.Fatalf("a help-seeker before the counsellor was told %q", f.Body)
	}
	early.close()

	// The counsellor and three help-seekers join; each gets credentials of
	// their own for the office's relay and learns who is in the call.
	lead := c.joinGroup(path)
	defer lead.close()
	var users []string
	checkConfig := func(s *groupSocket) {
		t.Helper()
		f := s.next("call config", func(f live.GroupFrame) bool { return f.Type == live.TypeCallConfig })
		checkICEServers(t, live.Frame{Call: f.Call}, relay)
		users = append(users, f.Call.ICEServers[0].Username)
	}
	checkConfig(lead)
	lead.roster(1)
	var members []*groupSocket
	for i := 0; i < 3; i++ {
		s := seekers[i].joinGroup(path)
		defer s.close()
		checkConfig(s)
		s.roster(i + 2)
		members = append(members, s)
	}
	r := lead.roster(4)
	if !r.Peers[0].Counsellor || r.Peers[0].ID != lead.me || r.Peers[1].Counsellor {
		t.Fatalf("the roster %+v does not list the counsellor first", r.Peers)
	}
	for i := range users {
		for j := range users[:i] {
			if users[i] == users[j] {
				t.Fatal("two participants got the same relay credentials")
			}
		}
	}

	// A fifth is refused, clearly, and changes nothing.
	fifth := seekers[3].joinGroup(path)
	if f := fifth.next("refusal", func(f live.GroupFrame) bool { return f.Type == live.TypeGroupRefused }); !strings.Contains(f.Body, "This group call is full") {
		t.Fatalf("the fifth was told %q", f.Body)
	}
	fifth.close()
	de := seekers[3].joinGroupIn("de", path)
	if f := de.next("refusal", func(f live.GroupFrame) bool { return f.Type == live.TypeGroupRefused }); !strings.Contains(f.Body, "Dieser Gruppenanruf ist voll") {
		t.Fatalf("the refusal is not in the reader's language: %q", f.Body)
	}
	de.close()

	// Signalling goes to the one peer it is addressed to, with relay
	// candidates only.
	s1, s2, s3 := members[0], members[1], members[2]
	sdp := "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" +
		"a=candidate:1 1 udp 2122260223 192.168.7.7 5000 typ host\r\n" +
		"a=candidate:2 1 udp 1686052607 198.51.100.77 5001 typ srflx raddr 192.168.7.7 rport 5000\r\n" +
		"a=candidate:3 1 udp 41885439 127.0.0.1 6000 typ relay raddr 198.51.100.77 rport 5001\r\n"
	s2.send(live.GroupFrame{Type: live.TypeCallSDP, Peer: s1.me, Call: &live.Call{SDP: &live.SessionDesc{Type: "offer", SDP: sdp}}})
	got := s1.next("offer", func(f live.GroupFrame) bool { return f.Type == live.TypeCallSDP })
	if got.Peer != s2.me || got.Call.SDP.Type != "offer" || strings.Contains(got.Call.SDP.SDP, "192.168.7.7") ||
		strings.Contains(got.Call.SDP.SDP, "198.51.100.77") || !strings.Contains(got.Call.SDP.SDP, "127.0.0.1 6000 typ relay raddr 0.0.0.0 rport 0") {
		t.Fatalf("s1 got %+v", got)
	}
	mid, idx := "0", 0
	for _, cand := range []string{
		"candidate:1 1 udp 2122260223 10.1.2.3 5000 typ host",
		"candidate:2 1 udp 1686052607 198.51.100.77 5001 typ srflx raddr 10.1.2.3 rport 5000",
		"candidate:3 1 udp 41885439 127.0.0.1 6001 typ relay raddr 198.51.100.77 rport 5001",
	} {
		s3.send(live.GroupFrame{Type: live.TypeCallICE, Peer: lead.me, Call: &live.Call{Candidate: &live.Candidate{Candidate: cand, SDPMid: &mid, SDPMLineIndex: &idx}}})
	}
	f := lead.next("candidate", func(f live.GroupFrame) bool { return f.Type == live.TypeCallICE })
	if f.Peer != s3.me || f.Call.Candidate.Candidate != "candidate:3 1 udp 41885439 127.0.0.1 6001 typ relay raddr 0.0.0.0 rport 0" {
		t.Fatalf("the counsellor got %+v", f)
	}
	lead.send(live.GroupFrame{Type: live.TypeCallSDP, Peer: s2.me, Call: &live.Call{SDP: &live.SessionDesc{Type: "offer", SDP: "v=0\r\nmarker\r\n"}}})
	s2.onlyMarker("signalling between others reached s2")
	s3.send(live.GroupFrame{Type: live.TypeCallICE, Peer: "p999", Call: &live.Call{Candidate: &live.Candidate{Candidate: "candidate:3 1 udp 1 127.0.0.1 1 typ relay"}}})
	if f := s3.next("error", func(f live.GroupFrame) bool { return f.Type == live.TypeError }); f.Body == "" {
		t.Fatal("a candidate for nobody got no explanation")
	}

	// Only the counsellor removes; the removed help-seeker is told, loses the
	// invitation, and the seat is free for the next.
	s2.send(live.GroupFrame{Type: live.TypeGroupRemove, Peer: s1.me})
	if f := s2.next("error", func(f live.GroupFrame) bool { return f.Type == live.TypeError }); !strings.Contains(f.Body, "Only the counsellor") {
		t.Fatalf("a help-seeker removing someone got %q", f.Body)
	}
	lead.send(live.GroupFrame{Type: live.TypeGroupRemove, Peer: s1.me})
	s1.next("removed", func(f live.GroupFrame) bool { return f.Type == live.TypeGroupRemoved })
	if r := lead.roster(3); r.Peers[1].ID == s1.me {
		t.Fatal("the removed help-seeker is still in the roster")
	}
	s2.roster(3)
	if p := seekers[0].get(path); p.status != http.StatusNotFound {
		t.Fatalf("the removed help-seeker opened the call again: %d", p.status)
	}
	if p := seekers[0].get("/threads"); strings.Contains(p.body, "Your counsellor invites you to a group call.") {
		t.Fatal("the removed help-seeker still sees the invitation")
	}
	fourth := seekers[3].joinGroup(path)
	defer fourth.close()
	fourth.roster(4)

	// When the counsellor's page goes, the call ends for the help-seekers.
	lead.close()
	s2.next("end", func(f live.GroupFrame) bool { return f.Type == live.TypeCallEnd })
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if _, _, err := s2.conn.Read(rctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("the ended call's socket stayed open or ended badly: %v", err)
	}
	again := seekers[1].joinGroup(path)
	if f := again.next("refusal", func(f live.GroupFrame) bool { return f.Type == live.TypeGroupRefused }); !strings.Contains(f.Body, "not in the group call yet") {
		t.Fatalf("a help-seeker joining after the counsellor left was told %q", f.Body)
	}
	again.close()

	// The counsellor ends the call for everyone, its invitations with it.
	lead = c.joinGroup(path)
	lead.roster(1)
	s2 = seekers[1].joinGroup(path)
	s2.roster(2)
	c.mustPost(path+"/end", nil, "/inbox")
	s2.next("end", func(f live.GroupFrame) bool { return f.Type == live.TypeCallEnd })
	if p := seekers[1].get(path); p.status != http.StatusNotFound {
		t.Fatalf("the ended call opened: %d", p.status)
	}
	for _, secret := range []string{"192.168.7.7", "198.51.100.77", "10.1.2.3", "typ relay", "candidate", "Group Seeker"} {
		if strings.Contains(o.log.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	_ = url.Values{}
}

// joinGroupIn joins with the language chosen on the page first.
func (b *browser) joinGroupIn(lang, path string) *groupSocket {
	b.o.t.Helper()
	b.get(path + "?lang=" + lang)
	return b.joinGroup(path)
}
