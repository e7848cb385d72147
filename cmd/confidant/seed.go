package main

import (
	"context"
	"fmt"

	"confidant/counselling"
	"confidant/store"
)

// seed runs the hidden "confidant seed" command: synthetic help-seekers and
// threads for benchmarks and demonstrations. Never run it on a real office.
func (m *Main) seed(ctx context.Context, args []string) error {
	fs, cfg := m.flags("seed")
	seekers := fs.Int("seekers", 1000, "synthetic help-seekers")
	threads := fs.Int("threads", 100_000, "synthetic threads")
	perThread := fs.Int("messages-per-thread", 1, "messages in each thread")
	ageDays := fs.Int("age-days", 0, "days since the threads' last activity (400 makes them expired)")
	officeSlug := fs.String("office", counselling.DefaultOfficeSlug, "office slug")
	rest, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	db, err := openStore(ctx, cfg.Data, counselling.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	office, err := db.OfficeBySlug(ctx, *officeSlug)
	if err != nil {
		return fmt.Errorf("no office with slug %q", *officeSlug)
	}
	if err := db.Seed(ctx, store.SeedOptions{OfficeID: office.ID, Seekers: *seekers, Threads: *threads,
		MessagesPerThread: *perThread, AgeDays: *ageDays}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "seeded %d threads from %d synthetic help-seekers into office %q\n", *threads, *seekers, office.Slug)
	return nil
}
