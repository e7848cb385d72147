package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store"
	"confidant/store/storetest"
)

// BenchmarkPurgeMillionMessages seeds 100,000 threads of 10 messages, all past
// their retention, and purges them. It reports the total time and the longest
// single write transaction. Targets: at most 60 s in all, at most 50 ms a lock.
// The same can be reproduced on a data folder with:
//
//	confidant seed --threads 100000 --messages-per-thread 10 --age-days 400
//	confidant purge
func BenchmarkPurgeMillionMessages(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db := storetest.MustOpenDB(b)
		office, _ := db.OfficeBySlug(context.Background(), "main")
		if err := db.Seed(context.Background(), store.SeedOptions{OfficeID: office.ID, Seekers: 1000, Threads: 100_000,
			MessagesPerThread: 10, AgeDays: 400}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		stats, err := db.Purge(context.Background(), counselling.DefaultSessionPolicy, false)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n := db.Count(b, `SELECT count(*) FROM messages`); n != 0 {
			b.Fatalf("%d messages left", n)
		}
		b.ReportMetric(float64(stats.LongestWrite.Microseconds())/1000, "longest-lock-ms")
		b.ReportMetric(float64(stats.Writes), "transactions")
		db.Close()
		b.StartTimer()
	}
}
