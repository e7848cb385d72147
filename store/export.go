package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confidant/counselling"
)

// Export gathers everything stored about a help-seeker, decrypted.
func (db *DB) Export(ctx context.Context, accountID string) (*counselling.Export, error) {
	a, err := db.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Kind != counselling.KindSeeker {
		return nil, notFound("The account")
	}
	regions, err := db.Regions(ctx, a.OfficeID)
	if err != nil {
		return nil, err
	}
	profile := counselling.ExportProfile(a.Profile)
	profile.Region = regions.Name(a.Profile.Region)
	out := &counselling.Export{
		Format:     "confidant-export-1",
		ExportedAt: db.now().UTC(),
		Nickname:   a.Nickname,
		Profile:    profile,
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
