package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

// The statistics facts: see the design note in counselling/stats.go. Every
// helper here reaches a fact only through its thread's stats_key.

const factOfThread = `(SELECT stats_key FROM threads WHERE id = ?)`

// createFact writes the anonymous fact of a new mail contact and links it to
// the thread by a fresh random key.
func (db *DB) createFact(ctx context.Context, tx *sql.Tx, threadID string, officeID int64, seekerID string, key *vault.Key, themeID int64, at time.Time) error {
	var age, gender, region []byte
	var collectRegion bool
	if err := tx.QueryRowContext(ctx, `SELECT a.age_band, a.gender, a.region, o.collect_region FROM accounts a
		JOIN offices o ON o.id = a.office_id WHERE a.id = ?`, seekerID).Scan(&age, &gender, &region, &collectRegion); err != nil {
		return fmt.Errorf("read profile for statistics: %w", err)
	}
	s := sealer{key: key, table: "accounts", row: seekerID}
	var profile [3]string
	for i, f := range []struct {
		col string
		ct  []byte
	}{{"age_band", age}, {"gender", gender}, {"region", region}} {
		v, err := s.open(f.col, f.ct)
		if err != nil {
			return err
		}
		profile[i] = v
	}
	if !collectRegion {
		profile[2] = ""
	}
	statsKey := make([]byte, 16)
	if _, err := io.ReadFull(db.rand, statsKey); err != nil {
		return fmt.Errorf("statistics key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET stats_key = ? WHERE id = ?`, statsKey, threadID); err != nil {
		return fmt.Errorf("link statistics: %w", err)
	}
	at = at.UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO contact_facts (fact_key, office_id, channel, year, month, age_band, gender, region,
		seeker_messages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`, statsKey, officeID, counselling.ChannelMail, at.Year(), int(at.Month()),
		nullIfEmpty(profile[0]), nullIfEmpty(profile[1]), nullIfEmpty(profile[2])); err != nil {
		return fmt.Errorf("write statistics fact: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO contact_fact_themes (fact_key, theme_id) VALUES (?, ?)`, statsKey, themeID); err != nil {
		return fmt.Errorf("write statistics theme: %w", err)
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// factMessage counts a delivered message; a counsellor's first one also sets
// the first-response bucket.
func (db *DB) factMessage(ctx context.Context, tx *sql.Tx, threadID string, fromSeeker bool, now time.Time) error {
	if fromSeeker {
		_, err := tx.ExecContext(ctx, `UPDATE contact_facts SET seeker_messages = seeker_messages + 1 WHERE fact_key = `+factOfThread, threadID)
		if err != nil {
			return fmt.Errorf("count message in statistics: %w", err)
		}
		return nil
	}
	var created int64
	var first sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT created_at, first_response_at FROM threads WHERE id = ?`, threadID).Scan(&created, &first); err != nil {
		return fmt.Errorf("read thread times: %w", err)
	}
	if !first.Valid {
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET first_response_at = ? WHERE id = ?`, now.Unix(), threadID); err != nil {
			return fmt.Errorf("record first response: %w", err)
		}
		bucket := counselling.ResponseBucket(now.Sub(time.Unix(created, 0)))
		if _, err := tx.ExecContext(ctx, `UPDATE contact_facts SET first_response = ? WHERE fact_key = `+factOfThread, bucket, threadID); err != nil {
			return fmt.Errorf("record first response in statistics: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE contact_facts SET counsellor_messages = counsellor_messages + 1 WHERE fact_key = `+factOfThread, threadID)
	if err != nil {
		return fmt.Errorf("count reply in statistics: %w", err)
	}
	return nil
}

// factThemes sets the themes of a contact's fact to the counsellor's tags, or
// back to the enquiry's theme when no tag is left.
func (db *DB) factThemes(ctx context.Context, tx *sql.Tx, threadID string, themeIDs []int64) error {
	if len(themeIDs) == 0 {
		var enquiryTheme int64
		if err := tx.QueryRowContext(ctx, `SELECT theme_id FROM threads WHERE id = ?`, threadID).Scan(&enquiryTheme); err != nil {
			return fmt.Errorf("read enquiry theme: %w", err)
		}
		themeIDs = []int64{enquiryTheme}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_fact_themes WHERE fact_key = `+factOfThread, threadID); err != nil {
		return fmt.Errorf("clear statistics themes: %w", err)
	}
	for _, id := range themeIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contact_fact_themes (fact_key, theme_id) SELECT stats_key, ? FROM threads
			WHERE id = ? AND stats_key IS NOT NULL`, id, threadID); err != nil {
			return fmt.Errorf("write statistics theme: %w", err)
		}
	}
	return nil
}

// factClosed records whether the contact is closed.
func (db *DB) factClosed(ctx context.Context, tx *sql.Tx, threadID string, closed bool) error {
	if _, err := tx.ExecContext(ctx, `UPDATE contact_facts SET closed = ? WHERE fact_key = `+factOfThread, closed, threadID); err != nil {
		return fmt.Errorf("record close in statistics: %w", err)
	}
	return nil
}
