package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

// openSupervision puts a conversation in the supervisors' queue, unless an
// item of it is open already (then it reports false).
func (db *DB) openSupervision(ctx context.Context, tx *sql.Tx, id string, officeID int64, threadID, counsellorID string,
	kind counselling.SupervisionKind, reason []byte) (bool, error) {
	var counsellor any
	if counsellorID != "" {
		counsellor = counsellorID
	}
	var sealed any
	if reason != nil {
		sealed = reason
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO supervision_items (id, office_id, thread_id, counsellor_id, kind, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, officeID, threadID, counsellor, string(kind), sealed, db.now().Unix())
	if err != nil {
		return false, fmt.Errorf("open supervision item: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	// Supervisors may read the conversation from now on: the widening of
	// their read scope is in the audit log, like each reading and the close.
	// The audit log names the counsellor the item is about, never anything
	// of the help-seeker's.
	actor := automaticActor
	if kind == counselling.SupervisionRequested {
		actor = counsellorID
	}
	return true, db.audit(ctx, tx, officeID, actor, "conversation opened to supervisors", counsellorID, "")
}

// RequestSupervision puts a conversation the caller holds in the supervisors'
// queue with the caller's reason, sealed. A conversation already waiting is
// EConflict.
func (db *DB) RequestSupervision(ctx context.Context, c counselling.Caller, threadID, reason string) error {
	if err := counselling.ValidateSupervisionReason(reason); err != nil {
		return err
	}
	id, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActSupervise, threadID)
		if err != nil {
			return err
		}
		sealed, err := h.ts.at("supervision_items", id).seal("reason", reason)
		if err != nil {
			return err
		}
		ok, err := db.openSupervision(ctx, tx, id, h.officeID, threadID, c.AccountID, counselling.SupervisionRequested, sealed)
		if err != nil {
			return err
		}
		if !ok {
			return counselling.ErrSupervisionOpen
		}
		return nil
	})
}

// noteRow is what an item's note is sealed to, apart from its reason.
func noteRow(itemID string) string { return "note/" + itemID }

// CloseSupervision closes the open item of a conversation with the
// supervisor's private note to the counsellor. From then on the conversation
// is outside the supervisors' read scope again, unless another rule lets
// them read it.
func (db *DB) CloseSupervision(ctx context.Context, c counselling.Caller, threadID, note string) error {
	if err := counselling.ValidateSupervisionNote(note); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.readableThread(ctx, tx, c, threadID)
		if err != nil {
			return err
		}
		var itemID string
		var counsellor sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT id, counsellor_id FROM supervision_items WHERE thread_id = ? AND closed_at IS NULL`, threadID).
			Scan(&itemID, &counsellor)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !counselling.MayCloseSupervision(c, h.officeID, counsellor.String)) {
			return notFound("The supervision item")
		}
		if err != nil {
			return fmt.Errorf("read supervision item: %w", err)
		}
		sealed, err := h.ts.at("supervision_items", noteRow(itemID)).seal("note", note)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE supervision_items SET closed_at = ?, closed_by = ?, note = ? WHERE id = ?`,
			db.now().Unix(), c.AccountID, sealed, itemID); err != nil {
			return fmt.Errorf("close supervision item: %w", err)
		}
		return db.audit(ctx, tx, h.officeID, c.AccountID, "supervision closed; reading ends", counsellor.String, "")
	})
}

