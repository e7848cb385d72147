package passwd_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling/passwd"
)

func TestHashAndVerify(t *testing.T) {
	h := passwd.New(passwd.DefaultParams, 0, time.Second)
	ctx := context.Background()
	hash, err := h.Hash(ctx, "a long calm sentence")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not record argon2id with m=19 MiB, t=2, p=1", hash)
	}
	if strings.Contains(hash, "calm") {
		t.Fatal("hash contains the password")
	}
	other, _ := h.Hash(ctx, "a long calm sentence")
	if other == hash {
		t.Fatal("two hashes of one password are equal: salts repeat")
	}
	if ok, err := h.Verify(ctx, hash, "a long calm sentence"); !ok || err != nil {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, _ := h.Verify(ctx, hash, "a long calm sentencE"); ok {
		t.Fatal("wrong password accepted")
	}
	if ok, _ := h.Verify(ctx, "", "anything at all"); ok {
		t.Fatal("empty hash (unknown account) accepted a password")
	}
}

func TestBusyHasherTurnsCallersAwayQuickly(t *testing.T) {
	h := passwd.New(passwd.Params{Memory: 64 * 1024, Time: 4, Threads: 1, SaltLen: 16, KeyLen: 32}, 1, 10*time.Millisecond)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	busy := 0
	for range 8 {
		wg.Go(func() {
			if _, err := h.Hash(ctx, "a long calm sentence"); errors.Is(err, passwd.ErrBusy) {
				mu.Lock()
				busy++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if busy == 0 {
		t.Fatal("with one slot and eight callers, none was turned away")
	}
}

// The line of callers waiting for a slot holds those the slots can serve
// within the wait, rounded up, and never fewer than the slots.
func TestLineHoldsWhomTheSlotsServeWithinTheWait(t *testing.T) {
	for _, c := range []struct {
		slots         int
		wait, perHash time.Duration
		want          int
	}{
		{1, 3 * time.Second, 20 * time.Millisecond, 150},
		{1, 3 * time.Second, 21 * time.Millisecond, 143},
		{3, 3 * time.Second, 20 * time.Millisecond, 450},
		{1, 10 * time.Millisecond, time.Second, 1},
		{4, 10 * time.Millisecond, time.Second, 4},
		{1, time.Second, 0, 1000},
	} {
		if got := passwd.Line(c.slots, c.wait, c.perHash); got != c.want {
			t.Errorf("Line(%d, %v, %v) = %d, want %d", c.slots, c.wait, c.perHash, got, c.want)
		}
	}
}

// In a flood, the callers beyond the line are told "busy" at once instead of
// waiting the whole wait for the same answer.
func TestCallersBeyondTheLineAreToldBusyAtOnce(t *testing.T) {
	const wait = 3 * time.Second
	h := passwd.New(passwd.Params{Memory: 32 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, 1, wait)
	beyond := 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	quick := 0
	for range 1 + h.WaitingLine() + beyond {
		wg.Go(func() {
			start := time.Now()
			_, err := h.Hash(context.Background(), "a long calm sentence")
			if errors.Is(err, passwd.ErrBusy) && time.Since(start) < wait/2 {
				mu.Lock()
				quick++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if quick < beyond {
		t.Fatalf("%d callers beyond a line of %d were told busy before half the wait, want at least %d", quick, h.WaitingLine(), beyond)
	}
}

// A slot that hashes without pause rests between hashes, so that it spends
// no more than its share of the time hashing.
func TestRestKeepsHashingToItsShare(t *testing.T) {
	for _, c := range []struct {
		took  time.Duration
		share float64
		want  time.Duration
	}{
		{20 * time.Millisecond, 0.5, 20 * time.Millisecond},
		{20 * time.Millisecond, 0.25, 60 * time.Millisecond},
		{20 * time.Millisecond, 0.8, 5 * time.Millisecond},
		{20 * time.Millisecond, 1, 0},
		{20 * time.Millisecond, 0, 0},
		{0, 0.5, 0},
	} {
		if got := passwd.Rest(c.took, c.share); got != c.want {
			t.Errorf("Rest(%v, %v) = %v, want %v", c.took, c.share, got, c.want)
		}
	}
}

// Right after a hash its slot rests: a caller who cannot wait for it is
// told busy, while the caller of the hash had its answer without waiting
// for the rest; after the rest the slot serves again. A slot with the whole
// of its time serves the next caller at once.
func TestSlotRestsAfterAHash(t *testing.T) {
	params := passwd.Params{Memory: 32 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	ctx := context.Background()

	whole := passwd.NewShared(params, 1, 1, 2*time.Millisecond)
	hash, err := whole.Hash(ctx, "a long calm sentence")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := whole.Verify(ctx, hash, "a long calm sentence"); !ok || err != nil {
		t.Fatalf("a slot with all of its time did not serve the next caller at once: %v %v", ok, err)
	}

	// A tenth: the slot rests nine times as long as it hashed.
	tenth := passwd.NewShared(params, 1, 0.1, 2*time.Millisecond)
	start := time.Now()
	hash, err = tenth.Hash(ctx, "a long calm sentence")
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenth.Verify(ctx, hash, "a long calm sentence"); !errors.Is(err, passwd.ErrBusy) {
		t.Fatalf("right after a hash, a caller who cannot wait got %v, want busy: the slot did not rest", err)
	}
	for range 40 {
		time.Sleep(took)
		if ok, err := tenth.Verify(ctx, hash, "a long calm sentence"); err == nil {
			if !ok {
				t.Fatal("right password refused after the rest")
			}
			return
		}
	}
	t.Fatalf("the slot did not serve again within 40 times a hash's time (%v) after it rested", took)
}

// A login flood may take every core but one, and always gets one.
func TestDefaultSlotsLeaveOneCoreToOtherPages(t *testing.T) {
	for _, c := range []struct{ procs, want int }{{1, 1}, {2, 1}, {4, 3}, {16, 15}} {
		if got := passwd.DefaultSlots(c.procs); got != c.want {
			t.Errorf("DefaultSlots(%d) = %d, want %d", c.procs, got, c.want)
		}
	}
}

// BenchmarkHash is one registration's password work.
func BenchmarkHash(b *testing.B) {
	h := passwd.New(passwd.DefaultParams, 0, time.Minute)
	b.SetParallelism(1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(context.Background(), "a long calm sentence"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
	b.ReportMetric(float64(passwd.DefaultSlots(runtime.GOMAXPROCS(0))), "slots")
}
