package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/twofactor"
)

// logIn logs a member of staff in again after the clock moved past their
// session.
func (o *office) logIn(s *staffMember, name string) {
	o.t.Helper()
	b := o.browser()
	b.mustPost("/login", login(name, "staff password "+name), "/login/totp")
	code, _ := twofactor.Code(s.secret, o.db.Clock.Now())
	b.mustPost("/login/totp", url.Values{"code": {code}}, "/inbox")
	s.browser = b
}

// TestOverdueEnquiriesAreMarkedAndFiltered: an enquiry not answered within
// the office's promise (two working days) is marked overdue in the inbox and
// listed under the overdue filter; supervisors see the office's count; the
// help-seeker's page says the answer is late and when it is now expected.
// The test clock starts on Monday 2 March 2026, 10:00 UTC.
func TestOverdueEnquiriesAreMarkedAndFiltered(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Late Seeker", "a fine long password")
	id := seeker.write("family", "late", "will anyone answer?")
	if p := seeker.get("/threads/" + id); !strings.Contains(p.body, "You will have an answer by Wednesday 2026-03-04 17:00 (Europe/Berlin) at the latest.") {
		t.Fatalf("the help-seeker is not told when the answer is due:\n%s", p.body)
	}
	o.db.Clock.Advance(3 * 24 * time.Hour) // Thursday
	c := o.enrol(counselling.RoleCounsellor, "Filter Counsellor")
	sup := o.enrol(counselling.RoleSupervisor, "Counting Supervisor")
	seeker.register("Late Seeker Two", "a fine long password")
	fresh := seeker.write("family", "fresh", "a new one")

	overdue := c.get("/inbox?status=overdue")
	if overdue.status != http.StatusOK || strings.Count(overdue.body, "/take") != 1 || !strings.Contains(overdue.body, "Overdue</strong>") {
		t.Fatalf("the overdue filter does not list exactly the late enquiry, marked:\n%s", overdue.body)
	}
	if strings.Contains(overdue.body, fresh) {
		t.Fatal("the overdue filter lists an enquiry that is not late")
	}
	if all := c.get("/inbox?status=open"); strings.Count(all.body, "/take") != 2 {
		t.Fatalf("the open filter does not list both enquiries of the queue:\n%s", all.body)
	}
	if closed := c.get("/inbox?status=closed"); strings.Contains(closed.body, "/take") {
		t.Fatal("the closed filter lists the open queue")
	}
	if p := sup.get("/inbox"); !strings.Contains(p.body, "Overdue in the office: 1 in the open queue, 0 in progress.") {
		t.Fatalf("the supervisor does not see the overdue count:\n%s", p.body)
	}
	if p := c.get("/inbox"); strings.Contains(p.body, "Overdue in the office") {
		t.Fatal("a counsellor sees the supervisors' overdue count")
	}
	page := seeker.get("/threads/" + fresh)
	if strings.Contains(page.body, "taking longer") {
		t.Fatal("a fresh enquiry is said to be late")
	}
	// The first help-seeker logs in again and reads that the answer is late,
	// with the new expectation: the next working day's closing time.
	again := o.browser()
	again.mustPost("/login", login("Late Seeker", "a fine long password"), "/threads")
	late := again.get("/threads/" + id)
	if !strings.Contains(late.body, "Our answer is taking longer than we promised.") ||
		!strings.Contains(late.body, "We now expect to answer by Friday 2026-03-06 17:00 (Europe/Berlin).") {
		t.Fatalf("the help-seeker is not told plainly that the answer is late:\n%s", late.body)
	}
	// Once taken, the thread is overdue in progress, and the filter keeps it.
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	if p := c.get("/inbox?status=overdue"); !strings.Contains(p.body, "/inbox/"+id) {
		t.Fatalf("the taken late thread left the overdue filter:\n%s", p.body)
	}
	if p := sup.get("/inbox"); !strings.Contains(p.body, "Overdue in the office: 0 in the open queue, 1 in progress.") {
		t.Fatalf("the supervisor's count did not follow the thread:\n%s", p.body)
	}
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Sorry for the wait."}}, "/inbox/"+id)
	if p := c.get("/inbox?status=overdue"); strings.Contains(p.body, "/inbox/"+id) {
		t.Fatal("an answered thread is still overdue")
	}
	if p := c.get("/inbox?status=in-progress"); !strings.Contains(p.body, "/inbox/"+id) {
		t.Fatal("the in-progress filter does not list the counsellor's thread")
	}
}

