package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"confidant/counselling"
)

// recoveryHash is what is stored of a recovery code: the SHA-256 of its
// normalised form.
func recoveryHash(code string) []byte {
	return hashToken(counselling.NormalizeRecoveryCode(code))
}

// setRecoveryCode gives an account a new recovery code: only its hash is kept
// for checking, and the code itself sealed under the account's key until a
// page has shown it once (TakeRecoveryCode).
func (db *DB) setRecoveryCode(ctx context.Context, tx *sql.Tx, accountID, code string) error {
	key, err := db.dataKey(ctx, tx, accountID)
	if err != nil {
		return err
	}
	pending, err := sealer{key: key, table: "accounts", row: accountID}.seal("recovery_pending", code)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET recovery_hash = ?, recovery_pending = ? WHERE id = ?`,
		recoveryHash(code), pending, accountID); err != nil {
		return fmt.Errorf("set recovery code: %w", err)
	}
	return nil
}

// IssueRecoveryCode gives a help-seeker's account a new recovery code, which
// replaces any earlier one.
func (db *DB) IssueRecoveryCode(ctx context.Context, accountID, code string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return db.setRecoveryCode(ctx, tx, accountID, code)
	})
}

// TakeRecoveryCode returns the recovery code that waits to be shown, and
// forgets it: it is shown once. "" when none waits.
func (db *DB) TakeRecoveryCode(ctx context.Context, accountID string) (string, error) {
	var code string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var pending, wrapped []byte
		err := tx.QueryRowContext(ctx, `SELECT recovery_pending, data_key FROM accounts WHERE id = ?`, accountID).Scan(&pending, &wrapped)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The account")
		}
		if err != nil {
			return fmt.Errorf("read pending recovery code: %w", err)
		}
		if pending == nil {
			return nil
		}
		key, err := db.keys.UnwrapDataKey(accountID, wrapped)
		if err != nil {
			return err
		}
		if code, err = (sealer{key: key, table: "accounts", row: accountID}).open("recovery_pending", pending); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET recovery_pending = NULL WHERE id = ?`, accountID); err != nil {
			return fmt.Errorf("forget shown recovery code: %w", err)
		}
		return nil
	})
	return code, err
}

