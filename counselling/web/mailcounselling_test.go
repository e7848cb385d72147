package web_test

import (
	"confidant/templates"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/mail"
	"confidant/counselling/mail/mailtest"
	"confidant/counselling/twofactor"
	"confidant/counselling/web"
)

func TestWholeConversationWithMail(t *testing.T) {
	smtp := mailtest.Start(t)
	o := newOffice(t, func(c *web.Config) { c.MailEnabled = true })
	sender, _ := mail.ParseURL(smtp.URL(), "Confidant <no-reply@localhost>")
	w := mail.NewWorker(o.db, sender, o.srv.URL, translate, slog.New(slog.NewTextHandler(io.Discard, nil)))

	seeker := o.browser()
	form := registration("Paper Crane", "folding a thousand cranes")
	form.Set("email", "paper.crane@example.org")
	seeker.mustPost("/register", form, "/threads")
	id := seeker.write("anxiety", "Exams next week", "I cannot breathe when I think of the exams.")
	p := seeker.get("/threads/" + id)
	if !strings.Contains(p.body, "We have received your message") || !strings.Contains(p.body, "within 2 working days") {
		t.Fatal("no confirmation with the answer time after sending")
	}
	if sent, _ := w.RunOnce(context.Background()); sent != 1 {
		t.Fatalf("confirmation mails sent: %d, want 1", sent)
	}

	counsellor := o.enrol(counselling.RoleCounsellor, "Maren")
	inbox := counsellor.get("/inbox")
	if !strings.Contains(inbox.body, "Anxiety") || !strings.Contains(inbox.body, "/inbox/"+id+"/take") {
		t.Fatal("the enquiry is not in the open queue with its theme")
	}
	for _, hidden := range []string{"paper.crane@example.org", "Paper Crane", "cannot breathe"} {
		if strings.Contains(inbox.body, hidden) {
			t.Errorf("the queue shows %q before the thread is taken", hidden)
		}
	}
	counsellor.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	page := counsellor.get("/inbox/" + id)
	if !strings.Contains(page.body, "I cannot breathe when I think of the exams.") || strings.Contains(page.body, "paper.crane@example.org") {
		t.Fatal("the counsellor does not see the message, or sees the email")
	}
	counsellor.mustPost("/inbox/"+id+"/note", url.Values{"body": {"Private: exam panic, check again Friday"}}, "/inbox/"+id)
	counsellor.mustPost("/inbox/"+id+"/themes", url.Values{"theme": {"anxiety", "school-work"}}, "/inbox/"+id)
	counsellor.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Thank you for writing. Breathing out slowly helps."}}, "/inbox/"+id)
	if sent, _ := w.RunOnce(context.Background()); sent != 1 {
		t.Fatalf("reply notifications sent: %d, want 1", sent)
	}

	mails := smtp.Mails()
	if len(mails) != 2 {
		t.Fatalf("%d mails received, want confirmation and reply", len(mails))
	}
	for _, m := range mails {
		if len(m.To) != 1 || m.To[0] != "paper.crane@example.org" {
			t.Errorf("mail to %v", m.To)
		}
		for _, secret := range []string{"Paper Crane", "paper crane", "Anxiety", "anxiety", "Exams next week", "breathe", "Maren", "exam panic"} {
			if strings.Contains(m.Data[strings.Index(m.Data, "Subject:"):], secret) {
				t.Errorf("a notification mail reveals %q:\n%s", secret, m.Data)
			}
		}
	}

	list := seeker.get("/threads")
	if !strings.Contains(list.body, "New answer") {
		t.Fatal("the help-seeker's list does not mark the new answer")
	}
	view := seeker.get("/threads/" + id)
	if !strings.Contains(view.body, "Breathing out slowly helps.") || !strings.Contains(view.body, "Maren") {
		t.Fatal("the help-seeker does not see the reply with the counsellor's name")
	}
	if strings.Contains(view.body, "exam panic") {
		t.Fatal("the help-seeker sees the counsellor's private note")
	}
	if strings.Contains(seeker.get("/threads").body, "New answer") {
		t.Fatal("the answer stays marked new after reading")
	}
	seeker.mustPost("/threads/"+id+"/reply", url.Values{"body": {"It helped a bit. Thank you."}}, "/threads/"+id)
	if !strings.Contains(counsellor.get("/inbox").body, "Unread") {
		t.Fatal("the counsellor's inbox does not mark the help-seeker's reply")
	}
	thread := counsellor.get("/inbox/" + id)
	idx := func(s string) int { return strings.Index(thread.body, s) }
	if !(idx("I cannot breathe") < idx("Breathing out slowly") && idx("Breathing out slowly") < idx("It helped a bit")) {
		t.Fatal("messages are not shown oldest first")
	}
}

