package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

func TestNewSlot(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("office", 3600)
	europeBerlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, start, minutes, kind string
		loc                        *time.Location
		wantField                  string
		wantStart                  time.Time
	}{
		{"tomorrow afternoon", "2026-11-24T14:30", "45", "chat", time.UTC, "", time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)},
		{"office time is not UTC", "2026-11-24T14:30", "45", "video", berlin, "", time.Date(2026, 11, 24, 13, 30, 0, 0, time.UTC)},
		{"in the past", "2026-11-22T14:30", "45", "chat", time.UTC, "start", time.Time{}},
		{"right now", "2026-11-23T10:00", "45", "chat", time.UTC, "start", time.Time{}},
		{"too far ahead", "2027-12-01T10:00", "45", "chat", time.UTC, "start", time.Time{}},
		{"not a time", "tomorrow", "45", "chat", time.UTC, "start", time.Time{}},
		{"Berlin time in winter", "2026-12-01T14:00", "45", "video", europeBerlin, "", time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)},
		{"Berlin time in summer", "2027-05-03T14:00", "45", "video", europeBerlin, "", time.Date(2027, 5, 3, 12, 0, 0, 0, time.UTC)},
		{"a time the clocks skip", "2027-03-28T02:30", "45", "chat", europeBerlin, "start", time.Time{}},
		{"too short", "2026-11-24T14:30", "14", "chat", time.UTC, "minutes", time.Time{}},
		{"shortest", "2026-11-24T14:30", "15", "chat", time.UTC, "", time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)},
		{"longest", "2026-11-24T14:30", "120", "chat", time.UTC, "", time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)},
		{"too long", "2026-11-24T14:30", "121", "chat", time.UTC, "minutes", time.Time{}},
		{"minutes not a number", "2026-11-24T14:30", "half an hour", "chat", time.UTC, "minutes", time.Time{}},
		{"unknown kind", "2026-11-24T14:30", "30", "phone", time.UTC, "kind", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := counselling.NewSlot(tc.start, tc.minutes, tc.kind, tc.loc, now)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !s.Start.Equal(tc.wantStart) {
					t.Errorf("start %v, want %v", s.Start, tc.wantStart)
				}
				return
			}
			if counselling.ErrorFields(err)[tc.wantField] == "" {
				t.Errorf("got %v, want a message on %s", err, tc.wantField)
			}
		})
	}
}

