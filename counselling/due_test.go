package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDueAt: the answer-time promise in working days and in hours, with the
// office's opening days, holidays and time zone. 23 November 2026 is a Monday.
func TestDueAt(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	auckland := mustZone(t, "Pacific/Auckland")
	week := counselling.Workweek{Location: berlin, Hours: counselling.DefaultOpeningHours}
	christmas := week
	christmas.Holidays = map[string]bool{"2026-12-24": true, "2026-12-25": true}
	weekend := counselling.Workweek{Location: berlin, Hours: counselling.DefaultOpeningHours}
	weekend.Hours[time.Saturday] = counselling.DayHours{Opens: 10 * 60, Closes: 14 * 60}
	always := counselling.Workweek{Location: berlin} // no opening hours named: every day counts
	untilMidnight := counselling.Workweek{Location: berlin}
	untilMidnight.Hours[time.Monday] = counselling.DayHours{Opens: 0, Closes: 24 * 60}
	untilMidnight.Hours[time.Tuesday] = counselling.DayHours{Opens: 0, Closes: 24 * 60}
	twoDays := counselling.DefaultPromise
	hours := func(n int) counselling.Promise { return counselling.Promise{Amount: n, Unit: counselling.PromiseHours} }
	days := func(n int) counselling.Promise {
		return counselling.Promise{Amount: n, Unit: counselling.PromiseWorkingDays}
	}
	at := func(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
		return time.Date(y, m, d, hh, mm, 0, 0, loc)
	}
	for _, tc := range []struct {
		name     string
		received time.Time
		promise  counselling.Promise
		week     counselling.Workweek
		want     time.Time
	}{
		{"Monday morning: the day of receipt does not count", at(berlin, 2026, 11, 23, 9, 0), twoDays, week, at(berlin, 2026, 11, 25, 17, 0)},
		{"Thursday: over the weekend", at(berlin, 2026, 11, 26, 12, 0), twoDays, week, at(berlin, 2026, 11, 30, 17, 0)},
		{"Saturday counts from Monday", at(berlin, 2026, 11, 28, 12, 0), twoDays, week, at(berlin, 2026, 12, 1, 17, 0)},
		{"an office open on Saturdays counts it", at(berlin, 2026, 11, 26, 12, 0), twoDays, weekend, at(berlin, 2026, 11, 28, 14, 0)},
		{"holidays do not count", at(berlin, 2026, 12, 22, 10, 0), twoDays, christmas, at(berlin, 2026, 12, 28, 17, 0)},
		{"without holidays the same enquiry is due before them", at(berlin, 2026, 12, 22, 10, 0), twoDays, week, at(berlin, 2026, 12, 24, 17, 0)},
		{"one minute before midnight belongs to that day", at(berlin, 2026, 11, 23, 23, 59), twoDays, week, at(berlin, 2026, 11, 25, 17, 0)},
		{"midnight belongs to the next day", at(berlin, 2026, 11, 24, 0, 0), twoDays, week, at(berlin, 2026, 11, 26, 17, 0)},
		{"the office's time zone decides the day: 23:30 UTC Monday is Tuesday in Berlin",
			time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC), twoDays, week, at(berlin, 2026, 11, 26, 17, 0)},
		{"22:30 UTC Monday is still Monday in Berlin",
			time.Date(2026, 11, 23, 22, 30, 0, 0, time.UTC), twoDays, week, at(berlin, 2026, 11, 25, 17, 0)},
		{"an office far away: Friday evening in UTC is Saturday in Auckland",
			time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), days(1), counselling.Workweek{Location: auckland, Hours: counselling.DefaultOpeningHours},
			at(auckland, 2026, 11, 30, 17, 0)},
		{"an office open until midnight is due at the day's end", at(berlin, 2026, 11, 23, 10, 0), days(1), untilMidnight, at(berlin, 2026, 11, 25, 0, 0)},
		{"no opening hours named: every day is a working day", at(berlin, 2026, 11, 27, 10, 0), twoDays, always, at(berlin, 2026, 11, 30, 0, 0)},
		{"72 hours from Monday morning", at(berlin, 2026, 11, 23, 9, 0), hours(72), week, at(berlin, 2026, 11, 26, 9, 0)},
		{"72 hours from Friday afternoon stop over the weekend", at(berlin, 2026, 11, 27, 15, 0), hours(72), week, at(berlin, 2026, 12, 2, 15, 0)},
		{"hours from a Saturday start on Monday at midnight", at(berlin, 2026, 11, 28, 15, 0), hours(24), week, at(berlin, 2026, 12, 1, 0, 0)},
		{"hours stop on a holiday", at(berlin, 2026, 12, 23, 12, 0), hours(24), christmas, at(berlin, 2026, 12, 28, 12, 0)},
		{"hours across the change to summer time are hours of the clock",
			at(berlin, 2027, 3, 27, 12, 0), hours(24), always, at(berlin, 2027, 3, 28, 13, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := counselling.DueAt(tc.received, tc.promise, tc.week)
			if !got.Equal(tc.want) {
				t.Errorf("received %s, promise %d %s: due %s, want %s", tc.received, tc.promise.Amount, tc.promise.Unit,
					got.In(tc.want.Location()), tc.want)
			}
		})
	}
}

