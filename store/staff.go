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
	detail := string(n.Role)
	waits, err := awaitsSecondAdmin(ctx, tx, n.OfficeID, id, n.Role, actorID)
	if err != nil {
		return err
	}
	if waits {
		detail = counselling.AuditAwaitingApproval
	}
	return db.audit(ctx, tx, n.OfficeID, actorID, "staff invited", id, detail)
}

// awaitsSecondAdmin applies counselling.AwaitsSecondAdmin to the account id,
// just made or given role by the admin madeBy ("" for the operator),
// counting the office's other active admins, and marks the account as
// waiting (or not), with who made it.
func awaitsSecondAdmin(ctx context.Context, tx *sql.Tx, officeID int64, id string, role counselling.Role, madeBy string) (bool, error) {
	var active int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE office_id = ? AND kind = 'staff' AND role = 'admin'
		AND disabled = 0 AND awaiting_approval = 0 AND id != ?`, officeID, id).Scan(&active); err != nil {
		return false, fmt.Errorf("count active admins: %w", err)
	}
	waits := counselling.AwaitsSecondAdmin(role, madeBy != "", active)
	var maker any
	if waits {
		maker = madeBy
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET awaiting_approval = ?, made_by = ? WHERE id = ?`, waits, maker, id); err != nil {
		return false, fmt.Errorf("mark awaiting approval: %w", err)
	}
	return waits, nil
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
// invite, and returns a fully authenticated session token; for an admin who
// waits for a second admin's approval it returns "" and starts no session.
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
		var waits bool
		if err := tx.QueryRowContext(ctx, `SELECT data_key, totp_pending, awaiting_approval FROM accounts WHERE id = ?`, id).Scan(&wrapped, &pending, &waits); err != nil {
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
		if waits {
			session = ""
			return nil
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

// BeginSecondFactor reserves one code check for the half-finished login s: in
// one transaction it applies the caps of the login and of the account
// (counselling.SecondFactorAllowed) and, when they allow a check, counts it as
// a wrong code against both before the code is checked, so that parallel
// requests cannot have more codes checked than the caps allow. It returns the
// account's TOTP secret and the last step used. When the caps refuse, the
// half-finished login ends and the error is counselling.ErrCodesStopped or
// counselling.ErrTooManyCodes; a login that has already ended gets the latter.
// The moment the account reaches its cap, its office's admins find an entry in
// the audit log, written in the same transaction.
func (db *DB) BeginSecondFactor(ctx context.Context, s *counselling.Session) (string, int64, error) {
	var plain string
	var last int64
	var refused error
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var sessionFailures int
		err := tx.QueryRowContext(ctx, `SELECT totp_failures FROM sessions WHERE token_hash = ? AND account_id = ? AND second_factor = 0`,
			s.TokenHash, s.AccountID).Scan(&sessionFailures)
		if errors.Is(err, sql.ErrNoRows) {
			refused = counselling.ErrTooManyCodes
			return nil
		}
		if err != nil {
			return fmt.Errorf("read half-finished login: %w", err)
		}
		var wrapped, secret []byte
		var before counselling.Failures
		var since, lastFailed, officeID int64
		err = tx.QueryRowContext(ctx, `SELECT data_key, totp_secret, totp_last_step, totp_failures, totp_failed_since,
			totp_last_failed_at, office_id FROM accounts WHERE id = ? AND kind = 'staff'`,
			s.AccountID).Scan(&wrapped, &secret, &last, &before.Count, &since, &lastFailed, &officeID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The account")
		}
		if err != nil {
			return fmt.Errorf("read second factor: %w", err)
		}
		before.Since, before.Last = time.Unix(since, 0), time.Unix(lastFailed, 0)
		now := db.now()
		switch {
		case !counselling.SecondFactorAllowed(before, now):
			refused = counselling.ErrCodesStopped
		case sessionFailures >= counselling.MaxSecondFactorFailures:
			refused = counselling.ErrTooManyCodes
		}
		if refused != nil {
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, s.TokenHash)
			return err
		}
		after := before.AddSecondFactorFailure(now)
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET totp_failures = ?, totp_failed_since = ?, totp_last_failed_at = ?
			WHERE id = ?`, after.Count, after.Since.Unix(), after.Last.Unix(), s.AccountID); err != nil {
			return fmt.Errorf("count account totp attempt: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET totp_failures = totp_failures + 1 WHERE token_hash = ?`,
			s.TokenHash); err != nil {
			return fmt.Errorf("count totp attempt: %w", err)
		}
		if !counselling.SecondFactorAllowed(after, now) {
			if err := db.audit(ctx, tx, officeID, automaticActor, "many wrong codes; second factor stopped for a day", s.AccountID, ""); err != nil {
				return err
			}
		}
		key, err := db.keys.UnwrapDataKey(s.AccountID, wrapped)
		if err != nil {
			return err
		}
		plain, err = sealer{key: key, table: "accounts", row: s.AccountID}.open("totp_secret", secret)
		return err
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return "", 0, err
	}
	return plain, last, nil
}

