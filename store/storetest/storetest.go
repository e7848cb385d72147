// Package storetest opens real SQLite stores in temporary folders for tests,
// with a clock the test moves by hand.
package storetest

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"confidant/counselling/vault"
	"confidant/store"
)

// Clock is a clock that only moves when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at a fixed, ordinary moment.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// DB is an open store with its folder and clock.
type DB struct {
	*store.DB
	Dir   string
	Clock *Clock
}

// MustOpenDB opens a fresh store in t.TempDir(), with key files generated as on
// a first start, and closes it when the test ends. tune, if given, changes the
// options the store opens with.
func MustOpenDB(t testing.TB, tune ...func(*store.Options)) *DB {
	t.Helper()
	dir := t.TempDir()
	keys, err := vault.LoadOrCreate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	clock := NewClock()
	opts := store.Options{Clock: clock}
	for _, f := range tune {
		f(&opts)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &DB{DB: db, Dir: dir, Clock: clock}
}

// Count runs a counting query on a separate connection to the same file, so
// tests can check what really reached SQLite.
func (db *DB) Count(t testing.TB, query string, args ...any) int {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
