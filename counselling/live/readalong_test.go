package live_test

import (
	"testing"

	"confidant/counselling/live"
)

func TestForward(t *testing.T) {
	for _, tc := range []struct {
		name string
		side string
		typ  string
		want bool
	}{
		{"the counsellor hears that a supervisor reads along", live.FromCounsellor, live.TypeReading, true},
		{"and so does the help-seeker", live.FromSeeker, live.TypeReading, true},
		{"nor the supervisor", live.FromReader, live.TypeReading, false},
		{"the supervisor gets messages", live.FromReader, live.TypeMessage, true},
		{"the supervisor gets the chat's state", live.FromReader, live.TypeState, true},
		{"the supervisor gets no call offer", live.FromReader, live.TypeCallOffer, false},
		{"the supervisor gets no call descriptions", live.FromReader, live.TypeCallSDP, false},
		{"the supervisor gets no candidates", live.FromReader, live.TypeCallICE, false},
		{"the supervisor gets no typing", live.FromReader, live.TypeTyping, false},
		{"the help-seeker gets call signalling", live.FromSeeker, live.TypeCallSDP, true},
		{"the counsellor gets messages", live.FromCounsellor, live.TypeMessage, true},
	} {
		if got := live.Forward(tc.side, live.Frame{Type: tc.typ}); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
