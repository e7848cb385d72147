package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"confidant/counselling"
)

// SeedOptions say how much synthetic data Seed makes.
type SeedOptions struct {
	OfficeID int64
	Seekers  int
	Threads  int
	// CounsellorID, when set, holds every AssignedEvery-th thread; the rest wait in
	// the open queue.
	CounsellorID  string
	AssignedEvery int
	// MessagesPerThread is at least 1; AgeDays moves every thread's last
	// activity that many days into the past.
	MessagesPerThread int
	AgeDays           int
}

// Seed fills an office with synthetic help-seekers and threads, sealed like real
// ones, for benchmarks and demonstrations. It writes in batches of a thousand
// rows, so it can be rerun on a live database without long locks.
func (db *DB) Seed(ctx context.Context, o SeedOptions) error {
	if o.Seekers < 1 {
		o.Seekers = 1
	}
	var themeIDs []int64
	themes, err := db.Themes(ctx, o.OfficeID)
	if err != nil {
		return err
	}
	for _, t := range themes {
		themeIDs = append(themeIDs, t.ID)
	}
	base, err := db.newID()
	if err != nil {
		return err
	}
	seekers := make([]string, 0, o.Seekers)
	for start := 0; start < o.Seekers; start += 1000 {
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+1000, o.Seekers); i++ {
				id, err := db.createAccount(ctx, tx, newAccount{officeID: o.OfficeID, kind: counselling.KindSeeker,
					nickname: "seed " + base[:8] + " " + strconv.Itoa(i), passwordHash: "", termsVersion: 1})
				if err != nil {
					return err
				}
				seekers = append(seekers, id)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed accounts: %w", err)
		}
	}
	now := db.now().Unix()
	for start := 0; start < o.Threads; start += 1000 {
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+1000, o.Threads); i++ {
				seeker := seekers[i%len(seekers)]
				key, err := db.dataKey(ctx, tx, seeker)
				if err != nil {
					return err
				}
				threadID, err := db.newID()
				if err != nil {
					return err
				}
				messageID, err := db.newID()
				if err != nil {
					return err
				}
				ts := threadSealer{key}
				subject, err := ts.at("threads", threadID).seal("subject", "Seeded subject "+strconv.Itoa(i))
				if err != nil {
					return err
				}
				status, counsellor := "open", any(nil)
				if o.CounsellorID != "" && o.AssignedEvery > 0 && i%o.AssignedEvery == 0 {
					status, counsellor = "assigned", o.CounsellorID
				}
				at := now - int64(o.Threads-i)*60 - int64(o.AgeDays)*86400
				if _, err := tx.ExecContext(ctx, `INSERT INTO threads (id, office_id, seeker_id, counsellor_id, theme_id, subject, status,
					created_at, last_activity_at, counsellor_unread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
					threadID, o.OfficeID, seeker, counsellor, themeIDs[i%len(themeIDs)], subject, status, at, at); err != nil {
					return fmt.Errorf("seed thread: %w", err)
				}
				for seq := 1; seq <= max(1, o.MessagesPerThread); seq++ {
					if seq > 1 {
						if messageID, err = db.newID(); err != nil {
							return err
						}
					}
					body, err := ts.at("messages", messageID).seal("body", "A seeded message of a synthetic help-seeker, number "+strconv.Itoa(i)+".")
					if err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, thread_id, office_id, from_seeker, body, created_at, seq)
						VALUES (?, ?, ?, 1, ?, ?, ?)`, messageID, threadID, o.OfficeID, body, at, seq); err != nil {
						return fmt.Errorf("seed message: %w", err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
