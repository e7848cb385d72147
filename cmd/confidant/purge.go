package main

import (
	"context"
	"fmt"
	"time"

	"confidant/counselling"
)

// purge runs "confidant purge [--dry-run]": every retention rule now, or with
// --dry-run only what each rule would delete.
func (m *Main) purge(ctx context.Context, args []string) error {
	fs, cfg := m.flags("purge")
	dry := fs.Bool("dry-run", false, "only count what each rule would delete")
	rest, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	db, err := cfg.open(ctx, counselling.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	stats, err := db.Purge(ctx, counselling.DefaultSessionPolicy, *dry)
	if err != nil {
		return err
	}
	verb := "deleted"
	if *dry {
		verb = "would delete"
	}
	for _, c := range stats.Counts {
		fmt.Fprintf(m.Stdout, "%-26s %s %d\n", c.Rule, verb, c.Count)
	}
	if !*dry {
		fmt.Fprintf(m.Stdout, "%d write transactions; write lock held at most %v, 99th percentile %v\n",
			stats.Writes, stats.LongestWrite.Round(100*time.Microsecond), stats.P99Write.Round(100*time.Microsecond))
	}
	return nil
}
