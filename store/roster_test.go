package store_test

import (
	"context"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

// TestAutomaticAssignment: with the office's switch on, a new enquiry goes to
// the counsellor on duty with the lightest load who counsels its theme;
// nobody on duty leaves it in the open queue; bad roster entries store
// nothing. The test clock is Monday 2 March 2026, 11:00 in Berlin.
func TestAutomaticAssignment(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	admin := staffCaller(t, db, office.ID, counselling.RoleAdmin, "Roster Admin")
	busy := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Busy Bea")
	db.Clock.Advance(time.Minute) // the roster lists staff in the order they joined
	specialist := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Specialist Sid")
	off := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Off Olga")
	counsellor := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Plain Counsellor")
	enrolAll(t, db)
	seeker := counselling.Caller{AccountID: register(t, db, "Assigned Seeker", ""), Kind: counselling.KindSeeker, OfficeID: office.ID}
	if _, err := db.SetCounselledThemes(ctx, specialist, []string{"violence"}); err != nil {
		t.Fatal(err)
	}
	morning := func(who counselling.Caller) counselling.DutyTime {
		return counselling.DutyTime{AccountID: who.AccountID, Weekday: time.Monday, Starts: 9 * 60, Ends: 13 * 60}
	}
	for _, who := range []counselling.Caller{busy, specialist} {
		if err := db.AddDutyTime(ctx, admin, morning(who)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddDutyTime(ctx, admin, counselling.DutyTime{AccountID: off.AccountID, Weekday: time.Tuesday, Starts: 540, Ends: 780}); err != nil {
		t.Fatal(err)
	}
	// Bad input: refused, nothing stored.
	before := db.Count(t, `SELECT count(*) FROM duty_times`)
	bad := morning(busy)
	bad.Starts, bad.Ends = 13*60, 9*60
	if err := db.AddDutyTime(ctx, admin, bad); counselling.ErrorCode(err) != counselling.EInvalid {
		t.Fatalf("a duty ending before it starts: %v, want refused", err)
	}
	if err := db.AddDutyTime(ctx, counsellor, morning(counsellor)); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a counsellor set the roster: %v", err)
	}
	if err := db.AddDutyException(ctx, admin, counselling.DutyException{AccountID: busy.AccountID, Day: "2026-03-02", Starts: 600, Ends: 540}); counselling.ErrorCode(err) != counselling.EInvalid {
		t.Fatalf("an exception ending before it starts: %v, want refused", err)
	}
	if got := db.Count(t, `SELECT count(*) FROM duty_times`) + db.Count(t, `SELECT count(*) FROM duty_exceptions`); got != before {
		t.Fatalf("bad roster entries stored: %d rows, want %d", got, before)
	}

	// One help-seeker writes every enquiry here; the office's limit on open
	// enquiries per account is not what this test is about.
	if err := db.SetOpenEnquiryLimit(ctx, admin, counselling.MaxOpenEnquiryLimit); err != nil {
		t.Fatal(err)
	}
	write := func(theme string) *counselling.Thread {
		t.Helper()
		id, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: theme, Body: "hello"}, false)
		if err != nil {
			t.Fatal(err)
		}
		th, err := db.Thread(ctx, seeker, id)
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	// Switched off: the open queue, as always.
	if th := write("family"); th.CounsellorID != "" || th.Status != counselling.StatusOpen {
		t.Fatalf("without automatic assignment the enquiry went to %q", th.CounsellorID)
	}
	if err := db.SetAutoAssign(ctx, admin, true); err != nil {
		t.Fatal(err)
	}
	// Busy Bea holds one conversation already; Specialist Sid holds none but
	// counsels only violence.
	if th := write("family"); th.CounsellorID != busy.AccountID || th.Status != counselling.StatusAssigned {
		t.Fatalf("a family enquiry went to %q, want the one on duty who counsels family", th.CounsellorID)
	}
	if th := write("violence"); th.CounsellorID != specialist.AccountID {
		t.Fatalf("a violence enquiry went to %q, want the lighter-loaded specialist", th.CounsellorID)
	}
	// Busy Bea holds 1, Sid 1 (violence only): the next violence enquiry is a
	// tie, which goes to the first in the roster.
	if th := write("violence"); th.CounsellorID != busy.AccountID {
		t.Fatalf("a tie went to %q, want the first in the roster", th.CounsellorID)
	}
	// A day off for Bea and for Sid: nobody on duty, the open queue.
	for _, who := range []counselling.Caller{busy, specialist} {
		if err := db.AddDutyException(ctx, admin, counselling.DutyException{AccountID: who.AccountID, Day: "2026-03-02", Off: true}); err != nil {
			t.Fatal(err)
		}
	}
	if th := write("family"); th.CounsellorID != "" {
		t.Fatalf("with nobody on duty the enquiry went to %q", th.CounsellorID)
	}
	in, err := db.Inbox(ctx, counsellor, "", "")
	if err != nil || len(in.Queue) != 2 {
		t.Fatalf("the open queue holds %d enquiries (%v), want the two nobody was on duty for", len(in.Queue), err)
	}
}
