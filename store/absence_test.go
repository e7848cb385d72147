package store_test

import (
	"context"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

// TestStandInAnswersDuringTheAbsenceOnly: while a counsellor is away, the
// stand-in they named reads and answers their mail threads; before the
// absence and after it the stand-in gets not-found, and the threads were the
// absent counsellor's all along.
func TestStandInAnswersDuringTheAbsenceOnly(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	north, err := db.CreateOffice(ctx, "north", "North office")
	if err != nil {
		t.Fatal(err)
	}
	seeker := counselling.Caller{AccountID: register(t, db, "Absent Seeker", ""), Kind: counselling.KindSeeker, OfficeID: office.ID}
	away := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Away Counsellor")
	stand := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Stand In")
	bystander := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Bystander")
	far := staffCaller(t, db, north.ID, counselling.RoleCounsellor, "Far Counsellor")
	enrolAll(t, db)
	id, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Body: "hello"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Take(ctx, away, id); err != nil {
		t.Fatal(err)
	}

	// Bad input stores nothing.
	tomorrow := db.Clock.Now().Add(14 * time.Hour).Truncate(24 * time.Hour)
	week := counselling.Absence{StandInID: stand.AccountID, From: tomorrow, Until: tomorrow.AddDate(0, 0, 7)}
	for name, a := range map[string]counselling.Absence{
		"myself as stand-in":           {StandInID: away.AccountID, From: week.From, Until: week.Until},
		"a stand-in of another office": {StandInID: far.AccountID, From: week.From, Until: week.Until},
		"ending before it starts":      {StandInID: stand.AccountID, From: week.Until, Until: week.From},
	} {
		if _, err := db.RecordAbsence(ctx, away, a); counselling.ErrorCode(err) != counselling.EInvalid {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM absences`); n != 0 {
		t.Fatalf("%d absences stored from bad input", n)
	}
	absenceID, err := db.RecordAbsence(ctx, away, week)
	if err != nil {
		t.Fatal(err)
	}

	standIn := func() counselling.Caller {
		absences, err := db.StandInAbsences(ctx, stand.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		c := stand
		c.StandsInFor = counselling.StandingInFor(stand.AccountID, absences, db.Clock.Now())
		return c
	}
	// Before the absence.
	if _, err := db.Thread(ctx, standIn(), id); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("before the absence the stand-in reads the thread: %v", err)
	}
	if a, _ := db.CurrentAbsence(ctx, away.AccountID); a != nil {
		t.Fatalf("the counsellor is away before the absence: %+v", a)
	}
	// During it.
	db.Clock.Advance(24 * time.Hour)
	if _, err := db.Thread(ctx, standIn(), id); err != nil {
		t.Fatalf("during the absence the stand-in cannot read the thread: %v", err)
	}
	in, err := db.Inbox(ctx, standIn(), "", "")
	if err != nil || len(in.Own) != 1 || in.Own[0].ID != id {
		t.Fatalf("the stand-in's inbox lists %+v (%v), want the absent counsellor's thread", in, err)
	}
	if err := db.Reply(ctx, standIn(), id, "A colleague answers while your counsellor is away.", false); err != nil {
		t.Fatalf("the stand-in cannot answer: %v", err)
	}
	if err := db.SetClosed(ctx, standIn(), id, true); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("the stand-in closed the thread: %v", err)
	}
	if _, err := db.Thread(ctx, bystander, id); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("a colleague who is no stand-in reads the thread: %v", err)
	}
	a, err := db.CurrentAbsence(ctx, away.AccountID)
	if err != nil || a == nil || !a.Until.Equal(week.Until) {
		t.Fatalf("current absence %+v (%v), want until %s", a, err, week.Until)
	}
	th, err := db.Thread(ctx, seeker, id)
	if err != nil {
		t.Fatal(err)
	}
	if th.CounsellorID != away.AccountID || len(th.Messages) != 2 {
		t.Fatalf("the thread is held by %q with %d messages; want the absent counsellor's, with the stand-in's answer", th.CounsellorID, len(th.Messages))
	}
	// After it.
	db.Clock.Advance(7 * 24 * time.Hour)
	if _, err := db.Thread(ctx, standIn(), id); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("after the absence the stand-in still reads the thread: %v", err)
	}
	if err := db.Reply(ctx, standIn(), id, "too late", false); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("after the absence the stand-in still answers: %v", err)
	}
	if _, err := db.Thread(ctx, away, id); err != nil {
		t.Fatalf("the counsellor back from absence cannot read their thread: %v", err)
	}
	if err := db.EndAbsence(ctx, away, absenceID); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("ending an absence that is over: %v", err)
	}
}

// enrolAll marks every member of staff as enrolled, as accepting the invite
// would.
func enrolAll(t *testing.T, db *storetest.DB) {
	t.Helper()
	if _, err := db.Raw(t).Exec(`UPDATE accounts SET password_hash = 'x', totp_secret = ? WHERE kind = 'staff'`, []byte{0}); err != nil {
		t.Fatal(err)
	}
}
