package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confidant/counselling"
)

var errRosterNotFound = notFound("The duty roster")

// Roster returns an office's weekly duties and its exceptions from today on,
// with names, for a caller who keeps the roster.
func (db *DB) Roster(ctx context.Context, c counselling.Caller) (times []counselling.DutyTime, exceptions []counselling.DutyException, err error) {
	if !counselling.MayKeepRoster(c) {
		return nil, nil, errRosterNotFound
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		d, err := workday(ctx, tx, c.OfficeID)
		if err != nil {
			return err
		}
		today := db.now().In(d.Workweek().Location).Format(counselling.DateLayout)
		if times, err = db.dutyTimes(ctx, tx, c.OfficeID); err != nil {
			return err
		}
		if exceptions, err = db.dutyExceptions(ctx, tx, c.OfficeID, today, "9999-12-31"); err != nil {
			return err
		}
		names := staffNames{db: db, tx: tx, ctx: ctx}
		for i := range times {
			if times[i].Name, err = names.name(times[i].AccountID); err != nil {
				return err
			}
		}
		for i := range exceptions {
			if exceptions[i].Name, err = names.name(exceptions[i].AccountID); err != nil {
				return err
			}
		}
		return nil
	})
	return times, exceptions, err
}

func (db *DB) dutyTimes(ctx context.Context, tx *sql.Tx, officeID int64) ([]counselling.DutyTime, error) {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.account_id, d.weekday, d.starts, d.ends FROM duty_times d
		JOIN accounts a ON a.id = d.account_id WHERE d.office_id = ? ORDER BY (d.weekday + 6) % 7, d.starts, a.created_at, d.id`, officeID)
	if err != nil {
		return nil, fmt.Errorf("list duties: %w", err)
	}
	defer rows.Close()
	var out []counselling.DutyTime
	for rows.Next() {
		var d counselling.DutyTime
		if err := rows.Scan(&d.ID, &d.AccountID, &d.Weekday, &d.Starts, &d.Ends); err != nil {
			return nil, fmt.Errorf("read duty: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (db *DB) dutyExceptions(ctx context.Context, tx *sql.Tx, officeID int64, from, to string) ([]counselling.DutyException, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, account_id, day, starts, ends FROM duty_exceptions
		WHERE office_id = ? AND day >= ? AND day <= ? ORDER BY day, starts, id`, officeID, from, to)
	if err != nil {
		return nil, fmt.Errorf("list duty exceptions: %w", err)
	}
	defer rows.Close()
	var out []counselling.DutyException
	for rows.Next() {
		var e counselling.DutyException
		if err := rows.Scan(&e.ID, &e.AccountID, &e.Day, &e.Starts, &e.Ends); err != nil {
			return nil, fmt.Errorf("read duty exception: %w", err)
		}
		e.Off = e.Starts == 0 && e.Ends == 0
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddDutyTime adds a weekly duty to the roster of the caller's office, if the
// domain allows it; otherwise nothing is stored.
func (db *DB) AddDutyTime(ctx context.Context, c counselling.Caller, d counselling.DutyTime) error {
	if !counselling.MayKeepRoster(c) {
		return errRosterNotFound
	}
	id, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		m, err := db.staffMember(ctx, tx, d.AccountID)
		if err != nil {
			return err
		}
		if err := d.Validate(c.OfficeID, m); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO duty_times (id, office_id, account_id, weekday, starts, ends) VALUES (?, ?, ?, ?, ?, ?)`,
			id, c.OfficeID, d.AccountID, int(d.Weekday), d.Starts, d.Ends); err != nil {
			return fmt.Errorf("add duty: %w", err)
		}
		return nil
	})
}

// AddDutyException adds an exception for one day to the roster of the
// caller's office, if the domain allows it; otherwise nothing is stored.
func (db *DB) AddDutyException(ctx context.Context, c counselling.Caller, e counselling.DutyException) error {
	if !counselling.MayKeepRoster(c) {
		return errRosterNotFound
	}
	id, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		m, err := db.staffMember(ctx, tx, e.AccountID)
		if err != nil {
			return err
		}
		if err := e.Validate(c.OfficeID, m); err != nil {
			return err
		}
		if e.Off {
			e.Starts, e.Ends = 0, 0
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO duty_exceptions (id, office_id, account_id, day, starts, ends) VALUES (?, ?, ?, ?, ?, ?)`,
			id, c.OfficeID, e.AccountID, e.Day, e.Starts, e.Ends); err != nil {
			return fmt.Errorf("add duty exception: %w", err)
		}
		return nil
	})
}

