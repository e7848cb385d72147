package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
)

// TestEndedChatTranscriptIsForSupervisorsOnly: once a chat has ended, the
// counsellor who held it keeps its record (its themes, their note, the fact
// that it happened) but reads no line of it on any page or socket; the
// help-seeker keeps their copy; the office's supervisors find it on the
// supervision page and read it, and each of their readings is in the audit
// log.
func TestEndedChatTranscriptIsForSupervisorsOnly(t *testing.T) {
	o := newOffice(t)
	counsellor := o.enrol(counselling.RoleCounsellor, "Held Counsellor")
	sup := o.enrol(counselling.RoleSupervisor, "Keeping Supervisor")
	seeker := o.browser()
	seeker.register("Night Writer", "a fine long password")
	id := chatOf(t, seeker.post("/live", url.Values{"theme": {"family"}}))
	counsellor.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	h := seeker.dial(id, 0)
	c := counsellor.dial(id, 0)
	h.say("h-1", "I have not slept for days")
	c.message("I have not slept for days")
	c.say("c-1", "Tell me about the nights")
	h.message("Tell me about the nights")
	lines := []string{"I have not slept for days", "Tell me about the nights"}

	// While the chat runs, its counsellor reads it on every page.
	if p := counsellor.get("/inbox/" + id); !strings.Contains(p.body, lines[0]) || !strings.Contains(p.body, lines[1]) {
		t.Fatalf("while the chat runs, its counsellor does not read it on its conversation page:\n%s", p.body)
	}
	counsellor.mustPost("/inbox/"+id+"/note", url.Values{"body": {"follow up on sleep"}}, "/inbox/"+id)
	counsellor.mustPost("/inbox/"+id+"/themes", url.Values{"theme": {"anxiety"}}, "/inbox/"+id)
	counsellor.mustPost("/live/"+id+"/end", nil, "/live/"+id)
	h.state(counselling.ChatEnded)
	c.state(counselling.ChatEnded)
	h.close()
	c.close()

	// The counsellor keeps the record, without a line of the transcript.
	noLine := func(where, body string) {
		t.Helper()
		for _, l := range lines {
			if strings.Contains(body, l) {
				t.Errorf("the counsellor still reads %q on %s after the chat ended", l, where)
			}
		}
	}
	inbox := counsellor.get("/inbox")
	if !strings.Contains(inbox.body, `href="/live/`+id+`"`) {
		t.Error("the counsellor's inbox no longer lists the chat that ended")
	}
	noLine("/inbox", inbox.body)
	page := counsellor.get("/inbox/" + id)
	if page.status != http.StatusOK {
		t.Fatalf("the counsellor's conversation page of the ended chat: %d", page.status)
	}
	noLine("/inbox/{id}", page.body)
	for _, want := range []string{"Its transcript is now kept for supervisors only.", "follow up on sleep", `value="anxiety" checked`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the counsellor's conversation page lacks %q:\n%s", want, page.body)
		}
	}
	livePage := counsellor.get("/live/" + id)
	if livePage.status != http.StatusOK || !strings.Contains(livePage.body, "Its transcript is now kept for supervisors only.") {
		t.Errorf("the counsellor's chat page of the ended chat: %d\n%s", livePage.status, livePage.body)
	}
	noLine("/live/{id}", livePage.body)
	// The socket replays nothing from the start of the chat.
	replay := counsellor.dial(id, 0)
	replay.state(counselling.ChatEnded)
	for _, f := range framesWithin(replay, 500*time.Millisecond) {
		if f.Type == live.TypeMessage {
			t.Errorf("the chat's socket replays a message to its counsellor after it ended: %+v", f)
		}
	}
	replay.close()
	if n := o.db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'ended chat''s transcript read'`); n != 0 {
		t.Errorf("the counsellor's visits are in the audit log as readings of the transcript: %d", n)
	}

	// The help-seeker keeps their own copy, on the chat's page and in the export.
	if p := seeker.get("/live/" + id); !strings.Contains(p.body, lines[0]) || !strings.Contains(p.body, lines[1]) {
		t.Errorf("the help-seeker no longer reads their ended chat:\n%s", p.body)
	}
	if p := seeker.get("/account/export"); !strings.Contains(p.body, lines[0]) || !strings.Contains(p.body, lines[1]) {
		t.Error("the help-seeker's export lacks their ended chat")
	}

	// A supervisor finds it on the supervision page and reads it there,
	// each reading in the audit log.
	list := sup.get("/supervision")
	if !strings.Contains(list.body, "Ended chats") || !strings.Contains(list.body, `href="/inbox/`+id+`"`) ||
		!strings.Contains(list.body, "with Held Counsellor") {
		t.Fatalf("the supervision page does not list the ended chat:\n%s", list.body)
	}
	for _, l := range lines {
		if strings.Contains(list.body, l) {
			t.Errorf("the list of ended chats shows %q", l)
		}
	}
	for i := 1; i <= 2; i++ {
		read := sup.get("/inbox/" + id)
		if read.status != http.StatusOK || !strings.Contains(read.body, lines[0]) || !strings.Contains(read.body, lines[1]) ||
			!strings.Contains(read.body, "your reading is recorded in the audit log") {
			t.Fatalf("the supervisor does not read the ended chat: %d\n%s", read.status, read.body)
		}
		if n := o.db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'ended chat''s transcript read' AND target = ? AND actor_id = ?`,
			counsellor.id, sup.id); n != i {
			t.Errorf("after %d readings the audit log records %d", i, n)
		}
	}
	// The live page is not where the supervisor reads it.
	if p := sup.get("/live/" + id); p.status != http.StatusNotFound {
		t.Errorf("the supervisor opens the ended chat's live page: %d", p.status)
	}
}

// framesWithin reads the frames the socket sends within d.
func framesWithin(s *socket, d time.Duration) []live.Frame {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out []live.Frame
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			return out
		}
		var f live.Frame
		if err := json.Unmarshal(data, &f); err != nil {
			s.t.Fatalf("frame %q: %v", data, err)
		}
		out = append(out, f)
	}
}
