package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// When an admin disables a counsellor who holds open conversations, those go
// back to the open queue with their notes and the admin is told how many: a
// supervisor opening one is led to where it is reassigned (no longer "not
// found"), and a colleague takes it (no longer "already taken") and reads the
// notes.
func TestDisablingACounsellorReturnsTheirConversationsToTheQueue(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	carl := o.enrol(counselling.RoleCounsellor, "Carl Counsellor")
	cora := o.enrol(counselling.RoleCounsellor, "Cora Colleague")
	sue := o.enrol(counselling.RoleSupervisor, "Sue Supervisor")
	seeker := o.browser()
	seeker.register("Still Water", "the lake is calm tonight")
	id := seeker.write("family", "", "My brother shouts every night.")
	closedID := seeker.write("anxiety", "", "This one was answered.")
	carl.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	carl.mustPost("/inbox/"+id+"/note", url.Values{"body": {"Brother: ask about school next time"}}, "/inbox/"+id)
	carl.mustPost("/inbox/"+closedID+"/take", nil, "/inbox/"+closedID)
	carl.mustPost("/inbox/"+closedID+"/close", nil, "/inbox")

	p := admin.post("/admin/staff/"+carl.id+"/disable", url.Values{"disabled": {"1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.status)
	}
	told := admin.get(p.header.Get("Location"))
	if !strings.Contains(told.body, "1 open conversation they held went back to the open queue, with their notes.") {
		t.Fatal("the admin is not told how many conversations went back to the queue")
	}

	if p := sue.get("/inbox/" + id); p.status != http.StatusSeeOther || p.header.Get("Location") != "/inbox/assignments#c-"+id {
		t.Fatalf("a supervisor opening the returned conversation: %d %q, want 303 to the assignments", p.status, p.header.Get("Location"))
	}
	list := sue.get("/inbox/assignments")
	if list.status != http.StatusOK || !strings.Contains(list.body, `id="c-`+id+`"`) || !strings.Contains(list.body, "in the open queue") {
		t.Fatalf("the supervisor's assignments do not list the returned conversation in the queue: %d", list.status)
	}
	if strings.Contains(list.body, "My brother shouts") || strings.Contains(list.body, closedID) {
		t.Fatal("the assignments show a message, or a closed conversation")
	}

	cora.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	page := cora.get("/inbox/" + id)
	if !strings.Contains(page.body, "Brother: ask about school next time") || !strings.Contains(page.body, "My brother shouts every night.") {
		t.Fatal("the colleague who took the returned conversation does not see it with its note")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND status = 'closed' AND counsellor_id = ?`, closedID, carl.id); n != 1 {
		t.Fatal("a closed conversation was moved when its counsellor was disabled")
	}
	audit := admin.get("/admin/audit").body
	if !strings.Contains(audit, "open conversations returned to the queue: 1") {
		t.Fatal("the audit log does not say that the conversation went back to the queue")
	}
}

// A supervisor gives an open conversation to a colleague, or back to the
// queue; a disabled colleague is refused with a clear message and nothing
// changes; counsellors reassign nothing.
func TestASupervisorReassignsAnOpenConversation(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	cora := o.enrol(counselling.RoleCounsellor, "Cora Colleague")
	dan := o.enrol(counselling.RoleCounsellor, "Dan Colleague")
	gone := o.enrol(counselling.RoleCounsellor, "Gone Counsellor")
	sue := o.enrol(counselling.RoleSupervisor, "Sue Supervisor")
	admin.mustPost("/admin/staff/"+gone.id+"/disable", url.Values{"disabled": {"1"}}, "/admin?done=disabled&returned=0")
	seeker := o.browser()
	seeker.register("Still Water", "the lake is calm tonight")
	id := seeker.write("family", "", "My brother shouts every night.")
	cora.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)

	list := sue.get("/inbox/assignments")
	if !strings.Contains(list.body, "held by Cora Colleague") || strings.Contains(list.body, `value="`+gone.id+`"`) {
		t.Fatal("the assignments do not show the holder, or offer a disabled colleague")
	}
	p := sue.post("/inbox/"+id+"/reassign", url.Values{"to": {gone.id}})
	if p.status != http.StatusUnprocessableEntity && p.status != http.StatusBadRequest {
		t.Fatalf("reassigning to a disabled colleague: %d, want refused", p.status)
	}
	if !strings.Contains(p.body, "This colleague is disabled and cannot take conversations.") {
		t.Fatal("the refusal does not say that the colleague is disabled")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND counsellor_id = ?`, id, cora.id); n != 1 {
		t.Fatal("a refused reassignment moved the conversation")
	}
	if p := cora.post("/inbox/"+id+"/reassign", url.Values{"to": {dan.id}}); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor reassigns: %d", p.status)
	}

	sue.mustPost("/inbox/"+id+"/reassign", url.Values{"to": {dan.id}}, "/inbox/assignments?done=reassigned")
	if p := dan.get("/inbox/" + id); p.status != http.StatusOK || !strings.Contains(p.body, "My brother shouts every night.") {
		t.Fatalf("the new counsellor cannot open the conversation: %d", p.status)
	}
	if p := cora.get("/inbox/" + id); p.status != http.StatusNotFound {
		t.Fatalf("the former holder still reads it: %d", p.status)
	}
	sue.mustPost("/inbox/"+id+"/reassign", url.Values{"to": {""}}, "/inbox/assignments?done=reassigned")
	if !strings.Contains(cora.get("/inbox").body, "/inbox/"+id+"/take") {
		t.Fatal("the conversation sent back to the queue is not in the queue")
	}
	if p := sue.post("/inbox/"+id+"/reassign", url.Values{"to": {""}}); !strings.Contains(p.body, "This conversation is already in the open queue.") {
		t.Fatalf("sending a queued conversation to the queue again: %d", p.status)
	}
	closed := seeker.write("anxiety", "", "Thank you, that was all.")
	dan.mustPost("/inbox/"+closed+"/take", nil, "/inbox/"+closed)
	dan.mustPost("/inbox/"+closed+"/close", nil, "/inbox")
	if p := sue.post("/inbox/"+closed+"/reassign", url.Values{"to": {""}}); p.status != http.StatusNotFound {
		t.Fatalf("a closed conversation is reassigned: %d", p.status)
	}
	audit := admin.get("/admin/audit").body
	if strings.Count(audit, "conversation reassigned") != 2 || !strings.Contains(audit, "back to the open queue") {
		t.Fatal("the audit log does not record both reassignments")
	}
}