func TestRegistrationWarnsAboutSharedMailboxes(t *testing.T) {
	p := newOffice(t).browser().get("/register")
	if !strings.Contains(p.body, "Anyone who reads this mailbox will see") {
		t.Fatal("the email field does not warn about shared mailboxes")
	}
	if !strings.Contains(p.body, "Email notifications are off") {
		t.Fatal("without SMTP the page does not say notifications are off")
	}
}

func TestWithoutSMTPNothingIsQueued(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	form := registration("No Mail", "a fine long password")
	form.Set("email", "no.mail@example.org")
	seeker.mustPost("/register", form, "/threads")
	seeker.write("other", "", "Hello there")
	if n := o.db.Count(t, `SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("%d notifications queued without SMTP", n)
	}
}

func TestTwoCounsellorsTakeOneThreadAtOnce(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Waiting One", "a fine long password")
	o.allowOpenEnquiries(1000)
	a := o.enrol(counselling.RoleCounsellor, "Anna Staff")
	b := o.enrol(counselling.RoleCounsellor, "Bo Staff")
	for round := range 10 {
		id := seeker.write("family", "", "round "+string(rune('a'+round)))
		var wg sync.WaitGroup
		results := make([]page, 2)
		for i, who := range []*staffMember{a, b} {
			wg.Go(func() { results[i] = who.post("/inbox/"+id+"/take", nil) })
		}
		wg.Wait()
		won, lost := 0, 0
		for _, r := range results {
			switch r.status {
			case http.StatusSeeOther:
				won++
			case http.StatusConflict:
				lost++
				if !strings.Contains(r.body, "Another counsellor has just taken") {
					t.Error("the loser is not told clearly")
				}
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d took it, %d were refused; want 1 and 1", round, won, lost)
		}
		if n := o.db.Count(t, `SELECT count(DISTINCT counsellor_id) FROM threads WHERE id = ?`, id); n != 1 {
			t.Fatalf("thread has %d counsellors", n)
		}
	}
}

func TestTraineeRepliesNeedApproval(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Careful Reader", "a fine long password")
	id := seeker.write("loneliness", "", "Nobody calls me.")
	admin := o.enrol(counselling.RoleAdmin, "Office Admin")
	trainee := o.enrol(counselling.RoleCounsellor, "Tom Trainee")
	supervisor := o.enrol(counselling.RoleSupervisor, "Sara Supervisor")
	admin.mustPost("/admin/staff/"+trainee.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")

	trainee.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	trainee.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"You are not alone, wrote the trainee."}}, "/inbox/"+id)
	if strings.Contains(seeker.get("/threads/"+id).body, "wrote the trainee") {
		t.Fatal("the help-seeker sees a reply before approval")
	}
	queue := supervisor.get("/inbox")
	if !strings.Contains(queue.body, "/inbox/"+id) {
		t.Fatal("the supervisor is not shown the reply awaiting approval")
	}
	review := supervisor.get("/inbox/" + id)
	msgID := regexpFind(t, review.body, `name="message" value="([a-z2-7]{26})"`)
	supervisor.mustPost("/inbox/"+id+"/return", url.Values{"message": {msgID}, "comment": {"Ask how long this has lasted."}}, "/inbox")
	draft := trainee.get("/inbox/" + id)
	if !strings.Contains(draft.body, "Ask how long this has lasted.") || !strings.Contains(draft.body, "You are not alone, wrote the trainee.") {
		t.Fatal("the returned reply is not back in the trainee's draft with the comment")
	}
	if strings.Contains(seeker.get("/threads/"+id).body, "wrote the trainee") {
		t.Fatal("a returned reply reached the help-seeker")
	}
	trainee.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"How long has this lasted? asked the trainee."}}, "/inbox/"+id)
	review = supervisor.get("/inbox/" + id)
	msgID = regexpFind(t, review.body, `name="message" value="([a-z2-7]{26})"`)
	supervisor.mustPost("/inbox/"+id+"/approve", url.Values{"message": {msgID}}, "/inbox")
	if !strings.Contains(seeker.get("/threads/"+id).body, "How long has this lasted? asked the trainee.") {
		t.Fatal("an approved reply did not reach the help-seeker")
	}
}

func TestDraftIsSavedEncryptedAndRestored(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Draft Reader", "a fine long password")
	id := seeker.write("family", "", "My brother left.")
	c := o.enrol(counselling.RoleCounsellor, "Dana")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Half-written thoughts about brothers"}, "action": {"draft"}}, "/inbox/"+id)
	if !strings.Contains(c.get("/inbox/"+id).body, "Half-written thoughts about brothers") {
		t.Fatal("the draft is not restored")
	}
	if strings.Contains(seeker.get("/threads/"+id).body, "Half-written") {
		t.Fatal("the help-seeker sees the draft")
	}
	if n := o.db.Holding(t, "drafts", "body", "Half-written"); n != 0 {
		t.Fatal("the draft is stored in clear")
	}
}

func TestFlagReachesSupervisorsAtOnce(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Worried Sibling", "a fine long password")
	id := seeker.write("violence", "", "He said he will hurt my sister.")
	c := o.enrol(counselling.RoleCounsellor, "Eli")
	s := o.enrol(counselling.RoleSupervisor, "Fay")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	// The supervisor may reassign the thread, not read it: they are led to
	// the list of assignments.
	if p := s.get("/inbox/" + id); p.status != http.StatusSeeOther || strings.Contains(p.body, "hurt my sister") {
		t.Fatalf("supervisor reads an unflagged thread of another counsellor: %d", p.status)
	}
	c.mustPost("/inbox/"+id+"/flag", url.Values{"reason": {"Threat against a younger sister"}}, "/inbox/"+id)
	if !strings.Contains(s.get("/inbox").body, "/inbox/"+id) {
		t.Fatal("the flagged thread is not in the supervisor's inbox")
	}
	p := s.get("/inbox/" + id)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Threat against a younger sister") {
		t.Fatalf("supervisor cannot read the flagged thread and its reason: %d", p.status)
	}
}

func TestHandoverAndClose(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Handed Over", "a fine long password")
	id := seeker.write("other", "", "Something else entirely.")
	a := o.enrol(counselling.RoleCounsellor, "Gus")
	b := o.enrol(counselling.RoleCounsellor, "Hal")
	a.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	if !strings.Contains(a.get("/inbox/"+id).body, `value="`+b.id+`"`) {
		t.Fatal("the colleague is not offered for handover")
	}
	a.mustPost("/inbox/"+id+"/handover", url.Values{"to": {b.id}}, "/inbox")
	if p := a.get("/inbox/" + id); p.status != http.StatusNotFound {
		t.Fatalf("the previous counsellor still reads the thread: %d", p.status)
	}
	if p := b.get("/inbox/" + id); p.status != http.StatusOK {
		t.Fatalf("the new counsellor cannot read it: %d", p.status)
	}
	b.mustPost("/inbox/"+id+"/close", nil, "/inbox")
	if p := b.post("/inbox/"+id+"/reply", url.Values{"body": {"late"}}); p.status != http.StatusConflict {
		t.Fatalf("reply to a closed thread: %d, want 409", p.status)
	}
	seeker.mustPost("/threads/"+id+"/reply", url.Values{"body": {"One more thing."}}, "/threads/"+id)
	if n := o.db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND status = 'assigned'`, id); n != 1 {
		t.Fatal("the help-seeker's reply did not reopen the thread")
	}
}

