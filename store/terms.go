package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

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

// recordConsent records that the account accepted version of its office's
// terms, with the language of the text it was shown to a reader of lang
// (counselling.Terms.In), so that its export shows that same text.
func (db *DB) recordConsent(ctx context.Context, tx *sql.Tx, accountID string, officeID int64, version int, lang string, at int64) error {
	terms, err := db.terms(ctx, tx, officeID)
	if err != nil {
		return err
	}
	textLang := ""
	if terms.Version == version {
		_, textLang = terms.In(lang)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consents (account_id, office_id, terms_version, accepted_at, lang) VALUES (?, ?, ?, ?, ?)`,
		accountID, officeID, version, at, textLang); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	return nil
}

// AcceptTerms records that the account accepted its office's current terms,
// shown to it in lang.
func (db *DB) AcceptTerms(ctx context.Context, accountID, lang string) error {
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
		return db.recordConsent(ctx, tx, accountID, officeID, version, lang, now)
	})
}

// PublishTerms makes text, written in lang, the office's new privacy terms,
// with the next version number. Help-seekers accept it at their next login
// before anything else; until translations are added, readers of other
// languages are shown this text with a note.
func (db *DB) PublishTerms(ctx context.Context, officeID int64, lang, text string) (int, error) {
	var version int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		version, err = db.publishTerms(ctx, tx, officeID, lang, text)
		return err
	})
	return version, err
}

// publishTerms is PublishTerms inside a transaction.
func (db *DB) publishTerms(ctx context.Context, tx *sql.Tx, officeID int64, lang, text string) (int, error) {
	if err := counselling.ValidateText("terms_text", text, 50_000); err != nil {
		return 0, err
	}
	if lang == "" {
		return 0, counselling.FieldError("terms_lang", "Please choose the language of the text.")
	}
	var version int
	if err := tx.QueryRowContext(ctx, `UPDATE offices SET terms_version = terms_version + 1, terms_text = ? WHERE id = ?
		RETURNING terms_version`, text, officeID).Scan(&version); err != nil {
		return 0, fmt.Errorf("publish terms: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO terms_versions (office_id, version, lang, text, published_at) VALUES (?, ?, ?, ?, ?)`,
		officeID, version, lang, text, db.now().Unix()); err != nil {
		return 0, fmt.Errorf("record terms: %w", err)
	}
	return version, nil
}

// Terms returns the office's current privacy terms with every translation.
func (db *DB) Terms(ctx context.Context, officeID int64) (counselling.Terms, error) {
	var terms counselling.Terms
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		terms, err = db.terms(ctx, tx, officeID)
		return err
	})
	return terms, err
}

func (db *DB) terms(ctx context.Context, tx *sql.Tx, officeID int64) (counselling.Terms, error) {
	t := counselling.Terms{Texts: map[string]string{}}
	var text string
	err := tx.QueryRowContext(ctx, `SELECT tv.version, tv.lang, tv.text FROM offices o
		JOIN terms_versions tv ON tv.office_id = o.id AND tv.version = o.terms_version WHERE o.id = ?`, officeID).Scan(&t.Version, &t.Lang, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("The office")
	}
	if err != nil {
		return t, fmt.Errorf("read terms: %w", err)
	}
	t.Texts[t.Lang] = text
	rows, err := tx.QueryContext(ctx, `SELECT lang, text FROM terms_translations WHERE office_id = ? AND version = ?`, officeID, t.Version)
	if err != nil {
		return t, fmt.Errorf("read terms translations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var lang, text string
		if err := rows.Scan(&lang, &text); err != nil {
			return t, fmt.Errorf("read terms translation: %w", err)
		}
		t.Texts[lang] = text
	}
	return t, rows.Err()
}
