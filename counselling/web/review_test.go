package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// TestSupervisorNeverApprovesOwnReply: a supervisor marked as trainee writes
// replies that wait for approval, like any trainee. They may not approve or
// return their own reply, whatever they send; another supervisor may.
func TestSupervisorNeverApprovesOwnReply(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Patient Reader", "a fine long password")
	id := seeker.write("loneliness", "", "Is anybody there?")
	admin := o.enrol(counselling.RoleAdmin, "Office Admin")
	self := o.enrol(counselling.RoleSupervisor, "Sam Selfcheck")
	other := o.enrol(counselling.RoleSupervisor, "Olga Other")
	admin.mustPost("/admin/staff/"+self.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")

	self.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	self.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Yes, wrote the supervisor in training."}}, "/inbox/"+id)
	msgID := regexpFind(t, other.get("/inbox/"+id).body, `name="message" value="([a-z2-7]{26})"`)

	if strings.Contains(self.get("/inbox/"+id).body, `action="/inbox/`+id+`/approve"`) {
		t.Error("the author of a pending reply is offered to approve it")
	}
	for _, try := range []struct {
		path string
		form url.Values
	}{
		{"/inbox/" + id + "/approve", url.Values{"message": {msgID}}},
		{"/inbox/" + id + "/return", url.Values{"message": {msgID}, "comment": {"Fine by me, says the author."}}},
	} {
		p := self.post(try.path, try.form)
		if p.status == http.StatusSeeOther {
			t.Errorf("POST %s by the reply's author: %d %s, want refused", try.path, p.status, p.header.Get("Location"))
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM messages WHERE id = ? AND status = 'pending'`, msgID); n != 1 {
		t.Fatal("the author's attempt changed the pending reply")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM drafts`); n != 0 {
		t.Fatal("the author's attempt returned the reply to a draft")
	}
	if strings.Contains(seeker.get("/threads/"+id).body, "wrote the supervisor in training") {
		t.Fatal("the help-seeker sees a reply its own author approved")
	}

	other.mustPost("/inbox/"+id+"/approve", url.Values{"message": {msgID}}, "/inbox")
	if !strings.Contains(seeker.get("/threads/"+id).body, "Yes, wrote the supervisor in training.") {
		t.Fatal("another supervisor's approval did not deliver the reply")
	}
}
