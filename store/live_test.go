package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confidant/counselling/live/livetest"
	"confidant/store"
	"confidant/store/storetest"
)

// Two nodes on one database count each other's connections, until one of
// them stops beating: then its connections no longer count, as after a
// crash of that node.
func TestLiveStateCountsConnectionsOfLiveNodes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	a, b := db.LiveState("node-a"), db.LiveState("node-b")
	for _, join := range []*store.LiveState{a, a, b} {
		if err := join.Join(ctx, "holder/chat/counsellor"); err != nil {
			t.Fatal(err)
		}
	}
	for name, s := range map[string]*store.LiveState{"a": a, "b": b} {
		if n, err := s.Count(ctx, "holder/chat/counsellor"); err != nil || n != 3 {
			t.Fatalf("node %s counts %d connections (%v), want 3", name, n, err)
		}
	}
	if err := a.Leave(ctx, "holder/chat/counsellor"); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.Count(ctx, "holder/chat/counsellor"); n != 2 {
		t.Fatalf("after one left, %d connections count, want 2", n)
	}
	if n, _ := b.Count(ctx, "holder/other/counsellor"); n != 0 {
		t.Fatalf("a key nobody joined counts %d", n)
	}
	// Node a dies; node b beats on.
	db.Clock.Advance(store.NodeGone / 2)
	if err := b.Beat(ctx); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(store.NodeGone/2 + time.Second)
	if err := b.Beat(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.Count(ctx, "holder/chat/counsellor"); n != 1 {
		t.Fatalf("after node a stopped beating, %d connections count, want node b's 1", n)
	}
}

// The shared live state keeps, across nodes, the promises the live pages
// rely on; and it keeps on the disk nothing of a value in the clear.
func TestLiveStateKeepsItsPromisesAcrossNodes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	livetest.Shared(t, db.LiveState("node-a"), db.LiveState("node-b"), db.Clock.Advance)
	ctx := context.Background()
	ring := []byte(`{"sn":"Whispering Willow","cn":"Eva Berger"}`)
	if err := db.LiveState("node-a").Put(ctx, "ring/r2", ring, time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		raw, _ := os.ReadFile(filepath.Join(db.Dir, store.FileName+suffix))
		for _, secret := range []string{"Whispering Willow", "Eva Berger"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%q is readable in the database file%s", secret, suffix)
			}
		}
	}
}

// The login limiter's bucket holds across nodes: the attempts of one client
// on any node spend from one bucket, which refills at its rate; every node
// hashes clients with the same key of the day.
func TestGuessesAreCountedOnceForAllNodes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	client := [32]byte{7}
	const perSecond, burst = 3.0 / 60, 3.0
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for range 8 {
		wg.Go(func() {
			if _, ok, err := db.SpendGuess(ctx, client, db.Clock.Now(), perSecond, burst); err == nil && ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if allowed.Load() != 3 {
		t.Fatalf("%d of 8 attempts at once were let through, want the burst of 3", allowed.Load())
	}
	wait, ok, err := db.SpendGuess(ctx, client, db.Clock.Now(), perSecond, burst)
	if err != nil || ok || wait < 19*time.Second || wait > 21*time.Second {
		t.Fatalf("the next attempt: ok %v, wait %v (%v); want refused for about 20 s", ok, wait, err)
	}
	if _, ok, _ := db.SpendGuess(ctx, [32]byte{8}, db.Clock.Now(), perSecond, burst); !ok {
		t.Fatal("another client was refused")
	}
	db.Clock.Advance(20 * time.Second)
	if _, ok, _ := db.SpendGuess(ctx, client, db.Clock.Now(), perSecond, burst); !ok {
		t.Fatal("after 20 s the bucket did not give one more attempt")
	}
	if _, ok, _ := db.SpendGuess(ctx, client, db.Clock.Now(), perSecond, burst); ok {
		t.Fatal("the refilled bucket gave two attempts")
	}

	day := db.Clock.Now().Unix() / 86400
	k1, err := db.GuessKey(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := db.GuessKey(ctx, day)
	next, _ := db.GuessKey(ctx, day+1)
	if !bytes.Equal(k1, k2) || len(k1) != 32 || bytes.Equal(k1, next) {
		t.Fatalf("the day's key is not one key per day: %x %x %x", k1, k2, next)
	}
	if err := db.ForgetGuesses(ctx, db.Clock.Now().Add(time.Minute), day+1); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.GuessKey(ctx, day); bytes.Equal(again, k1) {
		t.Error("yesterday's key could be had again after it was forgotten")
	}
	if _, ok, _ := db.SpendGuess(ctx, client, db.Clock.Now(), perSecond, burst); !ok {
		t.Error("a forgotten bucket still refuses")
	}
}

// A counsellor whose live tab was on a node that died is not offered for
// longer than the grace after that node's connections stopped counting,
// though nothing on that node closed the tab.
func TestAvailabilityOfACounsellorOnADeadNodeEnds(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	a, b := db.LiveState("node-a"), db.LiveState("node-b")
	advance := func(d time.Duration) {
		db.Clock.Advance(d)
		if err := b.Beat(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Node a dies: node b beats on until node a's connections no longer
	// count.
	die := func() { advance(store.NodeGone / 2); advance(store.NodeGone/2 + time.Second) }
	livetest.Availability(t, a, b, db.Clock, advance, die)
}
