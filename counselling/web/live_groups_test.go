package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

var groupOnPage = regexp.MustCompile(`data-group="([a-z2-7]{26})"`)

// scheduleGroupIn has an admin schedule a group chat starting in d, of at
// most size participants, moderated by moderatorID, and returns its id.
func scheduleGroupIn(t *testing.T, o *office, by *staffMember, moderatorID string, d time.Duration, size int) string {
	t.Helper()
	at := func(d time.Duration) string { return officeClock(t, o.db.Clock.Now().Add(d)) }
	by.mustPost("/live/groups", url.Values{"theme": {"Parents of teenagers"}, "rules": {"Be kind.\n\nNothing leaves the group."},
		"starts_at": {at(d)}, "ends_at": {at(d + time.Hour)}, "max_size": {fmt.Sprint(size)}, "moderator": {moderatorID}}, "/live/groups")
	m := groupOnPage.FindAllStringSubmatch(by.get("/live/groups").body, -1)
	if m == nil {
		t.Fatal("the scheduled group is not listed")
	}
	return m[len(m)-1][1]
}

// keepAlive moves the clock by d in steps, with everyone's pages open
// meanwhile, so that no session ends for being idle.
func keepAlive(o *office, d time.Duration, browsers ...*browser) {
	for d > 0 {
		step := min(d, 10*time.Minute)
		o.db.Clock.Advance(step)
		d -= step
		for _, b := range browsers {
			b.get("/healthz")
			b.get("/live")
		}
	}
}

