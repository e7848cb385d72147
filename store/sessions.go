package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"confidant/counselling"
)

// newToken returns 256 random bits, URL-safe.
func (db *DB) newToken() (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(db.rand, b[:]); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Login starts a new session for the account after a correct password and
// returns the session token, of which only a hash is stored. The account's count
// of wrong passwords is left to run out with its window: a login by the owner
// must not give someone guessing from many clients a fresh allowance.
func (db *DB) Login(ctx context.Context, accountID string) (string, error) {
	token, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET last_active_at = ?,
			inactivity_warned_at = NULL WHERE id = ?`,
			now, accountID); err != nil {
			return fmt.Errorf("record login: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
			hashToken(token), accountID, now, now); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Session returns the session for a token, with the account's kind, role and
// office. Unknown tokens and sessions of disabled accounts are ENotFound.
// Expiry is the caller's rule (counselling.SessionPolicy).
func (db *DB) Session(ctx context.Context, token string) (*counselling.Session, error) {
	if token == "" || len(token) > 100 {
		return nil, notFound("The session")
	}
	var s counselling.Session
	var role sql.NullString
	var created, seen int64
	err := db.read.QueryRowContext(ctx, `SELECT s.token_hash, s.account_id, a.kind, a.role, a.office_id, s.created_at,
		s.last_seen_at, s.second_factor, a.trainee, a.kind = 'seeker' AND a.terms_version < o.terms_version AND a.guest = 0, a.lang, a.guest
		FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN offices o ON o.id = a.office_id
		WHERE s.token_hash = ? AND a.disabled = 0 AND a.awaiting_approval = 0`, hashToken(token)).
		Scan(&s.TokenHash, &s.AccountID, &s.Kind, &role, &s.OfficeID, &created, &seen, &s.SecondFactor, &s.Trainee, &s.TermsOutdated, &s.Lang, &s.Guest)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("The session")
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	s.Role = counselling.Role(role.String)
	s.CreatedAt = time.Unix(created, 0)
	s.LastSeenAt = time.Unix(seen, 0)
	return &s, nil
}

// TouchSession records activity on a session and its account.
func (db *DB) TouchSession(ctx context.Context, s *counselling.Session) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, now, s.TokenHash); err != nil {
			return fmt.Errorf("touch session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET last_active_at = ? WHERE id = ?`, now, s.AccountID); err != nil {
			return fmt.Errorf("touch account: %w", err)
		}
		return nil
	})
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes sessions that the policy has expired by now and
// returns how many went.
func (db *DB) DeleteExpiredSessions(ctx context.Context, p counselling.SessionPolicy) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		idle, created := p.Cutoffs(db.now())
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?`, idle.Unix(), created.Unix())
		if err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// AliveSessions reports which of the sessions with these token hashes still
// stand, for an account that is neither disabled nor waiting for approval,
// keyed by the hash as a string.
func (db *DB) AliveSessions(ctx context.Context, hashes [][]byte) (map[string]bool, error) {
	alive := make(map[string]bool, len(hashes))
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		for len(hashes) > 0 {
			n := min(len(hashes), 500)
			args := make([]any, n)
			for i, h := range hashes[:n] {
				args[i] = h
			}
			hashes = hashes[n:]
			rows, err := tx.QueryContext(ctx, `SELECT s.token_hash FROM sessions s JOIN accounts a ON a.id = s.account_id
				WHERE a.disabled = 0 AND a.awaiting_approval = 0 AND s.token_hash IN (?`+strings.Repeat(", ?", n-1)+`)`, args...)
			if err != nil {
				return fmt.Errorf("check sessions: %w", err)
			}
			for rows.Next() {
				var h []byte
				if err := rows.Scan(&h); err != nil {
					rows.Close()
					return fmt.Errorf("check sessions: %w", err)
				}
				alive[string(h)] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("check sessions: %w", err)
			}
		}
		return nil
	})
	return alive, err
}
