package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

// A block limits every way into live contact, not only the chat button: a
// blocked account books no appointment, joins no group chat and asks for no
// call-back, and each refusal is the same neutral sentence.
func TestABlockedAccountBooksJoinsAndAsksForNothing(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Blocked Heron", "herons stand very still")
	thread := seeker.write("other", "", "the first message")
	c := o.enrol(counselling.RoleCounsellor, "Firm Counsellor")
	admin := o.enrol(counselling.RoleAdmin, "Group Admin")
	c.mustPost("/inbox/"+thread+"/take", nil, "/inbox/"+thread)
	slot := publishSlotIn(t, o, c, 3*time.Hour, "chat")
	group := scheduleGroupIn(t, o, admin, c.id, time.Hour, 5)
	startGroupNow(t, o, group)
	c.mustPost("/inbox/"+thread+"/block", url.Values{"block_reason": {"Abused the counsellor"}}, "/inbox/"+thread)

	refused := func(what string, p page) {
		t.Helper()
		if p.status < 400 || !strings.Contains(p.body, escaped(blockedMessage)) {
			t.Errorf("%s from a blocked account: %d %q", what, p.status, p.header.Get("Location"))
		}
	}
	refused("booking an appointment", seeker.post("/live/slots/"+slot+"/book", nil))
	refused("joining a group chat", seeker.post("/live/groups/"+group+"/join", url.Values{"accept_rules": {"yes"}}))
	refused("asking for a call-back", seeker.post("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}}))
	if n := o.db.Count(t, `SELECT count(*) FROM appointment_slots WHERE booked_at IS NOT NULL`); n != 0 {
		t.Error("the blocked account booked the slot")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM group_members`); n != 0 {
		t.Error("the blocked account joined the group")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM callbacks`); n != 0 {
		t.Error("the blocked account's call-back request was stored")
	}
	if p := seeker.get("/live/groups/" + group); p.status == http.StatusOK && strings.Contains(p.body, "Abused") {
		t.Error("the blocked person sees the reason")
	}
}
