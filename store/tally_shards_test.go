package store_test

import (
	"context"
	"strings"
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

// Two counsellors answering two help-seekers at the same moment both have
// their replies kept and counted at once: on PostgreSQL neither transaction
// loses a race to the other and has to be tried again, also in long
// conversations and once the database holds statistics of a small office.
// (Planned with those statistics, reading a thread's last message number
// read every message of the thread, and counting a reply scanned the whole
// small table of facts: each transaction then held read locks where the
// other wrote, and under load replies failed after every retry.)
func TestRepliesToDifferentThreadsDoNotRace(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	var threads []string
	var counsellors []counselling.Caller
	var admin counselling.Caller
	for i, name := range []string{"Anna", "Bert", "Cleo", "Dara", "Emil", "Fenna"} {
		seeker := seekerCaller(t, db, "Writer "+name, "")
		c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor "+name)
		threads = append(threads, inContact(t, db, seeker, c, "family"))
		counsellors = append(counsellors, c)
		if i == 0 {
			admin = staffCaller(t, db, seeker.OfficeID, counselling.RoleAdmin, "Statistics Admin")
		}
	}
	// An office of many short conversations when the database gathered its
	// statistics; then six of them grew long, their messages side by side in
	// the table.
	if err := db.Seed(ctx, store.SeedOptions{OfficeID: admin.OfficeID, Seekers: 50, Threads: 2000}); err != nil {
		t.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	letter := strings.Repeat("I am still here with you. ", 40)
	for range 40 {
		for i, id := range threads {
			if err := db.Reply(ctx, counsellors[i], id, letter, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	staffMessages := func() int {
		rows, err := db.FactRows(ctx, admin, db.Clock.Now().Year())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rows {
			n += r.StaffMessages
		}
		return n
	}
	before := staffMessages()
	for _, pair := range [][2]int{{0, 1}, {2, 3}, {4, 5}} {
		a, b := pair[0], pair[1]
		errA, errB := db.RaceReplies(ctx, counsellors[a], counsellors[b], threads[a], threads[b])
		if errA != nil || errB != nil {
			t.Fatalf("two replies at once in different conversations: %v, %v; want both kept", errA, errB)
		}
	}
	if got := staffMessages() - before; got != 6 {
		t.Fatalf("counsellor messages in the research export grew by %d, want the 6 written", got)
	}
	for i, id := range threads {
		th, err := db.Thread(ctx, counsellors[i], id)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(th.Messages); n != 42 {
			t.Errorf("conversation %d holds %d messages, want 42 (the enquiry, 40 replies and the one at the same moment)", i, n)
		}
	}
}
