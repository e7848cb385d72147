package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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

// PasswordHash returns an account's password hash, for checking the password
// before a sensitive change.
func (db *DB) PasswordHash(ctx context.Context, accountID string) (string, error) {
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT password_hash FROM accounts WHERE id = ?`, accountID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("The account")
	}
	if err != nil {
		return "", fmt.Errorf("read password hash: %w", err)
	}
	return hash, nil
}

// SetPassword replaces the password hash and ends every other session of the
// account.
func (db *DB) SetPassword(ctx context.Context, accountID, hash string, keep []byte) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, hash, accountID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ? AND token_hash != ?`, accountID, keep); err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		return nil
	})
}

// UpdateProfile replaces a help-seeker's optional details.
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

// Consents returns the account's consent history, oldest first.
func (db *DB) Consents(ctx context.Context, accountID string) ([]counselling.Consent, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT terms_version, accepted_at FROM consents WHERE account_id = ? ORDER BY accepted_at, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	defer rows.Close()
	var out []counselling.Consent
	for rows.Next() {
		var c counselling.Consent
		var at int64
		if err := rows.Scan(&c.TermsVersion, &at); err != nil {
			return nil, fmt.Errorf("read consent: %w", err)
		}
		c.AcceptedAt = time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// AcceptTerms records that the account accepted its office's current terms.
func (db *DB) AcceptTerms(ctx context.Context, accountID string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		now := db.now().Unix()
		var officeID int64
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT o.id, o.terms_version FROM accounts a JOIN offices o ON o.id = a.office_id WHERE a.id = ?`,
			accountID).Scan(&officeID, &version); err != nil {
			return fmt.Errorf("read current terms: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET terms_version = ?, terms_accepted_at = ? WHERE id = ?`, version, now, accountID); err != nil {
			return fmt.Errorf("accept terms: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO consents (account_id, office_id, terms_version, accepted_at) VALUES (?, ?, ?, ?)`,
			accountID, officeID, version, now)
		return err
	})
}

// PublishTerms makes text the office's new privacy terms, with the next version
// number. Help-seekers accept it at their next login before anything else.
func (db *DB) PublishTerms(ctx context.Context, officeID int64, text string) (int, error) {
	if err := counselling.ValidateText("terms_text", text, 50_000); err != nil {
		return 0, err
	}
	var version int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `UPDATE offices SET terms_version = terms_version + 1, terms_text = ? WHERE id = ?
			RETURNING terms_version`, text, officeID).Scan(&version); err != nil {
			return fmt.Errorf("publish terms: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO terms_versions (office_id, version, text, published_at) VALUES (?, ?, ?, ?)`,
			officeID, version, text, db.now().Unix())
		return err
	})
	return version, err
}

// Export gathers everything stored about a help-seeker, decrypted.
func (db *DB) Export(ctx context.Context, accountID string) (*counselling.Export, error) {
	a, err := db.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Kind != counselling.KindSeeker {
		return nil, notFound("The account")
	}
	out := &counselling.Export{
		Format:     "confidant-export-1",
		ExportedAt: db.now().UTC(),
		Nickname:   a.Nickname,
		Profile:    counselling.ExportProfile(a.Profile),
		CreatedAt:  a.CreatedAt,
		Consents:   []counselling.ExportConsent{},
		Threads:    []counselling.ExportThread{},
		Explanation: "Everything Confidant stores about you. Counsellors' private notes are not included. " +
			"Anonymous statistics (theme, month, age band, gender, region) are not linked to you and cannot be exported.",
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.terms_version, c.accepted_at, coalesce(tv.text, '') FROM consents c
			LEFT JOIN terms_versions tv ON tv.office_id = c.office_id AND tv.version = c.terms_version
			WHERE c.account_id = ? ORDER BY c.accepted_at, c.id`, accountID)
		if err != nil {
			return fmt.Errorf("export consents: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c counselling.ExportConsent
			var at int64
			if err := rows.Scan(&c.TermsVersion, &at, &c.TermsText); err != nil {
				return fmt.Errorf("export consent: %w", err)
			}
			c.AcceptedAt = time.Unix(at, 0).UTC()
			out.Consents = append(out.Consents, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	caller := counselling.Caller{AccountID: accountID, Kind: counselling.KindSeeker, OfficeID: a.OfficeID}
	summaries, err := db.SeekerThreads(ctx, caller)
	if err != nil {
		return nil, err
	}
	for i := len(summaries) - 1; i >= 0; i-- {
		t, err := db.threadForExport(ctx, caller, summaries[i].ID)
		if err != nil {
			return nil, err
		}
		et := counselling.ExportThread{Theme: t.ThemeName, Subject: t.Subject, Status: t.Status, CreatedAt: t.CreatedAt}
		for _, m := range t.Messages {
			em := counselling.ExportMessage{From: "you", Body: m.Body, SentAt: m.CreatedAt}
			if !m.FromSeeker {
				em.From, em.Author = "counsellor", m.Author
			}
			et.Messages = append(et.Messages, em)
		}
		out.Threads = append(out.Threads, et)
	}
	return out, nil
}

// threadForExport is Thread without marking anything read.
func (db *DB) threadForExport(ctx context.Context, c counselling.Caller, id string) (*counselling.Thread, error) {
	var t counselling.Thread
	var unread bool
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		key, err := db.loadThread(ctx, tx, c, id, &t, &unread)
		if err != nil {
			return err
		}
		names := staffNames{db: db, tx: tx, ctx: ctx}
		return db.loadMessages(ctx, tx, c, &t, key, &names)
	})
	return &t, err
}
