package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

var slotOnPage = regexp.MustCompile(`data-slot="([a-z2-7]{26})"`)

// publishSlotIn has a counsellor publish a slot starting in d and returns
// its id, read off their page.
func publishSlotIn(t *testing.T, o *office, c *staffMember, d time.Duration, kind string) string {
	t.Helper()
	before := slotOnPage.FindAllStringSubmatch(c.get("/live/slots").body, -1)
	start := o.db.Clock.Now().Add(d).UTC().Format(counselling.SlotStartLayout)
	c.mustPost("/live/slots", url.Values{"start": {start}, "minutes": {"30"}, "kind": {kind}}, "/live/slots")
	after := slotOnPage.FindAllStringSubmatch(c.get("/live/slots").body, -1)
	seen := map[string]bool{}
	for _, m := range before {
		seen[m[1]] = true
	}
	for _, m := range after {
		if !seen[m[1]] {
			return m[1]
		}
	}
	t.Fatal("the published slot is not on the counsellor's page")
	return ""
}

func TestAppointmentBookedConfirmedAndOpened(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Counsellor Appointments")
	colleague := o.enrol(counselling.RoleCounsellor, "Counsellor Colleague")
	seeker, other := o.browser(), o.browser()
	seeker.register("Booking Seeker", "a fine long password")
	other.register("Late Seeker", "a fine long password")

	// Bad input: a slot in the past is refused with the reason, and
	// nothing is stored.
	p := c.post("/live/slots", url.Values{"start": {"2001-01-01T10:00"}, "minutes": {"30"}, "kind": {"chat"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "The start must lie in the future.") {
		t.Fatalf("a slot in the past: %d", p.status)
	}
	if strings.Contains(c.get("/live/slots").body, "data-slot=") {
		t.Fatal("a refused slot was stored")
	}

	slot := publishSlotIn(t, o, c, time.Hour, "video")
	if live := seeker.get("/live"); !strings.Contains(live.body, "/live/slots/"+slot+"/book") ||
		!strings.Contains(live.body, "Counsellor Appointments") {
		t.Fatal("the free slot is not offered on /live")
	}
	seeker.mustPost("/live/slots/"+slot+"/book", nil, "/live")
	live := seeker.get("/live")
	if !strings.Contains(live.body, `id="my-appointments"`) || !strings.Contains(live.body, "Booked. You can open it here") {
		t.Fatal("the help-seeker's page does not confirm the booking")
	}
	if !strings.Contains(c.get("/live/slots").body, "Booked by a help-seeker") {
		t.Fatal("the counsellor's page does not show the booking")
	}

	// Bad input: the slot is taken; the refusal is in the reader's
	// language, and the slot stays the first help-seeker's.
	other.get("/live?lang=de")
	p = other.post("/live/slots/"+slot+"/book", nil)
	if p.status != http.StatusConflict || !strings.Contains(p.body, "jemand anderes hat diesen Termin gerade gebucht") {
		t.Fatalf("booking a taken slot: %d", p.status)
	}
	if strings.Contains(other.get("/live").body, `id="my-appointments"`) {
		t.Fatal("the refused booking shows as an appointment")
	}

	// The calendar file is the counsellor's, and says nothing of the
	// help-seeker.
	ics := c.get("/live/slots/" + slot + "/calendar.ics")
	if ics.status != http.StatusOK || !strings.HasPrefix(ics.header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(ics.body, "SUMMARY:Confidant appointment") || strings.Contains(ics.body, "Booking Seeker") {
		t.Fatalf("calendar file: %d %q\n%s", ics.status, ics.header.Get("Content-Type"), ics.body)
	}
	for _, b := range []*browser{seeker, colleague.browser} {
		if p := b.get("/live/slots/" + slot + "/calendar.ics"); p.status != http.StatusNotFound {
			t.Errorf("someone else got the calendar file: %d", p.status)
		}
	}

	// Too early to open; then at the booked time both sides reach one
	// chat, held by the counsellor, with no queue in between.
	if p := seeker.post("/live/slots/"+slot+"/open", nil); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "This appointment can be opened from 5 minutes before it begins") {
		t.Fatalf("opened an hour early: %d", p.status)
	}
	// Both keep their pages open meanwhile, so their sessions stay.
	for range 4 {
		o.db.Clock.Advance(14*time.Minute + 30*time.Second)
		seeker.get("/live")
		c.get("/live/slots")
	}
	if !strings.Contains(seeker.get("/live").body, "/live/slots/"+slot+"/open") {
		t.Fatal("the help-seeker is not offered to open the appointment")
	}
	p = seeker.post("/live/slots/"+slot+"/open", nil)
	chat := chatOf(t, p)
	c.mustPost("/live/slots/"+slot+"/open", nil, "/live/"+chat)
	if page := c.get("/live/" + chat); page.status != http.StatusOK || !strings.Contains(page.body, `data-status="assigned"`) {
		t.Fatalf("the counsellor's chat page: %d", page.status)
	}
	if page := seeker.get("/live/" + chat); page.status != http.StatusOK || !strings.Contains(page.body, `data-status="assigned"`) {
		t.Fatalf("the help-seeker's chat page: %d", page.status)
	}
	if strings.Contains(colleague.get("/live/queue").body, chat) {
		t.Fatal("the appointment's chat waits in the live queue")
	}
}

func TestCancellingAnAppointmentTellsTheOtherSide(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Counsellor Cancel")
	seeker := o.browser()
	seeker.register("Cancel Seeker", "a fine long password")

	one := publishSlotIn(t, o, c, 3*time.Hour, "chat")
	seeker.mustPost("/live/slots/"+one+"/book", nil, "/live")
	c.mustPost("/live/slots/"+one+"/cancel", nil, "/live/slots")
	if !strings.Contains(seeker.get("/live").body, "Your counsellor had to cancel this appointment.") {
		t.Fatal("the help-seeker is not told that the counsellor cancelled")
	}
	if p := seeker.post("/live/slots/"+one+"/cancel", nil); p.status != http.StatusConflict {
		t.Fatalf("cancelled twice: %d", p.status)
	}

	two := publishSlotIn(t, o, c, 5*time.Hour, "chat")
	seeker.mustPost("/live/slots/"+two+"/book", nil, "/live")
	seeker.mustPost("/live/slots/"+two+"/cancel", nil, "/live")
	if !strings.Contains(c.get("/live/slots").body, "Cancelled by the help-seeker") {
		t.Fatal("the counsellor is not told that the help-seeker cancelled")
	}
	if !strings.Contains(seeker.get("/live").body, "You cancelled this appointment.") {
		t.Fatal("the help-seeker's page does not show their cancellation")
	}
}

// A guest chats but books nothing: appointments need an account to come
// back to.
func TestGuestsBookNoAppointment(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Counsellor Guests")
	slot := publishSlotIn(t, o, c, time.Hour, "chat")
	guest, _ := startGuestChat(t, o, "family")
	if live := guest.get("/live"); strings.Contains(live.body, "/book") {
		t.Fatal("a guest is offered to book")
	}
	if p := guest.post("/live/slots/"+slot+"/book", nil); p.status != http.StatusForbidden {
		t.Fatalf("a guest booked: %d", p.status)
	}
	if strings.Contains(c.get("/live/slots").body, "Booked by a help-seeker") {
		t.Fatal("the guest's booking was stored")
	}
}
