package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

var errSlotNotFound = notFound("The appointment")

const slotColumns = `s.id, s.office_id, s.counsellor_id, s.start_at, s.minutes, s.kind, s.seeker_id, s.booked_at,
	s.cancelled_at, s.cancelled_by, s.chat_id`

type slotScanner interface{ Scan(...any) error }

func scanSlot(r slotScanner) (counselling.Slot, error) {
	var s counselling.Slot
	var start int64
	var seeker, cancelledBy, chat sql.NullString
	var booked, cancelled sql.NullInt64
	if err := r.Scan(&s.ID, &s.OfficeID, &s.CounsellorID, &start, &s.Minutes, &s.Kind, &seeker, &booked, &cancelled,
		&cancelledBy, &chat); err != nil {
		return s, err
	}
	s.Start = time.Unix(start, 0).UTC()
	s.Booked, s.BookedAt = booked.Valid, unixOrZero(booked)
	s.SeekerID, s.CancelledBy, s.ChatID = seeker.String, cancelledBy.String, chat.String
	s.CancelledAt = unixOrZero(cancelled)
	return s, nil
}

// slotFor loads a slot the caller takes part in (counselling.SideOf); to
// anyone else it does not exist.
func (db *DB) slotFor(ctx context.Context, tx *sql.Tx, c counselling.Caller, id string) (counselling.Slot, counselling.SlotSide, error) {
	if !validID(id) {
		return counselling.Slot{}, counselling.SlotNobody, errSlotNotFound
	}
	s, err := scanSlot(tx.QueryRowContext(ctx, `SELECT `+slotColumns+` FROM appointment_slots s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, counselling.SlotNobody, errSlotNotFound
	}
	if err != nil {
		return s, counselling.SlotNobody, fmt.Errorf("read slot: %w", err)
	}
	side := counselling.SideOf(c, s)
	if side == counselling.SlotNobody {
		return s, side, errSlotNotFound
	}
	return s, side, nil
}

func (db *DB) listSlots(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]counselling.Slot, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+slotColumns+` FROM appointment_slots s WHERE `+where+` ORDER BY s.start_at, s.id LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("list slots: %w", err)
	}
	var out []counselling.Slot
	for rows.Next() {
		s, err := scanSlot(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read slot: %w", err)
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names := staffNames{db: db, tx: tx, ctx: ctx}
	for i := range out {
		if out[i].Counsellor, err = names.name(out[i].CounsellorID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PublishSlot stores a free slot of the calling counsellor, unless it
// overlaps one of their slots (counselling.SlotsOverlap), and returns its id.
func (db *DB) PublishSlot(ctx context.Context, c counselling.Caller, s counselling.Slot) (string, error) {
	if !c.Counsels() {
		return "", errSlotNotFound
	}
	id, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		// The longest slot is shorter than a day, so any slot that could
		// overlap starts less than a day before this one.
		near, err := db.listSlots(ctx, tx, `s.counsellor_id = ? AND s.cancelled_at IS NULL AND s.start_at > ? AND s.start_at < ?`,
			c.AccountID, s.Start.Add(-24*time.Hour).Unix(), s.End().Unix())
		if err != nil {
			return err
		}
		for _, other := range near {
			if counselling.SlotsOverlap(s, other) {
				return counselling.ErrSlotOverlap
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO appointment_slots (id, office_id, counsellor_id, start_at, minutes, kind, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, c.OfficeID, c.AccountID, s.Start.Unix(), s.Minutes, s.Kind, db.now().Unix()); err != nil {
			return fmt.Errorf("insert slot: %w", err)
		}
		return nil
	})
	return id, err
}

// recentSlots is how long a past appointment stays on both sides' pages.
const recentSlots = 24 * time.Hour

// CounsellorSlots lists the calling counsellor's slots that have not ended
// more than a day ago, booked and cancelled ones included.
func (db *DB) CounsellorSlots(ctx context.Context, c counselling.Caller) ([]counselling.Slot, error) {
	if !c.Counsels() {
		return nil, nil
	}
	var out []counselling.Slot
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.listSlots(ctx, tx, `s.counsellor_id = ? AND s.office_id = ? AND s.start_at + s.minutes * 60 > ?`,
			c.AccountID, c.OfficeID, db.now().Add(-recentSlots).Unix())
		return err
	})
	return out, err
}

// BookableSlots lists the free slots of the caller's office that have not
// begun, soonest first, for a registered help-seeker to book.
func (db *DB) BookableSlots(ctx context.Context, c counselling.Caller) ([]counselling.Slot, error) {
	if !counselling.MayBook(c) {
		return nil, nil
	}
	var out []counselling.Slot
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.listSlots(ctx, tx, `s.office_id = ? AND s.booked_at IS NULL AND s.cancelled_at IS NULL AND s.start_at > ?`,
			c.OfficeID, db.now().Unix())
		return err
	})
	return out, err
}

// SeekerAppointments lists the appointments the calling help-seeker booked
// that have not ended more than a day ago, cancelled ones included.
func (db *DB) SeekerAppointments(ctx context.Context, c counselling.Caller) ([]counselling.Slot, error) {
	if !counselling.MayBook(c) {
		return nil, nil
	}
	var out []counselling.Slot
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.listSlots(ctx, tx, `s.seeker_id = ? AND s.start_at + s.minutes * 60 > ?`,
			c.AccountID, db.now().Add(-recentSlots).Unix())
		return err
	})
	return out, err
}

