package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

var errInviteGone = counselling.Errorf(counselling.ENotFound,
	"This invitation link does not work: it was used already, has expired, or was mistyped. Please ask an admin for a new one.")

// CreateStaff creates a staff account that has no password yet and returns the
// one-time invite token for it. It is the operator's command; admins use
// InviteStaff.
func (db *DB) CreateStaff(ctx context.Context, n counselling.NewStaff) (string, error) {
	return db.createStaff(ctx, n, "")
}

func (db *DB) createStaff(ctx context.Context, n counselling.NewStaff, actorID string) (string, error) {
	if err := n.Validate(); err != nil {
		return "", err
	}
	token, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		return db.inviteStaff(ctx, tx, n, token, actorID)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// inviteStaff creates a staff account without a password and its invite for
// token, recorded in the office's audit log as done by actorID (empty: the
// operator). n must be valid.
func (db *DB) inviteStaff(ctx context.Context, tx *sql.Tx, n counselling.NewStaff, token, actorID string) error {
	id, err := db.createAccount(ctx, tx, newAccount{officeID: n.OfficeID, kind: counselling.KindStaff,
		role: n.Role, nickname: n.Name, displayName: n.Name})
	if err == errNicknameTaken {
		return counselling.FieldError("name", "This name is already in use. Please choose another one.")
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO invites (token_hash, account_id, office_id, expires_at) VALUES (?, ?, ?, ?)`,
		hashToken(token), id, n.OfficeID, db.now().Add(counselling.InviteTTL).Unix())
	if err != nil {
		return fmt.Errorf("create invite: %w", err)
	}
	return db.audit(ctx, tx, n.OfficeID, actorID, "staff invited", id, string(n.Role))
}

// inviteAccount returns the account an unused, unexpired invite is for.
func (db *DB) inviteAccount(ctx context.Context, tx *sql.Tx, token string) (string, error) {
	var accountID string
	err := tx.QueryRowContext(ctx, `SELECT account_id FROM invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		hashToken(token), db.now().Unix()).Scan(&accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errInviteGone
	}
	if err != nil {
		return "", fmt.Errorf("read invite: %w", err)
	}
	return accountID, nil
}

// OpenInvite returns the invite for token with the TOTP secret offered for
// enrolment; the secret is made with newSecret on first opening and kept
// (sealed) so that reloading the page shows the same one.
func (db *DB) OpenInvite(ctx context.Context, token string, newSecret func() (string, error)) (*counselling.Invite, error) {
	if token == "" || len(token) > 100 {
		return nil, errInviteGone
	}
	var inv counselling.Invite
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		id, err := db.inviteAccount(ctx, tx, token)
		if err != nil {
			return err
		}
		var wrapped, display, pending []byte
		var role sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT data_key, display_name, role, office_id, totp_pending FROM accounts WHERE id = ?`, id).
			Scan(&wrapped, &display, &role, &inv.OfficeID, &pending); err != nil {
			return fmt.Errorf("read invited account: %w", err)
		}
		key, err := db.keys.UnwrapDataKey(id, wrapped)
		if err != nil {
			return err
		}
		s := sealer{key: key, table: "accounts", row: id}
		inv.AccountID, inv.Role = id, counselling.Role(role.String)
		if inv.Name, err = s.open("display_name", display); err != nil {
			return err
		}
		if pending != nil {
			inv.Secret, err = s.open("totp_pending", pending)
			return err
		}
		if inv.Secret, err = newSecret(); err != nil {
			return err
		}
		sealed, err := s.seal("totp_pending", inv.Secret)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET totp_pending = ? WHERE id = ?`, sealed, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// CompleteInvite sets the password and the enrolled second factor, uses up the
// invite, and returns a fully authenticated session token.
func (db *DB) CompleteInvite(ctx context.Context, token, passwordHash string, step int64) (string, error) {
	session, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		id, err := db.inviteAccount(ctx, tx, token)
		if err != nil {
			return err
		}
		var wrapped, pending []byte
		if err := tx.QueryRowContext(ctx, `SELECT data_key, totp_pending FROM accounts WHERE id = ?`, id).Scan(&wrapped, &pending); err != nil {
			return fmt.Errorf("read invited account: %w", err)
		}
		key, err := db.keys.UnwrapDataKey(id, wrapped)
		if err != nil {
			return err
		}
		s := sealer{key: key, table: "accounts", row: id}
		secret, err := s.open("totp_pending", pending)
		if err != nil || secret == "" {
			return errInviteGone
		}
		sealed, err := s.seal("totp_secret", secret)
		if err != nil {
			return err
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, totp_secret = ?, totp_pending = NULL,
			totp_last_step = ?, last_active_at = ? WHERE id = ?`, passwordHash, sealed, step, now, id); err != nil {
			return fmt.Errorf("complete enrolment: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invites SET used_at = ? WHERE token_hash = ?`, now, hashToken(token)); err != nil {
			return fmt.Errorf("use invite: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, second_factor)
			VALUES (?, ?, ?, ?, 1)`, hashToken(session), id, now, now)
		return err
	})
	if err != nil {
		return "", err
	}
	return session, nil
}

// SecondFactor returns a staff account's TOTP secret, the last step used, and
// the account's wrong codes in the current window.
func (db *DB) SecondFactor(ctx context.Context, accountID string) (string, int64, counselling.Failures, error) {
	var wrapped, secret []byte
	var last, since, lastFailed int64
	var f counselling.Failures
	err := db.read.QueryRowContext(ctx, `SELECT data_key, totp_secret, totp_last_step, totp_failures, totp_failed_since,
		totp_last_failed_at FROM accounts WHERE id = ? AND kind = 'staff'`,
		accountID).Scan(&wrapped, &secret, &last, &f.Count, &since, &lastFailed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, f, notFound("The account")
	}
	if err != nil {
		return "", 0, f, fmt.Errorf("read second factor: %w", err)
	}
	f.Since, f.Last = time.Unix(since, 0), time.Unix(lastFailed, 0)
	key, err := db.keys.UnwrapDataKey(accountID, wrapped)
	if err != nil {
		return "", 0, f, err
	}
	plain, err := sealer{key: key, table: "accounts", row: accountID}.open("totp_secret", secret)
	return plain, last, f, err
}

// PassSecondFactor records the code's step, so the code cannot be replayed, and
// replaces the half-finished session by a new, fully authenticated one whose
// token it returns: the token that existed before the second factor is worth
// nothing after it. A step not newer than the last one is refused even if two
// requests race. The new session keeps the old one's start, so that the
// absolute lifetime still counts from the password.
func (db *DB) PassSecondFactor(ctx context.Context, s *counselling.Session, step int64) (string, error) {
	token, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, s.AccountID, step)
		if err != nil {
			return fmt.Errorf("record totp step: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errWrongCode
		}
		var created int64
		err = tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = ? AND account_id = ? RETURNING created_at`,
			s.TokenHash, s.AccountID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The session")
		}
		if err != nil {
			return fmt.Errorf("end half-finished session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, second_factor)
			VALUES (?, ?, ?, ?, 1)`, hashToken(token), s.AccountID, created, db.now().Unix()); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

var errWrongCode = counselling.FieldError("code", "This code is not right. Enter the current 6-digit code from your authenticator app.")

// FailSecondFactor counts a wrong code against the half-finished login and
// against the account, and ends the login after too many for either (see
// counselling.SecondFactorAllowed). It returns the account's wrong codes as
// they now stand. The moment the account reaches its cap, its office's admins
// find an entry in the audit log, written in the same transaction.
func (db *DB) FailSecondFactor(ctx context.Context, s *counselling.Session) (ended bool, account counselling.Failures, err error) {
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var failures int
		if err := tx.QueryRowContext(ctx, `UPDATE sessions SET totp_failures = totp_failures + 1 WHERE token_hash = ?
			RETURNING totp_failures`, s.TokenHash).Scan(&failures); err != nil {
			return fmt.Errorf("count totp failure: %w", err)
		}
		var before counselling.Failures
		var since, last, officeID int64
		if err := tx.QueryRowContext(ctx, `SELECT totp_failures, totp_failed_since, totp_last_failed_at, office_id FROM accounts
			WHERE id = ?`, s.AccountID).Scan(&before.Count, &since, &last, &officeID); err != nil {
			return fmt.Errorf("read account totp failures: %w", err)
		}
		before.Since, before.Last = time.Unix(since, 0), time.Unix(last, 0)
		now := db.now()
		account = before.AddSecondFactorFailure(now)
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET totp_failures = ?, totp_failed_since = ?, totp_last_failed_at = ?
			WHERE id = ?`, account.Count, account.Since.Unix(), account.Last.Unix(), s.AccountID); err != nil {
			return fmt.Errorf("count account totp failure: %w", err)
		}
		if counselling.SecondFactorAllowed(before, now) && !counselling.SecondFactorAllowed(account, now) {
			if err := db.audit(ctx, tx, officeID, automaticActor, "many wrong codes; second factor stopped for a day", s.AccountID, ""); err != nil {
				return err
			}
		}
		if failures >= counselling.MaxSecondFactorFailures || !counselling.SecondFactorAllowed(account, now) {
			ended = true
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, s.TokenHash)
			return err
		}
		return nil
	})
	return ended, account, err
}

// Staff lists the office's staff.
func (db *DB) Staff(ctx context.Context, officeID int64) ([]counselling.StaffMember, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, office_id, data_key, display_name, role, trainee, disabled,
		password_hash != '' AND totp_secret IS NOT NULL FROM accounts WHERE office_id = ? AND kind = 'staff' ORDER BY created_at, id`, officeID)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []counselling.StaffMember
	for rows.Next() {
		var m counselling.StaffMember
		var wrapped, display []byte
		if err := rows.Scan(&m.ID, &m.OfficeID, &wrapped, &display, &m.Role, &m.Trainee, &m.Disabled, &m.Enrolled); err != nil {
			return nil, fmt.Errorf("read staff: %w", err)
		}
		if m.Name, err = db.openStaffName(m.ID, wrapped, display); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (db *DB) openStaffName(id string, wrapped, display []byte) (string, error) {
	key, err := db.keys.UnwrapDataKey(id, wrapped)
	if err != nil {
		return "", err
	}
	return sealer{key: key, table: "accounts", row: id}.open("display_name", display)
}
