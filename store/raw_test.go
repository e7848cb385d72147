package store_test

import (
	"database/sql"
	"testing"

	"confidant/store/storetest"
)

// openRaw opens the store's file directly, as an attacker with the file would.
func openRaw(t *testing.T, db *storetest.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
