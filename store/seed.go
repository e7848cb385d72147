package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"

	"confidant/counselling"
)

// SeedOptions say how much synthetic data Seed makes.
type SeedOptions struct {
	OfficeID int64
	Seekers  int
	Threads  int
	// Threads are held the way an office holds them: the newest OpenShare
	// wait in the open queue, the next InProgressShare are held by a
	// counsellor and in progress, and the older rest are closed, held by the
	// counsellor who answered them. The counsellors take turns: the office's
	// own counsellors and SyntheticCounsellors more, who cannot log in; an
	// office without any has every thread open. Zero shares mean the
	// defaults (1 % open, 9 % in progress).
	OpenShare, InProgressShare float64
	SyntheticCounsellors       int
	// MessagesPerThread is at least 1; AgeDays moves every thread's last
	// activity that many days into the past.
	MessagesPerThread int
	AgeDays           int
}

// Default shares of seeded threads: an office answers most enquiries within
// days, so a few wait and most are closed.
const (
	DefaultSeedOpenShare       = 0.01
	DefaultSeedInProgressShare = 0.09
)

// seedStatus is what a seeded thread of position i (0 the oldest) of n is:
// open, in progress ("assigned") or closed, by the shares.
func seedStatus(i, n int, openShare, inProgressShare float64) string {
	open := int(math.Round(openShare * float64(n)))
	inProgress := int(math.Round((openShare + inProgressShare) * float64(n)))
	switch fromNewest := n - i; {
	case fromNewest <= open:
		return "open"
	case fromNewest <= inProgress:
		return "assigned"
	}
	return "closed"
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
	if o.OpenShare == 0 && o.InProgressShare == 0 {
		o.OpenShare, o.InProgressShare = DefaultSeedOpenShare, DefaultSeedInProgressShare
	}
	counsellors, err := db.seedCounsellors(ctx, o.OfficeID, base, o.SyntheticCounsellors)
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
				status, counsellor := seedStatus(i, o.Threads, o.OpenShare, o.InProgressShare), any(nil)
				if status != "open" && len(counsellors) > 0 {
					counsellor = counsellors[i%len(counsellors)]
				} else {
					status = "open"
				}
				at := now - int64(o.Threads-i)*60 - int64(o.AgeDays)*86400
				if _, err := tx.ExecContext(ctx, `INSERT INTO threads (id, office_id, seeker_id, counsellor_id, theme_id, subject, status,
					created_at, last_activity_at, counsellor_unread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					threadID, o.OfficeID, seeker, counsellor, themeIDs[i%len(themeIDs)], subject, status, at, at, status != "closed"); err != nil {
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

// seedCounsellors creates n synthetic counsellors (without a password, so
// that nobody can log in as one) and returns them after the office's own
// active counsellors.
func (db *DB) seedCounsellors(ctx context.Context, officeID int64, base string, n int) ([]string, error) {
	var ids []string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM accounts WHERE office_id = ? AND kind = 'staff' AND role = 'counsellor'
			AND disabled = 0 ORDER BY created_at, id`, officeID)
		if err != nil {
			return fmt.Errorf("list counsellors: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("read counsellor: %w", err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range n {
			name := "Seeded counsellor " + base[:8] + " " + strconv.Itoa(i)
			id, err := db.createAccount(ctx, tx, newAccount{officeID: officeID, kind: counselling.KindStaff,
				role: counselling.RoleCounsellor, nickname: name, displayName: name})
			if err != nil {
				return fmt.Errorf("seed counsellor: %w", err)
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}
