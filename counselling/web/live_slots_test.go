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

// officeClock writes a moment as a form of a fresh office takes it: on the
// clock of the office's time zone, counselling.DefaultTimeZone.
func officeClock(t testing.TB, at time.Time) string {
	t.Helper()
	loc, err := time.LoadLocation(counselling.DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return at.In(loc).Format(counselling.SlotStartLayout)
}

// publishSlotIn has a counsellor publish a slot starting in d and returns
// its id, read off their page.
func publishSlotIn(t *testing.T, o *office, c *staffMember, d time.Duration, kind string) string {
	t.Helper()
	before := slotOnPage.FindAllStringSubmatch(c.get("/live/slots").body, -1)
	start := officeClock(t, o.db.Clock.Now().Add(d))
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
	// Booking it again (a second press) is refused in the reader's words
	// and the booking stays.
	if p := seeker.post("/live/slots/"+slot+"/book", nil); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "You have already booked this appointment.") || !strings.Contains(p.body, `id="my-appointments"`) {
		t.Fatalf("booking one's own slot again: %d", p.status)
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

// Slots and group chats are given and shown on the clock of the office's
// time zone, which the form names: what a counsellor in Berlin types is what
// help-seekers read, and the calendar file holds the right moment. A time
// the clocks skip or repeat is refused in the reader's language, and nothing
// is stored. When the office moves to another zone, every page shows the
// same moments on the new clock.
func TestSlotAndGroupTimesAreTheOfficesClock(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Counsellor Berlin")
	sup := o.enrol(counselling.RoleSupervisor, "Supervisor Berlin")
	admin := o.enrol(counselling.RoleAdmin, "Admin Berlin")
	seeker := o.browser()
	seeker.register("Zoned Seeker", "a fine long password")

	if page := c.get("/live/slots").body; !strings.Contains(page, "Start (date and time, Europe/Berlin)") {
		t.Fatal("the slot form does not name the office's time zone")
	}
	// The store's clock shows Monday 2026-03-02 10:00 UTC. Berlin is an
	// hour ahead of UTC in winter and two hours in summer (from 29 March).
	c.mustPost("/live/slots", url.Values{"start": {"2026-03-10T14:00"}, "minutes": {"30"}, "kind": {"chat"}}, "/live/slots")
	c.mustPost("/live/slots", url.Values{"start": {"2026-04-14T14:00"}, "minutes": {"30"}, "kind": {"video"}}, "/live/slots")
	winter, summer := "Tuesday 2026-03-10 14:00 (Europe/Berlin)", "Tuesday 2026-04-14 14:00 (Europe/Berlin)"
	for who, page := range map[string]string{"counsellor": c.get("/live/slots").body, "help-seeker": seeker.get("/live").body} {
		if !strings.Contains(page, winter) || !strings.Contains(page, summer) {
			t.Errorf("the %s's page does not show the slots at 14:00 Berlin time", who)
		}
	}
	ids := slotOnPage.FindAllStringSubmatch(c.get("/live/slots").body, -1)
	if len(ids) != 2 {
		t.Fatalf("%d slots on the counsellor's page", len(ids))
	}
	for i, want := range []string{"DTSTART:20260310T130000Z\r\nDTEND:20260310T133000Z", "DTSTART:20260414T120000Z\r\nDTEND:20260414T123000Z"} {
		seeker.mustPost("/live/slots/"+ids[i][1]+"/book", nil, "/live")
		if ics := c.get("/live/slots/" + ids[i][1] + "/calendar.ics").body; !strings.Contains(ics, want) {
			t.Errorf("the calendar file of a 14:00 Berlin slot does not hold %q:\n%s", want, ics)
		}
	}

	slots := func() int { return o.db.Count(t, `SELECT count(*) FROM appointment_slots`) }
	p := c.post("/live/slots?lang=de", url.Values{"start": {"2026-03-29T02:30"}, "minutes": {"30"}, "kind": {"chat"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "weil dann die Uhren vorgestellt werden") || slots() != 2 {
		t.Fatalf("a time the clocks skip: %d, %d slots\n%s", p.status, slots(), p.body)
	}
	p = c.post("/live/slots?lang=en", url.Values{"start": {"2026-10-25T02:30"}, "minutes": {"30"}, "kind": {"chat"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "This time occurs twice in the office&#39;s time zone") || slots() != 2 {
		t.Fatalf("a time the clocks repeat: %d, %d slots\n%s", p.status, slots(), p.body)
	}

	sup.mustPost("/live/groups", url.Values{"theme": {"Evening group"}, "rules": {"Be kind."}, "starts_at": {"2026-03-02T18:00"},
		"ends_at": {"2026-03-02T19:30"}, "max_size": {"5"}, "moderator": {c.id}}, "/live/groups")
	span := "Monday 2026-03-02 18:00–19:30 (Europe/Berlin)"
	for who, page := range map[string]string{"scheduler": sup.get("/live/groups").body, "help-seeker": seeker.get("/live").body} {
		if !strings.Contains(page, span) {
			t.Errorf("the %s's page does not show the group at 18:00 Berlin time", who)
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM group_chats WHERE starts_at = ?`, time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC).Unix()); n != 1 {
		t.Fatal("the group does not start at 17:00 UTC")
	}

	// The office moves to New York, which put its clocks forward on 8 March:
	// the same moments read four hours earlier there.
	admin.mustPost("/admin/workday", url.Values{"time_zone": {"America/New_York"}, "promise_amount": {"2"}, "promise_unit": {"working-days"},
		"opens_1": {"09:00"}, "closes_1": {"17:00"}}, "/admin/workday?done=saved")
	page := c.get("/live/slots").body
	if !strings.Contains(page, "Tuesday 2026-03-10 09:00 (America/New_York)") || !strings.Contains(page, "Start (date and time, America/New_York)") {
		t.Fatal("the counsellor's page does not follow the office's new time zone")
	}
	if !strings.Contains(seeker.get("/live").body, "Monday 2026-03-02 12:00–13:30 (America/New_York)") {
		t.Fatal("the help-seeker's page does not follow the office's new time zone")
	}
}

// A video appointment opens straight into its call, for both sides: their
// chat pages start it by themselves until the appointment ends. A chat
// appointment opens the chat alone.
func TestVideoAppointmentOpensTheCallDirectly(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR)
	c := o.enrol(counselling.RoleCounsellor, "Counsellor Video")
	seeker := o.browser()
	seeker.register("Video Seeker", "a fine long password")
	video := publishSlotIn(t, o, c, time.Hour, "video")
	chat := publishSlotIn(t, o, c, 3*time.Hour, "chat")
	for _, id := range []string{video, chat} {
		seeker.mustPost("/live/slots/"+id+"/book", nil, "/live")
	}
	if !strings.Contains(seeker.get("/live").body, "It opens straight into the video call, with your camera and microphone.") {
		t.Fatal("the help-seeker is not told before opening that the video appointment starts the call")
	}
	keepAlive(o, time.Hour, seeker, c.browser)
	videoChat := chatOf(t, seeker.post("/live/slots/"+video+"/open", nil))
	c.mustPost("/live/slots/"+video+"/open", nil, "/live/"+videoChat)
	for who, b := range map[string]*browser{"help-seeker": seeker, "counsellor": c.browser} {
		if page := b.get("/live/" + videoChat).body; !strings.Contains(page, `data-direct="1"`) {
			t.Errorf("the %s's page of the video appointment does not start the call by itself", who)
		}
	}
	if !strings.Contains(seeker.get("/live/"+videoChat).body, "It starts by itself as soon as your counsellor is here, with your camera and microphone.") {
		t.Error("the help-seeker's page does not say that the call starts by itself")
	}
	if !strings.Contains(c.get("/live/"+videoChat).body, "This is a video appointment") {
		t.Error("the counsellor's page does not say that the call starts by itself")
	}

	keepAlive(o, 2*time.Hour, seeker, c.browser)
	if page := seeker.get("/live/" + videoChat).body; strings.Contains(page, `data-direct="1"`) {
		t.Error("the call still starts by itself after the appointment ended")
	}
	chatChat := chatOf(t, seeker.post("/live/slots/"+chat+"/open", nil))
	for who, b := range map[string]*browser{"help-seeker": seeker, "counsellor": c.browser} {
		if page := b.get("/live/" + chatChat); page.status != http.StatusOK || strings.Contains(page.body, `data-direct="1"`) {
			t.Errorf("the %s's page of a chat appointment: %d, or it starts a call", who, page.status)
		}
	}
}
