package live_test

import (
	"context"
	"testing"
	"time"

	"confidant/counselling/live"
	"confidant/counselling/live/livetest"
)

func TestMemorySharedKeepsItsPromises(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := live.NewMemoryShared(c)
	livetest.Shared(t, s, s, c.Advance)
}

// On one node the rule of tabs that vanish is the same as on several: the
// tab is taken away as a dead node's would be, without closing.
func TestAvailabilityEndsWhenATabVanishes(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := live.NewMemoryShared(c)
	livetest.Availability(t, s, s, c, c.Advance, func() { s.Leave(context.Background(), "tab/c1") })
}
