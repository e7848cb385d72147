package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"confidant/counselling"
)

func ratingRow(threadID string, side counselling.RatingSide) string {
	return threadID + "/" + string(side)
}

// Rate stores the caller's rating of a conversation that is over
// (counselling.Rateable), once per side: a second rating by the same side is
// EConflict and changes nothing. The comment is sealed; the score alone goes
// into the conversation's anonymous fact. A help-seeker's rating may put
// conversations of the counsellor's into the supervisors' queue
// (counselling.SampleForSupervision).
func (db *DB) Rate(ctx context.Context, c counselling.Caller, threadID string, r counselling.Rating) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return db.rate(ctx, tx, c, threadID, r)
	})
}

// rate is Rate within a transaction, for help-seekers with an account,
// counsellors and guests (RateAsGuest) alike.
func (db *DB) rate(ctx context.Context, tx *sql.Tx, c counselling.Caller, threadID string, r counselling.Rating) error {
	side, ok := counselling.RatingSideOf(c)
	if !ok || side != r.Side {
		return errThreadNotFound
	}
	h, err := db.actOn(ctx, tx, c, counselling.ActRate, threadID)
	if err != nil {
		return err
	}
	var counsellor sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT counsellor_id FROM threads WHERE id = ?`, threadID).Scan(&counsellor); err != nil {
		return fmt.Errorf("read thread holder: %w", err)
	}
	if !counselling.Rateable(h.status, counsellor.String) {
		return counselling.ErrNotRateable
	}
	var sealed any
	if r.Comment != "" {
		if sealed, err = h.ts.at("ratings", ratingRow(threadID, side)).seal("comment", r.Comment); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ratings (thread_id, side, office_id, counsellor_id, score, comment, rated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id, side) DO NOTHING`,
		threadID, string(side), h.officeID, counsellor.String, r.Score, sealed, db.now().Unix())
	if err != nil {
		return fmt.Errorf("store rating: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return counselling.ErrRatedAlready
	}
	if err := db.factRating(ctx, tx, threadID, side, r.Score); err != nil {
		return err
	}
	if side == counselling.RatingBySeeker {
		return db.sample(ctx, tx, h.officeID, counsellor.String)
	}
	return nil
}

