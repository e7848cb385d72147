package store_test

import (
	"context"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

// TestThreadsCarryTheirDueTime: an enquiry is due under the office's promise
// (two working days in Berlin by default), is counted overdue once that has
// passed, and the due time ends with an answer and starts again with the
// help-seeker's next message. The test clock starts on Monday 2 March 2026,
// 10:00 UTC.
func TestThreadsCarryTheirDueTime(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	seeker := counselling.Caller{AccountID: register(t, db, "Waiting Seeker", "wait@example.org"), Kind: counselling.KindSeeker, OfficeID: office.ID}
	quiet := counselling.Caller{AccountID: register(t, db, "Quiet Seeker", ""), Kind: counselling.KindSeeker, OfficeID: office.ID}
	counsellor := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Due Counsellor")
	id, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Body: "hello"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateThread(ctx, quiet, counselling.Enquiry{Theme: "family", Body: "hello too"}, false); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	want := time.Date(2026, 3, 4, 17, 0, 0, 0, berlin)
	th, err := db.Thread(ctx, seeker, id)
	if err != nil {
		t.Fatal(err)
	}
	if !th.DueAt.Equal(want) {
		t.Fatalf("due %s, want Wednesday's closing time %s", th.DueAt, want)
	}
	in, err := db.Inbox(ctx, counsellor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Queue) != 2 || !in.Queue[0].DueAt.Equal(want) {
		t.Fatalf("the queue shows %+v, want both enquiries due %s", in.Queue, want)
	}
	if o, _ := db.OverdueCounts(ctx, office.ID); o.Total() != 0 {
		t.Fatalf("overdue before the due time: %+v", o)
	}
	if n, err := db.QueueDelayNotices(ctx); err != nil || n != 0 {
		t.Fatalf("delay notices before the due time: %d, %v", n, err)
	}

	if err := db.Take(ctx, counsellor, id); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(55 * time.Hour) // Wednesday 17:00 UTC, 18:00 in Berlin
	if o, err := db.OverdueCounts(ctx, office.ID); err != nil || o.Queued != 1 || o.InProgress != 1 {
		t.Fatalf("overdue counts %+v (%v), want one queued and one in progress", o, err)
	}
	before := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'delayed'`)
	if n, err := db.QueueDelayNotices(ctx); err != nil || n != 2 {
		t.Fatalf("late threads noticed: %d, %v; want 2", n, err)
	}
	if got := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'delayed'`) - before; got != 1 {
		t.Fatalf("%d delay mails queued, want one: only the help-seeker who gave an address is mailed", got)
	}
	if n, _ := db.QueueDelayNotices(ctx); n != 0 {
		t.Fatalf("a late thread was noticed twice: %d", n)
	}

	// A second message while the first waits does not move the due time.
	if err := db.Reply(ctx, seeker, id, "still there?", false); err != nil {
		t.Fatal(err)
	}
	if th, _ = db.Thread(ctx, seeker, id); !th.DueAt.Equal(want) {
		t.Fatalf("a second message moved the due time to %s", th.DueAt)
	}
	if err := db.Reply(ctx, counsellor, id, "here is an answer", false); err != nil {
		t.Fatal(err)
	}
	if th, _ = db.Thread(ctx, seeker, id); !th.DueAt.IsZero() {
		t.Fatalf("an answered thread is still due at %s", th.DueAt)
	}
	if o, _ := db.OverdueCounts(ctx, office.ID); o.InProgress != 0 {
		t.Fatalf("an answered thread is counted overdue: %+v", o)
	}
	// The help-seeker writes on Wednesday evening: due on Friday's closing.
	if err := db.Reply(ctx, seeker, id, "thank you, one more question", false); err != nil {
		t.Fatal(err)
	}
	if th, _ = db.Thread(ctx, seeker, id); !th.DueAt.Equal(time.Date(2026, 3, 6, 17, 0, 0, 0, berlin)) {
		t.Fatalf("the next message is due %s, want Friday 17:00 in Berlin", th.DueAt)
	}
	if err := db.SetClosed(ctx, counsellor, id, true); err != nil {
		t.Fatal(err)
	}
	if th, _ = db.Thread(ctx, seeker, id); !th.DueAt.IsZero() {
		t.Fatalf("a closed thread is still due at %s", th.DueAt)
	}
}
