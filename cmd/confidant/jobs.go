package main

import (
	"time"

	"github.com/robfig/cron/v3"
)

// digestSpec is when the digests are queued: on the hour, so that every
// node's run of the same hour is one.
const digestSpec = "0 * * * *"

// due is the time schedule last fell due at or before now: the scheduled
// run a job started now belongs to. Every node of an office computes it
// from the same schedule, so a node that starts the job late (a busy
// machine, a pause of the runtime, a clock a little behind) still names the
// same run as the others, and store.RunOnce runs it once.
func due(schedule cron.Schedule, now time.Time) time.Time {
	// Schedules in UTC, as the office's cron runs them.
	now = now.UTC()
	for back := time.Minute; back < 5*366*24*time.Hour; back *= 2 {
		t := schedule.Next(now.Add(-back))
		if t.IsZero() {
			break
		}
		if t.After(now) {
			continue
		}
		for {
			next := schedule.Next(t)
			if next.IsZero() || next.After(now) {
				return t
			}
			t = next
		}
	}
	// A schedule that never fell due (none the office accepts): the
	// second the job started.
	return now.Truncate(time.Second)
}
