package counselling

import (
	"slices"
	"strings"
	"time"
)

// Absence is a counsellor's time away: from From until Until (not included)
// their stand-in, a colleague of the same office, reads and answers their
// mail conversations. The conversations stay the absent counsellor's: once
// the absence ends, the stand-in no longer sees them.
type Absence struct {
	ID        string
	OfficeID  int64
	AccountID string
	Name      string // the absent counsellor's display name
	StandInID string
	StandIn   string // the stand-in's display name
	From      time.Time
	Until     time.Time
}

// Covers reports whether the absence holds at t.
func (a Absence) Covers(t time.Time) bool {
	return !t.Before(a.From) && t.Before(a.Until)
}

// LastDay is the last calendar day of the absence, in loc.
func (a Absence) LastDay(loc *time.Location) time.Time {
	return a.Until.Add(-time.Second).In(loc)
}

// AbsenceMaxDays bounds how long one absence lasts, so that a mistyped year
// does not hand a counsellor's conversations to a colleague for good.
const AbsenceMaxDays = 366

// MayStandIn is the rule of who stands in for an absent counsellor: a
// colleague of the same office who counsels, can log in (enrolled, not
// disabled), and is not the absent person.
func MayStandIn(absent Caller, m StaffMember) bool {
	return absent.Counsels() && m.ID != "" && m.ID != absent.AccountID && m.OfficeID == absent.OfficeID &&
		(m.Role == RoleCounsellor || m.Role == RoleSupervisor) && m.Enrolled && !m.Disabled
}

// StandInCandidates returns the members of staff who may stand in for the
// caller, in the order given.
func StandInCandidates(absent Caller, staff []StaffMember) []StaffMember {
	var out []StaffMember
	for _, m := range staff {
		if MayStandIn(absent, m) {
			out = append(out, m)
		}
	}
	return out
}

// ValidateAbsence checks an absence the caller records for themselves, with
// standIn the colleague they named (nil: nobody of that id in their office).
// The stand-in must be one MayStandIn allows; the absence ends after it
// starts, lasts at most AbsenceMaxDays and has not ended already at now.
func ValidateAbsence(absent Caller, a Absence, standIn *StaffMember, now time.Time) error {
	p := Problems{}
	switch {
	case a.StandInID == absent.AccountID:
		p.Add("stand_in", "You cannot stand in for yourself. Please choose a colleague.")
	case standIn == nil || !MayStandIn(absent, *standIn):
		p.Add("stand_in", "Please choose a colleague of your office who counsels as your stand-in.")
	}
	switch {
	case a.From.IsZero():
		p.Add("from", "Please give the first day of your absence.")
	case a.Until.IsZero():
		p.Add("to", "Please give the last day of your absence.")
	case !a.Until.After(a.From):
		p.Add("to", "The last day cannot be before the first day.")
	case a.Until.Sub(a.From) > AbsenceMaxDays*24*time.Hour+time.Hour:
		p.Add("to", "An absence lasts at most a year. Please record a shorter one.")
	case !a.Until.After(now):
		p.Add("to", "This absence is already over. Please give days from today on.")
	}
	return p.Err()
}

// StandingInFor is the rule of whose conversations a counsellor answers as
// stand-in at now: those of every colleague whose absence, naming them as
// stand-in, holds at now. Before the absence and after it, nobody's. The
// ids are separated by spaces, as Caller.StandsInFor holds them.
func StandingInFor(accountID string, absences []Absence, now time.Time) string {
	var out []string
	for _, a := range absences {
		if accountID != "" && a.StandInID == accountID && a.AccountID != accountID && a.Covers(now) &&
			!slices.Contains(out, a.AccountID) {
			out = append(out, a.AccountID)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// StandsInFor reports whether the caller answers the thread as the stand-in
// of its absent counsellor.
func (t *Thread) StandsInFor(c Caller) bool {
	return c.Counsels() && t.Channel == ChannelMail && t.CounsellorID != "" && slices.Contains(strings.Fields(c.StandsInFor), t.CounsellorID)
}