// PassSecondFactor records the code's step, so the code cannot be replayed,
// gives back the check that BeginSecondFactor counted as wrong, and replaces
// the half-finished session by a new, fully authenticated one whose token it
// returns: the token that existed before the second factor is worth nothing
// after it. A step not newer than the last one is refused (counselling.EInvalid)
// even if two requests race, and the check stays counted. A half-finished
// login that has ended meanwhile is counselling.ErrTooManyCodes. The new
// session keeps the old one's start, so that the absolute lifetime still
// counts from the password.
func (db *DB) PassSecondFactor(ctx context.Context, s *counselling.Session, step int64) (string, error) {
	token, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET totp_last_step = ?, totp_failures = `+db.eng.greatest("totp_failures - 1", "0")+`
			WHERE id = ? AND totp_last_step < ?`, step, s.AccountID, step)
		if err != nil {
			return fmt.Errorf("record totp step: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return counselling.ErrWrongCode
		}
		var created int64
		err = tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = ? AND account_id = ? AND second_factor = 0
			RETURNING created_at`, s.TokenHash, s.AccountID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return counselling.ErrTooManyCodes
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

// FailSecondFactor settles a code that BeginSecondFactor counted and that
// turned out wrong: it ends the half-finished login once it, or the account,
// has seen too many (see counselling.SecondFactorAllowed). stopped reports
// that the account's cap is reached. A login that has already ended, for
// instance by a parallel request, is simply ended.
func (db *DB) FailSecondFactor(ctx context.Context, s *counselling.Session) (ended, stopped bool, err error) {
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var account counselling.Failures
		var since, last int64
		if err := tx.QueryRowContext(ctx, `SELECT totp_failures, totp_failed_since, totp_last_failed_at FROM accounts
			WHERE id = ?`, s.AccountID).Scan(&account.Count, &since, &last); err != nil {
			return fmt.Errorf("read account totp failures: %w", err)
		}
		account.Since, account.Last = time.Unix(since, 0), time.Unix(last, 0)
		stopped = !counselling.SecondFactorAllowed(account, db.now())
		var failures int
		err := tx.QueryRowContext(ctx, `SELECT totp_failures FROM sessions WHERE token_hash = ?`, s.TokenHash).Scan(&failures)
		if errors.Is(err, sql.ErrNoRows) {
			ended = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("read totp failures: %w", err)
		}
		if failures >= counselling.MaxSecondFactorFailures || stopped {
			ended = true
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, s.TokenHash)
			return err
		}
		return nil
	})
	return ended, stopped, err
}

// Staff lists the office's staff.
func (db *DB) Staff(ctx context.Context, officeID int64) ([]counselling.StaffMember, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, office_id, data_key, display_name, role, trainee, disabled,
		password_hash != '' AND totp_secret IS NOT NULL, awaiting_approval FROM accounts WHERE office_id = ? AND kind = 'staff' ORDER BY created_at, id`, officeID)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []counselling.StaffMember
	for rows.Next() {
		var m counselling.StaffMember
		var wrapped, display []byte
		if err := rows.Scan(&m.ID, &m.OfficeID, &wrapped, &display, &m.Role, &m.Trainee, &m.Disabled, &m.Enrolled, &m.AwaitingApproval); err != nil {
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
