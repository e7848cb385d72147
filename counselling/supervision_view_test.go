package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestSeesSupervisionItem(t *testing.T) {
	rows := []struct {
		name         string
		c            counselling.Caller
		counsellorID string
		want         bool
	}{
		{"the counsellor it is about", counsellor, counsellor.AccountID, true},
		{"a colleague who holds the conversation now", counsellor, "someone else", false},
		{"a supervisor", supervisor, counsellor.AccountID, true},
		{"a sampled item about nobody, to a counsellor", counsellor, "", false},
		{"a caller without an account", counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleCounsellor}, "", false},
		{"a help-seeker", seeker, counsellor.AccountID, false},
	}
	for _, r := range rows {
		if got := counselling.SeesSupervisionItem(r.c, r.counsellorID); got != r.want {
			t.Errorf("%s: %v, want %v", r.name, got, r.want)
		}
	}
}
