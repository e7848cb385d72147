package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"confidant/counselling"
)

func (db *DB) ensureDefaultOffice(ctx context.Context) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM offices`).Scan(&n); err != nil {
			return fmt.Errorf("count offices: %w", err)
		}
		if n > 0 {
			return nil
		}
		_, err := db.createOffice(ctx, tx, counselling.DefaultOfficeSlug, "Confidant")
		return err
	})
}

func (db *DB) createOffice(ctx context.Context, tx *sql.Tx, slug, name string) (int64, error) {
	// The retention rules, the emergency number and the terms' language are
	// the domain's defaults, written out: the column defaults of the
	// migrations only filled the offices that existed then. A database held
	// at an older schema (in migration tests) lacks the columns of migration
	// 9 and gets them from it, as a database of an earlier release does.
	withMigration9 := db.lastMigration == 0 || db.lastMigration >= 9
	r := counselling.DefaultRetention
	cols := `slug, name, answer_time, terms_version, terms_text, created_at,
		retain_mail_months, wipe_mail_year_end, inactive_account_months, chat_transcript_months`
	args := []any{slug, name, counselling.DefaultAnswerTime, 1, counselling.DefaultTermsText, db.now().Unix(),
		r.MailMonths, r.WipeMailYearEnd, r.InactiveAccountMonths, r.ChatTranscriptMonths}
	if withMigration9 {
		cols += ", emergency_number"
		args = append(args, counselling.DefaultEmergencyNumber)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO offices (`+cols+`) VALUES (?`+strings.Repeat(", ?", len(args)-1)+`) RETURNING id`,
		args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("create office: %w", err)
	}
	terms := `INSERT INTO terms_versions (office_id, version, text, published_at) VALUES (?, 1, ?, ?)`
	args = []any{id, counselling.DefaultTermsText, db.now().Unix()}
	if withMigration9 {
		terms = `INSERT INTO terms_versions (office_id, version, text, published_at, lang) VALUES (?, 1, ?, ?, ?)`
		args = append(args, counselling.DefaultTermsLang)
	}
	if _, err := tx.ExecContext(ctx, terms, args...); err != nil {
		return 0, fmt.Errorf("record terms: %w", err)
	}
	// The default terms are stored in every offered language, as translations
	// of version 1, so that each reader is shown (and accepts) a stored text
	// in their language, which their export can show them again.
	// A database held at an older schema (in migration tests) gets them from
	// migration 14, as a database of an earlier release does.
	for lang, text := range counselling.DefaultTerms {
		if lang == counselling.DefaultTermsLang || (db.lastMigration > 0 && db.lastMigration < 14) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO terms_translations (office_id, version, lang, text, published_at) VALUES (?, 1, ?, ?, ?)`,
			id, lang, text, db.now().Unix()); err != nil {
			return 0, fmt.Errorf("record terms translation: %w", err)
		}
	}
	// A database held at an older schema (in migration tests) gets its
	// opening hours from migration 21, as a database of an earlier release does.
	if db.lastMigration == 0 || db.lastMigration >= 21 {
		for wd, h := range counselling.DefaultOpeningHours {
			if !h.Open() {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO opening_hours (office_id, weekday, opens, closes) VALUES (?, ?, ?, ?)`,
				id, wd, h.Opens, h.Closes); err != nil {
				return 0, fmt.Errorf("create opening hours: %w", err)
			}
		}
	}
	for i, t := range counselling.DefaultThemes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO themes (office_id, slug, name, position) VALUES (?, ?, ?, ?)`,
			id, t.Slug, t.Name, i); err != nil {
			return 0, fmt.Errorf("create theme: %w", err)
		}
	}
	return id, nil
}

const officeColumns = `id, slug, name, answer_time, terms_version, terms_text,
	retain_mail_months, wipe_mail_year_end, inactive_account_months, chat_transcript_months, emergency_number`

func scanOffice(row interface{ Scan(...any) error }) (*counselling.Office, error) {
	var o counselling.Office
	r := &o.Retention
	err := row.Scan(&o.ID, &o.Slug, &o.Name, &o.AnswerTime, &o.TermsVersion, &o.TermsText,
		&r.MailMonths, &r.WipeMailYearEnd, &r.InactiveAccountMonths, &r.ChatTranscriptMonths, &o.EmergencyNumber)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("The office")
	}
	if err != nil {
		return nil, fmt.Errorf("read office: %w", err)
	}
	return &o, nil
}

// OfficeBySlug returns the office with the slug.
func (db *DB) OfficeBySlug(ctx context.Context, slug string) (*counselling.Office, error) {
	o, err := scanOffice(db.read.QueryRowContext(ctx, `SELECT `+officeColumns+` FROM offices WHERE slug = ?`, slug))
	if err != nil {
		return nil, err
	}
	return o, db.withHours(ctx, o)
}

// Office returns the office with the id.
func (db *DB) Office(ctx context.Context, id int64) (*counselling.Office, error) {
	o, err := officeByID(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	return o, db.withHours(ctx, o)
}

// withHours adds the office's opening hours and time zone.
func (db *DB) withHours(ctx context.Context, o *counselling.Office) error {
	d, err := db.Workday(ctx, o.ID)
	if err != nil {
		return err
	}
	o.Hours, o.TimeZone, o.Promise = d.Hours, d.TimeZone, d.Promise
	return nil
}

// officeByID reads the office with the id, in a transaction or outside one.
func officeByID(ctx context.Context, q querier, id int64) (*counselling.Office, error) {
	return scanOffice(q.QueryRowContext(ctx, `SELECT `+officeColumns+` FROM offices WHERE id = ?`, id))
}

// Themes returns the office's current themes in their order.
func (db *DB) Themes(ctx context.Context, officeID int64) ([]counselling.Theme, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, office_id, slug, name FROM themes
		WHERE office_id = ? AND retired_at IS NULL ORDER BY position, id`, officeID)
	if err != nil {
		return nil, fmt.Errorf("list themes: %w", err)
	}
	defer rows.Close()
	var themes []counselling.Theme
	for rows.Next() {
		var t counselling.Theme
		if err := rows.Scan(&t.ID, &t.OfficeID, &t.Slug, &t.Name); err != nil {
			return nil, fmt.Errorf("read theme: %w", err)
		}
		themes = append(themes, t)
	}
	return themes, rows.Err()
}

