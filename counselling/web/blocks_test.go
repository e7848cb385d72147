package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// allowOpenEnquiries lifts the office's limit on open enquiries per account
// beyond what an admin may set, for tests that open many from one account.
func (o *office) allowOpenEnquiries(n int) {
	o.t.Helper()
	if _, err := o.db.Raw(o.t).Exec(`UPDATE offices SET open_enquiry_limit = ?`, n); err != nil {
		o.t.Fatal(err)
	}
}

const blockedMessage = "Your account can't start new conversations at the moment."

func TestABlockedAccountStartsNothingNewAndKeepsItsData(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Loud Crow", "crows shout all day")
	id := seeker.write("other", "Noise", "the first message")
	c := o.enrol(counselling.RoleCounsellor, "Firm Counsellor")
	other := o.enrolIn(counselling.DefaultOfficeSlug, counselling.RoleCounsellor, "Other Counsellor")
	sup := o.enrol(counselling.RoleSupervisor, "Wise Supervisor")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)

	if p := other.post("/inbox/"+id+"/block", url.Values{"block_reason": {"not theirs"}}); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor who cannot read the conversation blocks its help-seeker: %d", p.status)
	}
	if p := c.post("/inbox/"+id+"/block", url.Values{"block_reason": {"  "}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "Please give a reason") {
		t.Fatalf("a block without a reason: %d", p.status)
	}
	reason := "Threatened the counsellor in three messages"
	c.mustPost("/inbox/"+id+"/block", url.Values{"block_reason": {reason}}, "/inbox/"+id+"?done=blocked")
	if p := c.get("/inbox/" + id); !strings.Contains(p.body, `id="blocked-note"`) {
		t.Fatal("the conversation page does not say that the account is blocked")
	}
	if p := c.post("/inbox/"+id+"/block", url.Values{"block_reason": {"again"}}); p.status != http.StatusConflict {
		t.Fatalf("a second block: %d", p.status)
	}

	// The help-seeker learns only the neutral sentence, and starts nothing.
	threads := o.db.Count(t, `SELECT count(*) FROM threads`)
	p := seeker.get("/threads/new")
	if p.status != http.StatusOK || !strings.Contains(p.body, escaped(blockedMessage)) || strings.Contains(p.body, `action="/threads/new"`) {
		t.Fatalf("the enquiry form of a blocked account: %d", p.status)
	}
	p = seeker.post("/threads/new", url.Values{"theme": {"other"}, "body": {"let me in"}})
	if p.status < 400 || !strings.Contains(p.body, escaped(blockedMessage)) {
		t.Fatalf("an enquiry from a blocked account: %d", p.status)
	}
	p = seeker.post("/live", url.Values{"theme": {"other"}})
	if p.status < 400 || !strings.Contains(p.body, escaped(blockedMessage)) {
		t.Fatalf("a chat from a blocked account: %d %q", p.status, p.header.Get("Location"))
	}
	if n := o.db.Count(t, `SELECT count(*) FROM threads`); n != threads {
		t.Fatalf("a blocked account opened %d conversations", n-threads)
	}
	for _, page := range []string{seeker.get("/threads/new").body, seeker.get("/threads").body, seeker.get("/threads/" + id).body} {
		if strings.Contains(page, "Threatened") || strings.Contains(page, "Firm Counsellor blocked") {
			t.Fatal("the blocked person sees the reason")
		}
	}
	// Their data stays theirs: the export and the deletion work.
	if p := seeker.get("/account/export"); p.status != http.StatusOK || !strings.Contains(p.body, "the first message") {
		t.Fatalf("a blocked account's export: %d", p.status)
	}
	if p := seeker.get("/account/delete"); p.status != http.StatusOK {
		t.Fatalf("a blocked account's deletion page: %d", p.status)
	}

	// The reason is sealed, and the audit log names nobody.
	for where, content := range o.db.Stored(t) {
		if bytes.Contains(content, []byte(reason)) {
			t.Fatalf("the reason is stored in clear in %s", where)
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'blocked a help-seeker''s account' AND target = ''`); n != 1 {
		t.Fatalf("%d audit entries for the block without a target, want 1", n)
	}

	// Supervisors see the block with its reason and lift it; counsellors do
	// not see the page.
	if p := c.get("/inbox/accounts"); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor opens the accounts page: %d", p.status)
	}
	p = sup.get("/inbox/accounts")
	if p.status != http.StatusOK || !strings.Contains(p.body, reason) || !strings.Contains(p.body, "Loud Crow") || !strings.Contains(p.body, "Firm Counsellor") {
		t.Fatalf("the supervisor does not see the block and its reason: %d", p.status)
	}
	blockID := regexpFind(t, p.body, `action="/inbox/accounts/([a-z2-7]{26})/lift"`)
	if p := c.post("/inbox/accounts/"+blockID+"/lift", nil); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor lifts a block: %d", p.status)
	}
	sup.mustPost("/inbox/accounts/"+blockID+"/lift", nil, "/inbox/accounts?done=lifted")
	if p := sup.get("/inbox/accounts"); strings.Contains(p.body, reason) {
		t.Fatal("the lifted block is still listed")
	}
	seeker.write("other", "", "allowed again")
}

func escaped(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

func TestTheOfficeLimitsOpenEnquiriesPerAccount(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Busy Bee", "bees write a lot")
	var ids []string
	for i := range 3 {
		ids = append(ids, seeker.write("other", "", "enquiry "+string(rune('a'+i))))
	}
	p := seeker.post("/threads/new", url.Values{"theme": {"other"}, "body": {"a fourth one"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "as many open conversations as one account may have") ||
		!strings.Contains(p.body, "a fourth one") {
		t.Fatalf("a fourth open enquiry: %d", p.status)
	}
	if p := seeker.get("/threads/new"); !strings.Contains(p.body, `id="refused"`) {
		t.Fatal("the enquiry form at the limit does not say so")
	}
	// Replies in open conversations go on.
	seeker.mustPost("/threads/"+ids[0]+"/reply", url.Values{"body": {"still writing here"}}, "/threads/"+ids[0])
	// A closed conversation makes room.
	c := o.enrol(counselling.RoleCounsellor, "Closing Counsellor")
	c.mustPost("/inbox/"+ids[0]+"/take", nil, "/inbox/"+ids[0])
	c.mustPost("/inbox/"+ids[0]+"/close", nil, "/inbox")
	seeker.write("other", "", "room again")

	// The admin sets the limit.
	adm := o.enrol(counselling.RoleAdmin, "Limit Admin")
	if p := adm.get("/admin/settings"); !strings.Contains(p.body, `name="open_enquiry_limit"`) || !strings.Contains(p.body, `value="3"`) {
		t.Fatal("the settings page does not show the limit of 3")
	}
	if p := adm.post("/admin/settings/enquiry-limit", url.Values{"open_enquiry_limit": {"0"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a limit of 0: %d", p.status)
	}
	adm.mustPost("/admin/settings/enquiry-limit", url.Values{"open_enquiry_limit": {"4"}}, "/admin/settings?done=limit")
	seeker.write("other", "", "the fourth under the new limit")
	if p := seeker.post("/threads/new", url.Values{"theme": {"other"}, "body": {"a fifth"}}); p.status != http.StatusConflict {
		t.Fatalf("a fifth open enquiry under a limit of 4: %d", p.status)
	}
	if p := c.post("/admin/settings/enquiry-limit", url.Values{"open_enquiry_limit": {"40"}}); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor sets the limit: %d", p.status)
	}
}

func TestASupervisorDeletesAnAccountOnRequestLeavingOnlyAnonymousFacts(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	form := registration("Leaving Swan", "swans fly south in winter")
	form.Set("email", "swan.leaves@example.org")
	seeker.mustPost("/register", form, "/threads")
	id := seeker.write("family", "Flying south", "Please delete my account, I am leaving for good.")
	c := o.enrol(counselling.RoleCounsellor, "Reading Counsellor")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"We will pass your request on."}}, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/block", url.Values{"block_reason": {"asked to leave"}}, "/inbox/"+id)
	sup := o.enrol(counselling.RoleSupervisor, "Deleting Supervisor")
	elsewhere := o.enrolIn("main", counselling.RoleCounsellor, "Plain Counsellor")
	if _, err := o.db.CreateOffice(context.Background(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	northSup := o.enrolIn("north", counselling.RoleSupervisor, "North Supervisor")

	var statsKey []byte
	raw := openRawDB(t, o)
	if err := raw.QueryRow(`SELECT stats_key FROM threads WHERE id = ?`, id).Scan(&statsKey); err != nil || len(statsKey) != 16 {
		t.Fatalf("thread has no statistics link: %v", err)
	}
	facts := o.db.Count(t, `SELECT count(*) FROM contact_facts`)

	if p := elsewhere.post("/inbox/accounts/delete", url.Values{"nickname": {"Leaving Swan"}, "confirm": {"yes"}}); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor deletes an account: %d", p.status)
	}
	if p := northSup.post("/inbox/accounts/delete", url.Values{"nickname": {"Leaving Swan"}, "confirm": {"yes"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "No help-seeker") {
		t.Fatalf("a supervisor of another office deletes the account: %d", p.status)
	}
	if p := sup.post("/inbox/accounts/delete", url.Values{"nickname": {"Leaving Swan"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "asked for the deletion in writing") {
		t.Fatalf("a deletion without the confirmation: %d", p.status)
	}
	if p := sup.post("/inbox/accounts/delete", url.Values{"nickname": {"Reading Counsellor"}, "confirm": {"yes"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a supervisor deletes a staff account as a help-seeker's: %d", p.status)
	}
	if o.seekers() != 1 {
		t.Fatal("a refused deletion deleted the account")
	}
	sup.mustPost("/inbox/accounts/delete", url.Values{"nickname": {"leaving swan"}, "confirm": {"yes"}}, "/inbox/accounts?done=deleted")

	if o.seekers() != 0 {
		t.Fatal("the account is still there")
	}
	for table, q := range map[string]string{
		"threads": `SELECT count(*) FROM threads`, "messages": `SELECT count(*) FROM messages`, "blocks": `SELECT count(*) FROM blocks`,
		"sessions of help-seekers": `SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.kind = 'seeker'`,
		"outbox":                   `SELECT count(*) FROM outbox`, "password resets": `SELECT count(*) FROM password_resets`,
	} {
		if n := o.db.Count(t, q); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM contact_facts`); n != facts || n != 1 {
		t.Fatalf("anonymous facts: %d before, %d after; the fact must stay", facts, n)
	}
	if p := seeker.get("/threads"); p.status != http.StatusSeeOther {
		t.Fatalf("the deleted person's session still works: %d", p.status)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'deleted a help-seeker''s account at their written request' AND target = ''`); n != 1 {
		t.Fatalf("%d audit entries for the deletion without a target, want 1", n)
	}
	if err := o.db.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	for where, content := range o.db.Stored(t) {
		for _, secret := range []string{"Leaving Swan", "leaving swan", "swan.leaves@example.org", "leaving for good", "Flying south", "asked to leave"} {
			if bytes.Contains(content, []byte(secret)) {
				t.Errorf("%s still holds %q", where, secret)
			}
		}
	}
	assertNoColumnHolds(t, o.db, statsKey)
}
