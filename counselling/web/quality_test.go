package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/counselling/web"
)

// closedThread is a mail thread of seeker's that c took, answered and closed.
func closedThread(seeker *browser, c *staffMember, subject string) string {
	id := seeker.write("family", subject, "a message about "+subject)
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"an answer"}}, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/close", nil, "/inbox")
	return id
}

// Both sides rate a closed conversation once; a bad score or a second rating
// is refused and stores nothing; each side's comment stays away from the
// other side's pages and export, and supervisors read both only while the
// conversation is in supervision, which the counsellor sees and the audit
// log records.
func TestRatingsAndSupervision(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Rating Robin", "a fine long password")
	c1 := o.enrol(counselling.RoleCounsellor, "Rated Counsellor")
	sup := o.enrol(counselling.RoleSupervisor, "Sam Supervisor")
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")

	id := seeker.write("family", "rating", "hello")
	if strings.Contains(seeker.get("/threads/"+id).body, `action="/threads/`+id+`/rating"`) {
		t.Error("the rating form shows before the conversation is over")
	}
	c1.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	if p := seeker.post("/threads/"+id+"/rating", url.Values{"score": {"3"}}); p.status != http.StatusConflict {
		t.Errorf("rating an open conversation: %d, want 409", p.status)
	}
	c1.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"an answer"}}, "/inbox/"+id)
	c1.mustPost("/inbox/"+id+"/close", nil, "/inbox")

	if !strings.Contains(seeker.get("/threads/"+id).body, `action="/threads/`+id+`/rating"`) {
		t.Fatal("the help-seeker's closed conversation offers no rating")
	}
	// A refused rating comes back on the conversation's own rating form,
	// with an error summary that takes the focus and links to the field.
	for _, bad := range []string{"0", "6", "", "three", "2.5"} {
		p := seeker.post("/threads/"+id+"/rating", url.Values{"score": {bad}, "comment": {"typed before the mistake"}})
		refusedInline(t, p, http.StatusUnprocessableEntity, "score", "Please choose a rating from 1 to 5.")
		if !strings.Contains(p.body, `action="/threads/`+id+`/rating"`) || !strings.Contains(p.body, "typed before the mistake") {
			t.Errorf("score %q: the rating form does not come back with what was typed", bad)
		}
	}
	refusedInline(t, seeker.post("/threads/"+id+"/rating", url.Values{"score": {"3"}, "comment": {strings.Repeat("long ", 401)}}),
		http.StatusUnprocessableEntity, "rating-comment", "This is too long.")
	if p := seeker.post("/threads/"+id+"/rating?lang=de", url.Values{"score": {"9"}}); !strings.Contains(p.body, "Bitte wähle eine Bewertung von 1 bis 5.") {
		t.Error("the refusal is not in the reader's language")
	}
	seeker.get("/threads?lang=en")
	if n := o.db.Count(t, `SELECT count(*) FROM ratings`); n != 0 {
		t.Fatalf("%d ratings stored from refused forms", n)
	}
	seeker.mustPost("/threads/"+id+"/rating", url.Values{"score": {"2"}, "comment": {"the seeker's sealed remark"}}, "/threads/"+id)
	p := seeker.post("/threads/"+id+"/rating", url.Values{"score": {"5"}})
	refusedInline(t, p, http.StatusConflict, "", "You have already rated this conversation.")
	if !strings.Contains(p.body, "You rated this conversation 2 of 5") {
		t.Error("the second rating's refusal does not show the first rating")
	}
	if body := seeker.get("/threads/" + id).body; !strings.Contains(body, "You rated this conversation 2 of 5") {
		t.Error("the help-seeker does not see their rating")
	}

	counsellorPage := c1.get("/inbox/" + id).body
	if !strings.Contains(counsellorPage, `action="/inbox/`+id+`/rating"`) {
		t.Fatal("the counsellor's closed conversation offers no rating")
	}
	if strings.Contains(counsellorPage, "the seeker&#39;s sealed remark") || strings.Contains(counsellorPage, "sealed remark") ||
		strings.Contains(counsellorPage, "2 of 5") {
		t.Error("the counsellor sees the help-seeker's rating")
	}
	refusedInline(t, c1.post("/inbox/"+id+"/rating", url.Values{"score": {"-1"}}), http.StatusUnprocessableEntity, "score",
		"Please choose a rating from 1 to 5.")
	c1.mustPost("/inbox/"+id+"/rating", url.Values{"score": {"4"}, "comment": {"the counsellor's private view"}}, "/inbox/"+id)
	refusedInline(t, c1.post("/inbox/"+id+"/rating", url.Values{"score": {"4"}}), http.StatusConflict, "", "You have already rated this conversation.")
	for _, p := range []string{"/threads/" + id, "/account/export", "/threads"} {
		if strings.Contains(seeker.get(p).body, "private view") {
			t.Errorf("%s shows the help-seeker the counsellor's comment", p)
		}
	}
	if strings.Contains(c1.get("/inbox/"+id).body, "sealed remark") {
		t.Error("the counsellor's page shows the help-seeker's comment after rating")
	}

	// The ratings are in the anonymous facts and the year report.
	if n := o.db.Count(t, `SELECT count(*) FROM contact_facts WHERE rating = 2 AND staff_rating = 4`); n != 1 {
		t.Errorf("%d facts hold both ratings, want 1", n)
	}
	if n := o.db.Count(t, `SELECT sum(contacts) FROM fact_tallies WHERE dimension IN ('rating', 'staff_rating')`); n != 2 {
		t.Errorf("the year report counts %d ratings, want 2", n)
	}

	// Supervisors read nothing of it until it is in supervision.
	if p := sup.get("/inbox/" + id); p.status != http.StatusNotFound {
		t.Fatalf("a supervisor reads a conversation outside supervision: %d", p.status)
	}
	if p := c1.post("/inbox/"+id+"/supervision", url.Values{"reason": {"  "}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("an empty reason: %d, want 422", p.status)
	}
	c1.mustPost("/inbox/"+id+"/supervision", url.Values{"reason": {"I am unsure about my answer"}}, "/inbox/"+id)
	if p := c1.post("/inbox/"+id+"/supervision", url.Values{"reason": {"again"}}); p.status != http.StatusConflict {
		t.Errorf("a second open request: %d, want 409", p.status)
	}
	if !strings.Contains(c1.get("/inbox/"+id).body, "No supervisor has read this conversation for it yet.") {
		t.Error("the counsellor is not told that nobody read it yet")
	}
	supPage := sup.get("/inbox/" + id)
	if supPage.status != http.StatusOK {
		t.Fatalf("the supervisor cannot read the conversation in supervision: %d", supPage.status)
	}
	for _, want := range []string{"I am unsure about my answer", "sealed remark", "private view", "an answer"} {
		if !strings.Contains(supPage.body, want) {
			t.Errorf("the supervisor's page lacks %q", want)
		}
	}
	if !strings.Contains(c1.get("/inbox/"+id).body, "A supervisor read this conversation on") {
		t.Error("the counsellor does not see that a supervisor read the conversation")
	}
	if !strings.Contains(admin.get("/admin/audit").body, "conversation read under supervision") {
		t.Error("the audit log does not record the supervisor's reading")
	}
	if p := c1.post("/inbox/"+id+"/supervision/close", url.Values{"note": {"closing my own"}}); p.status != http.StatusNotFound {
		t.Errorf("the counsellor closes their own supervision: %d, want 404", p.status)
	}
	sup.mustPost("/inbox/"+id+"/supervision/close", url.Values{"note": {"Well handled; talk to me on Friday."}}, "/supervision")
	if p := sup.get("/inbox/" + id); p.status != http.StatusNotFound {
		t.Errorf("the supervisor still reads the conversation after closing the item: %d", p.status)
	}
	after := c1.get("/inbox/" + id).body
	if !strings.Contains(after, "Well handled; talk to me on Friday.") {
		t.Error("the counsellor does not see the supervisor's note")
	}
	if strings.Contains(after, "sealed remark") {
		t.Error("the counsellor sees the help-seeker's comment through the supervision item")
	}
	if strings.Contains(seeker.get("/threads/"+id).body, "Friday") {
		t.Error("the help-seeker sees the supervisor's note")
	}
}

