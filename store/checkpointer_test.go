package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confidant/store/storetest"
)

// Commits leave the copying of the WAL back into the database file to the
// background checkpointer: soon after a write, the database file alone (its
// WAL set aside) holds it, though no write of ours checkpointed.
func TestBackgroundCheckpointCopiesTheWAL(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	for i := range 20 {
		if _, err := db.CreateOffice(ctx, fmt.Sprintf("branch-%d", i), fmt.Sprintf("Branch %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if n := officesInFileAlone(t, db.Path()); n >= 21 {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("after 5 s the database file alone holds %d offices, want 21", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// officesInFileAlone copies the database file without its WAL and counts
// the offices the copy holds.
func officesInFileAlone(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "alone.db")
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+cp)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM offices`).Scan(&n); err != nil {
		return 0
	}
	return n
}