// Slot loads one slot the caller takes part in.
func (db *DB) Slot(ctx context.Context, c counselling.Caller, id string) (counselling.Slot, error) {
	var s counselling.Slot
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		s, _, err = db.slotFor(ctx, tx, c, id)
		return err
	})
	return s, err
}

// BookSlot books a free slot of the caller's office for the calling
// registered help-seeker, and queues a neutral mail if they gave an address.
// The booking is one conditional update that takes the slot only while it is
// free, so of many bookings at once exactly one wins; the others get
// counselling.ErrSlotTaken and change nothing. Booking one's own slot again
// changes nothing either.
func (db *DB) BookSlot(ctx context.Context, c counselling.Caller, id string) error {
	if !counselling.MayBook(c) || !validID(id) {
		return errSlotNotFound
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := db.mayStart(ctx, tx, c, false); err != nil {
			return err
		}
		now := db.now()
		// The slot is taken only while it is free and has not begun
		// (counselling.Bookable), in the update itself.
		res, err := tx.ExecContext(ctx, `UPDATE appointment_slots SET seeker_id = ?, booked_at = ?
			WHERE id = ? AND office_id = ? AND booked_at IS NULL AND cancelled_at IS NULL AND start_at > ?`,
			c.AccountID, now.Unix(), id, c.OfficeID, now.Unix())
		if err != nil {
			return fmt.Errorf("book slot: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return db.enqueue(ctx, tx, c.OfficeID, c.AccountID, counselling.NoticeAppointmentBooked)
		}
		// Refused: say why, changing nothing.
		s, err := scanSlot(tx.QueryRowContext(ctx, `SELECT `+slotColumns+` FROM appointment_slots s WHERE s.id = ? AND s.office_id = ?`,
			id, c.OfficeID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errSlotNotFound
		case err != nil:
			return fmt.Errorf("read slot: %w", err)
		case s.Status() == counselling.SlotBooked && s.SeekerID == c.AccountID:
			return counselling.ErrSlotYours
		case s.Status() == counselling.SlotBooked:
			return counselling.ErrSlotTaken
		}
		return counselling.ErrSlotGone
	})
}

// CancelSlot cancels an appointment (or withdraws a free slot) for either
// side, by counselling.MayCancel, and returns it as it was. The other side
// is told on their pages; a help-seeker whose counsellor cancelled also by
// a neutral mail, if they gave an address.
func (db *DB) CancelSlot(ctx context.Context, c counselling.Caller, id string) (counselling.Slot, error) {
	var s counselling.Slot
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var side counselling.SlotSide
		var err error
		s, side, err = db.slotFor(ctx, tx, c, id)
		if err != nil {
			return err
		}
		now := db.now()
		if !counselling.MayCancel(side, s, now) {
			return counselling.ErrNotCancellable
		}
		by := counselling.ByCounsellor
		if side == counselling.SlotBooker {
			by = counselling.BySeeker
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointment_slots SET cancelled_at = ?, cancelled_by = ? WHERE id = ? AND cancelled_at IS NULL`,
			now.Unix(), by, id); err != nil {
			return fmt.Errorf("cancel slot: %w", err)
		}
		if side == counselling.SlotOwner && s.Booked && s.SeekerID != "" {
			return db.enqueue(ctx, tx, s.OfficeID, s.SeekerID, counselling.NoticeAppointmentCancelled)
		}
		return nil
	})
	return s, err
}

// cancelSlotsOf cancels the appointments of a staff member being disabled
// (counselling.CancelledOnDisable) and tells the help-seekers who booked
// them, as when the counsellor cancels.
func (db *DB) cancelSlotsOf(ctx context.Context, tx *sql.Tx, staffID string) error {
	slots, err := db.listSlots(ctx, tx, `s.counsellor_id = ? AND s.cancelled_at IS NULL`, staffID)
	if err != nil {
		return err
	}
	now := db.now()
	for _, s := range slots {
		if !counselling.CancelledOnDisable(s, now) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointment_slots SET cancelled_at = ?, cancelled_by = ? WHERE id = ?`,
			now.Unix(), counselling.ByCounsellor, s.ID); err != nil {
			return fmt.Errorf("cancel slot of disabled staff: %w", err)
		}
		if s.Booked && s.SeekerID != "" {
			if err := db.enqueue(ctx, tx, s.OfficeID, s.SeekerID, counselling.NoticeAppointmentCancelled); err != nil {
				return err
			}
		}
	}
	return nil
}