func TestGroupChatPseudonymsMuteRemoveAndEnd(t *testing.T) {
	o := newOffice(t)
	adm := o.enrol(counselling.RoleAdmin, "Admin Groups")
	mod := o.enrol(counselling.RoleCounsellor, "Moderator Mia")
	colleague := o.enrol(counselling.RoleCounsellor, "Colleague Carl")
	nicks := []string{"Secret Heron", "Hidden Otter", "Private Lynx", "Late Badger"}
	seekers := make([]*browser, len(nicks))
	for i, n := range nicks {
		seekers[i] = o.browser()
		seekers[i].register(n, "a fine long password")
	}

	// Bad input: a group that ends before it starts is refused, and
	// nothing is stored.
	at := officeClock(t, o.db.Clock.Now().Add(time.Hour))
	p := adm.post("/live/groups", url.Values{"theme": {"Parents"}, "rules": {"Be kind."}, "starts_at": {at}, "ends_at": {at},
		"max_size": {"3"}, "moderator": {mod.id}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "A group chat lasts from 15 minutes to 4 hours.") {
		t.Fatalf("a group without length: %d", p.status)
	}
	if p := mod.post("/live/groups", url.Values{"theme": {"Parents"}}); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor scheduled a group: %d", p.status)
	}
	id := scheduleGroupIn(t, o, adm, mod.id, 30*time.Minute, 3)

	live := seekers[0].get("/live")
	if !strings.Contains(live.body, "Parents of teenagers") || !strings.Contains(live.body, "/live/groups/"+id) {
		t.Fatal("the upcoming group is not shown on /live")
	}
	if p := seekers[0].post("/live/groups/"+id+"/join", url.Values{"accept_rules": {"yes"}}); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "has not started yet") {
		t.Fatalf("joined before the start: %d", p.status)
	}
	everyone := append([]*browser{adm.browser, mod.browser, colleague.browser}, seekers...)
	keepAlive(o, 31*time.Minute, everyone...)

	// The rules are shown on entry and must be accepted.
	entry := seekers[0].get("/live/groups/" + id)
	if !strings.Contains(entry.body, "Nothing leaves the group.") || !strings.Contains(entry.body, `name="accept_rules"`) {
		t.Fatal("the rules are not shown on entry")
	}
	if p := seekers[0].post("/live/groups/"+id+"/join", nil); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "Please accept the group") {
		t.Fatalf("joined without accepting the rules: %d", p.status)
	}
	for _, s := range seekers[:3] {
		s.mustPost("/live/groups/"+id+"/join", url.Values{"accept_rules": {"yes"}}, "/live/groups/"+id)
	}
	// Bad input: the group is full; the refusal is in the reader's
	// language and nobody is added.
	seekers[3].get("/live?lang=de")
	if p := seekers[3].post("/live/groups/"+id+"/join", url.Values{"accept_rules": {"yes"}}); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "Schade, diese Gruppe ist voll.") {
		t.Fatalf("joined a full group: %d", p.status)
	}

	// A participant's page is live: its socket nudges it when someone
	// writes, and the nudge carries nothing of who or what.
	sock, err := seekers[1].dialWith("groups/"+id, http.Header{"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.CloseNow()
	for i, s := range seekers[:3] {
		s.mustPost("/live/groups/"+id+"/say", url.Values{"body": {fmt.Sprintf("Hello from the %d. of us", i+1)}}, "/live/groups/"+id+"#group-form")
	}
	mod.mustPost("/live/groups/"+id+"/say", url.Values{"body": {"Welcome, all three of you."}}, "/live/groups/"+id+"#group-form")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, frame, err := sock.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(frame), "Hello") || strings.Contains(string(frame), "Secret") {
		t.Fatalf("a nudge carries content: %s", frame)
	}

	// Everyone reads the group by numbers: no page of the others, and no
	// export of theirs, holds any participant's nickname.
	modPage := mod.get("/live/groups/" + id).body
	if !strings.Contains(modPage, "Hello from the 1. of us") || !strings.Contains(modPage, "Participant 1") ||
		!strings.Contains(modPage, "Welcome, all three of you.") {
		t.Fatal("the moderator does not read the group by numbers")
	}
	pages := map[string]string{"moderator's group page": modPage, "moderator's groups": mod.get("/live/groups").body,
		"admin's groups": adm.get("/live/groups").body, "frame": string(frame)}
	for i, s := range seekers[:3] {
		pages[fmt.Sprintf("participant %d's page", i+1)] = s.get("/live/groups/" + id).body
		pages[fmt.Sprintf("participant %d's export", i+1)] = s.get("/account/export").body
		pages[fmt.Sprintf("participant %d's live page", i+1)] = s.get("/live").body
	}
	for where, body := range pages {
		for i, n := range nicks {
			if strings.Contains(where, fmt.Sprintf("participant %d's", i+1)) {
				continue // their own pages may greet them
			}
			if strings.Contains(body, n) {
				t.Errorf("%s shows the nickname %q", where, n)
			}
		}
	}
	if !strings.Contains(pages["participant 2's page"], "Participant 1") || !strings.Contains(pages["participant 2's page"], "Hello from the 1. of us") {
		t.Error("participant 2 does not read participant 1 by number")
	}
	for _, b := range []*browser{adm.browser, colleague.browser} {
		if p := b.get("/live/groups/" + id); p.status != http.StatusNotFound {
			t.Errorf("someone other than the moderator reads the group: %d %s", p.status, p.header.Get("Location"))
		}
	}

	// Mute: participant 1 reads but cannot write; then unmuted.
	if p := seekers[1].post("/live/groups/"+id+"/members/1/mute", nil); p.status != http.StatusNotFound {
		t.Fatalf("a participant muted another: %d", p.status)
	}
	mod.mustPost("/live/groups/"+id+"/members/1/mute", nil, "/live/groups/"+id)
	if p := seekers[0].post("/live/groups/"+id+"/say", url.Values{"body": {"can you hear me"}}); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "The moderator has muted you in this group.") {
		t.Fatalf("a muted participant wrote: %d", p.status)
	}
	if strings.Contains(mod.get("/live/groups/"+id).body, "can you hear me") {
		t.Fatal("a muted participant's message was stored")
	}
	mod.mustPost("/live/groups/"+id+"/members/1/unmute", nil, "/live/groups/"+id)
	seekers[0].mustPost("/live/groups/"+id+"/say", url.Values{"body": {"thank you"}}, "/live/groups/"+id+"#group-form")

	// Remove: participant 3 reads nothing more, writes nothing, cannot
	// come back; their place is free for another.
	mod.mustPost("/live/groups/"+id+"/members/3/remove", nil, "/live/groups/"+id)
	removed := seekers[2].get("/live/groups/" + id)
	if !strings.Contains(removed.body, "The moderator has taken you out of this group chat.") || strings.Contains(removed.body, "Hello from the 1. of us") {
		t.Fatal("a removed participant still reads the group")
	}
	if p := seekers[2].post("/live/groups/"+id+"/say", url.Values{"body": {"let me back"}}); p.status != http.StatusNotFound {
		t.Fatalf("a removed participant wrote: %d", p.status)
	}
	if p := seekers[2].post("/live/groups/"+id+"/join", url.Values{"accept_rules": {"yes"}}); p.status != http.StatusNotFound {
		t.Fatalf("a removed participant joined again: %d", p.status)
	}
	seekers[3].mustPost("/live/groups/"+id+"/join", url.Values{"accept_rules": {"yes"}}, "/live/groups/"+id)
	if !strings.Contains(seekers[3].get("/live/groups/"+id).body, "Teilnehmer*in 4") {
		t.Fatal("the newcomer is not participant 4")
	}

	// The moderator ends the group: nobody writes or joins any more.
	mod.mustPost("/live/groups/"+id+"/end", nil, "/live/groups")
	if p := seekers[0].post("/live/groups/"+id+"/say", url.Values{"body": {"one more"}}); p.status != http.StatusConflict {
		t.Fatalf("wrote in an ended group: %d", p.status)
	}
	late := o.browser()
	late.register("Too Late", "a fine long password")
	if p := late.post("/live/groups/"+id+"/join", url.Values{"accept_rules": {"yes"}}); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "This group chat has ended.") {
		t.Fatalf("joined a finished group: %d", p.status)
	}

	// Each participant's export holds the group under the number they had
	// there, in their language, with their own messages and nobody else's.
	exported := func(b *browser) counselling.ExportGroupChat {
		t.Helper()
		var data counselling.Export
		if err := json.Unmarshal([]byte(b.get("/account/export").body), &data); err != nil || len(data.GroupChats) != 1 {
			t.Fatalf("the export's group chats: %v %+v", err, data.GroupChats)
		}
		return data.GroupChats[0]
	}
	bodies := func(g counselling.ExportGroupChat) []string {
		var out []string
		for _, m := range g.Messages {
			out = append(out, m.Body)
		}
		return out
	}
	if g := exported(seekers[0]); g.Pseudonym != "Participant 1" || g.Theme != "Parents of teenagers" || g.Muted ||
		fmt.Sprint(bodies(g)) != "[Hello from the 1. of us thank you]" {
		t.Errorf("participant 1's export: %+v", g)
	}
	if g := exported(seekers[2]); g.Pseudonym != "Participant 3" || g.RemovedAt == nil || fmt.Sprint(bodies(g)) != "[Hello from the 3. of us]" {
		t.Errorf("the removed participant's export: %+v", g)
	}
	if g := exported(seekers[3]); g.Pseudonym != "Teilnehmer*in 4" || len(g.Messages) != 0 {
		t.Errorf("the German newcomer's export: %+v", g)
	}
}

// startGroupNow moves a scheduled group's start into the past, as if its
// time had come, without moving the clock (which would end sessions).
func startGroupNow(t *testing.T, o *office, id string) {
	t.Helper()
	if _, err := o.db.Raw(t).Exec(`UPDATE group_chats SET starts_at = ? WHERE id = ?`, o.db.Clock.Now().Add(-time.Minute).Unix(), id); err != nil {
		t.Fatal(err)
	}
}
