package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

// TestOnDuty: weekly duties in the office's time zone, replaced on a day by
// an exception (off, or other hours). 2 March 2026 is a Monday.
func TestOnDuty(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	times := []counselling.DutyTime{
		{AccountID: "ann", Weekday: time.Monday, Starts: 9 * 60, Ends: 13 * 60},
		{AccountID: "ann", Weekday: time.Tuesday, Starts: 9 * 60, Ends: 13 * 60},
		{AccountID: "ben", Weekday: time.Monday, Starts: 13 * 60, Ends: 24 * 60},
	}
	exceptions := []counselling.DutyException{
		{AccountID: "ann", Day: "2026-03-03", Off: true},
		{AccountID: "ben", Day: "2026-03-09", Starts: 8 * 60, Ends: 10 * 60},
	}
	at := func(d, hh, mm int) time.Time { return time.Date(2026, 3, d, hh, mm, 0, 0, berlin) }
	for _, tc := range []struct {
		name string
		who  string
		at   time.Time
		want bool
	}{
		{"within the weekly duty", "ann", at(2, 10, 0), true},
		{"at its first minute", "ann", at(2, 9, 0), true},
		{"at its end", "ann", at(2, 13, 0), false},
		{"another weekday", "ann", at(4, 10, 0), false},
		{"a day off by exception", "ann", at(3, 10, 0), false},
		{"the week after the exception", "ann", at(10, 10, 0), true},
		{"until midnight", "ben", at(2, 23, 59), true},
		{"exception hours replace the weekly ones", "ben", at(9, 8, 30), true},
		{"and the weekly ones do not hold that day", "ben", at(9, 14, 0), false},
		{"the office's time zone decides: 8:30 UTC is 9:30 in Berlin", "ann", time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), true},
		{"nobody", "", at(2, 10, 0), false},
	} {
		if got := counselling.OnDuty(tc.who, times, exceptions, tc.at, berlin); got != tc.want {
			t.Errorf("%s: on duty %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPickAssignee: the counsellor on duty with the lightest load who
// counsels the theme; ties go to the first in the roster; nobody on duty, or
// nobody for the theme, leaves the enquiry in the open queue.
func TestPickAssignee(t *testing.T) {
	const family, violence = 2, 4
	all := counselling.AllThemes
	onlyViolence := counselling.CounselledThemes{IDs: []int64{violence}}
	for _, tc := range []struct {
		name  string
		cands []counselling.Candidate
		theme int64
		want  string
	}{
		{"lightest load wins", []counselling.Candidate{{ID: "a", OnDuty: true, Load: 3, Themes: all}, {ID: "b", OnDuty: true, Load: 1, Themes: all}}, family, "b"},
		{"a tie goes to the first in the roster", []counselling.Candidate{{ID: "a", OnDuty: true, Load: 2, Themes: all}, {ID: "b", OnDuty: true, Load: 2, Themes: all}}, family, "a"},
		{"a tie after a heavier first", []counselling.Candidate{{ID: "a", OnDuty: true, Load: 5, Themes: all}, {ID: "b", OnDuty: true, Load: 2, Themes: all}, {ID: "c", OnDuty: true, Load: 2, Themes: all}}, family, "b"},
		{"off duty does not count, however light", []counselling.Candidate{{ID: "a", OnDuty: false, Load: 0, Themes: all}, {ID: "b", OnDuty: true, Load: 4, Themes: all}}, family, "b"},
		{"nobody on duty: the open queue", []counselling.Candidate{{ID: "a", Load: 0, Themes: all}, {ID: "b", Load: 0, Themes: all}}, family, ""},
		{"theme mismatch: the lighter one does not counsel it", []counselling.Candidate{{ID: "a", OnDuty: true, Load: 0, Themes: onlyViolence}, {ID: "b", OnDuty: true, Load: 3, Themes: all}}, family, "b"},
		{"theme match for the specialist", []counselling.Candidate{{ID: "a", OnDuty: true, Load: 0, Themes: onlyViolence}, {ID: "b", OnDuty: true, Load: 3, Themes: all}}, violence, "a"},
		{"nobody on duty counsels the theme: the open queue", []counselling.Candidate{{ID: "a", OnDuty: true, Load: 0, Themes: onlyViolence}}, family, ""},
		{"an empty roster", nil, family, ""},
	} {
		if got := counselling.PickAssignee(tc.cands, tc.theme); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDutyValidation(t *testing.T) {
	m := &counselling.StaffMember{ID: "ann", OfficeID: 1, Role: counselling.RoleCounsellor, Enrolled: true}
	far := &counselling.StaffMember{ID: "far", OfficeID: 2, Role: counselling.RoleCounsellor, Enrolled: true}
	admin := &counselling.StaffMember{ID: "adm", OfficeID: 1, Role: counselling.RoleAdmin, Enrolled: true}
	for _, tc := range []struct {
		name string
		err  error
		bad  string
	}{
		{"a morning duty", counselling.DutyTime{Weekday: time.Monday, Starts: 540, Ends: 780}.Validate(1, m), ""},
		{"ends before it starts", counselling.DutyTime{Weekday: time.Monday, Starts: 780, Ends: 540}.Validate(1, m), "ends"},
		{"no time at all", counselling.DutyTime{Weekday: time.Monday, Starts: 540, Ends: 540}.Validate(1, m), "ends"},
		{"another office's counsellor", counselling.DutyTime{Weekday: time.Monday, Starts: 540, Ends: 780}.Validate(1, far), "account"},
		{"an admin", counselling.DutyTime{Weekday: time.Monday, Starts: 540, Ends: 780}.Validate(1, admin), "account"},
		{"a day off", counselling.DutyException{Day: "2026-12-24", Off: true}.Validate(1, m), ""},
		{"an exception ending before it starts", counselling.DutyException{Day: "2026-12-24", Starts: 600, Ends: 540}.Validate(1, m), "ends"},
		{"an exception without a day", counselling.DutyException{Day: "24.12.", Off: true}.Validate(1, m), "day"},
	} {
		fields := counselling.ErrorFields(tc.err)
		if tc.bad == "" && tc.err != nil {
			t.Errorf("%s: refused: %v", tc.name, tc.err)
		}
		if tc.bad != "" && fields[tc.bad] == "" {
			t.Errorf("%s: not refused on %s: %v", tc.name, tc.bad, tc.err)
		}
	}
	for _, tc := range []struct {
		c    counselling.Caller
		want bool
	}{
		{counselling.Caller{AccountID: "a", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1}, true},
		{counselling.Caller{AccountID: "s", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 1}, true},
		{counselling.Caller{AccountID: "c", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}, false},
		{counselling.Caller{AccountID: "h", Kind: counselling.KindSeeker, OfficeID: 1}, false},
	} {
		if got := counselling.MayKeepRoster(tc.c); got != tc.want {
			t.Errorf("%s %s keeps the roster: %v, want %v", tc.c.Kind, tc.c.Role, got, tc.want)
		}
	}
}
