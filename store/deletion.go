package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confidant/counselling"
)

// DeleteAccount deletes an account and everything that belongs to it in one
// transaction. The data key is destroyed first, so that no copy of the rows
// (in free pages, the WAL, or an old backup once the KEK is rotated) can be
// opened again; then the profile, threads, messages, notes, drafts, outbox
// rows, consents and sessions go. The anonymous facts stay, their only link
// gone. Afterwards the WAL is checkpointed until no frame of the deleted rows
// is left, waiting a bounded time for readers that still hold them.
//
// The deletion is done once its transaction commits, and DeleteAccount says
// so even when readers outlast the checkpoint's patience: telling the
// help-seeker that a deletion failed which in fact happened would be false.
// The frames left in the WAL hold only ciphertext under a destroyed key; the
// failure is logged and a background retry (checkpointLater) clears them.
func (db *DB) DeleteAccount(ctx context.Context, accountID string) (*counselling.Deletion, error) {
	if !validID(accountID) {
		return nil, notFound("The account")
	}
	var d *counselling.Deletion
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = db.deleteAccount(ctx, tx, accountID)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.afterDeletion(ctx)
	return d, nil
}

// deleteAccount destroys an account's data key and then deletes its rows,
// in tx.
func (db *DB) deleteAccount(ctx context.Context, tx *sql.Tx, accountID string) (*counselling.Deletion, error) {
	var d counselling.Deletion
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET data_key = randomblob(length(data_key)) WHERE id = ?`, accountID)
	if err != nil {
		return nil, fmt.Errorf("destroy data key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, notFound("The account")
	}
	if db.keyDestroyed != nil {
		if err := db.keyDestroyed(ctx, tx, accountID); err != nil {
			return nil, err
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(stats_key), coalesce(sum((SELECT count(*) FROM messages m
		WHERE m.thread_id = t.id)), 0) FROM threads t WHERE seeker_id = ?`, accountID).Scan(&d.Threads, &d.Facts, &d.Messages); err != nil {
		return nil, fmt.Errorf("count what is deleted: %w", err)
	}
	if err := db.deleteAccountRows(ctx, tx, accountID); err != nil {
		return nil, err
	}
	return &d, nil
}

// afterDeletion checkpoints the WAL once a deletion has committed, so that no
// frame keeps the deleted rows, or has it retried in the background.
func (db *DB) afterDeletion(ctx context.Context) {
	if err := db.Checkpoint(ctx); err != nil {
		db.log.Warn("checkpoint after a deletion failed; retrying in the background", "error", err.Error())
		db.checkpointLater()
	}
}

// checkpointRetries bounds the background retries of a checkpoint: each waits
// the checkpoint's patience for readers and then pauses as long again. Should
// all fail, the nightly purge checkpoints once more.
const checkpointRetries = 5

// checkpointLater retries Checkpoint in the background until it succeeds, the
// retries are used up, or the store closes. At most one retry runs at a time;
// a deletion that happens meanwhile is covered by it, since every checkpoint
// empties the whole WAL.
func (db *DB) checkpointLater() {
	if !db.retrying.CompareAndSwap(false, true) {
		return
	}
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		defer db.retrying.Store(false)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-db.closing:
				cancel()
			case <-ctx.Done():
			}
		}()
		for i := 1; i <= checkpointRetries; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(db.checkpointPatience):
			}
			err := db.Checkpoint(ctx)
			if err == nil {
				db.log.Info("checkpoint after a deletion done", "attempt", i)
				return
			}
			if ctx.Err() != nil {
				return
			}
			db.log.Warn("checkpoint after a deletion failed again", "attempt", i, "error", err.Error())
		}
		db.log.Error("checkpoint after a deletion gave up; the next purge checkpoints again", "attempts", checkpointRetries)
	}()
}

// deleteAccountRows removes an account and what hangs on it.
func (db *DB) deleteAccountRows(ctx context.Context, tx *sql.Tx, accountID string) error {
	for _, q := range []string{
		`DELETE FROM outbox WHERE account_id = ?`,
		`DELETE FROM push_subscriptions WHERE account_id = ?`,
		`DELETE FROM sessions WHERE account_id = ?`,
		`DELETE FROM drafts WHERE thread_id IN (SELECT id FROM threads WHERE seeker_id = ?)`,
		`DELETE FROM threads WHERE seeker_id = ?`,
		`DELETE FROM drafts WHERE author_id = ?`,
		`DELETE FROM consents WHERE account_id = ?`,
		`DELETE FROM invites WHERE account_id = ?`,
		`DELETE FROM accounts WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, accountID); err != nil {
			return fmt.Errorf("delete account rows: %w", err)
		}
	}
	return nil
}

// How long Checkpoint keeps trying while readers hold the WAL, and how long
// each try waits for them. The writer is free between tries.
const (
	checkpointPatience = 15 * time.Second
	checkpointTry      = 200 * time.Millisecond
	checkpointPause    = 50 * time.Millisecond
)

// Checkpoint copies the WAL into the database and truncates it, so that the
// pages a deletion freed (zeroed by secure_delete) replace the old ones in the
// database file and no frame of the WAL keeps the destroyed rows. A reader
// still on a snapshot from before the deletion holds those frames back: SQLite
// then reports the checkpoint busy or only partly done, and Checkpoint tries
// again until the WAL is empty, for at most checkpointPatience.
//
// PostgreSQL has no such file to empty: there, Checkpoint does nothing.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.eng == enginePostgres {
		return nil
	}
	deadline := time.Now().Add(db.checkpointPatience)
	for {
		busy, frames, copied, err := db.checkpointOnce(ctx)
		if err != nil {
			return err
		}
		// TRUNCATE reports a log of 0 frames once the WAL file is emptied.
		if busy == 0 && frames == 0 && copied == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("checkpoint: readers held %d WAL frames (%d copied) for %v", frames, copied, db.checkpointPatience)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("checkpoint: %w", ctx.Err())
		case <-time.After(checkpointPause):
		}
	}
}

// checkpointOnce runs one TRUNCATE checkpoint on the writer, waiting at most
// checkpointTry for readers instead of the writer's usual busy timeout.
func (db *DB) checkpointOnce(ctx context.Context) (busy, frames, copied int, err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, checkpointTry.Milliseconds())); err != nil {
		return 0, 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeout.Milliseconds()))
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
		return 0, 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	return busy, frames, copied, nil
}