// TestAbsenceWithStandIn: a counsellor records an absence with a colleague as
// stand-in; bad input is refused in words and stores nothing; during the
// absence the stand-in reads and answers the thread and the help-seeker is
// told; once it ends the stand-in no longer sees it.
func TestAbsenceWithStandIn(t *testing.T) {
	o := newOffice(t)
	if _, err := o.db.CreateOffice(t.Context(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	seeker := o.browser()
	seeker.register("Absence Seeker", "a fine long password")
	away := o.enrol(counselling.RoleCounsellor, "Away Anna")
	stand := o.enrol(counselling.RoleCounsellor, "Standing Sam")
	far := o.enrolIn("north", counselling.RoleCounsellor, "Far Fiona")
	id := seeker.write("family", "away", "hello")
	away.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)

	form := func(from, to, standIn string) url.Values {
		return url.Values{"from": {from}, "to": {to}, "stand_in": {standIn}}
	}
	for name, tc := range map[string]struct {
		form url.Values
		says string
	}{
		"myself":                    {form("2026-03-03", "2026-03-06", away.id), "You cannot stand in for yourself."},
		"someone of another office": {form("2026-03-03", "2026-03-06", far.id), "Please choose a colleague of your office who counsels as your stand-in."},
		"ending before it starts":   {form("2026-03-06", "2026-03-03", stand.id), "The last day cannot be before the first day."},
		"no day":                    {form("", "", stand.id), "Please give the first day of your absence."},
	} {
		p := away.post("/inbox/absence", tc.form)
		if p.status != http.StatusUnprocessableEntity && p.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want the form again with a 4xx", name, p.status)
		}
		if !strings.Contains(p.body, tc.says) {
			t.Errorf("%s: the page does not say %q", name, tc.says)
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM absences`); n != 0 {
		t.Fatalf("%d absences stored from bad input", n)
	}
	// German readers get the refusal in German.
	p := away.do(func() *http.Request {
		r, _ := http.NewRequest("POST", o.srv.URL+"/inbox/absence", strings.NewReader(form("2026-03-03", "2026-03-06", away.id).Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Accept-Language", "de")
		r.Header.Set("Origin", o.srv.URL)
		return r
	}())
	if !strings.Contains(p.body, "Du kannst dich nicht selbst vertreten.") {
		t.Errorf("the refusal is not in the reader's language:\n%s", p.body)
	}

	// From tomorrow (Tuesday) to Friday.
	away.mustPost("/inbox/absence", form("2026-03-03", "2026-03-06", stand.id), "/inbox/absence?done=saved")
	if p := stand.get("/inbox/" + id); p.status != http.StatusNotFound {
		t.Fatalf("before the absence the stand-in gets %d, want 404", p.status)
	}
	o.db.Clock.Advance(24 * time.Hour)
	o.logIn(stand, "Standing Sam")
	o.logIn(away, "Away Anna")
	page := stand.get("/inbox/" + id)
	if page.status != http.StatusOK || !strings.Contains(page.body, "You answer as the stand-in of Away Anna") {
		t.Fatalf("during the absence the stand-in cannot read the thread: %d\n%s", page.status, page.body)
	}
	if p := stand.get("/inbox?status=in-progress"); !strings.Contains(p.body, "/inbox/"+id) {
		t.Fatal("the stand-in's inbox does not list the absent counsellor's thread")
	}
	stand.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Your counsellor is away; I answer meanwhile."}}, "/inbox/"+id)
	if p := stand.post("/inbox/"+id+"/close", nil); p.status != http.StatusNotFound {
		t.Errorf("the stand-in closed the thread: %d", p.status)
	}
	again := o.browser()
	again.mustPost("/login", login("Absence Seeker", "a fine long password"), "/threads")
	sp := again.get("/threads/" + id)
	if !strings.Contains(sp.body, "Your counsellor is away until Friday 2026-03-06; a colleague will answer.") ||
		!strings.Contains(sp.body, "I answer meanwhile.") {
		t.Fatalf("the help-seeker does not see the note and the stand-in's answer:\n%s", sp.body)
	}
	// The absent counsellor ends the absence early: the thread is theirs alone.
	absence := regexpFind(t, away.get("/inbox/absence").body, `action="/inbox/absence/([a-z2-7]{26})/end"`)
	away.mustPost("/inbox/absence/"+absence+"/end", nil, "/inbox/absence?done=ended")
	if p := stand.get("/inbox/" + id); p.status != http.StatusNotFound {
		t.Fatalf("after the absence the stand-in gets %d, want 404", p.status)
	}
	if p := stand.post("/inbox/"+id+"/reply", url.Values{"body": {"too late"}}); p.status != http.StatusNotFound {
		t.Fatalf("after the absence the stand-in answers: %d", p.status)
	}
	if p := away.get("/inbox/" + id); p.status != http.StatusOK || !strings.Contains(p.body, "I answer meanwhile.") {
		t.Fatalf("the counsellor back from absence does not see their thread with the stand-in's answer: %d", p.status)
	}
	if p := again.get("/threads/" + id); strings.Contains(p.body, "is away until") {
		t.Fatal("the help-seeker is still told the counsellor is away")
	}
}

// TestRosterAndWorkingTime: an admin sets the office's working time, which
// the public start page shows in the visitor's language; a supervisor keeps
// the duty roster, a duty that ends before it starts is refused in words and
// stores nothing, and with automatic assignment on a new enquiry goes to the
// counsellor on duty. The test clock is Monday 2 March 2026, 11:00 in Berlin.
func TestRosterAndWorkingTime(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Working Admin")
	sup := o.enrol(counselling.RoleSupervisor, "Roster Supervisor")
	c := o.enrol(counselling.RoleCounsellor, "Duty Counsellor")

	bad := url.Values{"time_zone": {"Europe/Berlin"}, "promise_amount": {"2"}, "promise_unit": {"working-days"},
		"opens_1": {"17:00"}, "closes_1": {"09:00"}}
	if p := admin.post("/admin/workday", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "The office closes before it opens.") {
		t.Fatalf("opening hours closing before they open: %d\n%s", p.status, p.body)
	}
	if p := admin.post("/admin/workday", url.Values{"time_zone": {"Mars/Olympus"}, "promise_amount": {"2"}, "promise_unit": {"working-days"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown time zone: %d", p.status)
	}
	good := url.Values{"time_zone": {"Europe/Berlin"}, "promise_amount": {"72"}, "promise_unit": {"hours"},
		"opens_1": {"10:00"}, "closes_1": {"18:30"}, "opens_3": {"09:00"}, "closes_3": {"12:00"}, "holidays": {"2026-12-24\n2026-12-25"}}
	admin.mustPost("/admin/workday", good, "/admin/workday?done=saved")
	req, _ := http.NewRequest("GET", o.srv.URL+"/", nil)
	req.Header.Set("Accept-Language", "de")
	landing := o.browser().do(req)
	for _, want := range []string{"Öffnungszeiten", "Montag", "10:00–18:30", "Mittwoch", "09:00–12:00", "Zeiten in der Zeitzone Europe/Berlin."} {
		if !strings.Contains(landing.body, want) {
			t.Errorf("the start page does not show %q in German", want)
		}
	}
	if p := admin.get("/admin/audit"); !strings.Contains(p.body, "working time changed") {
		t.Error("the change of working time is not in the audit log")
	}

	before := o.db.Count(t, `SELECT count(*) FROM duty_times`)
	p := sup.post("/roster/duty", url.Values{"account": {c.id}, "weekday": {"1"}, "starts": {"13:00"}, "ends": {"09:00"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "The duty ends before it starts.") {
		t.Fatalf("a duty ending before it starts: %d\n%s", p.status, p.body)
	}
	if o.db.Count(t, `SELECT count(*) FROM duty_times`) != before {
		t.Fatal("a refused duty was stored")
	}
	if p := sup.post("/roster/exception", url.Values{"account": {c.id}, "day": {"2026-03-03"}, "day_starts": {"12:00"}, "day_ends": {"08:00"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("an exception ending before it starts: %d", p.status)
	}
	if p := c.get("/roster"); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor opens the roster: %d", p.status)
	}
	sup.mustPost("/roster/duty", url.Values{"account": {c.id}, "weekday": {"1"}, "starts": {"00:00"}, "ends": {"24:00"}}, "/roster?done=duty")
	if p := sup.post("/roster/auto", url.Values{"auto_assign": {"yes"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "Please choose whether new enquiries go to the counsellor on duty") {
		t.Fatalf("an unreadable switch: %d, want 422 with a message", p.status)
	}
	sup.mustPost("/roster/auto", url.Values{"auto_assign": {"1"}}, "/roster?done=auto-on")
	if page := sup.get("/roster"); !strings.Contains(page.body, "Monday 00:00–24:00: Duty Counsellor") {
		t.Fatalf("the roster does not list the duty:\n%s", page.body)
	}
	seeker := o.browser()
	seeker.register("Assigned Seeker", "a fine long password")
	id := seeker.write("family", "auto", "who answers me?")
	if p := c.get("/inbox/" + id); p.status != http.StatusOK {
		t.Fatalf("the enquiry did not go to the counsellor on duty: %d", p.status)
	}
}