// CreateOffice creates an office with the default themes and texts.
func (db *DB) CreateOffice(ctx context.Context, slug, name string) (*counselling.Office, error) {
	if !counselling.ValidSlug(slug) {
		return nil, counselling.FieldError("slug", "A slug is 2 to 40 lowercase letters, digits and dashes.")
	}
	var office *counselling.Office
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		id, err := db.createOffice(ctx, tx, slug, name)
		if isUniqueViolation(errors.Unwrap(err)) {
			return counselling.FieldError("slug", "An office with this slug exists already.")
		}
		if err != nil {
			return err
		}
		office, err = officeByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return office, nil
}

// Offices returns every office.
func (db *DB) Offices(ctx context.Context) ([]counselling.Office, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+officeColumns+` FROM offices ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list offices: %w", err)
	}
	defer rows.Close()
	var out []counselling.Office
	for rows.Next() {
		o, err := scanOffice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

// SetRetention stores an office's retention rules.
func (db *DB) SetRetention(ctx context.Context, officeID int64, r counselling.RetentionRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE offices SET retain_mail_months = ?, wipe_mail_year_end = ?, inactive_account_months = ?,
			chat_transcript_months = ? WHERE id = ?`, r.MailMonths, r.WipeMailYearEnd, r.InactiveAccountMonths, r.ChatTranscriptMonths, officeID)
		if err != nil {
			return fmt.Errorf("set retention: %w", err)
		}
		return nil
	})
}

// AddPageViews adds counted page views, keyed by day (YYYY-MM-DD) and route
// pattern.
func (db *DB) AddPageViews(ctx context.Context, counts map[[2]string]int) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		for k, n := range counts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO page_views (day, route, views) VALUES (?, ?, ?)
				ON CONFLICT (day, route) DO UPDATE SET views = page_views.views + excluded.views`, k[0], k[1], n); err != nil {
				return fmt.Errorf("add page views: %w", err)
			}
		}
		return nil
	})
}
