package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVAPIDKeyMadeOnFirstStart: the key that signs device notifications is
// generated into the data folder beside master.key, readable only by the
// office, and kept across restarts (a new key would cost every device its
// subscription).
func TestVAPIDKeyMadeOnFirstStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	r := start(t, dir)
	path := filepath.Join(dir, "vapid.key")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no vapid.key after the first start: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("vapid.key has mode %#o, want 0600", info.Mode().Perm())
	}
	first, _ := os.ReadFile(path)
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	start(t, dir)
	again, _ := os.ReadFile(path)
	if string(first) != string(again) || strings.TrimSpace(string(first)) == "" {
		t.Error("a restart replaced the VAPID key")
	}
}
