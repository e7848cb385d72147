package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// --purge-schedule says when the nightly purge runs, as a cron line in UTC;
// anything else is refused at start with a message that shows the form.
func TestPurgeSchedule(t *testing.T) {
	for _, bad := range []string{"", "nightly", "61 3 * * *", "30 3 * *"} {
		fs, cfg := NewMain(io.Discard, io.Discard, func(string) string { return "" }).serveFlags()
		if err := fs.Parse([]string{"--purge-schedule", bad}); err != nil {
			t.Fatal(err)
		}
		if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "--purge-schedule") || !strings.Contains(err.Error(), defaultPurgeSchedule) {
			t.Errorf("--purge-schedule %q: %v", bad, err)
		}
	}
	r := start(t, filepath.Join(t.TempDir(), "data"), "--purge-schedule", "@every 1s")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(r.stderr.String(), "rule=expired-invites"); {
		if time.Now().After(deadline) {
			t.Fatalf("the purge did not run on its schedule:\n%s", r.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
