package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

func TestParseOfficeTime(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	berlin, newYork, lordHowe := zone("Europe/Berlin"), zone("America/New_York"), zone("Australia/Lord_Howe")
	utc := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name  string
		typed string
		loc   *time.Location
		want  time.Time
		err   error
	}{
		{"winter in Berlin is an hour ahead of UTC", "2026-12-01T14:00", berlin, utc(2026, 12, 1, 13, 0), nil},
		{"summer in Berlin is two hours ahead", "2026-07-01T14:00", berlin, utc(2026, 7, 1, 12, 0), nil},
		{"UTC office", "2026-12-01T14:00", time.UTC, utc(2026, 12, 1, 14, 0), nil},
		{"no zone is UTC", "2026-12-01T14:00", nil, utc(2026, 12, 1, 14, 0), nil},
		{"spaces around", " 2026-12-01T14:00 ", berlin, utc(2026, 12, 1, 13, 0), nil},
		{"across midnight in UTC", "2026-12-01T00:30", berlin, utc(2026, 11, 30, 23, 30), nil},
		// Berlin puts its clocks forward on 29 March 2026 at 02:00 to 03:00.
		{"the last minute before the clocks go forward", "2026-03-29T01:59", berlin, utc(2026, 3, 29, 0, 59), nil},
		{"the skipped hour's first minute", "2026-03-29T02:00", berlin, time.Time{}, counselling.ErrOfficeTimeSkipped},
		{"in the skipped hour", "2026-03-29T02:30", berlin, time.Time{}, counselling.ErrOfficeTimeSkipped},
		{"the first minute after the clocks went forward", "2026-03-29T03:00", berlin, utc(2026, 3, 29, 1, 0), nil},
		// Berlin puts its clocks back on 25 October 2026 at 03:00 to 02:00.
		{"the last minute before the repeated hour", "2026-10-25T01:59", berlin, utc(2026, 10, 24, 23, 59), nil},
		{"the repeated hour's first minute", "2026-10-25T02:00", berlin, time.Time{}, counselling.ErrOfficeTimeTwice},
		{"in the repeated hour", "2026-10-25T02:30", berlin, time.Time{}, counselling.ErrOfficeTimeTwice},
		{"the first minute after the repeated hour", "2026-10-25T03:00", berlin, utc(2026, 10, 25, 2, 0), nil},
		{"New York skips 02:30 on 8 March", "2026-03-08T02:30", newYork, time.Time{}, counselling.ErrOfficeTimeSkipped},
		{"New York repeats 01:30 on 1 November", "2026-11-01T01:30", newYork, time.Time{}, counselling.ErrOfficeTimeTwice},
		{"New York after the repeated hour", "2026-11-01T02:00", newYork, utc(2026, 11, 1, 7, 0), nil},
		// Lord Howe Island moves its clocks by half an hour.
		{"Lord Howe skips 02:15 on 4 October", "2026-10-04T02:15", lordHowe, time.Time{}, counselling.ErrOfficeTimeSkipped},
		{"Lord Howe after its half hour", "2026-10-04T02:30", lordHowe, utc(2026, 10, 3, 15, 30), nil},
		{"Lord Howe repeats 01:45 on 5 April", "2026-04-05T01:45", lordHowe, time.Time{}, counselling.ErrOfficeTimeTwice},
		{"not a time", "tomorrow at two", berlin, time.Time{}, counselling.ErrOfficeTimeFormat},
		{"no such day", "2026-02-30T14:00", berlin, time.Time{}, counselling.ErrOfficeTimeFormat},
		{"seconds are not asked for", "2026-12-01T14:00:00", berlin, time.Time{}, counselling.ErrOfficeTimeFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := counselling.ParseOfficeTime(tc.typed, tc.loc)
			if err != tc.err {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if err == nil && got.Location() != time.UTC {
				t.Errorf("the moment is in %v, not UTC", got.Location())
			}
			if err != nil && counselling.ErrorCode(err) != counselling.EInvalid {
				t.Errorf("the refusal is %s, not a refusal of the input", counselling.ErrorCode(err))
			}
		})
	}
}

func TestOfficeDayAt(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		clock string
		now   time.Time
		want  time.Time
		err   error
	}{
		{"the office's day, in winter", "15:00", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), nil},
		// At 23:30 UTC it is already the next day in Berlin: "today" is the
		// office's day.
		{"the office's day has begun before UTC's", "09:00", time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC), time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), nil},
		{"a skipped time today", "02:30", time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC), time.Time{}, counselling.ErrOfficeTimeSkipped},
		{"a repeated time today", "02:30", time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), time.Time{}, counselling.ErrOfficeTimeTwice},
		{"not a clock time", "2pm", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), time.Time{}, counselling.ErrOfficeTimeFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := counselling.OfficeDayAt(tc.clock, tc.now, berlin)
			if err != tc.err || !got.Equal(tc.want) {
				t.Fatalf("got %v, %v; want %v, %v", got, err, tc.want, tc.err)
			}
		})
	}
}