func TestDueAtEveryDayAHoliday(t *testing.T) {
	w := counselling.Workweek{Location: time.UTC, Hours: counselling.DefaultOpeningHours, Holidays: map[string]bool{}}
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for d := 0; d < 4000; d++ {
		w.Holidays[start.AddDate(0, 0, d).Format(counselling.DateLayout)] = true
	}
	if due := counselling.DueAt(start, counselling.DefaultPromise, w); !due.After(start) {
		t.Fatalf("an office without working days still promises some time after receipt, got %s", due)
	}
}

func TestOverdueAndNewExpectation(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	w := counselling.Workweek{Location: berlin, Hours: counselling.DefaultOpeningHours}
	due := time.Date(2026, 11, 25, 17, 0, 0, 0, berlin)
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{due.Add(-time.Minute), false},
		{due, false},
		{due.Add(time.Second), true},
	} {
		if got := counselling.Overdue(due, tc.now); got != tc.want {
			t.Errorf("due %s, now %s: overdue %v, want %v", due, tc.now, got, tc.want)
		}
	}
	if counselling.Overdue(time.Time{}, due) {
		t.Error("a thread with nothing waiting for an answer is overdue")
	}
	// Late on a Friday, the new expectation is Monday's closing time.
	friday := time.Date(2026, 11, 27, 18, 0, 0, 0, berlin)
	if got, want := counselling.NewExpectation(friday, w), time.Date(2026, 11, 30, 17, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("new expectation %s, want %s", got, want)
	}
}

func TestPromiseValidate(t *testing.T) {
	for _, tc := range []struct {
		p  counselling.Promise
		ok bool
	}{
		{counselling.DefaultPromise, true},
		{counselling.Promise{Amount: 72, Unit: counselling.PromiseHours}, true},
		{counselling.Promise{Amount: 0, Unit: counselling.PromiseWorkingDays}, false},
		{counselling.Promise{Amount: 31, Unit: counselling.PromiseWorkingDays}, false},
		{counselling.Promise{Amount: 721, Unit: counselling.PromiseHours}, false},
		{counselling.Promise{Amount: 2, Unit: "weeks"}, false},
	} {
		if err := tc.p.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: error %v, want ok %v", tc.p, err, tc.ok)
		}
	}
}

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"9:00", 540, true}, {"09:30", 570, true}, {"24:00", 1440, true}, {"0:00", 0, true},
		{"24:01", 0, false}, {"9", 0, false}, {"9:5", 0, false}, {"ab:cd", 0, false}, {"-1:00", 0, false}, {"12:60", 0, false},
	} {
		got, ok := counselling.ParseClock(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseClock(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
