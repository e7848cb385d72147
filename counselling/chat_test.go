package counselling_test

import (
	"slices"
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
		// The year report's rows are the lists: a bucket missing there
		// would be counted and never shown.
		if !slices.Contains(counselling.WaitBuckets, tc.wait) || !slices.Contains(counselling.DurationBuckets, tc.runs) {
			t.Errorf("%q or %q is not a row of the year report", tc.wait, tc.runs)
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

func TestPresenceNoticesTabsThatVanished(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	earlier := now.Add(-40 * time.Second)
	for _, tc := range []struct {
		name string
		p    counselling.Presence
		gone time.Time // TabsGoneAt to keep
	}{
		{"a tab open", counselling.Presence{Tabs: 1, ActiveAt: now}, time.Time{}},
		{"a tab open again after the last had gone", counselling.Presence{Tabs: 2, TabsGoneAt: earlier, ActiveAt: now}, time.Time{}},
		{"the last tab closed earlier", counselling.Presence{TabsGoneAt: earlier, ActiveAt: now}, earlier},
		{"the tabs vanished with their node, noticed now", counselling.Presence{ActiveAt: now}, now},
	} {
		if got := tc.p.Noticed(now).TabsGoneAt; !got.Equal(tc.gone) {
			t.Errorf("%s: tabs gone at %v, want %v", tc.name, got, tc.gone)
		}
	}
	// Kept, what was noticed switches the counsellor off a grace later,
	// however recently they did something.
	p := counselling.Presence{ActiveAt: now}.Noticed(now)
	later := now.Add(counselling.AvailabilityTabGrace)
	p.ActiveAt = later
	if counselling.StillAvailable(p, later) {
		t.Error("a counsellor whose tabs vanished a grace ago is still available")
	}
	if !counselling.StillAvailable(p, later.Add(-time.Second)) {
		t.Error("a counsellor whose tabs vanished less than a grace ago is no longer available")
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

func TestJoinChatAs(t *testing.T) {
	running := &counselling.LiveChat{OfficeID: 1, Status: counselling.ChatRunning, SeekerID: "s1", CounsellorID: "c1"}
	waiting := &counselling.LiveChat{OfficeID: 1, Status: counselling.ChatWaiting, SeekerID: "s1"}
	held := &counselling.LiveChat{OfficeID: 2, Status: counselling.ChatRunning, SeekerID: "g1", CounsellorID: "v1"}
	inSupervisorsOffice := &counselling.LiveChat{OfficeID: 2, Status: counselling.ChatRunning, SeekerID: "s1", CounsellorID: "c1"}
	waitingInSupervisorsOffice := &counselling.LiveChat{OfficeID: 2, Status: counselling.ChatWaiting, SeekerID: "s1"}
	endedInSupervisorsOffice := &counselling.LiveChat{OfficeID: 2, Status: counselling.ChatEnded, SeekerID: "s1", CounsellorID: "c1"}
	for _, tc := range []struct {
		name string
		c    counselling.Caller
		ch   *counselling.LiveChat
		want counselling.ChatRole
	}{
		{"its help-seeker", seeker, running, counselling.ChatSeeker},
		{"its help-seeker while it waits", seeker, waiting, counselling.ChatSeeker},
		{"its counsellor", counsellor, running, counselling.ChatHolder},
		{"a counsellor before accepting", counsellor, waiting, counselling.ChatNone},
		{"another help-seeker", guest, running, counselling.ChatNone},
		{"a supervisor of another office", supervisor, running, counselling.ChatNone},
		{"a supervisor of its office reads a running chat along", supervisor, inSupervisorsOffice, counselling.ChatReader},
		{"a supervisor marked as trainee reads along too", traineeSup, inSupervisorsOffice, counselling.ChatReader},
		{"a supervisor does not read a waiting chat along", supervisor, waitingInSupervisorsOffice, counselling.ChatNone},
		{"a supervisor does not read an ended chat along", supervisor, endedInSupervisorsOffice, counselling.ChatNone},
		{"a supervisor who holds it writes in it", supervisor, held, counselling.ChatHolder},
		{"a counsellor of its office does not read along", counselling.Caller{AccountID: "c9", Kind: counselling.KindStaff,
			Role: counselling.RoleCounsellor, OfficeID: 1}, running, counselling.ChatNone},
		{"an admin", admin, running, counselling.ChatNone},
		{"an admin of its office", otherAdmin, inSupervisorsOffice, counselling.ChatNone},
		{"a trainee who does not hold it", trainee, running, counselling.ChatNone},
		{"a supervisor without account", counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2},
			inSupervisorsOffice, counselling.ChatNone},
	} {
		if got := counselling.JoinChatAs(tc.c, tc.ch); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReadAlongScope(t *testing.T) {
	none := counselling.ThreadScope{None: true}
	for _, tc := range []struct {
		name string
		c    counselling.Caller
		want counselling.ThreadScope
	}{
		{"a supervisor reads along their office's running chats", supervisor,
			counselling.ThreadScope{OfficeID: 2, OrRunningChat: true, Channel: counselling.ChannelChat}},
		{"a counsellor reads none along", counsellor, none},
		{"a trainee reads none along", trainee, none},
		{"an admin reads none along", admin, none},
		{"a help-seeker reads none along", seeker, none},
		{"a supervisor without account reads none along", counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2}, none},
	} {
		if got := counselling.ReadAlongScope(tc.c); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestChatScope(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    counselling.Caller
		want counselling.ThreadScope
	}{
		{"a help-seeker loads their own chats", seeker, counselling.ReadScope(seeker)},
		{"a counsellor loads what they read", counsellor, counselling.ReadScope(counsellor)},
		{"a supervisor also loads their office's running chats", supervisor,
			counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1", OrFlagged: true, OrAwaitingReview: true, OrRunningChat: true, OrSupervised: true}},
		{"an admin loads none", admin, counselling.ThreadScope{None: true}},
	} {
		if got := counselling.ChatScope(tc.c); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
