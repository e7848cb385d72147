package store

import (
	"context"
	"database/sql"
	"fmt"

	"confidant/counselling"
)

// DeleteAccount deletes an account and everything that belongs to it in one
// transaction. The data key is destroyed first, so that no copy of the rows
// (in free pages, the WAL, or an old backup once the KEK is rotated) can be
// opened again; then the profile, threads, messages, notes, drafts, outbox
// rows, consents and sessions go. The anonymous facts stay, their only link
// gone. The WAL is checkpointed afterwards.
func (db *DB) DeleteAccount(ctx context.Context, accountID string) (*counselling.Deletion, error) {
	if !validID(accountID) {
		return nil, notFound("The account")
	}
	var d counselling.Deletion
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET data_key = randomblob(length(data_key)) WHERE id = ?`, accountID)
		if err != nil {
			return fmt.Errorf("destroy data key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("The account")
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(stats_key), coalesce(sum((SELECT count(*) FROM messages m
			WHERE m.thread_id = t.id)), 0) FROM threads t WHERE seeker_id = ?`, accountID).Scan(&d.Threads, &d.Facts, &d.Messages); err != nil {
			return fmt.Errorf("count what is deleted: %w", err)
		}
		return db.deleteAccountRows(ctx, tx, accountID)
	})
	if err != nil {
		return nil, err
	}
	if err := db.Checkpoint(ctx); err != nil {
		return nil, err
	}
	return &d, nil
}

// deleteAccountRows removes an account and what hangs on it.
func (db *DB) deleteAccountRows(ctx context.Context, tx *sql.Tx, accountID string) error {
	for _, q := range []string{
		`DELETE FROM outbox WHERE account_id = ?`,
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

// Checkpoint copies the WAL into the database and truncates it, so that
// deleted pages do not linger in the WAL file.
func (db *DB) Checkpoint(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
