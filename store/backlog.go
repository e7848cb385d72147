package store

import (
	"context"
	"database/sql"
	"fmt"

	"confidant/counselling"
)

// Backlog counts what waits in every office: the two queues and the outbox.
func (db *DB) Backlog(ctx context.Context) (counselling.Backlog, error) {
	var b counselling.Backlog
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT
				count(CASE WHEN channel = 'mail' THEN 1 END), count(CASE WHEN channel = 'chat' THEN 1 END)
			FROM threads WHERE status = 'open'`).Scan(&b.MailQueue, &b.LiveQueue); err != nil {
			return fmt.Errorf("count queues: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT
				count(CASE WHEN kind != ? AND sent_at IS NULL AND given_up_at IS NULL THEN 1 END),
				count(CASE WHEN kind = ? AND sent_at IS NULL AND given_up_at IS NULL THEN 1 END),
				count(CASE WHEN kind != ? AND given_up_at IS NOT NULL THEN 1 END),
				count(CASE WHEN kind = ? AND given_up_at IS NOT NULL THEN 1 END)
			FROM outbox`, pushKind, pushKind, pushKind, pushKind).Scan(&b.OutboxMail, &b.OutboxPush, &b.GivenUpMail, &b.GivenUpPush); err != nil {
			return fmt.Errorf("count outbox: %w", err)
		}
		return nil
	})
	return b, err
}

const pushKind = string(counselling.NoticePush)
