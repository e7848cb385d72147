package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confidant/counselling"
)

// workday reads an office's working time in tx or outside one.
func workday(ctx context.Context, q *sql.Tx, officeID int64) (counselling.Workday, error) {
	var d counselling.Workday
	err := q.QueryRowContext(ctx, `SELECT time_zone, promise_amount, promise_unit, auto_assign FROM offices WHERE id = ?`, officeID).
		Scan(&d.TimeZone, &d.Promise.Amount, &d.Promise.Unit, &d.AutoAssign)
	if err == sql.ErrNoRows {
		return d, notFound("The office")
	}
	if err != nil {
		return d, fmt.Errorf("read office working time: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT weekday, opens, closes FROM opening_hours WHERE office_id = ?`, officeID)
	if err != nil {
		return d, fmt.Errorf("read opening hours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var wd, opens, closes int
		if err := rows.Scan(&wd, &opens, &closes); err != nil {
			return d, fmt.Errorf("read opening hours: %w", err)
		}
		d.Hours[wd] = counselling.DayHours{Opens: opens, Closes: closes}
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("read opening hours: %w", err)
	}
	hs, err := q.QueryContext(ctx, `SELECT day FROM office_holidays WHERE office_id = ? ORDER BY day`, officeID)
	if err != nil {
		return d, fmt.Errorf("read holidays: %w", err)
	}
	defer hs.Close()
	for hs.Next() {
		var day string
		if err := hs.Scan(&day); err != nil {
			return d, fmt.Errorf("read holidays: %w", err)
		}
		d.Holidays = append(d.Holidays, day)
	}
	return d, hs.Err()
}

// Workday returns an office's working time: its promise, time zone, opening
// hours, holidays and whether it assigns new enquiries automatically.
func (db *DB) Workday(ctx context.Context, officeID int64) (counselling.Workday, error) {
	var d counselling.Workday
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = workday(ctx, tx, officeID)
		return err
	})
	return d, err
}

// awaitAnswer starts the office's promise for a help-seeker's message
// received at at, unless an earlier message of theirs already waits for an
// answer: the promise runs from the oldest unanswered message.
func (db *DB) awaitAnswer(ctx context.Context, tx *sql.Tx, threadID string, officeID int64, at time.Time) error {
	d, err := workday(ctx, tx, officeID)
	if err != nil {
		return err
	}
	due := counselling.DueAt(at, d.Promise, d.Workweek())
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET due_at = ?, delay_noticed_at = NULL WHERE id = ? AND due_at IS NULL`,
		due.Unix(), threadID); err != nil {
		return fmt.Errorf("set due time: %w", err)
	}
	return nil
}

// answered ends the promise of a thread: an answer reached the help-seeker,
// or the thread was closed.
func (db *DB) answered(ctx context.Context, tx *sql.Tx, threadID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET due_at = NULL, delay_noticed_at = NULL WHERE id = ?`, threadID); err != nil {
		return fmt.Errorf("clear due time: %w", err)
	}
	return nil
}

// dueOf reads when the answer in a thread is due (zero: nothing waits).
func dueOf(ctx context.Context, tx *sql.Tx, threadID string) (time.Time, error) {
	var due sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT due_at FROM threads WHERE id = ?`, threadID).Scan(&due); err != nil {
		return time.Time{}, fmt.Errorf("read due time: %w", err)
	}
	if !due.Valid {
		return time.Time{}, nil
	}
	return time.Unix(due.Int64, 0).UTC(), nil
}

// OverdueCounts counts the office's threads waiting past their due time, in
// the open queue and held by counsellors.
func (db *DB) OverdueCounts(ctx context.Context, officeID int64) (counselling.OverdueCounts, error) {
	var o counselling.OverdueCounts
	err := db.read.QueryRowContext(ctx, `SELECT
		coalesce(sum(CASE WHEN t.counsellor_id IS NULL THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN t.counsellor_id IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM threads t WHERE t.office_id = ? AND t.due_at IS NOT NULL AND t.status <> 'closed' AND t.due_at < ?`,
		officeID, db.now().Unix()).Scan(&o.Queued, &o.InProgress)
	if err != nil {
		return o, fmt.Errorf("count overdue threads: %w", err)
	}
	return o, nil
}

// QueueDelayNotices tells each help-seeker whose answer is late, once for
// each waiting message, with one neutral mail if they gave an address, and
// returns how many threads were late.
func (db *DB) QueueDelayNotices(ctx context.Context) (int, error) {
	n := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, office_id, seeker_id FROM threads
			WHERE due_at IS NOT NULL AND status <> 'closed' AND due_at < ? AND delay_noticed_at IS NULL LIMIT 500`, db.now().Unix())
		if err != nil {
			return fmt.Errorf("list late threads: %w", err)
		}
		type late struct {
			id, seeker string
			office     int64
		}
		var all []late
		for rows.Next() {
			var l late
			if err := rows.Scan(&l.id, &l.office, &l.seeker); err != nil {
				rows.Close()
				return fmt.Errorf("read late thread: %w", err)
			}
			all = append(all, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list late threads: %w", err)
		}
		for _, l := range all {
			if _, err := tx.ExecContext(ctx, `UPDATE threads SET delay_noticed_at = ? WHERE id = ?`, db.now().Unix(), l.id); err != nil {
				return fmt.Errorf("mark delay noticed: %w", err)
			}
			if err := db.enqueue(ctx, tx, l.office, l.seeker, counselling.NoticeDelayed); err != nil {
				return err
			}
		}
		n = len(all)
		return nil
	})
	return n, err
}

// SaveWorkday stores the working time of the office the caller administers
// (time zone, promise, opening hours, holidays), if the domain accepts it;
// otherwise nothing is stored. Threads already waiting keep their due time.
func (db *DB) SaveWorkday(ctx context.Context, c counselling.Caller, d counselling.Workday) error {
	scope := counselling.Administers(c, 0)
	if scope.None() {
		return notFound("The office")
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET time_zone = ?, promise_amount = ?, promise_unit = ? WHERE id = ?`,
			d.TimeZone, d.Promise.Amount, d.Promise.Unit, scope.OfficeID); err != nil {
			return fmt.Errorf("save working time: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM opening_hours WHERE office_id = ?`, scope.OfficeID); err != nil {
			return fmt.Errorf("clear opening hours: %w", err)
		}
		for wd, h := range d.Hours {
			if !h.Open() {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO opening_hours (office_id, weekday, opens, closes) VALUES (?, ?, ?, ?)`,
				scope.OfficeID, wd, h.Opens, h.Closes); err != nil {
				return fmt.Errorf("save opening hours: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM office_holidays WHERE office_id = ?`, scope.OfficeID); err != nil {
			return fmt.Errorf("clear holidays: %w", err)
		}
		for _, day := range d.Holidays {
			if _, err := tx.ExecContext(ctx, `INSERT INTO office_holidays (office_id, day) VALUES (?, ?)`, scope.OfficeID, day); err != nil {
				return fmt.Errorf("save holiday: %w", err)
			}
		}
		return db.audit(ctx, tx, scope.OfficeID, c.AccountID, "working time changed", "", "")
	})
}
