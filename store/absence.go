package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

// staffMember reads one member of staff in tx; nil when there is none.
func (db *DB) staffMember(ctx context.Context, tx *sql.Tx, id string) (*counselling.StaffMember, error) {
	if !validID(id) {
		return nil, nil
	}
	m := counselling.StaffMember{ID: id}
	var wrapped, display []byte
	err := tx.QueryRowContext(ctx, `SELECT office_id, data_key, display_name, role, trainee, disabled,
		password_hash != '' AND totp_secret IS NOT NULL FROM accounts WHERE id = ? AND kind = 'staff'`, id).
		Scan(&m.OfficeID, &wrapped, &display, &m.Role, &m.Trainee, &m.Disabled, &m.Enrolled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read staff member: %w", err)
	}
	if m.Name, err = db.openStaffName(id, wrapped, display); err != nil {
		return nil, err
	}
	return &m, nil
}

// RecordAbsence records the caller's own absence with a stand-in, if the
// domain allows it (counselling.ValidateAbsence); otherwise nothing is stored.
func (db *DB) RecordAbsence(ctx context.Context, c counselling.Caller, a counselling.Absence) (string, error) {
	if !c.Counsels() {
		return "", counselling.Errorf(counselling.EForbidden, "Only counsellors record absences.")
	}
	id, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		standIn, err := db.staffMember(ctx, tx, a.StandInID)
		if err != nil {
			return err
		}
		if err := counselling.ValidateAbsence(c, a, standIn, db.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO absences (id, office_id, account_id, stand_in_id, starts_at, ends_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, c.OfficeID, c.AccountID, a.StandInID, a.From.Unix(), a.Until.Unix(), db.now().Unix()); err != nil {
			return fmt.Errorf("record absence: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// EndAbsence ends one of the caller's absences now: one still to come is
// removed, one under way ends at once, and the stand-in's access with it. An
// absence that is not the caller's, or is over, is not found.
func (db *DB) EndAbsence(ctx context.Context, c counselling.Caller, id string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		now := db.now().Unix()
		gone, err := tx.ExecContext(ctx, `DELETE FROM absences WHERE id = ? AND account_id = ? AND starts_at >= ?`, id, c.AccountID, now)
		if err != nil {
			return fmt.Errorf("remove absence: %w", err)
		}
		ended, err := tx.ExecContext(ctx, `UPDATE absences SET ends_at = ? WHERE id = ? AND account_id = ? AND ends_at > ?`, now, id, c.AccountID, now)
		if err != nil {
			return fmt.Errorf("end absence: %w", err)
		}
		n1, _ := gone.RowsAffected()
		n2, _ := ended.RowsAffected()
		if n1+n2 == 0 {
			return notFound("The absence")
		}
		return nil
	})
}

// Absences lists the absences that concern the caller and have not ended:
// their own, and those they stand in for, soonest first, with names.
func (db *DB) Absences(ctx context.Context, c counselling.Caller) (own, standing []counselling.Absence, err error) {
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		all, err := db.absences(ctx, tx, `(account_id = ? OR stand_in_id = ?) AND ends_at > ?`, c.AccountID, c.AccountID, db.now().Unix())
		if err != nil {
			return err
		}
		for _, a := range all {
			if a.AccountID == c.AccountID {
				own = append(own, a)
			} else {
				standing = append(standing, a)
			}
		}
		return nil
	})
	return own, standing, err
}

// StandInAbsences returns the absences, not yet ended, that name accountID as
// stand-in; the domain decides which of them hold now.
func (db *DB) StandInAbsences(ctx context.Context, accountID string) ([]counselling.Absence, error) {
	var out []counselling.Absence
	rows, err := db.read.QueryContext(ctx, `SELECT account_id, stand_in_id, starts_at, ends_at FROM absences
		WHERE stand_in_id = ? AND ends_at > ?`, accountID, db.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a counselling.Absence
		var from, until int64
		if err := rows.Scan(&a.AccountID, &a.StandInID, &from, &until); err != nil {
			return nil, fmt.Errorf("read absence: %w", err)
		}
		a.From, a.Until = time.Unix(from, 0).UTC(), time.Unix(until, 0).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// CurrentAbsence returns the absence of a counsellor that holds now, if any.
func (db *DB) CurrentAbsence(ctx context.Context, counsellorID string) (*counselling.Absence, error) {
	var out *counselling.Absence
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		now := db.now().Unix()
		all, err := db.absences(ctx, tx, `account_id = ? AND starts_at <= ? AND ends_at > ?`, counsellorID, now, now)
		if err != nil || len(all) == 0 {
			return err
		}
		// Of overlapping absences, the one lasting longest says when the
		// counsellor is back.
		out = &all[0]
		for i := range all {
			if all[i].Until.After(out.Until) {
				out = &all[i]
			}
		}
		return nil
	})
	return out, err
}

func (db *DB) absences(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]counselling.Absence, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, office_id, account_id, stand_in_id, starts_at, ends_at FROM absences
		WHERE `+cond+` ORDER BY starts_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	var out []counselling.Absence
	for rows.Next() {
		var a counselling.Absence
		var from, until int64
		if err := rows.Scan(&a.ID, &a.OfficeID, &a.AccountID, &a.StandInID, &from, &until); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read absence: %w", err)
		}
		a.From, a.Until = time.Unix(from, 0).UTC(), time.Unix(until, 0).UTC()
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	names := staffNames{db: db, tx: tx, ctx: ctx}
	for i := range out {
		if out[i].Name, err = names.name(out[i].AccountID); err != nil {
			return nil, err
		}
		if out[i].StandIn, err = names.name(out[i].StandInID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
