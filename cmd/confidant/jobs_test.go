package main

import (
	"context"
	"testing"
	"time"

	"confidant/counselling"

	"github.com/robfig/cron/v3"
)

// A scheduled run is named by the time the schedule fell due, not by when a
// node got round to it: nodes that start the nightly purge on time, half a
// second late or seconds late all name the same run.
func TestAJobsRunIsTheTimeItFellDue(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		spec, now, want string
	}{
		{"30 3 * * *", "2026-11-23T03:30:00.1Z", "2026-11-23T03:30:00Z"},
		{"30 3 * * *", "2026-11-23T03:30:00.6Z", "2026-11-23T03:30:00Z"},
		{"30 3 * * *", "2026-11-23T03:30:07Z", "2026-11-23T03:30:00Z"},
		{"30 3 * * *", "2026-11-24T03:29:59Z", "2026-11-23T03:30:00Z"},
		{"30 3 * * *", "2026-11-24T03:30:00Z", "2026-11-24T03:30:00Z"},
		{"0 * * * *", "2026-11-23T14:00:01.7Z", "2026-11-23T14:00:00Z"},
		{"0 4 1 * *", "2026-12-01T04:00:00.9Z", "2026-12-01T04:00:00Z"},
		// A node whose zone is not UTC still reads the schedule in UTC.
		{"30 3 * * *", "2026-11-23T04:30:00.8+01:00", "2026-11-23T03:30:00Z"},
	} {
		schedule, err := cron.ParseStandard(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := due(schedule, at(tc.now)); !got.Equal(at(tc.want)) {
			t.Errorf("%q started at %s: run of %s, want %s", tc.spec, tc.now, got.Format(time.RFC3339Nano), tc.want)
		}
	}
}

// Two nodes that start the same night's purge, one on time and one 0.6 s
// late, purge once between them.
func TestALateNodeDoesNotRunTheNightsPurgeAgain(t *testing.T) {
	db, err := openStore(context.Background(), t.TempDir(), counselling.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schedule, err := cron.ParseStandard(defaultPurgeSchedule)
	if err != nil {
		t.Fatal(err)
	}
	tonight := time.Date(2026, 11, 23, 3, 30, 0, 0, time.UTC)
	runs := 0
	purge := func(context.Context) error { runs++; return nil }
	for _, started := range []time.Duration{100 * time.Millisecond, 600 * time.Millisecond, 2 * time.Second, 24 * time.Hour} {
		if _, err := db.RunOnce(context.Background(), "purge", due(schedule, tonight.Add(started)), purge); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 2 {
		t.Fatalf("the purge ran %d times over two nights, want 2", runs)
	}
}
