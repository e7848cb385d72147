package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"confidant/counselling"
)

// StaffSettings returns a staff member's notification email and whether they
// asked for a digest of new queue items.
func (db *DB) StaffSettings(ctx context.Context, accountID string) (email string, digest bool, err error) {
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		var wrapped, sealed []byte
		err := tx.QueryRowContext(ctx, `SELECT data_key, email, queue_digest FROM accounts WHERE id = ? AND kind = 'staff'`, accountID).
			Scan(&wrapped, &sealed, &digest)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The account")
		}
		if err != nil {
			return fmt.Errorf("read staff settings: %w", err)
		}
		key, err := db.keys.UnwrapDataKey(accountID, wrapped)
		if err != nil {
			return err
		}
		email, err = sealer{key: key, table: "accounts", row: accountID}.open("email", sealed)
		return err
	})
	return email, digest, err
}

// SaveStaffSettings stores a staff member's notification email and digest
// choice. A digest needs an address.
func (db *DB) SaveStaffSettings(ctx context.Context, accountID, email string, digest bool) error {
	p := counselling.Problems{}
	if email != "" && !counselling.ValidEmail(email) {
		p.Add("email", "This does not look like an email address. You can also leave it empty.")
	}
	if digest && email == "" {
		p.Add("email", "A digest needs an email address to go to.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		key, err := db.dataKey(ctx, tx, accountID)
		if err != nil {
			return err
		}
		sealed, err := sealer{key: key, table: "accounts", row: accountID}.seal("email", email)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET email = ?, queue_digest = ?, last_digest_at = ? WHERE id = ? AND kind = 'staff'`,
			sealed, digest, db.now().Unix(), accountID)
		if err != nil {
			return fmt.Errorf("save staff settings: %w", err)
		}
		return nil
	})
}

// QueueDigests queues a digest notice for every counsellor who asked for one
// and whose office has had new enquiries since their last digest. It returns
// how many were queued.
func (db *DB) QueueDigests(ctx context.Context) (int, error) {
	queued := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.office_id FROM accounts a WHERE a.kind = 'staff' AND a.queue_digest = 1
			AND a.disabled = 0 AND a.email IS NOT NULL AND a.role IN ('counsellor', 'supervisor')
			AND EXISTS (SELECT 1 FROM threads t WHERE t.office_id = a.office_id AND t.status = 'open' AND t.created_at > a.last_digest_at)`)
		if err != nil {
			return fmt.Errorf("find digest recipients: %w", err)
		}
		type recipient struct {
			id     string
			office int64
		}
		var due []recipient
		for rows.Next() {
			var r recipient
			if err := rows.Scan(&r.id, &r.office); err != nil {
				rows.Close()
				return fmt.Errorf("read digest recipient: %w", err)
			}
			due = append(due, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.now().Unix()
		for _, r := range due {
			if err := db.enqueue(ctx, tx, r.office, r.id, counselling.NoticeDigest); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE accounts SET last_digest_at = ? WHERE id = ?`, now, r.id); err != nil {
				return fmt.Errorf("record digest: %w", err)
			}
			queued++
		}
		return nil
	})
	return queued, err
}
