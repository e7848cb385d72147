package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confidant/counselling"
)

// AssignmentsPageSize bounds the supervisor's list of open conversations; the
// ones waiting longest come first, so the stranded ones are never cut off.
const AssignmentsPageSize = 200

// Assignments lists the open mail conversations of the supervisor's office,
// queued or held, the longest untouched first, with who holds each: what a
// supervisor needs to redistribute work, and no word of what was written.
func (db *DB) Assignments(ctx context.Context, c counselling.Caller) ([]counselling.Assignment, error) {
	scope := counselling.ActScope(c, counselling.ActReassign)
	if scope.None {
		return nil, errThreadNotFound
	}
	cond, args := scopeSQL(scope)
	var out []counselling.Assignment
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.id, th.name, coalesce(t.counsellor_id, ''), t.last_activity_at
			FROM threads t JOIN themes th ON th.id = t.theme_id WHERE `+cond+`
			ORDER BY t.last_activity_at, t.id LIMIT ?`, append(args, AssignmentsPageSize)...)
		if err != nil {
			return fmt.Errorf("list assignments: %w", err)
		}
		for rows.Next() {
			var a counselling.Assignment
			var at int64
			if err := rows.Scan(&a.ID, &a.ThemeName, &a.HolderID, &at); err != nil {
				rows.Close()
				return fmt.Errorf("read assignment: %w", err)
			}
			a.LastActivityAt = time.Unix(at, 0).UTC()
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list assignments: %w", err)
		}
		names := staffNames{db: db, tx: tx, ctx: ctx}
		for i := range out {
			if out[i].HolderID == "" {
				continue
			}
			if out[i].Holder, err = names.name(out[i].HolderID); err != nil {
				return err
			}
			m, err := staffMember(ctx, tx, out[i].HolderID)
			if err != nil {
				return err
			}
			out[i].HolderDisabled = m != nil && m.Disabled
		}
		return nil
	})
	return out, err
}

// MayReassignThread reports whether the caller may reassign the thread (it is
// an open mail thread of a supervisor's office), without loading anything of
// what it says.
func (db *DB) MayReassignThread(ctx context.Context, c counselling.Caller, id string) (bool, error) {
	scope := counselling.ActScope(c, counselling.ActReassign)
	if scope.None || !validID(id) {
		return false, nil
	}
	cond, args := scopeSQL(scope)
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM threads t WHERE t.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check reassign scope: %w", err)
	}
	return n == 1, nil
}

// Reassign gives an open thread of the supervisor's office to a colleague, or
// with to empty back to the open queue (counselling.MayReassign says where
// to), and records it in the office's audit log. The notes stay with the
// thread.
func (db *DB) Reassign(ctx context.Context, c counselling.Caller, id, to string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActReassign, id)
		if err != nil {
			return err
		}
		target := counselling.ReassignTarget{ToID: to}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(counsellor_id, '') FROM threads WHERE id = ?`, id).Scan(&target.HolderID); err != nil {
			return fmt.Errorf("read thread holder: %w", err)
		}
		if to != "" {
			if target.To, err = staffMember(ctx, tx, to); err != nil {
				return err
			}
		}
		if err := counselling.MayReassign(c, target); err != nil {
			return err
		}
		if to == "" {
			_, err = tx.ExecContext(ctx, `UPDATE threads SET counsellor_id = NULL, status = 'open' WHERE id = ?`, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE threads SET counsellor_id = ?, status = 'assigned', counsellor_unread = 1 WHERE id = ?`, to, id)
		}
		if err != nil {
			return fmt.Errorf("reassign thread: %w", err)
		}
		detail := counselling.AuditToColleague
		if to == "" {
			detail = counselling.AuditToQueue
		}
		return db.audit(ctx, tx, h.officeID, c.AccountID, counselling.AuditReassigned, to, detail)
	})
}

// returnToQueue puts the open mail threads the staff member holds back into
// their office's open queue (counselling.ReturnsToQueueOnDisable) and says
// how many went.
func returnToQueue(ctx context.Context, tx *sql.Tx, staffID string) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, channel, status FROM threads WHERE counsellor_id = ?`, staffID)
	if err != nil {
		return 0, fmt.Errorf("list held threads: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id, channel, status string
		if err := rows.Scan(&id, &channel, &status); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read held thread: %w", err)
		}
		if counselling.ReturnsToQueueOnDisable(channel, status) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list held threads: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET counsellor_id = NULL, status = 'open' WHERE id = ?`, id); err != nil {
			return 0, fmt.Errorf("return thread to queue: %w", err)
		}
	}
	return len(ids), nil
}

// endCallbacksTo ends the open call-back requests to a staff member being
// disabled, who will not call back: each expires now, and its help-seeker
// is told as when a request expires, on their pages and by neutral mail.
func (db *DB) endCallbacksTo(ctx context.Context, tx *sql.Tx, staffID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET expires_at = ? WHERE counsellor_id = ? AND status = 'open' AND expires_at > ?`,
		db.now().Unix(), staffID, db.now().Unix()); err != nil {
		return fmt.Errorf("end call-backs to disabled staff: %w", err)
	}
	_, err := db.expireCallbacks(ctx, tx, "")
	return err
}
