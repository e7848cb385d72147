package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

func TestNewGroupChat(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	long := make([]rune, counselling.GroupThemeMaxRunes+1)
	for i := range long {
		long[i] = 'x'
	}
	for _, tc := range []struct {
		name, theme, rules, start, end, size, moderator string
		wantField                                       string
	}{
		{"fine", "Parents of teenagers", "Be kind.", "2026-11-24T18:00", "2026-11-24T19:30", "8", "c1", ""},
		{"no theme", " ", "Be kind.", "2026-11-24T18:00", "2026-11-24T19:30", "8", "c1", "theme"},
		{"theme too long", string(long), "Be kind.", "2026-11-24T18:00", "2026-11-24T19:30", "8", "c1", "theme"},
		{"no rules", "Parents", "", "2026-11-24T18:00", "2026-11-24T19:30", "8", "c1", "rules"},
		{"starts in the past", "Parents", "Be kind.", "2026-11-22T18:00", "2026-11-22T19:30", "8", "c1", "starts_at"},
		{"ends before it starts", "Parents", "Be kind.", "2026-11-24T18:00", "2026-11-24T17:00", "8", "c1", "ends_at"},
		{"too short", "Parents", "Be kind.", "2026-11-24T18:00", "2026-11-24T18:10", "8", "c1", "ends_at"},
		{"too long", "Parents", "Be kind.", "2026-11-24T18:00", "2026-11-24T22:01", "8", "c1", "ends_at"},
		{"one participant", "Parents", "Be kind.", "2026-11-24T18:00", "2026-11-24T19:00", "1", "c1", "max_size"},
		{"too many", "Parents", "Be kind.", "2026-11-24T18:00", "2026-11-24T19:00", "51", "c1", "max_size"},
		{"no moderator", "Parents", "Be kind.", "2026-11-24T18:00", "2026-11-24T19:00", "5", "", "moderator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := counselling.NewGroupChat(tc.theme, tc.rules, tc.start, tc.end, tc.size, tc.moderator, time.UTC, now)
			if tc.wantField == "" {
				if err != nil || g.MaxSize != 8 || g.EndsAt.Sub(g.StartsAt) != 90*time.Minute {
					t.Fatalf("%+v, %v", g, err)
				}
				return
			}
			if counselling.ErrorFields(err)[tc.wantField] == "" {
				t.Errorf("got %v, want a message on %s", err, tc.wantField)
			}
		})
	}
}

// A group's times are read on the office's clock: its length is the time
// that really passes, also across a change of the clocks, and a time the
// clocks skip is refused on its field.
func TestNewGroupChatInOfficeTime(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	g, err := counselling.NewGroupChat("Parents", "Be kind.", "2026-12-01T18:00", "2026-12-01T19:30", "8", "c1", berlin, now)
	if err != nil || !g.StartsAt.Equal(time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)) || !g.EndsAt.Equal(time.Date(2026, 12, 1, 18, 30, 0, 0, time.UTC)) {
		t.Fatalf("18:00-19:30 Berlin time: %v to %v, %v", g.StartsAt, g.EndsAt, err)
	}
	// On 28 March 2027 Berlin's clocks go from 02:00 to 03:00: 01:30 to
	// 03:30 lasts one hour.
	g, err = counselling.NewGroupChat("Parents", "Be kind.", "2027-03-28T01:30", "2027-03-28T03:30", "8", "c1", berlin, now)
	if err != nil || g.EndsAt.Sub(g.StartsAt) != time.Hour {
		t.Fatalf("across the change of the clocks: %v, %v", g.EndsAt.Sub(g.StartsAt), err)
	}
	_, err = counselling.NewGroupChat("Parents", "Be kind.", "2027-03-28T01:30", "2027-03-28T02:30", "8", "c1", berlin, now)
	if msg := counselling.ErrorFields(err)["ends_at"]; msg != counselling.ErrorMessage(counselling.ErrOfficeTimeSkipped) {
		t.Fatalf("an end the clocks skip: %q", msg)
	}
}

