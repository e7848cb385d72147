// Package livetest checks that an implementation of live.Shared keeps the
// promises the live pages rely on, whichever node asks: the in-memory one of
// a single node and the database's of several run the same checks.
package livetest

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
)

// Shared runs the checks on two nodes' views a and b of one shared state
// (the same value for an implementation of one node); advance moves the
// clock that both read.
func Shared(t *testing.T, a, b live.Shared, advance func(time.Duration)) {
	t.Helper()
	ctx := context.Background()

	// Connections count on every node until they leave.
	for _, s := range []live.Shared{a, a, b} {
		if err := s.Join(ctx, "holder/chat/counsellor"); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []live.Shared{a, b} {
		if n, err := s.Count(ctx, "holder/chat/counsellor"); err != nil || n != 3 {
			t.Fatalf("%d open connections counted (%v), want 3", n, err)
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

	// A value put on one node is read on the other, until its time is up;
	// a value without a time stays.
	ring := []byte(`{"sn":"Whispering Willow","cn":"Eva Berger"}`)
	if err := a.Put(ctx, "ring/r1", ring, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "call/c1", []byte{1}, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(ctx, "ring/r1"); err != nil || !bytes.Equal(got, ring) {
		t.Fatalf("the other node reads %q (%v), want what was put", got, err)
	}
	if got, _ := b.Get(ctx, "ring/none"); got != nil {
		t.Fatalf("a key never put reads %q", got)
	}
	all, err := b.Scan(ctx, "ring/")
	if err != nil || len(all) != 1 || !bytes.Equal(all["ring/r1"], ring) {
		t.Fatalf("scanning rings finds %q (%v), want the one ring", all, err)
	}
	advance(2*time.Minute + time.Second)
	if got, _ := b.Get(ctx, "ring/r1"); got != nil {
		t.Errorf("a ring is still there after its time: %q", got)
	}
	if all, _ := b.Scan(ctx, "ring/"); len(all) != 0 {
		t.Errorf("a scan finds rings after their time: %q", all)
	}
	if got, _ := b.Get(ctx, "call/c1"); got == nil {
		t.Error("a value without a time went")
	}
	if err := b.Delete(ctx, "call/c1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Get(ctx, "call/c1"); got != nil {
		t.Error("a deleted value is still there")
	}

	// Of many nodes taking one value at once, exactly one gets it.
	if err := a.Put(ctx, "confirm/s1", []byte("/inbox\nsent"), time.Minute); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var takers atomic.Int32
	for i := range 10 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			if v, err := s.Take(ctx, "confirm/s1"); err == nil && bytes.Equal(v, []byte("/inbox\nsent")) {
				takers.Add(1)
			}
		})
	}
	wg.Wait()
	if takers.Load() != 1 {
		t.Errorf("%d of 10 took the same value, want exactly 1", takers.Load())
	}

	// Changes made at once on both nodes each build on the other's.
	for i := range 20 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			err := s.Update(ctx, "group/g1", time.Minute, func(old []byte) ([]byte, error) {
				return append(old, 'x'), nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got, _ := a.Get(ctx, "group/g1"); len(got) != 20 {
		t.Errorf("20 changes at once left %q, want every one of them", got)
	}
	if err := b.Update(ctx, "group/g1", 0, func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Get(ctx, "group/g1"); got != nil {
		t.Errorf("a value changed to nothing is still there: %q", got)
	}
}

// Availability checks that a counsellor whose live tab was on a node that
// died is no longer offered once the tab has been gone the grace: a on the
// node that dies, b on one that lives on; die stops node a without closing
// its tabs (its connections stop counting), and advance moves the clock that
// both read while node b lives on.
func Availability(t *testing.T, a, b live.Shared, clock counselling.Clock, advance func(time.Duration), die func()) {
	t.Helper()
	onA, onB := live.NewAvailability(clock, a), live.NewAvailability(clock, b)
	onA.TabOpened("c1")
	onA.Set(1, "c1", true, counselling.AllThemes)
	if !onB.IsAvailable("c1") || !onB.AnyoneIn(1) {
		t.Fatal("a counsellor available on one node is not available on the other")
	}
	die()
	// Nobody asks; the node that lives on looks round and notices.
	if off := onB.Notice(); len(off) != 0 {
		t.Fatalf("the counsellor was switched off as soon as their tab's node died: %v", off)
	}
	advance(counselling.AvailabilityTabGrace - time.Second)
	// What they do elsewhere (a chat) is activity, but no live tab.
	onB.Touch("c1")
	if !onB.IsAvailable("c1") {
		t.Fatal("switched off before the tab had been gone the grace")
	}
	advance(time.Second)
	if off := onB.Notice(); len(off) != 1 || off[0] != 1 {
		t.Fatalf("looking round switched off the offices %v, want the counsellor's office 1", off)
	}
	if onB.IsAvailable("c1") || onB.AnyoneIn(1) || len(onB.Themes(1)) != 0 {
		t.Fatal("a counsellor whose tab vanished with its node is still offered a grace later")
	}
}
