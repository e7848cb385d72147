package counselling

import "time"

// DutyTime is one weekly duty of a counsellor: on Weekday from Starts to
// Ends, in minutes after midnight in the office's time zone.
type DutyTime struct {
	ID        string
	AccountID string
	Name      string // the counsellor's display name
	Weekday   time.Weekday
	Starts    int
	Ends      int
}

// DutyException replaces a counsellor's weekly duty on one day: on duty from
// Starts to Ends that day, or off the whole day when Off.
type DutyException struct {
	ID        string
	AccountID string
	Name      string
	Day       string // DateLayout, in the office's time zone
	Off       bool
	Starts    int
	Ends      int
}

// MayKeepRoster is the rule of who sets an office's duty roster and its
// automatic assignment: its admins and its supervisors.
func MayKeepRoster(c Caller) bool {
	return c.Kind == KindStaff && c.AccountID != "" && c.OfficeID != 0 && (c.Role == RoleAdmin || c.Role == RoleSupervisor)
}

// MayBeOnDuty is the rule of whom a roster lists: counsellors and
// supervisors of the roster's office who can log in.
func MayBeOnDuty(officeID int64, m StaffMember) bool {
	return m.ID != "" && m.OfficeID == officeID && (m.Role == RoleCounsellor || m.Role == RoleSupervisor) && m.Enrolled && !m.Disabled
}

// checkSpan refuses a duty that ends before it starts, or is no time at all.
func checkSpan(p Problems, starts, ends int) {
	switch {
	case starts < 0 || starts > 24*60:
		p.Add("starts", "Please give a time of day such as 09:00.")
	case ends < 0 || ends > 24*60:
		p.Add("ends", "Please give a time of day such as 17:00.")
	case ends <= starts:
		p.Add("ends", "The duty ends before it starts. Please give an end after the start.")
	}
}

// Validate checks a weekly duty for a member of staff m of the office.
func (d DutyTime) Validate(officeID int64, m *StaffMember) error {
	p := Problems{}
	if m == nil || !MayBeOnDuty(officeID, *m) {
		p.Add("account", "Please choose a counsellor of this office.")
	}
	if d.Weekday < time.Sunday || d.Weekday > time.Saturday {
		p.Add("weekday", "Please choose a weekday.")
	}
	checkSpan(p, d.Starts, d.Ends)
	return p.Err()
}

// Validate checks an exception for a member of staff m of the office.
func (e DutyException) Validate(officeID int64, m *StaffMember) error {
	p := Problems{}
	if m == nil || !MayBeOnDuty(officeID, *m) {
		p.Add("account", "Please choose a counsellor of this office.")
	}
	if _, err := time.Parse(DateLayout, e.Day); err != nil {
		p.Add("day", "Please give a day as 2026-12-24.")
	}
	if !e.Off {
		checkSpan(p, e.Starts, e.Ends)
	}
	return p.Err()
}

// OnDuty is the rule of whether a counsellor is on duty at t, in the
// office's time zone loc: an exception for that day decides alone (off, or
// its own hours); without one, their weekly duties for that weekday do.
func OnDuty(accountID string, times []DutyTime, exceptions []DutyException, t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	day := l.Format(DateLayout)
	minute := l.Hour()*60 + l.Minute()
	excepted := false
	for _, e := range exceptions {
		if e.AccountID != accountID || e.Day != day {
			continue
		}
		excepted = true
		if !e.Off && minute >= e.Starts && minute < e.Ends {
			return true
		}
	}
	if excepted {
		return false
	}
	for _, d := range times {
		if d.AccountID == accountID && d.Weekday == l.Weekday() && minute >= d.Starts && minute < d.Ends {
			return true
		}
	}
	return false
}

// Candidate is a counsellor as automatic assignment weighs them.
type Candidate struct {
	ID     string
	OnDuty bool
	// Load is how many open mail conversations they hold.
	Load   int
	Themes CounselledThemes
}

// PickAssignee is the rule of automatic assignment: a new enquiry on theme
// goes to the counsellor on duty who counsels the theme and holds the fewest
// open conversations; of equal loads, the first in the roster's order. With
// nobody on duty for the theme it goes to nobody ("") and waits in the open
// queue.
func PickAssignee(candidates []Candidate, themeID int64) string {
	best := -1
	for i, c := range candidates {
		if c.ID == "" || !c.OnDuty || !c.Themes.Covers(themeID) {
			continue
		}
		if best < 0 || c.Load < candidates[best].Load {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return candidates[best].ID
}
