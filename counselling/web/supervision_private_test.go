package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// A supervisor's note is written to one counsellor: a colleague who holds the
// conversation afterwards sees neither the note nor the reason for asking.
// Opening the conversation to supervisors is in the audit log.
func TestSupervisionNoteStaysWithItsCounsellor(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Quiet Harbour", "a fine long password")
	id := seeker.write("family", "", "My father drinks.")
	admin := o.enrol(counselling.RoleAdmin, "Audit Admin")
	c1 := o.enrol(counselling.RoleCounsellor, "First Counsellor")
	c2 := o.enrol(counselling.RoleCounsellor, "Second Counsellor")
	sup := o.enrol(counselling.RoleSupervisor, "Steady Supervisor")

	c1.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	p := c1.post("/inbox/"+id+"/supervision", url.Values{"reason": {"My own doubt about the father"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/inbox/"+id {
		t.Fatalf("asking for supervision: %d %q, want 303 to /inbox/%s", p.status, p.header.Get("Location"), id)
	}
	if !strings.Contains(c1.get("/inbox/"+id).body, "A supervisor of this office will look at this conversation.") {
		t.Error("asking for supervision is not confirmed on the page")
	}
	if !strings.Contains(admin.get("/admin/audit").body, "conversation opened to supervisors") {
		t.Error("the audit log does not record that supervisors may now read the conversation")
	}
	sup.get("/inbox/" + id)
	sup.mustPost("/inbox/"+id+"/supervision/close", url.Values{"note": {"A note meant for the first counsellor only."}}, "/supervision")
	if !strings.Contains(c1.get("/inbox/"+id).body, "A note meant for the first counsellor only.") {
		t.Fatal("the counsellor does not see the supervisor's note")
	}

	c1.mustPost("/inbox/"+id+"/handover", url.Values{"to": {c2.id}}, "/inbox")
	page := c2.get("/inbox/" + id).body
	if !strings.Contains(page, "My father drinks.") {
		t.Fatal("the colleague cannot read the conversation handed over")
	}
	for _, private := range []string{"A note meant for the first counsellor only.", "My own doubt about the father"} {
		if strings.Contains(page, private) {
			t.Errorf("the colleague who holds the conversation now reads %q", private)
		}
	}
}
