package templates

import (
	"context"
	"strconv"
	"time"

	"confidant/counselling"
)

// InboxStatusLabel names an inbox filter.
func InboxStatusLabel(status string) string {
	switch status {
	case counselling.InboxOpen:
		return "Open"
	case counselling.InboxInProgress:
		return "In progress"
	case counselling.InboxOverdue:
		return "Overdue"
	case counselling.InboxClosed:
		return "Closed"
	}
	return status
}

// statusQuery carries an inbox filter on to the next page's link.
func statusQuery(status string) string {
	if status == "" {
		return ""
	}
	return "status=" + status + "&"
}

var weekdayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// WeekdayName is the name of a weekday in the language of ctx.
func WeekdayName(ctx context.Context, d time.Weekday) string { return T(ctx, weekdayNames[d]) }

// DueWhen writes a moment in an office's time zone with its weekday in the
// reader's language, e.g. "Wednesday 2026-03-04 17:00 (Europe/Berlin)", so
// that a promise reads the same in every language and names its zone.
func DueWhen(ctx context.Context, t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	l := t.In(zone)
	return WeekdayName(ctx, l.Weekday()) + " " + l.Format("2006-01-02 15:04") + " (" + zone.String() + ")"
}

// SpanWhen writes a span of time on an office's clock, naming the zone: on
// one day "Tuesday 2026-12-01 14:00–15:30 (Europe/Berlin)", across days both
// ends in full.
func SpanWhen(ctx context.Context, from, to time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	f, u := from.In(zone), to.In(zone)
	if f.Format(counselling.DateLayout) != u.Format(counselling.DateLayout) {
		return DueWhen(ctx, from, zone) + " – " + DueWhen(ctx, to, zone)
	}
	return WeekdayName(ctx, f.Weekday()) + " " + f.Format("2006-01-02 15:04") + "–" + u.Format("15:04") + " (" + zone.String() + ")"
}

// ClockIn writes the time of day of a moment on an office's clock, 14:05,
// for messages on a page that names the zone elsewhere.
func ClockIn(t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).Format("15:04")
}

// mondayFirst is the order a week is listed in.
var mondayFirst = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// DayWhen writes a calendar day in an office's time zone with its weekday in
// the reader's language, e.g. "Friday 2026-03-06".
func DayWhen(ctx context.Context, t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	l := t.In(zone)
	return WeekdayName(ctx, l.Weekday()) + " " + l.Format("2006-01-02")
}

// weekdayKey names a weekday in form fields: 0 for Sunday to 6 for Saturday.
func weekdayKey(d time.Weekday) string { return strconv.Itoa(int(d)) }
