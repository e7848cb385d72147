package counselling

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	// Offices name their time zone; the zone database is built in, so that a
	// server without one still computes due times in the office's time.
	_ "time/tzdata"
)

// The units an office promises an answer in.
const (
	PromiseWorkingDays = "working-days"
	PromiseHours       = "hours"
)

// Promise is an office's answer-time promise: an answer within Amount working
// days or within Amount hours of working days.
type Promise struct {
	Amount int
	Unit   string
}

// Phrase is how pages and mails tell help-seekers the promise ("within 2
// working days"): a message id and its data. It is the only answer time they
// are told, so that what they read agrees with the due time of their
// enquiry.
func (p Promise) Phrase() (id string, data map[string]any) {
	data = map[string]any{"Count": p.Amount}
	switch {
	case p.Unit == PromiseHours && p.Amount == 1:
		return "within 1 hour", data
	case p.Unit == PromiseHours:
		return "within {{.Count}} hours", data
	case p.Amount == 1:
		return "within 1 working day", data
	}
	return "within {{.Count}} working days", data
}

// DefaultPromise is the promise of a fresh office: two working days.
var DefaultPromise = Promise{Amount: 2, Unit: PromiseWorkingDays}

// Validate checks a promise: 1 to 30 working days, or 1 to 720 hours.
func (p Promise) Validate() error {
	switch {
	case p.Unit == PromiseWorkingDays && p.Amount >= 1 && p.Amount <= 30:
	case p.Unit == PromiseHours && p.Amount >= 1 && p.Amount <= 720:
	default:
		return FieldError("promise_amount", "Promise an answer within 1 to 30 working days or 1 to 720 hours.")
	}
	return nil
}

// DayHours are an office's opening hours on one weekday, in minutes after
// local midnight. A day whose hours close no later than they open is a day the
// office is closed.
type DayHours struct {
	Opens, Closes int
}

// Open reports whether the office opens on the day at all.
func (d DayHours) Open() bool { return d.Closes > d.Opens }

// DefaultOpeningHours are a fresh office's: Monday to Friday, 9:00 to 17:00.
var DefaultOpeningHours = [7]DayHours{
	time.Monday: {9 * 60, 17 * 60}, time.Tuesday: {9 * 60, 17 * 60}, time.Wednesday: {9 * 60, 17 * 60},
	time.Thursday: {9 * 60, 17 * 60}, time.Friday: {9 * 60, 17 * 60},
}

// DefaultTimeZone is the time zone of a fresh office.
const DefaultTimeZone = "Europe/Berlin"

// Workweek is an office's working time: its opening hours per weekday (the
// days it opens are its working days), its holidays and its time zone, in
// which all of them are meant.
type Workweek struct {
	Location *time.Location
	Hours    [7]DayHours // indexed by time.Weekday
	Holidays map[string]bool
}

// DateLayout is how a calendar day is written in forms and stored: 2026-12-24.
const DateLayout = "2006-01-02"

func (w Workweek) loc() *time.Location {
	if w.Location == nil {
		return time.UTC
	}
	return w.Location
}

// anyWorkingDay reports whether the office opens on some weekday. An office
// that opens on none would never answer; its promise counts every day.
func (w Workweek) anyWorkingDay() bool {
	for _, d := range w.Hours {
		if d.Open() {
			return true
		}
	}
	return false
}

// WorkingDay reports whether the calendar day of local midnight day is a
// working day: a day the office opens that is not one of its holidays.
func (w Workweek) WorkingDay(day time.Time) bool {
	if w.Holidays[day.Format(DateLayout)] {
		return false
	}
	return !w.anyWorkingDay() || w.Hours[day.Weekday()].Open()
}

// midnight returns the start of t's calendar day in the office's time zone.
func (w Workweek) midnight(t time.Time) time.Time {
	l := t.In(w.loc())
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, w.loc())
}

// nextDay returns local midnight of the day after the day starting at day.
func (w Workweek) nextDay(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, w.loc())
}

// closing returns when the office closes on the working day starting at day:
// at the end of its opening hours, or at the end of the day for an office
// that names no hours.
func (w Workweek) closing(day time.Time) time.Time {
	h := w.Hours[day.Weekday()]
	if !h.Open() || h.Closes >= 24*60 {
		return w.nextDay(day)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), h.Closes/60, h.Closes%60, 0, 0, w.loc())
}

// maxDays bounds the search for working days, so that an office whose every
// day is a holiday still gets an answer, ten years on.
const maxDays = 3660

