package store_test

import (
	"database/sql"
	"testing"

	"confidant/store/storetest"
)

// openRaw opens the store's database directly, as an attacker with the file
// (or the database's password) would.
func openRaw(t *testing.T, db *storetest.DB) *sql.DB {
	t.Helper()
	return db.Raw(t)
}