func TestSlotsOverlap(t *testing.T) {
	at := func(h, m, minutes int) counselling.Slot {
		return counselling.Slot{Start: time.Date(2026, 11, 24, h, m, 0, 0, time.UTC), Minutes: minutes}
	}
	cancelled := at(10, 0, 60)
	cancelled.CancelledAt = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		a, b counselling.Slot
		want bool
	}{
		{"same time", at(10, 0, 60), at(10, 0, 60), true},
		{"starts inside", at(10, 0, 60), at(10, 30, 60), true},
		{"contains", at(10, 0, 120), at(10, 30, 15), true},
		{"back to back", at(10, 0, 60), at(11, 0, 60), false},
		{"before", at(11, 0, 60), at(10, 0, 60), false},
		{"one minute over", at(10, 0, 61), at(11, 0, 60), true},
		{"a cancelled slot frees its time", cancelled, at(10, 0, 60), false},
	} {
		if got := counselling.SlotsOverlap(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: overlap %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAppointmentRules(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	free := counselling.Slot{ID: "s", OfficeID: 1, CounsellorID: "c1", Start: start, Minutes: 30, Kind: counselling.SlotChat}
	booked := free
	booked.Booked, booked.SeekerID = true, "s1"
	cancelled := booked
	cancelled.CancelledAt, cancelled.CancelledBy = start.Add(-time.Hour), counselling.BySeeker
	otherSeeker := counselling.Caller{AccountID: "s2", Kind: counselling.KindSeeker, OfficeID: 1}
	colleague := counselling.Caller{AccountID: "c2", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}
	supervisorHere := counselling.Caller{AccountID: "v9", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 1}
	guestBooker := counselling.Caller{AccountID: "s1", Kind: counselling.KindSeeker, OfficeID: 1, Guest: true}

	t.Run("who books", func(t *testing.T) {
		for _, tc := range []struct {
			c    counselling.Caller
			want bool
		}{{seeker, true}, {guest, false}, {counsellor, false}, {admin, false}, {supervisor, false}} {
			if got := counselling.MayBook(tc.c); got != tc.want {
				t.Errorf("%+v may book: %v, want %v", tc.c, got, tc.want)
			}
		}
	})
	t.Run("bookable", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			s    counselling.Slot
			now  time.Time
			want bool
		}{
			{"free, ahead", free, start.Add(-time.Hour), true},
			{"free, begun", free, start, false},
			{"booked", booked, start.Add(-time.Hour), false},
			{"cancelled", cancelled, start.Add(-time.Hour), false},
		} {
			if got := counselling.Bookable(tc.s, tc.now); got != tc.want {
				t.Errorf("%s: bookable %v, want %v", tc.name, got, tc.want)
			}
		}
	})
	t.Run("sides", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			c    counselling.Caller
			s    counselling.Slot
			want counselling.SlotSide
		}{
			{"the counsellor who published it", counsellor, booked, counselling.SlotOwner},
			{"the help-seeker who booked it", seeker, booked, counselling.SlotBooker},
			{"another help-seeker", otherSeeker, booked, counselling.SlotNobody},
			{"a colleague", colleague, booked, counselling.SlotNobody},
			{"a supervisor of the office", supervisorHere, booked, counselling.SlotNobody},
			{"an admin", admin, booked, counselling.SlotNobody},
			{"a help-seeker before anyone booked", seeker, free, counselling.SlotNobody},
			{"a guest with the booker's id", guestBooker, booked, counselling.SlotNobody},
			{"nobody", counselling.Caller{}, free, counselling.SlotNobody},
		} {
			if got := counselling.SideOf(tc.c, tc.s); got != tc.want {
				t.Errorf("%s: side %v, want %v", tc.name, got, tc.want)
			}
		}
	})
	t.Run("cancel", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			side counselling.SlotSide
			s    counselling.Slot
			now  time.Time
			want bool
		}{
			{"counsellor withdraws a free slot", counselling.SlotOwner, free, start.Add(-time.Hour), true},
			{"counsellor cancels a booking", counselling.SlotOwner, booked, start.Add(-time.Hour), true},
			{"help-seeker cancels their booking", counselling.SlotBooker, booked, start.Add(-time.Hour), true},
			{"help-seeker cancels while it runs", counselling.SlotBooker, booked, start.Add(10 * time.Minute), true},
			{"nobody cancels after the end", counselling.SlotOwner, booked, start.Add(30 * time.Minute), false},
			{"nobody cancels twice", counselling.SlotOwner, cancelled, start.Add(-time.Hour), false},
			{"a stranger cancels nothing", counselling.SlotNobody, booked, start.Add(-time.Hour), false},
		} {
			if got := counselling.MayCancel(tc.side, tc.s, tc.now); got != tc.want {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	})
	t.Run("open", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			side counselling.SlotSide
			s    counselling.Slot
			now  time.Time
			want bool
		}{
			{"too early", counselling.SlotBooker, booked, start.Add(-counselling.SlotOpensBefore - time.Second), false},
			{"five minutes before", counselling.SlotBooker, booked, start.Add(-counselling.SlotOpensBefore), true},
			{"counsellor on time", counselling.SlotOwner, booked, start, true},
			{"last minute", counselling.SlotOwner, booked, start.Add(29 * time.Minute), true},
			{"after the end", counselling.SlotOwner, booked, start.Add(30 * time.Minute), false},
			{"free slot", counselling.SlotOwner, free, start, false},
			{"cancelled", counselling.SlotBooker, cancelled, start, false},
			{"stranger", counselling.SlotNobody, booked, start, false},
		} {
			if got := counselling.MayOpen(tc.side, tc.s, tc.now); got != tc.want {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

func TestCancelledOnDisable(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	rows := []struct {
		name string
		s    counselling.Slot
		want bool
	}{
		{"a free slot tomorrow", counselling.Slot{Start: now.Add(24 * time.Hour), Minutes: 30}, true},
		{"a booked slot in an hour", counselling.Slot{Start: now.Add(time.Hour), Minutes: 30, Booked: true, SeekerID: "s1"}, true},
		{"an appointment under way", counselling.Slot{Start: now.Add(-10 * time.Minute), Minutes: 30, Booked: true}, false},
		{"one that begins now", counselling.Slot{Start: now, Minutes: 30, Booked: true}, false},
		{"one already cancelled", counselling.Slot{Start: now.Add(time.Hour), Minutes: 30, CancelledAt: now.Add(-time.Hour)}, false},
	}
	for _, r := range rows {
		if got := counselling.CancelledOnDisable(r.s, now); got != r.want {
			t.Errorf("%s: %v, want %v", r.name, got, r.want)
		}
	}
}

func TestCallOpensDirectly(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ends := now.Add(30 * time.Minute)
	for _, tc := range []struct {
		name string
		ch   counselling.LiveChat
		want bool
	}{
		{"a running video appointment", counselling.LiveChat{Status: counselling.ChatRunning, AppointmentKind: counselling.SlotVideo, AppointmentEnds: ends}, true},
		{"a chat appointment", counselling.LiveChat{Status: counselling.ChatRunning, AppointmentKind: counselling.SlotChat, AppointmentEnds: ends}, false},
		{"a chat from the live queue", counselling.LiveChat{Status: counselling.ChatRunning}, false},
		{"an ended chat", counselling.LiveChat{Status: counselling.StatusClosed, AppointmentKind: counselling.SlotVideo, AppointmentEnds: ends}, false},
		{"after the appointment's end", counselling.LiveChat{Status: counselling.ChatRunning, AppointmentKind: counselling.SlotVideo, AppointmentEnds: now}, false},
	} {
		if got := counselling.CallOpensDirectly(tc.ch, now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
