package store

import (
	"database/sql"
	"fmt"
	"time"
)

// The WAL is copied back into the database file by a checkpointer of its
// own, not by the writer. SQLite's automatic checkpoint runs inside the
// commit that crosses its threshold (1,000 pages): that commit, and every
// write queued behind it, then waits for a thousand page writes and an
// fsync of the database file. A counsellor's reply writes about a dozen
// pages, so about one commit in seventy paid for a checkpoint: more than one
// in a hundred, so the replies' p99 was a checkpoint. A PASSIVE checkpoint on another connection runs beside the
// writer without taking its lock, and synchronous=FULL still holds for
// every commit.

// checkpointEvery is how often the checkpointer copies the WAL back: often
// enough that each run copies only a few hundred pages, and that the WAL
// stays small.
const checkpointEvery = 100 * time.Millisecond

// writerAutocheckpoint is the writer's own automatic checkpoint, kept as a
// safety net: should the checkpointer fall behind or fail, the WAL stays
// bounded (about 40 MiB of 4 KiB pages) at the old price.
const writerAutocheckpoint = 10_000

// startCheckpointer opens the checkpointer's connection and runs it until
// the store closes.
func (db *DB) startCheckpointer() error {
	if _, err := db.write.Exec(fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, writerAutocheckpoint)); err != nil {
		return fmt.Errorf("writer autocheckpoint: %w", err)
	}
	ckpt, err := sql.Open("sqlite3", dsn(db.path, false))
	if err != nil {
		return fmt.Errorf("open checkpointer: %w", err)
	}
	ckpt.SetMaxOpenConns(1)
	ckpt.SetMaxIdleConns(1)
	ckpt.SetConnMaxLifetime(0)
	ckpt.SetConnMaxIdleTime(0)
	db.ckpt = ckpt
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		failing := false
		for {
			select {
			case <-db.closing:
				return
			case <-tick.C:
			}
			var busy, frames, copied int
			err := ckpt.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
			// A failure (a full disk, say) is told once, not ten times a
			// second; the writer's own checkpoint bounds the WAL meanwhile.
			if err != nil && !failing {
				db.log.Warn("background checkpoint failed", "error", err.Error())
			} else if err == nil && failing {
				db.log.Info("background checkpoint works again")
			}
			failing = err != nil
		}
	}()
	return nil
}
