package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/counselling/live"
)

func TestSupervisorReadsAlongAndTheCounsellorIsTold(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR)
	if _, err := o.db.CreateOffice(context.Background(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	guest, counsellor, id, g, c := runningChat(t, o)
	defer g.close()
	defer c.close()
	sup := o.enrol(counselling.RoleSupervisor, "Reading Supervisor")
	elsewhere := o.enrolIn("north", counselling.RoleSupervisor, "Elsewhere Supervisor")
	plain := o.enrol(counselling.RoleCounsellor, "Plain Counsellor")
	same := http.Header{"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}
	for name, b := range map[string]*browser{"a supervisor of another office": elsewhere.browser, "a counsellor who does not hold it": plain.browser} {
		if p := b.get("/live/" + id); p.status != http.StatusNotFound {
			t.Errorf("%s opened the chat page: %d", name, p.status)
		}
		if _, err := b.dialWith(id, same); !isStatus(err, http.StatusNotFound) {
			t.Errorf("%s opened the chat's socket: %v", name, err)
		}
	}
	// A chat still waiting in the queue is accepted, not read along.
	_, waiting := startGuestChat(t, o, "family")
	if p := sup.get("/live/" + waiting); p.status != http.StatusNotFound {
		t.Errorf("the supervisor opened a waiting chat: %d", p.status)
	}

	g.say("g-1", "I have not slept for days")
	c.message("I have not slept for days")
	if q := sup.get("/live/queue"); !strings.Contains(q.body, "Running chats") || !strings.Contains(q.body, `href="/live/`+id+`"`) ||
		!strings.Contains(q.body, ">Read along</a>") || !strings.Contains(q.body, "with Call Counsellor") || strings.Contains(q.body, "slept") {
		t.Fatalf("the supervisor's live queue does not offer the running chat to read along, or shows its text:\n%s", q.body)
	}
	if q := elsewhere.get("/live/queue"); strings.Contains(q.body, id) {
		t.Error("a supervisor of another office is offered the chat")
	}
	if q := plain.get("/live/queue"); strings.Contains(q.body, "Running chats") || strings.Contains(q.body, "/live/"+id) {
		t.Error("a plain counsellor is offered chats to read along")
	}
	page := sup.get("/live/" + id)
	if page.status != http.StatusOK || !strings.Contains(page.body, "You are reading this chat along.") {
		t.Fatalf("the supervisor's page: %d\n%s", page.status, page.body)
	}
	// The messages come only through the socket, which tells both sides:
	// loading the page alone reads nothing unseen.
	if strings.Contains(page.body, "I have not slept for days") || !strings.Contains(page.body, "Reading along needs JavaScript") {
		t.Error("the supervisor's page shows the chat's messages without the socket that tells the counsellor")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'chat read along'`); n != 1 {
		t.Errorf("opening the chat to read along is in the audit log %d times, want 1", n)
	}
	for _, control := range []string{`<label for="message">`, ">Send</button>", ">End chat</button>", "Start video call"} {
		if strings.Contains(page.body, control) {
			t.Errorf("the supervisor's read-only page offers %s", control)
		}
	}
	if p := counsellor.get("/live/" + id); !strings.Contains(p.body, `id="chat-reading"`) || !strings.Contains(p.body, "A supervisor is reading along.") {
		t.Error("the counsellor's page has no place to say that a supervisor reads along")
	}
	if p := guest.get("/live/" + id); !strings.Contains(p.body, `id="chat-reading"`) ||
		!strings.Contains(p.body, "A supervisor from our team is reading along to support your counsellor") {
		t.Error("the help-seeker's page has no place to say that a supervisor reads along")
	}

	s := sup.dial(id, 0)
	s.state(counselling.ChatRunning)
	s.message("I have not slept for days")
	if f := c.next("reading along", func(f live.Frame) bool { return f.Type == live.TypeReading }); f.Status != live.ReadingOn {
		t.Fatalf("the counsellor was told %+v", f)
	}
	// The help-seeker is told too, and never who reads.
	if f := g.next("reading along", func(f live.Frame) bool { return f.Type == live.TypeReading }); f.Status != live.ReadingOn || f.Author != "" || f.Body != "" {
		t.Fatalf("the help-seeker was told %+v", f)
	}
	c.say("c-1", "That sounds exhausting. What keeps you awake?")
	s.message("That sounds exhausting. What keeps you awake?")
	g.message("That sounds exhausting. What keeps you awake?")

	// Whatever the supervisor sends changes nothing.
	for _, f := range []live.Frame{
		{Type: live.TypeSend, ID: "s-1", Body: "I should not be heard here"},
		{Type: live.TypeTyping},
		{Type: live.TypeEnd},
		{Type: live.TypeCallOffer},
	} {
		s.send(f)
		if e := errorFrame(s); !strings.Contains(e.Body, "You are reading along and cannot write in this chat.") {
			t.Errorf("%s from the supervisor got %+v", f.Type, e)
		}
	}
	if p := sup.post("/live/"+id+"/end", nil); p.status != http.StatusNotFound {
		t.Errorf("the supervisor ended the chat: %d", p.status)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM messages WHERE thread_id = ?`, id); n != 2 {
		t.Fatalf("the chat holds %d messages, want the 2 its two sides wrote", n)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND status = 'assigned'`, id); n != 1 {
		t.Fatal("the supervisor's frames ended the chat")
	}

	// A page that connects while the supervisor reads is told at once.
	c2 := counsellor.dial(id, 2)
	if f := c2.next("reading along", func(f live.Frame) bool { return f.Type == live.TypeReading }); f.Status != live.ReadingOn {
		t.Fatalf("the counsellor's second page was told %+v", f)
	}
	c2.close()
	g2 := guest.dial(id, 2)
	if f := g2.next("reading along", func(f live.Frame) bool { return f.Type == live.TypeReading }); f.Status != live.ReadingOn {
		t.Fatalf("the help-seeker's second page was told %+v", f)
	}
	g2.close()

	s.close()
	for who, sock := range map[string]*socket{"counsellor": c, "help-seeker": g} {
		if f := sock.next("reading ended", func(f live.Frame) bool { return f.Type == live.TypeReading }); f.Status != live.ReadingOff {
			t.Fatalf("after the supervisor left the %s was told %+v", who, f)
		}
	}
	g.say("g-2", "The worries, mostly.")
	g.send(live.Frame{Type: live.TypeEnd})
	g.state(counselling.ChatEnded)
	if p := sup.get("/live/" + id); p.status != http.StatusNotFound {
		t.Errorf("the supervisor reads an ended chat along: %d", p.status)
	}
	for _, line := range strings.Split(o.log.String(), "\n") {
		for _, secret := range []string{"slept", "exhausting", "should not be heard", "Reading Supervisor"} {
			if strings.Contains(line, secret) {
				t.Errorf("the log holds %q: %s", secret, line)
			}
		}
	}
}
