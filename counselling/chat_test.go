package counselling_test

import (
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

func TestWaitAndDurationBuckets(t *testing.T) {
	for _, tc := range []struct {
		d          time.Duration
		wait, runs string
	}{
		{0, "under-1m", "under-10m"},
		{59 * time.Second, "under-1m", "under-10m"},
		{time.Minute, "1-5m", "under-10m"},
		{5 * time.Minute, "5-15m", "under-10m"},
		{10 * time.Minute, "5-15m", "10-30m"},
		{15 * time.Minute, "15-60m", "10-30m"},
		{30 * time.Minute, "15-60m", "30-60m"},
		{time.Hour, "over-1h", "over-1h"},
		{5 * time.Hour, "over-1h", "over-1h"},
	} {
		if got := counselling.WaitBucket(tc.d); got != tc.wait {
			t.Errorf("WaitBucket(%v) = %q, want %q", tc.d, got, tc.wait)
		}
		if got := counselling.DurationBucket(tc.d); got != tc.runs {
			t.Errorf("DurationBucket(%v) = %q, want %q", tc.d, got, tc.runs)
		}
	}
}

func TestStillAvailable(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		p    counselling.Presence
		want bool
	}{
		{"a tab open, active just now", counselling.Presence{Tabs: 1, ActiveAt: now}, true},
		{"a tab open, idle 14 minutes", counselling.Presence{Tabs: 1, ActiveAt: now.Add(-14 * time.Minute)}, true},
		{"a tab open, idle 15 minutes", counselling.Presence{Tabs: 1, ActiveAt: now.Add(-15 * time.Minute)}, false},
		{"last tab gone 59 seconds", counselling.Presence{TabsGoneAt: now.Add(-59 * time.Second), ActiveAt: now}, true},
		{"last tab gone a minute", counselling.Presence{TabsGoneAt: now.Add(-time.Minute), ActiveAt: now}, false},
		{"switched on before any tab opened", counselling.Presence{ActiveAt: now}, true},
	} {
		if got := counselling.StillAvailable(tc.p, now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestGuestName(t *testing.T) {
	a, b := counselling.GuestName("account-a"), counselling.GuestName("account-b")
	if !strings.HasPrefix(a, "Guest ") || len(a) != len("Guest 0000") {
		t.Errorf("GuestName = %q, want Guest and four digits", a)
	}
	if a != counselling.GuestName("account-a") {
		t.Error("a guest's name changes between calls")
	}
	if a == b {
		t.Logf("two guests share a name by chance: %s", a)
	}
}

func TestAccountPagesAndChatStart(t *testing.T) {
	for _, tc := range []struct {
		name          string
		c             counselling.Caller
		pages, starts bool
	}{
		{"registered help-seeker", seeker, true, true},
		{"guest", guest, false, true},
		{"counsellor", counsellor, false, false},
		{"admin", admin, false, false},
		{"nobody", counselling.Caller{}, false, false},
	} {
		if got := counselling.MayUseAccountPages(tc.c); got != tc.pages {
			t.Errorf("%s uses account pages: %v, want %v", tc.name, got, tc.pages)
		}
		if got := counselling.MayStartChat(tc.c); got != tc.starts {
			t.Errorf("%s starts a chat: %v, want %v", tc.name, got, tc.starts)
		}
	}
}

func TestValidateChatMessage(t *testing.T) {
	for _, tc := range []struct {
		name, id, body string
		ok             bool
	}{
		{"plain", "m-1", "hello", true},
		{"no number", "", "hello", false},
		{"number with odd characters", "m 1", "hello", false},
		{"number too long", strings.Repeat("a", 65), "hello", false},
		{"empty body", "m-1", "  ", false},
		{"body too long", "m-1", strings.Repeat("x", counselling.ChatBodyMaxRunes+1), false},
		{"control characters", "m-1", "a\x00b", false},
	} {
		err := counselling.ValidateChatMessage(tc.id, tc.body)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestMayJoinChat(t *testing.T) {
	running := &counselling.LiveChat{SeekerID: "s1", CounsellorID: "c1"}
	waiting := &counselling.LiveChat{SeekerID: "s1"}
	held := &counselling.LiveChat{SeekerID: "g1", CounsellorID: "v1"}
	for _, tc := range []struct {
		name string
		c    counselling.Caller
		ch   *counselling.LiveChat
		want bool
	}{
		{"its help-seeker", seeker, running, true},
		{"its help-seeker while it waits", seeker, waiting, true},
		{"its counsellor", counsellor, running, true},
		{"a counsellor before accepting", counsellor, waiting, false},
		{"another help-seeker", guest, running, false},
		{"a supervisor who may read it, not holding it", supervisor, running, false},
		{"a supervisor who holds it", supervisor, held, true},
		{"an admin", admin, running, false},
		{"a trainee who does not hold it", trainee, running, false},
	} {
		if got := counselling.MayJoinChat(tc.c, tc.ch); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
