package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confidant/counselling"
)

// Export gathers everything stored about a help-seeker, decrypted, from one
// snapshot of the database: the profile, consents and threads agree with each
// other even while the help-seeker writes in another tab.
func (db *DB) Export(ctx context.Context, accountID string) (*counselling.Export, error) {
	if !validID(accountID) {
		return nil, notFound("The account")
	}
	var out *counselling.Export
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.export(ctx, tx, accountID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) export(ctx context.Context, tx *sql.Tx, accountID string) (*counselling.Export, error) {
	a, err := db.account(ctx, tx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Kind != counselling.KindSeeker {
		return nil, notFound("The account")
	}
	regions, err := regionsTx(ctx, tx, a.OfficeID)
	if err != nil {
		return nil, err
	}
	profile := counselling.ExportProfile(a.Profile)
	profile.Region = regions.Name(a.Profile.Region)
	out := &counselling.Export{
		Format:      "confidant-export-1",
		ExportedAt:  db.now().UTC(),
		Nickname:    a.Nickname,
		Profile:     profile,
		CreatedAt:   a.CreatedAt,
		Threads:     []counselling.ExportThread{},
		Explanation: counselling.ExportExplanation,
	}
	if out.Consents, err = exportConsents(ctx, tx, accountID); err != nil {
		return nil, err
	}
	if out.Devices, err = db.exportDevices(ctx, tx, accountID); err != nil {
		return nil, err
	}
	caller := counselling.Caller{AccountID: accountID, Kind: counselling.KindSeeker, OfficeID: a.OfficeID}
	if out.Reach, err = db.exportReach(ctx, tx, accountID); err != nil {
		return nil, err
	}
	summaries, err := db.seekerThreads(ctx, tx, caller)
	if err != nil {
		return nil, err
	}
	for i := len(summaries) - 1; i >= 0; i-- {
		// An export reads; it marks nothing read.
		t, err := db.thread(ctx, tx, caller, summaries[i].ID, false)
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

// exportConsents lists the privacy terms an account accepted, oldest first,
// each with the text it accepted.
func exportConsents(ctx context.Context, tx *sql.Tx, accountID string) ([]counselling.ExportConsent, error) {
	// The text is the one the person accepted: the translation in the
	// language recorded with the consent, else the text as published.
	rows, err := tx.QueryContext(ctx, `SELECT c.terms_version, c.accepted_at, coalesce(tt.text, tv.text, '') FROM consents c
		LEFT JOIN terms_versions tv ON tv.office_id = c.office_id AND tv.version = c.terms_version
		LEFT JOIN terms_translations tt ON tt.office_id = c.office_id AND tt.version = c.terms_version AND tt.lang = c.lang
		WHERE c.account_id = ? ORDER BY c.accepted_at, c.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export consents: %w", err)
	}
	defer rows.Close()
	out := []counselling.ExportConsent{}
	for rows.Next() {
		var c counselling.ExportConsent
		var at int64
		if err := rows.Scan(&c.TermsVersion, &at, &c.TermsText); err != nil {
			return nil, fmt.Errorf("export consent: %w", err)
		}
		c.AcceptedAt = time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
