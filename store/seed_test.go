package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store"
	"confidant/store/storetest"
)

// A seeded office holds its threads as a real one does: the newest few wait
// in the queue, the next are in progress with a counsellor, the rest are
// closed, and the counsellors, the office's own and synthetic ones, take
// turns; nobody can log in as a synthetic counsellor.
func TestSeedHoldsThreadsTheWayAnOfficeDoes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateStaff(ctx, counselling.NewStaff{OfficeID: office.ID, Role: counselling.RoleCounsellor, Name: "Real Counsellor"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Seed(ctx, store.SeedOptions{OfficeID: office.ID, Seekers: 10, Threads: 1000, SyntheticCounsellors: 3}); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string]int{"open": 10, "assigned": 90, "closed": 900} {
		if n := db.Count(t, `SELECT count(*) FROM threads WHERE status = ?`, status); n != want {
			t.Errorf("%d threads %s, want %d", n, status, want)
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM threads WHERE (status = 'open') != (counsellor_id IS NULL)`); n != 0 {
		t.Errorf("%d threads held though open, or open though held", n)
	}
	// The open ones are the newest.
	if n := db.Count(t, `SELECT count(*) FROM threads WHERE status = 'open' AND created_at <
		(SELECT max(created_at) FROM threads WHERE status <> 'open')`); n != 0 {
		t.Errorf("%d open threads older than a held one", n)
	}
	// The four counsellors of the office, its own among them, share the 990
	// held threads evenly.
	if n := db.Count(t, `SELECT count(*) FROM accounts WHERE kind = 'staff' AND role = 'counsellor'
		AND id IN (SELECT counsellor_id FROM threads)`); n != 4 {
		t.Errorf("threads held by %d of the office's counsellors, want all 4", n)
	}
	if n := db.Count(t, `SELECT count(*) FROM (SELECT counsellor_id, count(*) AS n FROM threads WHERE counsellor_id IS NOT NULL
		GROUP BY counsellor_id) AS held WHERE n NOT BETWEEN 247 AND 248`); n != 0 {
		t.Errorf("%d counsellors hold more or fewer than their share of 247 or 248 threads", n)
	}
	if n := db.Count(t, `SELECT count(*) FROM accounts WHERE kind = 'staff' AND role = 'counsellor' AND password_hash <> ''`); n != 0 {
		t.Errorf("%d seeded counsellors have a password", n)
	}
}
