package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
	"confidant/store"
	"confidant/store/storetest"
)

// nodes returns the store as the first of n nodes on its database: on
// PostgreSQL each further node is a store of its own on the same database,
// as another process would open it; SQLite has one node.
func nodes(t *testing.T, db *storetest.DB, n int) []*store.DB {
	t.Helper()
	out := []*store.DB{db.DB}
	if !db.Postgres() {
		return out
	}
	keys, err := vault.LoadOrCreate(db.Dir, true)
	if err != nil {
		t.Fatal(err)
	}
	for len(out) < n {
		other, err := store.Open(context.Background(), db.Path(), keys, store.Options{Clock: db.Clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		out = append(out, other)
	}
	return out
}

// The nightly purge and the digests are scheduled alike on every node; each
// scheduled run happens once, on whichever node takes it first.
func TestAJobRunsOncePerScheduledRunWhateverTheNodes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	var runs atomic.Int32
	job := func(context.Context) error {
		runs.Add(1)
		time.Sleep(50 * time.Millisecond)
		return nil
	}
	all := nodes(t, db, 3)
	runEverywhere := func(slot time.Time) {
		var wg sync.WaitGroup
		for _, node := range all {
			wg.Go(func() {
				if _, err := node.RunOnce(ctx, "nightly", slot, job); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	tonight := db.Clock.Now()
	runEverywhere(tonight)
	if n := runs.Load(); n != 1 {
		t.Fatalf("the job ran %d times at its first time", n)
	}
	runEverywhere(tonight)
	if n := runs.Load(); n != 1 {
		t.Fatalf("the job ran again for the same time: %d runs", n)
	}
	runEverywhere(tonight.Add(24 * time.Hour))
	if n := runs.Load(); n != 2 {
		t.Fatalf("the job ran %d times after a day, want 2", n)
	}
}

// The outbox workers of several nodes share the waiting mails: each is sent
// once, by one of them.
func TestEveryNoticeIsSentOnceWhateverTheNodes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	for i := range 12 {
		seeker := seekerCaller(t, db, fmt.Sprintf("Waiting Writer %d", i), "writer@example.org")
		if _, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Body: "Is anyone there?"}, true); err != nil {
			t.Fatal(err)
		}
	}
	waiting := db.Count(t, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`)
	if waiting < 12 {
		t.Fatalf("%d notices wait, want at least 12", waiting)
	}
	var mu sync.Mutex
	sent := map[int64]int{}
	var wg sync.WaitGroup
	for _, node := range nodes(t, db, 3) {
		wg.Go(func() {
			for {
				due, err := node.DueNotices(ctx, 3, true)
				if err != nil {
					t.Error(err)
					return
				}
				if len(due) == 0 {
					return
				}
				for _, n := range due {
					mu.Lock()
					sent[n.ID]++
					mu.Unlock()
					if err := node.NoticeSent(ctx, n.ID); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if len(sent) != waiting {
		t.Errorf("%d notices sent, want %d", len(sent), waiting)
	}
	for id, n := range sent {
		if n != 1 {
			t.Errorf("notice %d was sent %d times", id, n)
		}
	}
}

// A node that cannot give a job's lock back does not keep the job from the
// others: the next run happens, on another node.
func TestAJobRunsAgainAfterItsLockCouldNotBeGivenBack(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	all := nodes(t, db, 2)
	first, last := all[0], all[len(all)-1]
	runs := 0
	job := func(context.Context) error { runs++; return nil }
	restore := store.FailAdvisoryUnlock()
	tonight := db.Clock.Now()
	ran, err := first.RunOnce(ctx, "nightly", tonight, job)
	restore()
	if err != nil || !ran {
		t.Fatalf("the first run: %v %v", ran, err)
	}
	// The server lets a closed session's locks go as the session ends,
	// which may take a moment.
	deadline := time.Now().Add(5 * time.Second)
	for runs < 2 && time.Now().Before(deadline) {
		if _, err := last.RunOnce(ctx, "nightly", tonight.Add(24*time.Hour), job); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if runs != 2 {
		t.Fatalf("the job ran %d times, want 2: the next night's run found the lock still held", runs)
	}
}
