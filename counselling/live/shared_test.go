package live_test

import (
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
