package store

import (
	"context"
	"database/sql"
	"fmt"

	"confidant/counselling"
)

// SetPassword replaces the password hash and ends every other session of the
// account. Like logging out everywhere, it stops notifications to every
// device: someone who had the old password may have opted in their own.
func (db *DB) SetPassword(ctx context.Context, accountID, hash string, keep []byte) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, hash, accountID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ? AND token_hash != ?`, accountID, keep); err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		return removePushSubscriptions(ctx, tx, accountID)
	})
}

// UpdateProfile replaces a help-seeker's optional details. The region must be
// an entry of the office's list (or empty); the profile keeps only its slug.
func (db *DB) UpdateProfile(ctx context.Context, accountID string, p counselling.Profile) error {
	problems := counselling.Problems{}
	p.Validate(problems)
	if err := problems.Err(); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		key, err := db.dataKey(ctx, tx, accountID)
		if err != nil {
			return err
		}
		var officeID int64
		if err := tx.QueryRowContext(ctx, `SELECT office_id FROM accounts WHERE id = ?`, accountID).Scan(&officeID); err != nil {
			return fmt.Errorf("read account office: %w", err)
		}
		if p.Region, err = chooseRegion(ctx, tx, officeID, p.Region); err != nil {
			return err
		}
		s := sealer{key: key, table: "accounts", row: accountID}
		var sealed [4][]byte
		for i, f := range []struct{ col, val string }{{"email", p.Email}, {"age_band", p.AgeBand}, {"gender", p.Gender}, {"region", p.Region}} {
			if sealed[i], err = s.seal(f.col, f.val); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET email = ?, age_band = ?, gender = ?, region = ? WHERE id = ? AND kind = 'seeker'`,
			sealed[0], sealed[1], sealed[2], sealed[3], accountID); err != nil {
			return fmt.Errorf("update profile: %w", err)
		}
		if p.Email == "" {
			// No address, no mail: drop queued notifications along with it.
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE account_id = ? AND sent_at IS NULL`, accountID); err != nil {
				return fmt.Errorf("drop queued mail: %w", err)
			}
		}
		return nil
	})
}