// noteSupervisionRead records that a supervisor read a conversation while
// it has an open supervision item: the item shows the counsellor when it was
// first read, and every reading is in the audit log.
func (db *DB) noteSupervisionRead(ctx context.Context, tx *sql.Tx, c counselling.Caller, t *counselling.Thread) error {
	if !c.Supervises() || t.HeldBy(c) {
		return nil
	}
	var itemID string
	err := tx.QueryRowContext(ctx, `SELECT id FROM supervision_items WHERE thread_id = ? AND closed_at IS NULL`, t.ID).Scan(&itemID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read supervision item: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supervision_items SET read_at = ? WHERE id = ? AND read_at IS NULL`, db.now().Unix(), itemID); err != nil {
		return fmt.Errorf("mark supervision read: %w", err)
	}
	return db.audit(ctx, tx, t.OfficeID, c.AccountID, "conversation read under supervision", t.CounsellorID, "")
}

// ThreadSupervision lists the supervision items of a conversation the caller
// may read, newest first: its counsellor sees whether and when it was read
// and the supervisor's note; supervisors see the reasons and ratings too.
func (db *DB) ThreadSupervision(ctx context.Context, c counselling.Caller, threadID string) ([]counselling.SupervisionItem, error) {
	var out []counselling.SupervisionItem
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		h, err := db.readableThread(ctx, tx, c, threadID)
		if err != nil {
			return err
		}
		if c.Kind != counselling.KindStaff {
			return nil
		}
		items, err := db.supervisionItems(ctx, tx, `si.thread_id = ?`, h.id)
		for _, it := range items {
			if counselling.SeesSupervisionItem(c, it.CounsellorID) {
				out = append(out, it)
			}
		}
		return err
	})
	return out, err
}

// SupervisionQueue lists the open supervision items of the supervisor's
// office, oldest first.
func (db *DB) SupervisionQueue(ctx context.Context, c counselling.Caller) ([]counselling.SupervisionItem, error) {
	if !c.Supervises() || c.OfficeID == 0 {
		return nil, notFound("The supervision queue")
	}
	var out []counselling.SupervisionItem
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = db.supervisionItems(ctx, tx, `si.office_id = ? AND si.closed_at IS NULL`, c.OfficeID)
		return err
	})
	return out, err
}

// supervisionItems reads items matching cond, opened under their
// conversations' keys.
func (db *DB) supervisionItems(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]counselling.SupervisionItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT si.id, si.thread_id, t.channel, th.name, coalesce(si.counsellor_id, ''), si.kind, si.reason,
		si.created_at, si.read_at, si.closed_at, si.note, a.data_key, t.seeker_id
		FROM supervision_items si JOIN threads t ON t.id = si.thread_id JOIN themes th ON th.id = t.theme_id
		JOIN accounts a ON a.id = t.seeker_id
		WHERE `+cond+` ORDER BY si.created_at, si.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list supervision items: %w", err)
	}
	type raw struct {
		it                counselling.SupervisionItem
		counsellorID      string
		reason, note, key []byte
		seekerID          string
		read, closed      sql.NullInt64
	}
	var list []raw
	for rows.Next() {
		var r raw
		var created int64
		if err := rows.Scan(&r.it.ID, &r.it.ThreadID, &r.it.Channel, &r.it.ThemeName, &r.counsellorID, &r.it.Kind, &r.reason,
			&created, &r.read, &r.closed, &r.note, &r.key, &r.seekerID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read supervision item: %w", err)
		}
		r.it.CreatedAt = time.Unix(created, 0).UTC()
		if r.read.Valid {
			r.it.ReadAt = time.Unix(r.read.Int64, 0).UTC()
		}
		if r.closed.Valid {
			r.it.ClosedAt = time.Unix(r.closed.Int64, 0).UTC()
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names := staffNames{db: db, tx: tx, ctx: ctx}
	out := make([]counselling.SupervisionItem, 0, len(list))
	for _, r := range list {
		key, err := db.keys.UnwrapDataKey(r.seekerID, r.key)
		if err != nil {
			return nil, err
		}
		ts := threadSealer{key}
		it := r.it
		it.CounsellorID = r.counsellorID
		if it.Counsellor, err = names.name(r.counsellorID); err != nil {
			return nil, err
		}
		switch {
		case it.Kind == counselling.SupervisionSampled:
			it.Reason = counselling.SampledReason
		case r.reason != nil:
			if it.Reason, err = ts.at("supervision_items", it.ID).open("reason", r.reason); err != nil {
				return nil, err
			}
		}
		if r.note != nil {
			if it.Note, err = ts.at("supervision_items", noteRow(it.ID)).open("note", r.note); err != nil {
				return nil, err
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// QueueHealth counts how the supervisor's office's queues stand, with its
// open supervision items. Who is available for live chat is kept in memory
// by the web layer, which adds it.
func (db *DB) QueueHealth(ctx context.Context, c counselling.Caller) (counselling.QueueHealth, error) {
	var h counselling.QueueHealth
	if !c.Supervises() || c.OfficeID == 0 {
		return h, notFound("The supervision page")
	}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var oldest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT
			coalesce(sum(CASE WHEN channel = 'mail' AND status = 'open' AND counsellor_id IS NULL THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN channel = 'chat' AND status = 'open' THEN 1 ELSE 0 END), 0),
			min(CASE WHEN channel = 'chat' AND status = 'open' THEN created_at END),
			count(DISTINCT CASE WHEN channel = 'chat' AND status = 'assigned' THEN counsellor_id END),
			coalesce(sum(CASE WHEN flagged_at IS NOT NULL AND status <> 'closed' THEN 1 ELSE 0 END), 0)
			FROM threads WHERE office_id = ? AND status <> 'closed'`, c.OfficeID).
			Scan(&h.EnquiriesWaiting, &h.ChatsWaiting, &oldest, &h.InChat, &h.OpenFlags); err != nil {
			return fmt.Errorf("count queues: %w", err)
		}
		if oldest.Valid {
			h.OldestChat = time.Unix(oldest.Int64, 0).UTC()
		}
		var err error
		h.Supervision, err = db.supervisionItems(ctx, tx, `si.office_id = ? AND si.closed_at IS NULL`, c.OfficeID)
		return err
	})
	if err != nil {
		return h, err
	}
	h.Overdue, err = db.OverdueCounts(ctx, c.OfficeID)
	return h, err
}

// SeeFlags records that a supervisor has seen the office's risk flags, up to
// the newest one, so that the banner goes until the next flag.
func (db *DB) SeeFlags(ctx context.Context, c counselling.Caller) error {
	if !c.Supervises() {
		return nil
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET flags_seen_at = `+db.eng.greatest(`flags_seen_at`,
			`coalesce((SELECT max(flagged_at) FROM threads WHERE office_id = ?), 0)`)+` WHERE id = ?`, c.OfficeID, c.AccountID); err != nil {
			return fmt.Errorf("record flags seen: %w", err)
		}
		return nil
	})
}

// NewFlags counts the risk flags of the supervisor's office raised since the
// supervisor last saw them, on conversations not closed.
func (db *DB) NewFlags(ctx context.Context, c counselling.Caller) (int, error) {
	if !c.Supervises() {
		return 0, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM threads t WHERE t.office_id = ? AND t.flagged_at IS NOT NULL
		AND t.status <> 'closed' AND t.flagged_at > (SELECT flags_seen_at FROM accounts WHERE id = ?)`, c.OfficeID, c.AccountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count new flags: %w", err)
	}
	return n, nil
}

// notifySupervisors queues the neutral attention mail for every supervisor
// of the office who gave an address and can log in.
func (db *DB) notifySupervisors(ctx context.Context, tx *sql.Tx, officeID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM accounts WHERE office_id = ? AND kind = 'staff' AND role = 'supervisor'
		AND disabled = 0 AND email IS NOT NULL`, officeID)
	if err != nil {
		return fmt.Errorf("list supervisors: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("read supervisor: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := db.enqueue(ctx, tx, officeID, id, counselling.NoticeAttention); err != nil {
			return err
		}
	}
	return nil
}