// RecoveryCredentials returns what is needed to check a recovery for
// nickname, and whether code is the account's recovery code. An unknown
// nickname is ENotFound.
func (db *DB) RecoveryCredentials(ctx context.Context, nickname, code string) (*counselling.Credentials, bool, error) {
	normalized, err := counselling.NormalizeNickname(nickname)
	if err != nil {
		return nil, false, notFound("The account")
	}
	var creds *counselling.Credentials
	var stored []byte
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		creds, err = scanCredentials(tx.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM accounts WHERE nickname_index = ?`,
			db.nicknameIndex(normalized)))
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT recovery_hash FROM accounts WHERE id = ?`, creds.AccountID).Scan(&stored); err != nil {
			return fmt.Errorf("read recovery hash: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	ok := stored != nil && counselling.NormalizeRecoveryCode(code) != "" && subtle.ConstantTimeCompare(stored, recoveryHash(code)) == 1
	return creds, ok, nil
}

// Recover sets a new password with the recovery code usedCode, which stops
// working, and gives the account the new recovery code next; every session of
// the account ends and a new one starts, whose token is returned. A code used
// by a parallel request first is ErrRecoveryFailed.
func (db *DB) Recover(ctx context.Context, accountID, usedCode, passwordHash, nextCode string) (string, error) {
	token, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ? AND recovery_hash = ? AND kind = 'seeker'`,
			passwordHash, accountID, recoveryHash(usedCode))
		if err != nil {
			return fmt.Errorf("recover: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return counselling.ErrRecoveryFailed
		}
		return db.afterNewPassword(ctx, tx, accountID, nextCode, token)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// afterNewPassword finishes a recovery of either kind: the next recovery code
// waits to be shown, reset links stop working, every session ends, and the
// session of token starts. Like every logout everywhere it turns off
// notifications on every device, as whoever else had the account may have
// opted in their own.
func (db *DB) afterNewPassword(ctx context.Context, tx *sql.Tx, accountID, nextCode, token string) error {
	if err := db.setRecoveryCode(ctx, tx, accountID, nextCode); err != nil {
		return err
	}
	now := db.now().Unix()
	for _, q := range []string{
		`DELETE FROM password_resets WHERE account_id = ?`,
		`DELETE FROM sessions WHERE account_id = ?`,
		`DELETE FROM push_subscriptions WHERE account_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, accountID); err != nil {
			return fmt.Errorf("end old credentials: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET last_active_at = ?, inactivity_warned_at = NULL WHERE id = ?`, now, accountID); err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
		hashToken(token), accountID, now, now); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// ResetAddressMatches reports whether address is the email address the
// help-seeker's account gave (compared without regard to case or spaces
// around it). An account without an address matches nothing.
func (db *DB) ResetAddressMatches(ctx context.Context, accountID, address string) (bool, error) {
	a, err := db.Account(ctx, accountID)
	if err != nil {
		return false, err
	}
	want := strings.ToLower(strings.TrimSpace(a.Profile.Email))
	got := strings.ToLower(strings.TrimSpace(address))
	return a.Kind == counselling.KindSeeker && want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1, nil
}

// QueueResetLink issues a reset link for a help-seeker's account and queues
// the mail that carries it, unless one was queued within
// counselling.ResetMailPause. Only the token's hash is kept for checking; the
// outbox row holds the token sealed under the account's key, and forgets it
// once the mail is sent or given up.
func (db *DB) QueueResetLink(ctx context.Context, accountID string) error {
	token, err := db.newToken()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		var officeID int64
		var latest sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT office_id, (SELECT max(expires_at) FROM password_resets WHERE account_id = a.id)
			FROM accounts a WHERE id = ? AND kind = 'seeker'`, accountID).Scan(&officeID, &latest)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The account")
		}
		if err != nil {
			return fmt.Errorf("read latest reset: %w", err)
		}
		var last time.Time
		if latest.Valid {
			last = time.Unix(latest.Int64, 0).Add(-counselling.ResetLinkTTL)
		}
		if !counselling.ResetMailAllowed(last, now) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, account_id, expires_at) VALUES (?, ?, ?)`,
			hashToken(token), accountID, now.Add(counselling.ResetLinkTTL).Unix()); err != nil {
			return fmt.Errorf("create reset link: %w", err)
		}
		return db.enqueueWith(ctx, tx, officeID, accountID, counselling.NoticeReset, token)
	})
}

// resetLink reads the reset link of token and reports whether it may be used
// now.
func (db *DB) resetLink(ctx context.Context, q querier, token string) (string, bool, error) {
	if !validToken(token) {
		return "", false, nil
	}
	var accountID string
	var expires int64
	var used sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT account_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`,
		hashToken(token)).Scan(&accountID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read reset link: %w", err)
	}
	return accountID, counselling.ResetLinkUsable(time.Unix(expires, 0), used.Valid, db.now()), nil
}

// CheckResetLink reports whether a reset link may still be used:
// counselling.ErrResetLinkInvalid when not.
func (db *DB) CheckResetLink(ctx context.Context, token string) error {
	_, ok, err := db.resetLink(ctx, db.read, token)
	if err == nil && !ok {
		err = counselling.ErrResetLinkInvalid
	}
	return err
}

// UseResetLink sets a new password with a reset link, which stops working,
// gives the account the new recovery code next, ends every session of the
// account and starts a new one, whose token is returned.
func (db *DB) UseResetLink(ctx context.Context, resetToken, passwordHash, nextCode string) (string, error) {
	token, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		accountID, ok, err := db.resetLink(ctx, tx, resetToken)
		if err != nil {
			return err
		}
		if !ok {
			return counselling.ErrResetLinkInvalid
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ?`,
			db.now().Unix(), hashToken(resetToken)); err != nil {
			return fmt.Errorf("use reset link: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, passwordHash, accountID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return db.afterNewPassword(ctx, tx, accountID, nextCode, token)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// validToken reports whether s has the shape of a token newToken makes.
func validToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