// RemoveDuty removes a weekly duty or an exception of the caller's office.
func (db *DB) RemoveDuty(ctx context.Context, c counselling.Caller, id string) error {
	if !counselling.MayKeepRoster(c) || !validID(id) {
		return errRosterNotFound
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		a, err := tx.ExecContext(ctx, `DELETE FROM duty_times WHERE id = ? AND office_id = ?`, id, c.OfficeID)
		if err != nil {
			return fmt.Errorf("remove duty: %w", err)
		}
		b, err := tx.ExecContext(ctx, `DELETE FROM duty_exceptions WHERE id = ? AND office_id = ?`, id, c.OfficeID)
		if err != nil {
			return fmt.Errorf("remove duty exception: %w", err)
		}
		n1, _ := a.RowsAffected()
		n2, _ := b.RowsAffected()
		if n1+n2 == 0 {
			return errRosterNotFound
		}
		return nil
	})
}

// SetAutoAssign switches the automatic assignment of the caller's office.
func (db *DB) SetAutoAssign(ctx context.Context, c counselling.Caller, on bool) error {
	if !counselling.MayKeepRoster(c) {
		return errRosterNotFound
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET auto_assign = ? WHERE id = ?`, on, c.OfficeID); err != nil {
			return fmt.Errorf("set automatic assignment: %w", err)
		}
		return nil
	})
}

// autoAssign gives a new enquiry to the counsellor the domain picks
// (counselling.PickAssignee) when the office assigns automatically; with
// nobody picked it stays in the open queue.
func (db *DB) autoAssign(ctx context.Context, tx *sql.Tx, officeID int64, threadID string, themeID int64, at time.Time) error {
	d, err := workday(ctx, tx, officeID)
	if err != nil || !d.AutoAssign {
		return err
	}
	loc := d.Workweek().Location
	day := at.In(loc).Format(counselling.DateLayout)
	times, err := db.dutyTimes(ctx, tx, officeID)
	if err != nil {
		return err
	}
	exceptions, err := db.dutyExceptions(ctx, tx, officeID, day, day)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.id, (SELECT count(*) FROM threads t
			WHERE t.counsellor_id = a.id AND t.status <> 'closed' AND t.channel = 'mail')
		FROM accounts a WHERE a.office_id = ? AND a.kind = 'staff' AND a.role IN ('counsellor', 'supervisor')
		AND a.disabled = 0 AND a.password_hash != '' AND a.totp_secret IS NOT NULL ORDER BY a.created_at, a.id`, officeID)
	if err != nil {
		return fmt.Errorf("list counsellors: %w", err)
	}
	var cands []counselling.Candidate
	for rows.Next() {
		var c counselling.Candidate
		if err := rows.Scan(&c.ID, &c.Load); err != nil {
			rows.Close()
			return fmt.Errorf("read counsellor: %w", err)
		}
		c.OnDuty = counselling.OnDuty(c.ID, times, exceptions, at, loc)
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list counsellors: %w", err)
	}
	for i := range cands {
		if !cands[i].OnDuty {
			continue
		}
		if cands[i].Themes, err = db.counselledThemes(ctx, tx, cands[i].ID); err != nil {
			return err
		}
	}
	to := counselling.PickAssignee(cands, themeID)
	if to == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET counsellor_id = ?, status = 'assigned', counsellor_unread = 1
		WHERE id = ? AND status = 'open' AND counsellor_id IS NULL`, to, threadID); err != nil {
		return fmt.Errorf("assign enquiry: %w", err)
	}
	return nil
}
