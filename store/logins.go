package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

// automaticActor marks audit entries that Confidant writes by itself, such as
// the alert that an account is being guessed at.
const automaticActor = "confidant"

// An admin who waits for a second admin's approval counts as disabled: they
// cannot log in until approved.
const credentialColumns = `id, kind, role, office_id, password_hash, failed_logins, failed_since, last_failed_at,
	disabled = 1 OR awaiting_approval = 1, totp_secret IS NOT NULL`

func scanCredentials(row *sql.Row) (*counselling.Credentials, error) {
	var c counselling.Credentials
	var role sql.NullString
	var since, last int64
	err := row.Scan(&c.AccountID, &c.Kind, &role, &c.OfficeID, &c.PasswordHash, &c.Failures.Count, &since, &last,
		&c.Disabled, &c.SecondFactorOn)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("The account")
	}
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	c.Role = counselling.Role(role.String)
	c.Failures.Since, c.Failures.Last = time.Unix(since, 0), time.Unix(last, 0)
	c.PasswordIsSet = c.PasswordHash != ""
	return &c, nil
}

// Credentials returns what is needed to check a login for nickname. An unknown
// nickname is ENotFound.
func (db *DB) Credentials(ctx context.Context, nickname string) (*counselling.Credentials, error) {
	normalized, err := counselling.NormalizeNickname(nickname)
	if err != nil {
		return nil, notFound("The account")
	}
	return scanCredentials(db.read.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM accounts WHERE nickname_index = ?`,
		db.nicknameIndex(normalized)))
}

// AccountCredentials is Credentials for an account known by id, for checking
// the password again before a sensitive change.
func (db *DB) AccountCredentials(ctx context.Context, accountID string) (*counselling.Credentials, error) {
	if !validID(accountID) {
		return nil, notFound("The account")
	}
	return scanCredentials(db.read.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM accounts WHERE id = ?`, accountID))
}

// RecordLoginFailure counts a wrong password against the account, from
// whichever client, as counselling.PasswordThrottle counts them; the distinct
// networks that failed against the account lately, before and with this
// failure, are counted in memory by the caller. When the account starts to
// wait as a whole (counselling.AlertsAdmins) the office's admins find an entry
// in the audit log, written in the same transaction; it names a staff member,
// but never a help-seeker, and never where the guesses came from.
func (db *DB) RecordLoginFailure(ctx context.Context, accountID string, networksBefore, networksAfter int) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var before counselling.Failures
		var since, last, officeID int64
		var kind counselling.Kind
		err := tx.QueryRowContext(ctx, `SELECT failed_logins, failed_since, last_failed_at, office_id, kind FROM accounts WHERE id = ?`,
			accountID).Scan(&before.Count, &since, &last, &officeID, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The account")
		}
		if err != nil {
			return fmt.Errorf("read login failures: %w", err)
		}
		before.Since, before.Last = time.Unix(since, 0), time.Unix(last, 0)
		now := db.now()
		after := before.AddPasswordFailure(now)
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET failed_logins = ?, failed_since = ?, last_failed_at = ? WHERE id = ?`,
			after.Count, after.Since.Unix(), after.Last.Unix(), accountID); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		if !counselling.AlertsAdmins(before, after, networksBefore, networksAfter, now) {
			return nil
		}
		target, detail := accountID, ""
		if kind != counselling.KindStaff {
			target, detail = "", "a help-seeker's account"
		}
		return db.audit(ctx, tx, officeID, automaticActor, "many wrong passwords; logins now wait a minute", target, detail)
	})
}
