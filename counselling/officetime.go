package counselling

import (
	"strings"
	"time"
)

// Office time: the times people type into forms (an appointment slot's
// start, a group chat's start and end, a call-back window) are meant on the
// clock of their office's time zone, the zone its working days and roster
// are kept in, and every page shows them on that clock again, naming the
// zone. A counsellor in Berlin who types 14:00 offers 14:00 Berlin time, and
// the help-seeker reads 14:00 (Europe/Berlin).
//
// Twice a year a zone with summer time has clock readings that do not
// happen (the hour skipped when the clocks go forward) and readings that
// happen twice (the hour repeated when they go back). Such a reading names
// no single moment, so it is refused with a message that says why, rather
// than quietly moved by an hour.

// Refusals of a time typed in office time.
var (
	// ErrOfficeTimeFormat refuses text that is no date and time; callers
	// say in their own words which field it was.
	ErrOfficeTimeFormat  = Errorf(EInvalid, "Please give the date and time like 2026-12-01T14:30.")
	ErrOfficeTimeSkipped = Errorf(EInvalid,
		"This time does not exist in the office's time zone, because the clocks are put forward then. Please choose another time.")
	ErrOfficeTimeTwice = Errorf(EInvalid,
		"This time occurs twice in the office's time zone, because the clocks are put back then. Please choose another time.")
)

// OfficeMoment is the rule of which moment a clock reading in an office's
// time zone (loc; nil is UTC) names. Only wall's date and clock count, not
// its own zone. A reading the zone skips is refused with
// ErrOfficeTimeSkipped, one it repeats with ErrOfficeTimeTwice.
func OfficeMoment(wall time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	reading := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	// The offsets in force a day and a half either side of the reading
	// include those before and after any change of the clocks near it; a
	// moment the reading may name is the reading less one of them, if the
	// zone's clock shows that reading at that moment.
	var found []time.Time
	for _, probe := range []time.Duration{-36 * time.Hour, 0, 36 * time.Hour} {
		_, offset := reading.Add(probe).In(loc).Zone()
		at := reading.Add(-time.Duration(offset) * time.Second)
		if !sameClock(at.In(loc), reading) {
			continue
		}
		seen := false
		for _, f := range found {
			seen = seen || f.Equal(at)
		}
		if !seen {
			found = append(found, at)
		}
	}
	switch len(found) {
	case 0:
		return time.Time{}, ErrOfficeTimeSkipped
	case 1:
		return found[0].UTC(), nil
	}
	return time.Time{}, ErrOfficeTimeTwice
}

// sameClock reports whether two times show the same date and clock,
// whatever their zones.
func sameClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute() &&
		a.Second() == b.Second() && a.Nanosecond() == b.Nanosecond()
}

// ParseOfficeTime reads a date and time as forms write it (SlotStartLayout,
// 2026-12-01T14:30) in an office's time zone, by OfficeMoment. Text that is
// no date and time is refused with ErrOfficeTimeFormat.
func ParseOfficeTime(value string, loc *time.Location) (time.Time, error) {
	wall, err := time.Parse(SlotStartLayout, strings.TrimSpace(value))
	if err != nil {
		return time.Time{}, ErrOfficeTimeFormat
	}
	return OfficeMoment(wall, loc)
}

// OfficeDayAt is the moment of a clock time ("15:04") on the office's day
// that contains now, by OfficeMoment.
func OfficeDayAt(clock string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	c, err := time.Parse("15:04", strings.TrimSpace(clock))
	if err != nil {
		return time.Time{}, ErrOfficeTimeFormat
	}
	y, mo, d := now.In(loc).Date()
	return OfficeMoment(time.Date(y, mo, d, c.Hour(), c.Minute(), 0, 0, time.UTC), loc)
}
