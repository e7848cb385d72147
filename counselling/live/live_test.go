package live_test

import (
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestAvailabilitySwitchesOffWhenTheLastTabHasBeenGoneAMinute(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	a := live.NewAvailability(c, nil)
	a.TabOpened("c1")
	a.TabOpened("c1")
	a.Set(1, "c1", true, counselling.AllThemes)
	if !a.AnyoneIn(1) || a.AnyoneIn(2) {
		t.Fatal("availability is not per office")
	}
	a.TabClosed("c1")
	c.Advance(2 * time.Minute)
	if !a.IsAvailable("c1") {
		t.Fatal("switched off while a second tab was still open")
	}
	a.TabClosed("c1")
	c.Advance(59 * time.Second)
	if !a.IsAvailable("c1") {
		t.Fatal("switched off before the last tab had been gone a minute")
	}
	c.Advance(time.Second)
	if a.IsAvailable("c1") || a.AnyoneIn(1) {
		t.Fatal("still available a minute after the last tab went")
	}
	a.TabOpened("c1")
	if a.IsAvailable("c1") {
		t.Fatal("a tab opening again switched availability back on by itself")
	}
}

func TestAvailabilitySwitchesOffAfterFifteenIdleMinutes(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	a := live.NewAvailability(c, nil)
	a.TabOpened("c1")
	a.Set(1, "c1", true, counselling.AllThemes)
	c.Advance(10 * time.Minute)
	a.Touch("c1")
	c.Advance(14 * time.Minute)
	if !a.IsAvailable("c1") {
		t.Fatal("activity did not keep the counsellor available")
	}
	c.Advance(time.Minute)
	if a.IsAvailable("c1") {
		t.Fatal("still available after 15 idle minutes")
	}
	a.Set(1, "c1", true, counselling.AllThemes)
	a.Set(1, "c1", false, counselling.AllThemes)
	if a.IsAvailable("c1") {
		t.Fatal("I'm away did not switch off")
	}
}

func TestAvailabilityKeepsTheThemesOfThoseAvailable(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	a := live.NewAvailability(c, nil)
	family := counselling.CounselledThemes{IDs: []int64{1}}
	a.TabOpened("c1")
	a.Set(1, "c1", true, family)
	a.Set(2, "c2", true, counselling.AllThemes)
	if got := a.Themes(1); len(got) != 1 || !got[0].Covers(1) || got[0].Covers(2) {
		t.Fatalf("office 1's available themes: %v", got)
	}
	a.SetThemes("c1", counselling.CounselledThemes{IDs: []int64{2}})
	if got := a.Themes(1); len(got) != 1 || got[0].Covers(1) || !got[0].Covers(2) {
		t.Fatalf("a new choice of themes did not reach the availability: %v", got)
	}
	a.Set(1, "c1", false, counselling.AllThemes)
	a.SetThemes("c1", family)
	if got := a.Themes(1); len(got) != 0 {
		t.Fatalf("choosing themes while away made the counsellor available: %v", got)
	}
}

func TestHubDropsASlowSubscriberAndServesTheOthers(t *testing.T) {
	h := live.NewLocalHub()
	slow := h.Subscribe("chat:x", nil)
	fast := h.Subscribe("chat:x", nil)
	other := h.Subscribe("chat:y", nil)
	defer fast.Close()
	defer other.Close()
	for i := range live.SubscriberBuffer + 1 {
		h.Publish("chat:x", live.Frame{Type: live.TypeMessage, Seq: int64(i + 1)})
		<-fast.C
	}
	select {
	case <-slow.Dropped:
	default:
		t.Fatal("a subscriber with a full buffer was not dropped")
	}
	if len(slow.C) != live.SubscriberBuffer {
		t.Fatalf("the slow subscriber holds %d frames, want its buffer of %d", len(slow.C), live.SubscriberBuffer)
	}
	if len(other.C) != 0 {
		t.Fatal("a frame reached another topic")
	}
	slow.Close()
}