// factRating records a side's score in the conversation's anonymous fact and
// tallies it.
func (db *DB) factRating(ctx context.Context, tx *sql.Tx, threadID string, side counselling.RatingSide, score int) error {
	f, ok, err := db.factOf(ctx, tx, threadID)
	if err != nil || !ok {
		return err
	}
	column, dim := "rating", counselling.DimRating
	if side == counselling.RatingByCounsellor {
		column, dim = "staff_rating", counselling.DimStaffRating
	}
	res, err := tx.ExecContext(ctx, `UPDATE contact_facts SET `+column+` = ? WHERE `+column+` IS NULL AND fact_key = `+factOfThread, score, threadID)
	if err != nil {
		return fmt.Errorf("record rating in statistics: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return db.tally(ctx, tx, f.officeID, f.year, dim, strconv.Itoa(score), 1, 0, 0)
}

// QualitySettings reads an office's sampling rule.
func qualitySettings(ctx context.Context, tx *sql.Tx, officeID int64) (counselling.QualitySettings, error) {
	var s counselling.QualitySettings
	err := tx.QueryRowContext(ctx, `SELECT sample_window, sample_threshold, sample_size FROM offices WHERE id = ?`, officeID).
		Scan(&s.Window, &s.ThresholdPercent, &s.Sample)
	if err != nil {
		return s, fmt.Errorf("read sampling rule: %w", err)
	}
	return s, nil
}

// sample applies the office's sampling rule to a counsellor's latest ratings
// by help-seekers and queues what it chooses.
func (db *DB) sample(ctx context.Context, tx *sql.Tx, officeID int64, counsellorID string) error {
	if counsellorID == "" {
		return nil
	}
	s, err := qualitySettings(ctx, tx, officeID)
	if err != nil {
		return err
	}
	var pending bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM supervision_items WHERE counsellor_id = ? AND kind = 'sampled'
		AND closed_at IS NULL)`, counsellorID).Scan(&pending); err != nil {
		return fmt.Errorf("read open samples: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.thread_id, r.score, EXISTS (SELECT 1 FROM supervision_items si
			WHERE si.thread_id = r.thread_id AND si.closed_at IS NULL)
		FROM ratings r WHERE r.counsellor_id = ? AND r.side = 'seeker' AND r.office_id = ?
		ORDER BY r.rated_at DESC, `+db.eng.insertionOrder("r")+` DESC LIMIT ?`, counsellorID, officeID, s.Window)
	if err != nil {
		return fmt.Errorf("read recent ratings: %w", err)
	}
	var recent []counselling.RatedSession
	for rows.Next() {
		var r counselling.RatedSession
		if err := rows.Scan(&r.ThreadID, &r.Score, &r.Supervised); err != nil {
			rows.Close()
			return fmt.Errorf("read rating: %w", err)
		}
		recent = append(recent, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, threadID := range counselling.SampleForSupervision(recent, s, pending) {
		id, err := db.newID()
		if err != nil {
			return err
		}
		if _, err := db.openSupervision(ctx, tx, id, officeID, threadID, counsellorID, counselling.SupervisionSampled, nil); err != nil {
			return err
		}
	}
	return nil
}

// ThreadRatings are the ratings of a conversation the caller may read that
// the caller may see (counselling.RatingsVisible): their own side's, and for
// supervisors who do not hold it, both sides' with their comments.
func (db *DB) ThreadRatings(ctx context.Context, c counselling.Caller, threadID string) ([]counselling.Rating, error) {
	var out []counselling.Rating
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		h, err := db.readableThread(ctx, tx, c, threadID)
		if err != nil {
			return err
		}
		var counsellor sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT counsellor_id FROM threads WHERE id = ?`, threadID).Scan(&counsellor); err != nil {
			return fmt.Errorf("read thread holder: %w", err)
		}
		out, err = db.ratingsOf(ctx, tx, h, counselling.RatingsVisible(c, counsellor.String))
		return err
	})
	return out, err
}

// ratingsOf reads the ratings of a thread by the given sides, comments opened.
func (db *DB) ratingsOf(ctx context.Context, tx *sql.Tx, h *held, sides []counselling.RatingSide) ([]counselling.Rating, error) {
	if len(sides) == 0 {
		return nil, nil
	}
	args := []any{h.id}
	for _, s := range sides {
		args = append(args, string(s))
	}
	rows, err := tx.QueryContext(ctx, `SELECT side, score, comment FROM ratings WHERE thread_id = ? AND side IN (?`+
		strings.Repeat(", ?", len(sides)-1)+`) ORDER BY side DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list ratings: %w", err)
	}
	defer rows.Close()
	var out []counselling.Rating
	for rows.Next() {
		var r counselling.Rating
		var comment []byte
		if err := rows.Scan(&r.Side, &r.Score, &comment); err != nil {
			return nil, fmt.Errorf("read rating: %w", err)
		}
		if comment != nil {
			if r.Comment, err = h.ts.at("ratings", ratingRow(h.id, r.Side)).open("comment", comment); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// QualitySettings reads the sampling rule of the office the actor
// administers.
func (db *DB) QualitySettings(ctx context.Context, actor counselling.Caller) (counselling.QualitySettings, error) {
	var s counselling.QualitySettings
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		s, err = qualitySettings(ctx, tx, scope.OfficeID)
		return err
	})
	return s, err
}

// SaveQualitySettings changes the sampling rule of the office the actor
// administers.
func (db *DB) SaveQualitySettings(ctx context.Context, actor counselling.Caller, s counselling.QualitySettings) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET sample_window = ?, sample_threshold = ?, sample_size = ? WHERE id = ?`,
			s.Window, s.ThresholdPercent, s.Sample, scope.OfficeID); err != nil {
			return fmt.Errorf("save sampling rule: %w", err)
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "sampling rule changed", "", counselling.AuditDetail{
			ID: counselling.AuditSampling, Args: map[string]string{"Window": strconv.Itoa(s.Window),
				"Threshold": strconv.Itoa(s.ThresholdPercent), "Sample": strconv.Itoa(s.Sample)}})
	})
}
