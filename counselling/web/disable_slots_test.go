package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

// Disabling a counsellor cancels the appointments they had not begun: a free
// slot is no longer offered, and the help-seeker who booked one is told, as
// when the counsellor cancels.
func TestDisablingACounsellorCancelsTheirAppointments(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Staff Admin")
	c := o.enrol(counselling.RoleCounsellor, "Leaving Counsellor")
	seeker, other := o.browser(), o.browser()
	form := registration("Booked Owl", "owls keep their hours")
	form.Set("email", "owl@example.org")
	seeker.mustPost("/register", form, "/threads")
	other.register("Browsing Wren", "wrens look around a lot")
	free := publishSlotIn(t, o, c, 2*time.Hour, "chat")
	booked := publishSlotIn(t, o, c, 4*time.Hour, "video")
	seeker.mustPost("/live/slots/"+booked+"/book", nil, "/live")
	before := o.db.Count(t, `SELECT count(*) FROM outbox`)

	admin.mustPost("/admin/staff/"+c.id+"/disable", url.Values{"disabled": {"1"}}, "/admin?done=disabled")
	if strings.Contains(other.get("/live").body, "/live/slots/"+free+"/book") {
		t.Error("a disabled counsellor's free slot is still offered")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM appointment_slots WHERE cancelled_at IS NOT NULL AND cancelled_by = 'counsellor'`); n != 2 {
		t.Errorf("%d of the disabled counsellor's 2 slots are cancelled", n)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM outbox`); n != before+1 {
		t.Errorf("the help-seeker who booked is told %d times, want once", n-before)
	}
	if p := seeker.post("/live/slots/"+free+"/book", nil); p.status < 400 {
		t.Errorf("a cancelled slot of a disabled counsellor was booked: %d", p.status)
	}
}

// A call-back request to a counsellor who is disabled ends at once: nobody
// will call back, and the help-seeker is told as when a request expires.
func TestDisablingACounsellorEndsTheCallBacksToThem(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Staff Admin")
	seeker, c := inContactPair(t, o, "Hopeful Finch", "Leaving Caller")
	seeker.mustPost("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}}, "/live/callback?done=requested")
	admin.mustPost("/admin/staff/"+c.id+"/disable", url.Values{"disabled": {"1"}}, "/admin?done=disabled")
	if n := o.db.Count(t, `SELECT count(*) FROM callbacks WHERE status = 'open'`); n != 0 {
		t.Errorf("%d call-back requests to the disabled counsellor still wait", n)
	}
	if p := seeker.get("/threads"); !strings.Contains(p.body, "A request of yours to be called back has expired.") {
		t.Error("the help-seeker is not told that the request ended")
	}
}
