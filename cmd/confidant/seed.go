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
	counsellors := fs.Int("counsellors", 20, "synthetic counsellors (who cannot log in) to hold threads beside the office's own counsellors")
	openShare := fs.Float64("open-share", store.DefaultSeedOpenShare, "share of the threads, the newest, left open in the queue")
	inProgress := fs.Float64("in-progress-share", store.DefaultSeedInProgressShare, "share of the threads, the next newest, held by a counsellor and in progress; the older rest are closed")
	officeSlug := fs.String("office", counselling.DefaultOfficeSlug, "office slug")
	rest, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	if *openShare < 0 || *inProgress < 0 || *openShare+*inProgress > 1 || *openShare+*inProgress == 0 || *counsellors < 0 {
		return fmt.Errorf("--open-share and --in-progress-share must be shares between 0 and 1 that add up to at most 1 and more than 0, --counsellors not negative")
	}
	db, err := cfg.open(ctx, counselling.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	office, err := db.OfficeBySlug(ctx, *officeSlug)
	if err != nil {
		return fmt.Errorf("no office with slug %q", *officeSlug)
	}
	if err := db.Seed(ctx, store.SeedOptions{OfficeID: office.ID, Seekers: *seekers, Threads: *threads,
		MessagesPerThread: *perThread, AgeDays: *ageDays, OpenShare: *openShare, InProgressShare: *inProgress,
		SyntheticCounsellors: *counsellors}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "seeded %d threads from %d synthetic help-seekers into office %q: %.0f%% open, %.0f%% in progress, the rest closed, held by the office's counsellors and %d synthetic ones\n",
		*threads, *seekers, office.Slug, 100**openShare, 100**inProgress, *counsellors)
	return nil
}
