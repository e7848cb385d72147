package live_test

import (
	"testing"
	"time"

	"confidant/counselling/live"
)

// A burst of frames from other nodes, more than a subscriber's buffer holds,
// reaches a subscriber that keeps reading, in order; one that stopped
// reading is dropped instead of holding the burst up for long.
func TestDeliverWaitsForASubscriberThatKeepsUp(t *testing.T) {
	h := live.NewLocalHub()
	reader := h.Subscribe("chat:a", nil)
	defer reader.Close()
	stuck := h.Subscribe("chat:a", nil)
	defer stuck.Close()
	got := make(chan int64, 100)
	go func() {
		for f := range reader.C {
			time.Sleep(time.Millisecond)
			got <- f.Seq
		}
	}()
	start := time.Now()
	const burst = 4 * live.SubscriberBuffer
	for i := int64(1); i <= burst; i++ {
		h.Deliver("chat:a", live.Frame{Type: live.TypeMessage, Seq: i}, 100*time.Millisecond)
	}
	for i := int64(1); i <= burst; i++ {
		select {
		case seq := <-got:
			if seq != i {
				t.Fatalf("frame %d arrived as number %d", seq, i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("frame %d of the burst did not arrive", i)
		}
	}
	select {
	case <-reader.Dropped:
		t.Fatal("a subscriber that kept reading was dropped")
	default:
	}
	select {
	case <-stuck.Dropped:
	default:
		t.Fatal("a subscriber that stopped reading was not dropped")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the burst took %v: the stuck subscriber held it up", d)
	}
}
