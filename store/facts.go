package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

// The statistics facts: see the design note in counselling/stats.go. Every
// helper here reaches a fact only through its thread's stats_key.

const factOfThread = `(SELECT stats_key FROM threads WHERE id = ?)`

// createFact writes the anonymous fact of a new contact of channel (a mail
// thread that starts with one message from the help-seeker, or a chat that
// starts with none) and links it to the thread by a fresh random key.
func (db *DB) createFact(ctx context.Context, tx *sql.Tx, threadID string, officeID int64, seekerID string, key *vault.Key, themeID int64, at time.Time,
	channel string, seekerMsgs int) error {
	var age, gender, region []byte
	if err := tx.QueryRowContext(ctx, `SELECT age_band, gender, region FROM accounts WHERE id = ?`, seekerID).Scan(&age, &gender, &region); err != nil {
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
	regions, err := regionsTx(ctx, tx, officeID)
	if err != nil {
		return err
	}
	profile[2] = regions.FactRegion(profile[2])
	statsKey := make([]byte, 16)
	if _, err := io.ReadFull(db.rand, statsKey); err != nil {
		return fmt.Errorf("statistics key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET stats_key = ? WHERE id = ?`, statsKey, threadID); err != nil {
		return fmt.Errorf("link statistics: %w", err)
	}
	at = at.UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO contact_facts (fact_key, office_id, channel, year, month, age_band, gender, region,
		seeker_messages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, statsKey, officeID, channel, at.Year(), int(at.Month()),
		nullIfEmpty(profile[0]), nullIfEmpty(profile[1]), nullIfEmpty(profile[2]), seekerMsgs); err != nil {
		return fmt.Errorf("write statistics fact: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO contact_fact_themes (fact_key, theme_id, office_id, year, month) VALUES (?, ?, ?, ?, ?)`,
		statsKey, themeID, officeID, at.Year(), int(at.Month())); err != nil {
		return fmt.Errorf("write statistics theme: %w", err)
	}
	return db.tallyNewFact(ctx, tx, officeID, at.Year(), int(at.Month()), channel, profile, themeID, seekerMsgs)
}

// tallyNewFact counts a new fact in the report tallies.
func (db *DB) tallyNewFact(ctx context.Context, tx *sql.Tx, officeID int64, year, month int, channel string, profile [3]string, themeID int64, seekerMsgs int) error {
	for _, d := range [][2]string{
		{counselling.DimMonth, strconv.Itoa(month)}, {counselling.DimChannel, channel}, {counselling.DimAgeBand, profile[0]},
		{counselling.DimGender, profile[1]}, {counselling.DimRegion, profile[2]}, {counselling.DimClosed, "0"},
	} {
		msgs := 0
		if d[0] == counselling.DimMonth {
			msgs = seekerMsgs
		}
		if err := db.tally(ctx, tx, officeID, year, d[0], d[1], 1, msgs, 0); err != nil {
			return err
		}
	}
	return db.tallyTheme(ctx, tx, officeID, year, month, themeID, 1)
}

// tally adds to the count of one value of one report dimension, in one of
// the engine's shard rows of that value (readers sum the shards). A shard
// row alone may go below zero when a contact moves from one value to
// another; the sum over the shards may not.
func (db *DB) tally(ctx context.Context, tx *sql.Tx, officeID int64, year int, dim, value string, contacts, seekerMsgs, staffMsgs int) error {
	return tallyOn(ctx, tx, db.eng.tallyShard(), officeID, year, dim, value, contacts, seekerMsgs, staffMsgs)
}

func tallyOn(ctx context.Context, tx *sql.Tx, shard int, officeID int64, year int, dim, value string, contacts, seekerMsgs, staffMsgs int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO fact_tallies (office_id, year, dimension, value, shard, contacts, seeker_messages, staff_messages)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (office_id, year, dimension, value, shard) DO UPDATE SET
		contacts = fact_tallies.contacts + excluded.contacts, seeker_messages = fact_tallies.seeker_messages + excluded.seeker_messages,
		staff_messages = fact_tallies.staff_messages + excluded.staff_messages`, officeID, year, dim, value, shard,
		contacts, seekerMsgs, staffMsgs)
	if err != nil {
		return fmt.Errorf("tally %s: %w", dim, err)
	}
	return nil
}

func (db *DB) tallyTheme(ctx context.Context, tx *sql.Tx, officeID int64, year, month int, themeID int64, delta int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO fact_theme_months (office_id, year, theme_id, month, contacts) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (office_id, year, theme_id, month) DO UPDATE SET contacts = fact_theme_months.contacts + excluded.contacts`,
		officeID, year, themeID, month, delta)
	if err != nil {
		return fmt.Errorf("tally theme: %w", err)
	}
	return nil
}

// factOf reads the parts of a thread's fact that tallies are keyed by; ok is
// false for a thread without a fact.
type factPlace struct {
	officeID      int64
	year, month   int
	firstResponse sql.NullString
	closed        bool
}

func (db *DB) factOf(ctx context.Context, tx *sql.Tx, threadID string) (factPlace, bool, error) {
	var f factPlace
	err := tx.QueryRowContext(ctx, `SELECT office_id, year, month, first_response, closed FROM contact_facts WHERE fact_key = `+factOfThread,
		threadID).Scan(&f.officeID, &f.year, &f.month, &f.firstResponse, &f.closed)
	if err == sql.ErrNoRows {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("read fact: %w", err)
	}
	return f, true, nil
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
	f, ok, err := db.factOf(ctx, tx, threadID)
	if err != nil || !ok {
		return err
	}
	month := strconv.Itoa(f.month)
	if fromSeeker {
		if err := countInFact(ctx, tx, threadID, true); err != nil {
			return err
		}
		return db.tally(ctx, tx, f.officeID, f.year, counselling.DimMonth, month, 0, 1, 0)
	}
	if !f.firstResponse.Valid {
		var created int64
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM threads WHERE id = ?`, threadID).Scan(&created); err != nil {
			return fmt.Errorf("read thread times: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET first_response_at = ? WHERE id = ?`, now.Unix(), threadID); err != nil {
			return fmt.Errorf("record first response: %w", err)
		}
		bucket := counselling.ResponseBucket(now.Sub(time.Unix(created, 0)))
		if _, err := tx.ExecContext(ctx, `UPDATE contact_facts SET first_response = ? WHERE fact_key = `+factOfThread, bucket, threadID); err != nil {
			return fmt.Errorf("record first response in statistics: %w", err)
		}
		if err := db.tally(ctx, tx, f.officeID, f.year, counselling.DimFirstResponse, bucket, 1, 0, 0); err != nil {
			return err
		}
	}
	if err := countInFact(ctx, tx, threadID, false); err != nil {
		return err
	}
	return db.tally(ctx, tx, f.officeID, f.year, counselling.DimMonth, month, 0, 0, 1)
}

// countInFact counts one delivered message in the fact of its thread, as the
// help-seeker's or as the counsellors'.
func countInFact(ctx context.Context, tx *sql.Tx, threadID string, fromSeeker bool) error {
	query := `UPDATE contact_facts SET counsellor_messages = counsellor_messages + 1 WHERE fact_key = ` + factOfThread
	if fromSeeker {
		query = `UPDATE contact_facts SET seeker_messages = seeker_messages + 1 WHERE fact_key = ` + factOfThread
	}
	if _, err := tx.ExecContext(ctx, query, threadID); err != nil {
		return fmt.Errorf("count message in statistics: %w", err)
	}
	return nil
}

// factThemes sets the themes of a contact's fact to the counsellor's tags, or
// back to the enquiry's theme when no tag is left.
func (db *DB) factThemes(ctx context.Context, tx *sql.Tx, threadID string, themeIDs []int64) error {
	f, ok, err := db.factOf(ctx, tx, threadID)
	if err != nil || !ok {
		return err
	}
	if len(themeIDs) == 0 {
		var enquiryTheme int64
		if err := tx.QueryRowContext(ctx, `SELECT theme_id FROM threads WHERE id = ?`, threadID).Scan(&enquiryTheme); err != nil {
			return fmt.Errorf("read enquiry theme: %w", err)
		}
		themeIDs = []int64{enquiryTheme}
	}
	rows, err := tx.QueryContext(ctx, `SELECT theme_id FROM contact_fact_themes WHERE fact_key = `+factOfThread, threadID)
	if err != nil {
		return fmt.Errorf("read statistics themes: %w", err)
	}
	var old []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("read statistics theme: %w", err)
		}
		old = append(old, id)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("read statistics themes: %w", err)
	}
	for _, id := range old {
		if err := db.tallyTheme(ctx, tx, f.officeID, f.year, f.month, id, -1); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_fact_themes WHERE fact_key = `+factOfThread, threadID); err != nil {
		return fmt.Errorf("clear statistics themes: %w", err)
	}
	for _, id := range themeIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contact_fact_themes (fact_key, theme_id, office_id, year, month)
			SELECT f.fact_key, ?, f.office_id, f.year, f.month FROM threads t JOIN contact_facts f ON f.fact_key = t.stats_key
			WHERE t.id = ?`, id, threadID); err != nil {
			return fmt.Errorf("write statistics theme: %w", err)
		}
		if err := db.tallyTheme(ctx, tx, f.officeID, f.year, f.month, id, 1); err != nil {
			return err
		}
	}
	return nil
}