// When more than the office's threshold of a counsellor's last rated
// conversations are rated poorly, the chosen number of them reach the
// supervisors as "sampled: ratings"; fewer ratings than the window sample
// nothing.
func TestSamplingReachesSupervisors(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Sampled Sky", "a fine long password")
	c1 := o.enrol(counselling.RoleCounsellor, "Sampled Counsellor")
	sup := o.enrol(counselling.RoleSupervisor, "Sam Supervisor")
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	if p := admin.post("/admin/quality", url.Values{"window": {"5"}, "threshold": {"30"}, "sample": {"9"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("sampling more than looked at: %d, want 422", p.status)
	}
	admin.mustPost("/admin/quality", url.Values{"window": {"5"}, "threshold": {"30"}, "sample": {"2"}}, "/admin/quality")

	var ids []string
	for i, score := range []string{"1", "5", "2", "5"} {
		id := closedThread(seeker, c1, "sampled "+score+string(rune('a'+i)))
		seeker.mustPost("/threads/"+id+"/rating", url.Values{"score": {score}}, "/threads/"+id)
		ids = append(ids, id)
	}
	for _, id := range ids {
		if p := sup.get("/inbox/" + id); p.status != http.StatusNotFound {
			t.Fatalf("sampled with fewer ratings than the window: %d", p.status)
		}
	}
	id := closedThread(seeker, c1, "sampled last")
	seeker.mustPost("/threads/"+id+"/rating", url.Values{"score": {"4"}}, "/threads/"+id)
	// 2 of 5 poor is 40 %, above 30 %: the two poorly rated, newest first.
	for i, id := range ids {
		p := sup.get("/inbox/" + id)
		want := http.StatusNotFound
		if i == 0 || i == 2 {
			want = http.StatusOK
		}
		if p.status != want {
			t.Errorf("conversation rated %d: supervisor gets %d, want %d", i, p.status, want)
		}
		if want == http.StatusOK && !strings.Contains(p.body, "sampled: ratings") {
			t.Errorf("sampled conversation %d does not say why", i)
		}
	}
}

// A new risk flag reaches every supervisor of the office at once: a banner on
// whatever page they open, until they open the supervision page, and one
// neutral mail each to those who gave an address. The supervision page
// counts the queues.
func TestRiskFlagsReachSupervisorsAndQueueHealth(t *testing.T) {
	o := newOffice(t, func(c *web.Config) { c.MailEnabled = true })
	seeker := o.browser()
	seeker.register("Flagged Fern", "a fine long password")
	c1 := o.enrol(counselling.RoleCounsellor, "Flagging Counsellor")
	sup := o.enrol(counselling.RoleSupervisor, "Sam Supervisor")
	quiet := o.enrol(counselling.RoleSupervisor, "Quiet Supervisor")
	o.enrolIn("main", counselling.RoleCounsellor, "Bystander")
	sup.mustPost("/inbox/settings", url.Values{"email": {"sam.supervisor@example.org"}}, "/inbox/settings")

	if p := c1.get("/supervision"); p.status != http.StatusNotFound {
		t.Errorf("a counsellor opens the supervision page: %d", p.status)
	}
	seeker.write("family", "waiting", "nobody has taken this yet")
	id := seeker.write("family", "flagged", "something worrying")
	c1.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	if strings.Contains(sup.get("/inbox/settings").body, "needs your attention") {
		t.Fatal("the banner shows before any flag")
	}
	c1.mustPost("/inbox/"+id+"/flag", url.Values{"reason": {"a danger to a sibling"}}, "/inbox/"+id)
	for _, s := range []*staffMember{sup, quiet} {
		body := s.get("/live/queue").body
		if !strings.Contains(body, "Something needs your attention") {
			t.Error("a supervisor's page carries no banner about the new flag")
		}
		if strings.Contains(body, "sibling") {
			t.Error("the banner says what the flag is about")
		}
	}
	if strings.Contains(c1.get("/inbox").body, "Something needs your attention") {
		t.Error("a counsellor gets the supervisors' banner")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'attention'`); n != 1 {
		t.Errorf("%d attention mails queued, want 1 (to the supervisor with an address)", n)
	}
	c1.mustPost("/inbox/"+id+"/flag", url.Values{"reason": {"still a danger"}}, "/inbox/"+id)
	if n := o.db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'attention'`); n != 1 {
		t.Errorf("flagging again queued more mail: %d", n)
	}

	page := sup.get("/supervision")
	if page.status != http.StatusOK {
		t.Fatalf("supervision page: %d", page.status)
	}
	rows := map[string]string{}
	for _, tr := range parse(t, page.body).all("tr", nil) {
		cells := []string{}
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			cells = append(cells, strings.TrimSpace(textOf(c)))
		}
		if len(cells) == 2 {
			rows[cells[0]] = cells[1]
		}
	}
	for label, want := range map[string]string{"Enquiries waiting in the queue": "1", "Open risk flags": "1", "Chats waiting": "0",
		"Open supervision items": "0", "Longest chat wait": "nobody waits"} {
		if rows[label] != want {
			t.Errorf("%s: %q, want %q (rows %v)", label, rows[label], want, rows)
		}
	}
	if strings.Contains(sup.get("/inbox").body, "Something needs your attention") {
		t.Error("the banner stays after the supervisor opened the supervision page")
	}
	if !strings.Contains(quiet.get("/inbox").body, "Something needs your attention") {
		t.Error("one supervisor's look took the banner from another")
	}
	part := sup.get("/supervision?part=health")
	if part.status != http.StatusOK || strings.Contains(part.body, "<html") || !strings.Contains(part.body, "Queue health") {
		t.Errorf("the refreshing part: %d\n%s", part.status, part.body)
	}
}
