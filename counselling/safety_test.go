package counselling_test

import (
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

func TestRecoveryCodesAreLongRandomAndReadBack(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		code := counselling.NewRecoveryCode()
		if len(code) != 24 || strings.Count(code, "-") != 4 {
			t.Fatalf("code %q is not five groups of four", code)
		}
		n := counselling.NormalizeRecoveryCode(code)
		if n == "" || len(n) != counselling.RecoveryCodeChars {
			t.Fatalf("a fresh code %q does not read back: %q", code, n)
		}
		if seen[n] {
			t.Fatalf("code %q came twice", code)
		}
		seen[n] = true
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"7KQ2-M9XD-4HPA-W3RN-8TFC", "7KQ2M9XD4HPAW3RN8TFC"},
		{"7kq2 m9xd 4hpa w3rn 8tfc", "7KQ2M9XD4HPAW3RN8TFC"},
		{"OOOO-IIII-LLLL-0000-1111", "00001111111100001111"},
		{"7KQ2-M9XD-4HPA-W3RN-8TF", ""},   // one character short
		{"7KQ2-M9XD-4HPA-W3RN-8TFCC", ""}, // one too many
		{"7KQ2-M9XD-4HPA-W3RN-8TFU", ""},  // U is not in the alphabet
		{"", ""},
		{strings.Repeat("A", 200), ""},
	} {
		if got := counselling.NormalizeRecoveryCode(tc.in); got != tc.want {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestResetLinkUsable(t *testing.T) {
	issued := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	expires := issued.Add(counselling.ResetLinkTTL)
	for _, tc := range []struct {
		name string
		used bool
		at   time.Time
		want bool
	}{
		{"fresh", false, issued, true},
		{"a second before expiry", false, expires.Add(-time.Second), true},
		{"at expiry", false, expires, false},
		{"after expiry", false, expires.Add(time.Hour), false},
		{"used", true, issued.Add(time.Minute), false},
	} {
		if got := counselling.ResetLinkUsable(expires, tc.used, tc.at); got != tc.want {
			t.Errorf("%s: usable %v, want %v", tc.name, got, tc.want)
		}
	}
	if counselling.ResetLinkTTL != 30*time.Minute {
		t.Errorf("reset links work %v, want 30 minutes", counselling.ResetLinkTTL)
	}
}

func TestResetMailAllowed(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		last time.Time
		want bool
	}{
		{time.Time{}, true},
		{now.Add(-time.Minute), false},
		{now.Add(-counselling.ResetMailPause), true},
	} {
		if got := counselling.ResetMailAllowed(tc.last, now); got != tc.want {
			t.Errorf("last %v: allowed %v, want %v", tc.last, got, tc.want)
		}
	}
}

func TestMayStartConversation(t *testing.T) {
	for _, tc := range []struct {
		name        string
		blocked     bool
		open, limit int
		want        error
	}{
		{"free", false, 0, 3, nil},
		{"below the limit", false, 2, 3, nil},
		{"at the limit", false, 3, 3, counselling.ErrTooManyOpen},
		{"over the limit after lowering it", false, 5, 3, counselling.ErrTooManyOpen},
		{"blocked", true, 0, 3, counselling.ErrBlocked},
		{"blocked says only that, even at the limit", true, 3, 3, counselling.ErrBlocked},
		{"a chat ignores the count", false, -1, 3, nil},
		{"a chat while blocked", true, -1, 3, counselling.ErrBlocked},
	} {
		if got := counselling.MayStartConversation(tc.blocked, tc.open, tc.limit); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWhoBlocksLiftsAndDeletes(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		c                      counselling.Caller
		block, lift, deleteReq bool
	}{
		{"help-seeker", counselling.Caller{Kind: counselling.KindSeeker}, false, false, false},
		{"counsellor", counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleCounsellor}, true, false, false},
		{"supervisor", counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleSupervisor}, true, true, true},
		{"admin", counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleAdmin}, false, false, false},
	} {
		if got := counselling.MayBlock(tc.c); got != tc.block {
			t.Errorf("%s: MayBlock %v", tc.name, got)
		}
		if got := counselling.MayLiftBlock(tc.c); got != tc.lift {
			t.Errorf("%s: MayLiftBlock %v", tc.name, got)
		}
		if got := counselling.MayDeleteOnRequest(tc.c); got != tc.deleteReq {
			t.Errorf("%s: MayDeleteOnRequest %v", tc.name, got)
		}
	}
}

func TestValidateBlockReason(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  threats against staff ", "threats against staff", true},
		{"", "", false},
		{"   ", "", false},
		{strings.Repeat("x", counselling.BlockReasonMaxRunes), strings.Repeat("x", counselling.BlockReasonMaxRunes), true},
		{strings.Repeat("x", counselling.BlockReasonMaxRunes+1), "", false},
		{"bad \xff byte", "", false},
	} {
		got, err := counselling.ValidateBlockReason(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ValidateBlockReason(%.20q) = %.20q, %v", tc.in, got, err)
		}
	}
}

func TestValidateOpenEnquiryLimit(t *testing.T) {
	for n, ok := range map[int]bool{0: false, 1: true, 3: true, 50: true, 51: false, -1: false} {
		if err := counselling.ValidateOpenEnquiryLimit(n); (err == nil) != ok {
			t.Errorf("limit %d: %v", n, err)
		}
	}
}

func TestSessionWarning(t *testing.T) {
	for idle, want := range map[time.Duration]time.Duration{
		30 * time.Minute: 5 * time.Minute,
		15 * time.Minute: 5 * time.Minute,
		6 * time.Minute:  2 * time.Minute,
		time.Minute:      20 * time.Second,
	} {
		if got := counselling.SessionWarning(idle); got != want {
			t.Errorf("idle %v: warn %v before, want %v", idle, got, want)
		}
	}
	p := counselling.DefaultSessionPolicy
	if p.IdleFor(counselling.KindStaff) != 15*time.Minute || p.IdleFor(counselling.KindSeeker) != 30*time.Minute {
		t.Errorf("idle times: staff %v, help-seekers %v", p.IdleFor(counselling.KindStaff), p.IdleFor(counselling.KindSeeker))
	}
}