// factClosed records whether the contact is closed.
func (db *DB) factClosed(ctx context.Context, tx *sql.Tx, threadID string, closed bool) error {
	f, ok, err := db.factOf(ctx, tx, threadID)
	if err != nil || !ok || f.closed == closed {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE contact_facts SET closed = ? WHERE fact_key = `+factOfThread, closed, threadID); err != nil {
		return fmt.Errorf("record close in statistics: %w", err)
	}
	from, to := "0", "1"
	if !closed {
		from, to = to, from
	}
	if err := db.tally(ctx, tx, f.officeID, f.year, counselling.DimClosed, from, -1, 0, 0); err != nil {
		return err
	}
	return db.tally(ctx, tx, f.officeID, f.year, counselling.DimClosed, to, 1, 0, 0)
}

// factChatBucket records one of a chat's buckets (how long it waited, how long
// it ran) in its fact and tallies it, once: a chat accepted again after going
// back to the queue keeps the waiting time of its first acceptance.
func (db *DB) factChatBucket(ctx context.Context, tx *sql.Tx, threadID, column, dim, bucket string) error {
	f, ok, err := db.factOf(ctx, tx, threadID)
	if err != nil || !ok {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE contact_facts SET `+column+` = ? WHERE `+column+` IS NULL AND fact_key = `+factOfThread, bucket, threadID)
	if err != nil {
		return fmt.Errorf("record %s in statistics: %w", column, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return db.tally(ctx, tx, f.officeID, f.year, dim, bucket, 1, 0, 0)
}