// OpenAppointment opens a booked appointment for either side, in its time
// (counselling.MayOpen): the first to open it starts its chat, held by the
// slot's counsellor from the start, so it never waits in the live queue; the
// other side's opening finds the same chat. It returns the chat's id.
func (db *DB) OpenAppointment(ctx context.Context, c counselling.Caller, id string) (string, error) {
	chatID, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		s, side, err := db.slotFor(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if side == counselling.SlotBooker {
			if err := db.mayStart(ctx, tx, c, false); err != nil {
				return err
			}
		}
		now := db.now()
		if !counselling.MayOpen(side, s, now) {
			return counselling.ErrNotOpenYet
		}
		if s.ChatID != "" {
			chatID = s.ChatID
			return nil
		}
		var themeID int64
		// An appointment is not booked on a theme; its chat counts under the
		// office's theme "other" (or its first theme) until the counsellor
		// sets the themes it was about.
		if err := tx.QueryRowContext(ctx, `SELECT id FROM themes WHERE office_id = ? AND retired_at IS NULL
			ORDER BY slug = 'other' DESC, position, id LIMIT 1`, s.OfficeID).Scan(&themeID); err != nil {
			return fmt.Errorf("find theme for appointment: %w", err)
		}
		key, err := db.dataKey(ctx, tx, s.SeekerID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO threads (id, office_id, seeker_id, counsellor_id, theme_id, status, channel,
			created_at, last_activity_at, accepted_at) VALUES (?, ?, ?, ?, ?, 'assigned', 'chat', ?, ?, ?)`,
			chatID, s.OfficeID, s.SeekerID, s.CounsellorID, themeID, now.Unix(), now.Unix(), now.Unix()); err != nil {
			return fmt.Errorf("insert appointment chat: %w", err)
		}
		if err := db.createFact(ctx, tx, chatID, s.OfficeID, s.SeekerID, key, themeID, now, s.Channel(), 0); err != nil {
			return err
		}
		// The waiting time of an appointment is how long after the booked
		// time it was opened.
		if err := db.factChatBucket(ctx, tx, chatID, "wait", counselling.DimChatWait,
			counselling.WaitBucket(max(now.Sub(s.Start), 0))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointment_slots SET chat_id = ? WHERE id = ? AND chat_id IS NULL`, chatID, id); err != nil {
			return fmt.Errorf("link appointment chat: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return chatID, nil
}

// appointments deletes the office's appointment slots that ended before
// cutoff, the chat transcripts' rule: who booked whom, and when, is kept no
// longer than what they said in the appointment. They count under rule.
func (p *purger) appointments(ctx context.Context, o counselling.Office, rule string, cutoff time.Time) error {
	const ended = `office_id = ? AND start_at + minutes * 60 < ?`
	if p.dry {
		n, err := p.count(ctx, `SELECT count(*) FROM appointment_slots WHERE `+ended, o.ID, cutoff.Unix())
		p.stats.add(rule, n)
		return err
	}
	n, err := p.chunked(ctx, `DELETE FROM appointment_slots WHERE id IN (SELECT id FROM appointment_slots WHERE `+ended+` LIMIT ?)`,
		o.ID, cutoff.Unix())
	if err != nil {
		return err
	}
	p.stats.add(rule, n)
	return nil
}
