package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"confidant/counselling"
)

// FirstAdminInvite returns a new one-time token for creating the first admin when
// no admin has finished enrolment yet, and "" when one has. Each call replaces the
// links printed before, so only the newest printed link works.
func (db *DB) FirstAdminInvite(ctx context.Context) (string, error) {
	var token string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var admins int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE kind = 'staff' AND role = 'admin'
			AND password_hash != '' AND totp_secret IS NOT NULL`).Scan(&admins); err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		if admins > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id IN (SELECT account_id FROM invites WHERE first_admin = 1)
			AND password_hash = ''`); err != nil {
			return fmt.Errorf("remove older first-admin links: %w", err)
		}
		var officeID int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM offices WHERE slug = ?`, counselling.DefaultOfficeSlug).Scan(&officeID); err != nil {
			return fmt.Errorf("find default office: %w", err)
		}
		var accountID string
		for i := 1; accountID == ""; i++ {
			name := "admin"
			if i > 1 {
				name += strconv.Itoa(i)
			}
			id, err := db.createAccount(ctx, tx, newAccount{officeID: officeID, kind: counselling.KindStaff,
				role: counselling.RoleAdmin, nickname: name, displayName: name})
			switch {
			case err == errNicknameTaken && i < 100:
				continue
			case err != nil:
				return err
			}
			accountID = id
		}
		var err error
		if token, err = db.newToken(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO invites (token_hash, account_id, office_id, first_admin, expires_at)
			VALUES (?, ?, ?, 1, ?)`, hashToken(token), accountID, officeID, db.now().Add(counselling.FirstAdminInviteTTL).Unix())
		if err != nil {
			return fmt.Errorf("create first-admin invite: %w", err)
		}
		return nil
	})
	return token, err
}
