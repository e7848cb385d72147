package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"confidant/store/storetest"
)

// A write returns as soon as it is committed, even while writes queued
// after it are still being committed: a chat message is acknowledged once it
// is stored, not once everyone else's messages that arrived meanwhile are.
// Here the write queued second holds the writer until the test lets it go;
// the first must not wait for it.
func TestWriteReturnsOnceItsOwnBatchIsCommitted(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	firstRunning, releaseFirst := make(chan struct{}), make(chan struct{})
	secondRunning, releaseSecond := make(chan struct{}), make(chan struct{})
	first, second := make(chan error, 1), make(chan error, 1)
	go func() {
		first <- db.WriteTx(ctx, func(tx *sql.Tx) error {
			close(firstRunning)
			<-releaseFirst
			if _, err := tx.Exec(`CREATE TABLE write_probe (n INTEGER)`); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO write_probe (n) VALUES (1)`)
			return err
		})
	}()
	<-firstRunning
	go func() {
		second <- db.WriteTx(ctx, func(tx *sql.Tx) error {
			close(secondRunning)
			<-releaseSecond
			return nil
		})
	}()
	// The second write is queued behind the first's batch before it commits.
	time.Sleep(50 * time.Millisecond)
	close(releaseFirst)
	<-secondRunning
	select {
	case err := <-first:
		if err != nil {
			t.Fatalf("first write: %v", err)
		}
	case <-time.After(10 * time.Second):
		close(releaseSecond)
		t.Fatal("the first write was committed but its caller waited for the write queued after it")
	}
	if n := db.Count(t, `SELECT count(*) FROM write_probe`); n != 1 {
		t.Fatalf("the first write returned but %d rows of it are stored", n)
	}
	close(releaseSecond)
	if err := <-second; err != nil {
		t.Fatalf("second write: %v", err)
	}
}

// A write that panics fails alone: the office keeps running and later writes
// go through.
func TestAPanickingWriteFailsAlone(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	err := db.WriteTx(ctx, func(tx *sql.Tx) error { panic("a bug in a write") })
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("a panicking write returned %v", err)
	}
	if err := db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE after_panic (n INTEGER)`)
		return err
	}); err != nil {
		t.Fatalf("a write after the panic: %v", err)
	}
}