// DueAt is the rule of when an answer to a message received at received is
// due, under promise p and the office's working time w:
//
//   - in working days: the day of receipt never counts (a message received at
//     23:59 belongs to that day, one at 0:00 to the next, in the office's time
//     zone); the answer is due when the office closes on the Amount-th working
//     day after it;
//   - in hours: only time on working days counts, from the moment of receipt,
//     so that a weekend or a holiday stops the clock for the whole day.
//
// Holidays and days the office does not open are not working days.
func DueAt(received time.Time, p Promise, w Workweek) time.Time {
	if p.Amount < 1 {
		return received
	}
	if p.Unit == PromiseHours {
		left := time.Duration(p.Amount) * time.Hour
		t := received
		for i := 0; i < maxDays; i++ {
			day := w.midnight(t)
			end := w.nextDay(day)
			if w.WorkingDay(day) {
				if t.Add(left).Before(end) || t.Add(left).Equal(end) {
					return t.Add(left).In(w.loc())
				}
				left -= end.Sub(t)
			}
			t = end
		}
		return t
	}
	day, n := w.midnight(received), 0
	for i := 0; i < maxDays; i++ {
		day = w.nextDay(day)
		if w.WorkingDay(day) {
			if n++; n == p.Amount {
				return w.closing(day)
			}
		}
	}
	return day
}

// Overdue reports whether an answer due at due is late at now. A thread
// without a due time (nothing waits for an answer) is never overdue.
func Overdue(due, now time.Time) bool {
	return !due.IsZero() && now.After(due)
}

// NewExpectation is the rule of what a help-seeker is told once the promise
// to them has slipped: an answer by the close of the next working day.
func NewExpectation(now time.Time, w Workweek) time.Time {
	return DueAt(now, Promise{Amount: 1, Unit: PromiseWorkingDays}, w)
}

// ParseClock reads a time of day written as 9:00 or 09:00 (24:00 for the end
// of the day) into minutes after midnight.
func ParseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(m) != 2 || len(h) < 1 || len(h) > 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, false
	}
	return hh*60 + mm, true
}

// FormatClock writes minutes after midnight as 09:00.
func FormatClock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}

// ValidateTimeZone checks that name is a time zone of the zone database.
func ValidateTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, FieldError("time_zone", "Please give a time zone such as Europe/Berlin.")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, FieldError("time_zone", "Please give a time zone such as Europe/Berlin.")
	}
	return loc, nil
}

// Workday is what an office sets about its working time: the promise, the
// opening hours and holidays in its time zone, and whether new enquiries are
// assigned automatically to the counsellor on duty.
type Workday struct {
	TimeZone   string
	Promise    Promise
	Hours      [7]DayHours
	Holidays   []string // days, DateLayout, in order
	AutoAssign bool
}

// Workweek returns the working time the due-time rule counts with.
func (d Workday) Workweek() Workweek {
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	w := Workweek{Location: loc, Hours: d.Hours, Holidays: map[string]bool{}}
	for _, h := range d.Holidays {
		w.Holidays[h] = true
	}
	return w
}

// OverdueCounts are how many of an office's threads wait past their due
// time: in the open queue, and held by a counsellor.
type OverdueCounts struct {
	Queued, InProgress int
}

// Total is the number of overdue threads.
func (o OverdueCounts) Total() int { return o.Queued + o.InProgress }

// Validate checks an office's working time as its admins set it: a time zone
// of the zone database, a promise Promise.Validate accepts, opening hours
// that close after they open (or a day left closed), and holidays written as
// days. Holidays are put in order without repeats.
func (d *Workday) Validate() error {
	p := Problems{}
	d.TimeZone = strings.TrimSpace(d.TimeZone)
	if _, err := ValidateTimeZone(d.TimeZone); err != nil {
		p.Add("time_zone", ErrorMessage(err))
	}
	if err := d.Promise.Validate(); err != nil {
		p.Add("promise_amount", ErrorMessage(err))
	}
	for wd, h := range d.Hours {
		if h == (DayHours{}) {
			continue
		}
		if h.Opens < 0 || h.Closes > 24*60 || !h.Open() {
			p.Add("closes_"+strconv.Itoa(wd), "The office closes before it opens. Please give a closing time after the opening time, or leave both empty.")
		}
	}
	seen := map[string]bool{}
	var days []string
	for _, h := range d.Holidays {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, err := time.Parse(DateLayout, h); err != nil {
			p.Add("holidays", "Please write each holiday as a day such as 2026-12-24, one a line.")
			continue
		}
		if !seen[h] {
			seen[h] = true
			days = append(days, h)
		}
	}
	if len(days) > 366 {
		p.Add("holidays", "Please list at most 366 holidays.")
	}
	slices.Sort(days)
	d.Holidays = days
	return p.Err()
}