func TestGroupChatRules(t *testing.T) {
	start := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	g := counselling.GroupChat{ID: "g", OfficeID: 1, StartsAt: start, EndsAt: start.Add(time.Hour), MaxSize: 3, ModeratorID: "c1", Present: 1}
	running := start.Add(10 * time.Minute)
	full := g
	full.Present = 3
	ended := g
	ended.EndedAt = running
	member := &counselling.GroupMember{No: 1}
	muted := &counselling.GroupMember{No: 2, Muted: true}
	removed := &counselling.GroupMember{No: 3, Removed: true}
	otherOffice := counselling.Caller{AccountID: "s9", Kind: counselling.KindSeeker, OfficeID: 2}
	colleague := counselling.Caller{AccountID: "c2", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}

	t.Run("schedulers", func(t *testing.T) {
		for _, tc := range []struct {
			c    counselling.Caller
			want bool
		}{{admin, true}, {supervisor, true}, {counsellor, false}, {seeker, false}, {guest, false}} {
			if got := counselling.MayScheduleGroups(tc.c); got != tc.want {
				t.Errorf("%+v schedules: %v, want %v", tc.c, got, tc.want)
			}
		}
	})
	t.Run("roles", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			c    counselling.Caller
			m    *counselling.GroupMember
			want counselling.GroupRole
		}{
			{"the moderator", counsellor, nil, counselling.GroupModerator},
			{"a colleague", colleague, nil, counselling.GroupNobody},
			{"an admin of the office", admin, nil, counselling.GroupNobody},
			{"a registered help-seeker", seeker, nil, counselling.GroupCandidate},
			{"a participant", seeker, member, counselling.GroupParticipant},
			{"a muted participant", seeker, muted, counselling.GroupParticipant},
			{"a removed participant", seeker, removed, counselling.GroupRemoved},
			{"a guest", guest, nil, counselling.GroupNobody},
			{"a help-seeker of another office", otherOffice, nil, counselling.GroupNobody},
		} {
			if got := counselling.GroupRoleOf(tc.c, g, tc.m); got != tc.want {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	})
	t.Run("join window and capacity", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			role   counselling.GroupRole
			g      counselling.GroupChat
			accept bool
			now    time.Time
			want   error
		}{
			{"while it runs", counselling.GroupCandidate, g, true, running, nil},
			{"at its start", counselling.GroupCandidate, g, true, start, nil},
			{"five minutes early", counselling.GroupCandidate, g, true, start.Add(-counselling.GroupOpensBefore), nil},
			{"before the door opens", counselling.GroupCandidate, g, true, start.Add(-counselling.GroupOpensBefore - time.Second), counselling.ErrGroupNotYet},
			{"at its end", counselling.GroupCandidate, g, true, start.Add(time.Hour), counselling.ErrGroupFinished},
			{"ended early", counselling.GroupCandidate, ended, true, running, counselling.ErrGroupFinished},
			{"full", counselling.GroupCandidate, full, true, running, counselling.ErrGroupFull},
			{"rules not accepted", counselling.GroupCandidate, g, false, running, counselling.ErrGroupRules},
			{"already in", counselling.GroupParticipant, full, true, running, nil},
		} {
			if got := counselling.MayJoinGroup(tc.role, tc.g, tc.accept, tc.now); got != tc.want {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		if err := counselling.MayJoinGroup(counselling.GroupRemoved, g, true, running); counselling.ErrorCode(err) != counselling.ENotFound {
			t.Errorf("a removed participant joins again: %v", err)
		}
		if err := counselling.MayJoinGroup(counselling.GroupNobody, g, true, running); counselling.ErrorCode(err) != counselling.ENotFound {
			t.Errorf("a stranger joins: %v", err)
		}
	})
	t.Run("writing, mute and remove", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			role counselling.GroupRole
			m    *counselling.GroupMember
			g    counselling.GroupChat
			now  time.Time
			ok   bool
		}{
			{"participant", counselling.GroupParticipant, member, g, running, true},
			{"muted participant", counselling.GroupParticipant, muted, g, running, false},
			{"moderator", counselling.GroupModerator, nil, g, running, true},
			{"removed", counselling.GroupRemoved, removed, g, running, false},
			{"candidate", counselling.GroupCandidate, nil, g, running, false},
			{"after the end", counselling.GroupParticipant, member, g, start.Add(2 * time.Hour), false},
			{"ended early", counselling.GroupModerator, nil, ended, running, false},
		} {
			if err := counselling.MaySayInGroup(tc.role, tc.m, tc.g, tc.now); (err == nil) != tc.ok {
				t.Errorf("%s: %v, want allowed %v", tc.name, err, tc.ok)
			}
		}
		for role, want := range map[counselling.GroupRole]bool{counselling.GroupModerator: true, counselling.GroupParticipant: true,
			counselling.GroupRemoved: false, counselling.GroupCandidate: false, counselling.GroupNobody: false} {
			if got := counselling.MayReadGroup(role); got != want {
				t.Errorf("role %v reads: %v, want %v", role, got, want)
			}
		}
		if !counselling.MayModerateGroup(counselling.GroupModerator, g, running) ||
			counselling.MayModerateGroup(counselling.GroupParticipant, g, running) ||
			counselling.MayModerateGroup(counselling.GroupModerator, ended, running) {
			t.Error("only the moderator moderates, and only until the group is finished")
		}
	})
	t.Run("size buckets", func(t *testing.T) {
		for n, want := range map[int]string{0: "0-2", 2: "0-2", 3: "3-5", 5: "3-5", 6: "6-10", 11: "11-20", 20: "11-20", 21: "over-20"} {
			if got := counselling.GroupSizeBucket(n); got != want {
				t.Errorf("%d participants: %q, want %q", n, got, want)
			}
		}
	})
}
