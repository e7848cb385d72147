package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"confidant/counselling"
)

// The move to PostgreSQL refuses while the office runs (its lock is held),
// and backup and restore of an office on PostgreSQL point to PostgreSQL's own
// tools instead of writing a file.
func TestMigrateWaitsForAStoppedOfficeAndBackupsPointToPostgres(t *testing.T) {
	dir := t.TempDir()
	db, err := openStore(context.Background(), dir, counselling.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	unlock, err := lockData(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = runCmd(t, "migrate", "--to", "postgres://confidant@127.0.0.1:1/confidant", "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "an office is running") {
		t.Fatalf("migrate beside a running office: %v", err)
	}
	unlock()
	if _, err := runCmd(t, "migrate", "--data", dir); err == nil || !strings.Contains(err.Error(), "--to postgres://") {
		t.Fatalf("migrate without --to: %v", err)
	}
	if _, err := runCmd(t, "migrate", "--to", "postgres://confidant@127.0.0.1:1/confidant", "--data", t.TempDir()); err == nil ||
		!strings.Contains(err.Error(), "no office to move") {
		t.Fatalf("migrate of an empty folder: %v", err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	// With or without a FILE: an operator on PostgreSQL who types the
	// command bare hears about PostgreSQL's tools, not the usage line.
	for _, args := range [][]string{{"backup", backup}, {"restore", backup}, {"backup"}, {"restore"}} {
		_, err := runCmd(t, append(args, "--data", dir, "--database", "postgres://confidant@127.0.0.1:1/confidant")...)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "pg_basebackup") {
			t.Errorf("%s on PostgreSQL: %v", args[0], err)
		}
	}
	if _, err := runCmd(t, "purge", "--data", dir, "--database", "mysql://somewhere"); err == nil ||
		!strings.Contains(err.Error(), "postgres://") {
		t.Errorf("a --database that is no PostgreSQL URL: %v", err)
	}
}
