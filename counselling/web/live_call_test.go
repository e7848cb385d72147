package web_test

import (
	"net/http"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/counselling/live/turn"
	"confidant/counselling/web"
)

// withRelay runs the office with its own call relay on a free loopback port.
func withRelay(t testing.TB) (option, *turn.Relay) {
	t.Helper()
	relay, err := turn.Listen(turn.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	return func(c *web.Config) { c.Relay = relay }, relay
}

// runningChat starts a guest chat that a counsellor has accepted, with both
// sides' sockets open.
func runningChat(t *testing.T, o *office) (guest *browser, counsellor *staffMember, id string, g, c *socket) {
	t.Helper()
	counsellor = o.enrol(counselling.RoleCounsellor, "Call Counsellor")
	guest, id = startGuestChat(t, o, "anxiety")
	counsellor.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	g = guest.dial(id, 0)
	g.state(counselling.ChatRunning)
	c = counsellor.dial(id, 0)
	c.state(counselling.ChatRunning)
	return guest, counsellor, id, g, c
}

func errorFrame(s *socket) live.Frame {
	s.t.Helper()
	return s.next("error", func(f live.Frame) bool { return f.Type == live.TypeError })
}

func TestVideoCallOfferJoinAndRelayOnlySignalling(t *testing.T) {
	withR, relay := withRelay(t)
	o := newOffice(t, withR)
	guest, counsellor, id, g, c := runningChat(t, o)
	defer g.close()
	defer c.close()

	// The counsellor's page offers the call; the help-seeker's page has the
	// explanation and the join buttons, waiting to be shown.
	cp := counsellor.get("/live/" + id)
	if !strings.Contains(cp.body, ">Start video call</button>") || strings.Contains(cp.body, "Join video call") {
		t.Fatalf("the counsellor's chat page lacks Start video call:\n%s", cp.body)
	}
	gp := guest.get("/live/" + id)
	for _, want := range []string{">Join video call</button>", ">Join with voice only</button>", "Your camera and microphone stay off until you join.",
		"Your counsellor never learns your IP address", "Nothing is recorded."} {
		if !strings.Contains(gp.body, want) {
			t.Errorf("the help-seeker's chat page lacks %q", want)
		}
	}
	if strings.Contains(gp.body, "Start video call") {
		t.Error("the help-seeker's page offers to start a call")
	}
	if pp := gp.header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=(self)") || !strings.Contains(pp, "microphone=(self)") || !strings.Contains(pp, "display-capture=(self)") {
		t.Errorf("the chat page's Permissions-Policy %q does not allow camera, microphone and screen", pp)
	}
	if pp := guest.get("/live").header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "microphone=()") {
		t.Errorf("/live allows camera or microphone: %q", pp)
	}

	c.send(live.Frame{Type: live.TypeCallOffer})
	cfg := c.next("call config", func(f live.Frame) bool { return f.Type == live.TypeCallConfig })
	checkICEServers(t, cfg, relay)
	g.next("call offer", func(f live.Frame) bool { return f.Type == live.TypeCallOffer && f.From == live.FromCounsellor })

	g.send(live.Frame{Type: live.TypeCallJoin, Call: &live.Call{Voice: true}})
	gcfg := g.next("call config", func(f live.Frame) bool { return f.Type == live.TypeCallConfig })
	checkICEServers(t, gcfg, relay)
	if gcfg.Call.ICEServers[0].Username == cfg.Call.ICEServers[0].Username {
		t.Error("both participants got the same relay credentials")
	}
	if f := c.next("join", func(f live.Frame) bool { return f.Type == live.TypeCallJoin }); !f.Call.Voice {
		t.Error("the counsellor is not told that the help-seeker joined with voice only")
	}

	// The offer reaches the help-seeker with its relay candidate only.
	sdp := "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" +
		"a=candidate:1 1 udp 2122260223 192.168.7.7 5000 typ host\r\n" +
		"a=candidate:2 1 udp 1686052607 198.51.100.77 5001 typ srflx raddr 192.168.7.7 rport 5000\r\n" +
		"a=candidate:3 1 udp 41885439 127.0.0.1 6000 typ relay raddr 198.51.100.77 rport 5001\r\n"
	c.send(live.Frame{Type: live.TypeCallSDP, Call: &live.Call{SDP: &live.SessionDesc{Type: "offer", SDP: sdp}}})
	got := g.next("offer", func(f live.Frame) bool { return f.Type == live.TypeCallSDP })
	if got.Call.SDP.Type != "offer" || strings.Contains(got.Call.SDP.SDP, "192.168.7.7") || strings.Contains(got.Call.SDP.SDP, "198.51.100.77") ||
		!strings.Contains(got.Call.SDP.SDP, "127.0.0.1 6000 typ relay") {
		t.Fatalf("the help-seeker got the offer %+v", got.Call.SDP)
	}
	g.send(live.Frame{Type: live.TypeCallSDP, Call: &live.Call{SDP: &live.SessionDesc{Type: "answer", SDP: "v=0\r\n"}}})
	c.next("answer", func(f live.Frame) bool { return f.Type == live.TypeCallSDP && f.Call.SDP.Type == "answer" })

	// Trickled candidates: the host and server-reflexive ones are dropped;
	// the relay candidate, sent after them, is the first to arrive.
	mid, idx := "0", 0
	for _, cand := range []string{
		"candidate:1 1 udp 2122260223 10.1.2.3 5000 typ host",
		"candidate:2 1 udp 1686052607 198.51.100.77 5001 typ srflx raddr 10.1.2.3 rport 5000",
		"candidate:3 1 udp 41885439 127.0.0.1 6001 typ relay raddr 198.51.100.77 rport 5001",
	} {
		g.send(live.Frame{Type: live.TypeCallICE, Call: &live.Call{Candidate: &live.Candidate{Candidate: cand, SDPMid: &mid, SDPMLineIndex: &idx}}})
	}
	f := c.next("candidate", func(f live.Frame) bool { return f.Type == live.TypeCallICE })
	if f.Call.Candidate.Candidate != "candidate:3 1 udp 41885439 127.0.0.1 6001 typ relay raddr 0.0.0.0 rport 0" ||
		f.Call.Candidate.SDPMid == nil || *f.Call.Candidate.SDPMid != "0" {
		t.Fatalf("the counsellor got the candidate %+v", f.Call.Candidate)
	}

	// Either side hangs up.
	c.send(live.Frame{Type: live.TypeCallEnd})
	g.next("hang-up", func(f live.Frame) bool { return f.Type == live.TypeCallEnd })

	// Signalling is neither stored nor logged.
	if n := o.db.Count(t, `SELECT count(*) FROM messages WHERE thread_id = ?`, id); n != 0 {
		t.Errorf("signalling stored %d messages", n)
	}
	for _, secret := range []string{"192.168.7.7", "198.51.100.77", "10.1.2.3", "typ relay", "candidate"} {
		if strings.Contains(o.log.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

func checkICEServers(t *testing.T, f live.Frame, relay *turn.Relay) {
	t.Helper()
	if f.Call == nil || len(f.Call.ICEServers) != 1 {
		t.Fatalf("call config %+v: want exactly one ICE server", f.Call)
	}
	s := f.Call.ICEServers[0]
	if strings.Join(s.URLs, " ") != strings.Join(relay.URLs(), " ") || s.Username == "" || s.Credential == "" {
		t.Fatalf("the ICE server %+v is not the office's relay %v with credentials", s, relay.URLs())
	}
	for _, u := range s.URLs {
		if !strings.HasPrefix(u, "turn:"+relay.Addr()) {
			t.Fatalf("ICE server URL %q is not the office's relay", u)
		}
	}
}

func TestOnlyTheCounsellorStartsACall(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR)
	_, _, _, g, c := runningChat(t, o)
	defer g.close()
	defer c.close()
	g.send(live.Frame{Type: live.TypeCallOffer})
	if f := errorFrame(g); f.Body != "Only the counsellor can start a video call." {
		t.Fatalf("a guest offering a call got %+v", f)
	}
	// The help-seeker cannot hand itself or the counsellor relay settings.
	g.send(live.Frame{Type: live.TypeCallConfig, Call: &live.Call{ICEServers: []turn.ICEServer{{URLs: []string{"turn:evil.example:3478"}}}}})
	errorFrame(g)
	// The counsellor cannot join as the help-seeker would.
	c.send(live.Frame{Type: live.TypeCallJoin})
	errorFrame(c)
	// Nothing of it reached the other side: the next frame the counsellor
	// sees is a message the guest sent after.
	g.say("g-1", "still here")
	if f := c.next("message", func(f live.Frame) bool { return f.Type != live.TypeError }); f.Type != live.TypeMessage {
		t.Fatalf("the counsellor got %+v from refused signalling", f)
	}
}

func TestCallSignallingRefusedOutsideTheChat(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR)
	_, _, id, g, c := runningChat(t, o)
	defer g.close()
	defer c.close()
	stranger := o.browser()
	stranger.register("Curious Caller", "a fine long password")
	colleague := o.enrol(counselling.RoleCounsellor, "Other Counsellor")
	same := http.Header{"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}
	for name, b := range map[string]*browser{"another help-seeker": stranger, "another counsellor": colleague.browser} {
		if _, err := b.dialWith(id, same); !isStatus(err, http.StatusNotFound) {
			t.Errorf("%s opened the chat's socket to signal: %v", name, err)
		}
	}
}

func TestCallsOffWithoutRelay(t *testing.T) {
	o := newOffice(t)
	guest, counsellor, id, g, c := runningChat(t, o)
	defer g.close()
	defer c.close()
	if p := counsellor.get("/live/" + id); strings.Contains(p.body, "Start video call") {
		t.Error("an office without a relay offers calls")
	}
	p := guest.get("/live/" + id)
	if strings.Contains(p.body, "Join video call") {
		t.Error("an office without a relay offers to join calls")
	}
	if pp := p.header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") {
		t.Errorf("without calls the chat page allows the camera: %q", pp)
	}
	c.send(live.Frame{Type: live.TypeCallOffer})
	if f := errorFrame(c); f.Body != "Video calls are not offered by this office." {
		t.Fatalf("a call offer without a relay got %+v", f)
	}
	g.say("g-1", "hello?")
	if f := g.next("anything", func(f live.Frame) bool { return live.IsCall(f.Type) || f.Type == live.TypeMessage }); f.Type != live.TypeMessage {
		t.Fatalf("a refused offer reached the help-seeker: %+v", f)
	}
}

func TestAnOfferedCallReachesAHelpSeekerWhoConnectsLater(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR)
	guest, _, id, g, c := runningChat(t, o)
	defer c.close()
	g.close()
	c.send(live.Frame{Type: live.TypeCallOffer})
	c.next("call config", func(f live.Frame) bool { return f.Type == live.TypeCallConfig })
	// The help-seeker's page reloads after the offer: it is offered the call.
	g2 := guest.dial(id, 0)
	g2.next("call offer", func(f live.Frame) bool { return f.Type == live.TypeCallOffer })
	g2.close()
	// Once the counsellor hangs up, a page that connects is not offered it.
	c.send(live.Frame{Type: live.TypeCallEnd})
	c.say("c-1", "I hung up") // its reader handled the hang-up first
	g3 := guest.dial(id, 1)
	defer g3.close()
	g3.send(live.Frame{Type: live.TypeSend, ID: "g-1", Body: "are you there?"})
	if f := g3.next("anything", func(f live.Frame) bool { return live.IsCall(f.Type) || f.Type == live.TypeAck }); f.Type != live.TypeAck {
		t.Fatalf("a call that was hung up is still offered: %+v", f)
	}
}
