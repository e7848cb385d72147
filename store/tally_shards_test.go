package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store"
	"confidant/store/storetest"
)

// A tally spread over shard rows counts in the year report as their sum; on
// PostgreSQL two messages' serializable transactions that add to the same
// month's tally at once both commit when they land on different shards,
// where on one row the second lost and had to be retried.
func TestTallyShardsSumAndDoNotRace(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	admin := staffCaller(t, db, office.ID, counselling.RoleAdmin, "Shard Admin")
	for shard, n := range map[int]int{0: 2, 5: 3, 31: -1} {
		if err := db.AddTally(ctx, office.ID, 2031, shard, counselling.DimChannel, "mail", n); err != nil {
			t.Fatal(err)
		}
	}
	f, err := db.YearFacts(ctx, admin, 2031)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Tallies[counselling.DimChannel]["mail"]; got != 4 {
		t.Fatalf("mail contacts in the report %d, want 4 (2 + 3 - 1 over three shards)", got)
	}
	if !db.Postgres() {
		return
	}

	// Two fresh shard rows, then the same two rows again, then one row.
	for _, shards := range [][2]int{{1, 2}, {1, 2}} {
		errA, errB := db.RaceTallies(ctx, office.ID, 2031, shards[0], shards[1])
		if errA != nil || errB != nil {
			t.Fatalf("concurrent tallies on shards %v: %v, %v; want both committed", shards, errA, errB)
		}
	}
	errA, errB := db.RaceTallies(ctx, office.ID, 2031, 3, 3)
	if errA != nil || !store.IsRaced(errB) {
		t.Fatalf("concurrent tallies on one row: %v, %v; want the second to lose the race", errA, errB)
	}
	if f, err = db.YearFacts(ctx, admin, 2031); err != nil {
		t.Fatal(err)
	}
	if f.SeekerMessages != 5 {
		t.Fatalf("seeker messages in the report %d, want the 5 that committed", f.SeekerMessages)
	}
}