func TestStaffNeedTheSecondFactor(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Ida")
	c.mustPost("/logout", nil, "/")
	b := o.browser()
	b.mustPost("/login", url.Values{"nickname": {"Ida"}, "password": {"staff password Ida"}}, "/login/totp")
	if p := b.get("/inbox"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login/totp" {
		t.Fatalf("inbox before the code: %d %s", p.status, p.header.Get("Location"))
	}
	if p := b.post("/login/totp", url.Values{"code": {"000000"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", p.status)
	}
	o.db.Clock.Advance(30 * time.Second)
	code, _ := twofactor.Code(c.secret, o.db.Clock.Now())
	b.mustPost("/login/totp", url.Values{"code": {code}}, "/inbox")
	if p := b.get("/inbox"); p.status != http.StatusOK {
		t.Fatalf("inbox after the code: %d", p.status)
	}
	// The same code cannot be used twice.
	again := o.browser()
	again.mustPost("/login", url.Values{"nickname": {"Ida"}, "password": {"staff password Ida"}}, "/login/totp")
	if p := again.post("/login/totp", url.Values{"code": {code}}); p.status != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d, want 401", p.status)
	}
	// Staff sessions end after 15 idle minutes.
	o.db.Clock.Advance(16 * time.Minute)
	if p := b.get("/inbox"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("after 16 idle minutes: %d %s", p.status, p.header.Get("Location"))
	}
}

func TestInviteLinkWorksOnce(t *testing.T) {
	o := newOffice(t)
	token, err := o.db.CreateStaff(context.Background(), counselling.NewStaff{OfficeID: o.officeID("main"), Role: counselling.RoleCounsellor, Name: "Once Only"})
	if err != nil {
		t.Fatal(err)
	}
	b := o.browser()
	secret := regexpFind(t, b.get("/invite/"+token).body, `id="totp-secret">([A-Z2-7]+)<`)
	if p := b.post("/invite/"+token, url.Values{"password": {"staff password x"}, "totp_code": {"123456"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "code is not right") {
		t.Fatalf("wrong enrolment code: %d", p.status)
	}
	code, _ := twofactor.Code(secret, o.db.Clock.Now())
	b.mustPost("/invite/"+token, url.Values{"password": {"staff password x"}, "totp_code": {code}}, "/inbox")
	if p := o.browser().get("/invite/" + token); p.status != http.StatusNotFound {
		t.Fatalf("used invite: %d, want 404", p.status)
	}
	late, _ := o.db.CreateStaff(context.Background(), counselling.NewStaff{OfficeID: o.officeID("main"), Role: counselling.RoleCounsellor, Name: "Too Late"})
	o.db.Clock.Advance(73 * time.Hour)
	if p := o.browser().get("/invite/" + late); p.status != http.StatusNotFound {
		t.Fatalf("expired invite: %d, want 404", p.status)
	}
}

func TestPayloadsInMessagesAreInert(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register(`"><img src=x onerror=alert(1)>`, "a fine long password")
	id := seeker.write("other", `<script>alert("subject")</script>`, "<b>bold</b><script>alert('body')</script>")
	c := o.enrol(counselling.RoleCounsellor, "Jonas")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	for _, p := range []page{seeker.get("/threads/" + id), seeker.get("/threads"), c.get("/inbox/" + id), c.get("/inbox"), seeker.get("/account")} {
		for _, raw := range []string{`<script>alert(`, `<b>bold</b>`, `<img src=x`} {
			if strings.Contains(p.body, raw) {
				t.Errorf("markup %q rendered live", raw)
			}
		}
	}
	if !strings.Contains(seeker.get("/threads/"+id).body, "&lt;b&gt;bold&lt;/b&gt;") {
		t.Fatal("the message is not shown as text")
	}
}

func TestLongMessagesAreAcceptedAndTooLongRefused(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Long Writer", "a fine long password")
	seeker.write("other", "", strings.Repeat("ø", 20_000))
	p := seeker.post("/threads/new", url.Values{"theme": {"other"}, "body": {strings.Repeat("ø", 20_001)}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "too long") {
		t.Fatalf("20,001 characters: %d", p.status)
	}
	if !strings.Contains(p.body, "øøøø") {
		t.Fatal("the text was lost: the form must give it back")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM threads`); n != 1 {
		t.Fatalf("%d threads, want 1", n)
	}
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexpMust(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s on the page", pattern)
	}
	return m[1]
}

func TestCounsellorDigestOfNewQueueItems(t *testing.T) {
	smtp := mailtest.Start(t)
	o := newOffice(t, func(c *web.Config) { c.MailEnabled = true })
	sender, _ := mail.ParseURL(smtp.URL(), "Confidant <no-reply@localhost>")
	w := mail.NewWorker(o.db, sender, o.srv.URL, translate, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c := o.enrol(counselling.RoleCounsellor, "Digest Reader")
	if p := c.post("/inbox/settings", url.Values{"digest": {"1"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("digest without an address: %d, want 422", p.status)
	}
	c.mustPost("/inbox/settings", url.Values{"email": {"digest.reader@example.org"}, "digest": {"1"}}, "/inbox/settings")
	if n, _ := o.db.QueueDigests(context.Background()); n != 0 {
		t.Fatal("a digest was queued with nothing new in the queue")
	}
	o.db.Clock.Advance(time.Minute)
	seeker := o.browser()
	seeker.register("Queue Filler", "a fine long password")
	seeker.write("addiction", "Private subject", "I drink every day.")
	if n, _ := o.db.QueueDigests(context.Background()); n != 1 {
		t.Fatalf("digests queued: %d, want 1", n)
	}
	if n, _ := o.db.QueueDigests(context.Background()); n != 0 {
		t.Fatal("the same queue items were digested twice")
	}
	w.RunOnce(context.Background())
	mails := smtp.Mails()
	if len(mails) != 1 || mails[0].To[0] != "digest.reader@example.org" {
		t.Fatalf("mails: %+v", mails)
	}
	for _, secret := range []string{"Queue Filler", "addiction", "Addiction", "Private subject", "drink"} {
		if strings.Contains(mails[0].Data, secret) {
			t.Errorf("the digest reveals %q", secret)
		}
	}
}

func translate(lang, id string, data map[string]any) string {
	return templates.Translate(lang, id, data, nil)
}

// Replies sent back for changes join what the trainee keeps in their draft:
// neither two returned replies nor a saved draft overwrite each other.
func TestReturnedRepliesJoinTheTraineesDraft(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Patient Reader", "a fine long password")
	id := seeker.write("loneliness", "", "Nobody calls me.")
	admin := o.enrol(counselling.RoleAdmin, "Office Admin")
	trainee := o.enrol(counselling.RoleCounsellor, "Tim Trainee")
	supervisor := o.enrol(counselling.RoleSupervisor, "Sam Supervisor")
	admin.mustPost("/admin/staff/"+trainee.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")
	trainee.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	trainee.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"First reply of the trainee."}}, "/inbox/"+id)
	trainee.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Second reply of the trainee."}}, "/inbox/"+id)
	trainee.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"A draft the trainee keeps."}, "action": {"draft"}}, "/inbox/"+id)

	for _, comment := range []string{"Shorter, please.", "Ask a question."} {
		msgID := regexpFind(t, supervisor.get("/inbox/"+id).body, `name="message" value="([a-z2-7]{26})"`)
		supervisor.mustPost("/inbox/"+id+"/return", url.Values{"message": {msgID}, "comment": {comment}}, "/inbox")
	}
	page := trainee.get("/inbox/" + id).body
	for _, text := range []string{"First reply of the trainee.", "Second reply of the trainee.", "A draft the trainee keeps.", "Shorter, please.", "Ask a question."} {
		if !strings.Contains(page, text) {
			t.Errorf("after two returns the trainee's page lacks %q", text)
		}
	}
}
