package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"confidant/counselling"
)

var (
	errTakenByOther = counselling.Errorf(counselling.EConflict,
		"Another counsellor has just taken this conversation. It is no longer in the queue.")
	errClosed = counselling.Errorf(counselling.EConflict,
		"This conversation is closed. Reopen it first to write in it.")
)

// held is a thread the caller holds as its counsellor, or writes in as its
// help-seeker.
type held struct {
	id       string
	officeID int64
	seekerID string
	status   string
	ts       threadSealer
}

// actOn loads a thread only if the domain lets the caller do action to it
// (counselling.ActScope); anyone else gets not-found and learns nothing of it.
func (db *DB) actOn(ctx context.Context, tx *sql.Tx, c counselling.Caller, action counselling.ThreadAction, id string) (*held, error) {
	cond, args := scopeSQL(counselling.ActScope(c, action))
	return db.loadHeld(ctx, tx, id, cond, args...)
}

// readableThread loads a thread the caller may read (counselling.ReadScope).
func (db *DB) readableThread(ctx context.Context, tx *sql.Tx, c counselling.Caller, id string) (*held, error) {
	cond, args := scopeSQL(counselling.ReadScope(c))
	return db.loadHeld(ctx, tx, id, cond, args...)
}

// loadHeld loads a thread with its help-seeker's key, if cond holds for it.
func (db *DB) loadHeld(ctx context.Context, tx *sql.Tx, id, cond string, args ...any) (*held, error) {
	if !validID(id) {
		return nil, errThreadNotFound
	}
	h := held{id: id}
	var wrapped []byte
	err := tx.QueryRowContext(ctx, `SELECT t.office_id, t.seeker_id, t.status, a.data_key FROM threads t
		JOIN accounts a ON a.id = t.seeker_id WHERE t.id = ? AND `+cond, append([]any{id}, args...)...).
		Scan(&h.officeID, &h.seekerID, &h.status, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errThreadNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read thread: %w", err)
	}
	key, err := db.keys.UnwrapDataKey(h.seekerID, wrapped)
	if err != nil {
		return nil, err
	}
	h.ts = threadSealer{key}
	return &h, nil
}

// Take gives an open thread of the office's queue to the caller. Of two
// counsellors taking one thread at once, the first wins and the second gets
// EConflict.
func (db *DB) Take(ctx context.Context, c counselling.Caller, id string) error {
	scope := counselling.ActScope(c, counselling.ActTake)
	if scope.None || !validID(id) {
		return errThreadNotFound
	}
	cond, args := scopeSQL(scope)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE threads AS t SET counsellor_id = ?, status = 'assigned', counsellor_unread = 1
			WHERE t.id = ? AND `+cond, append([]any{c.AccountID, id}, args...)...)
		if err != nil {
			return fmt.Errorf("take thread: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		// The thread is not in the queue the caller takes from. Within that
		// office, say whether a colleague was quicker; elsewhere, it is not found.
		var holder sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT counsellor_id FROM threads WHERE id = ? AND office_id = ?`, id, scope.OfficeID).Scan(&holder)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errThreadNotFound
		case err != nil:
			return fmt.Errorf("read thread holder: %w", err)
		case holder.String == c.AccountID:
			return nil
		}
		return errTakenByOther
	})
}

// nextSeq is the number of a thread's next message. It reads the thread's
// last message alone, from the end of the index, whatever plan the database
// keeps: on PostgreSQL a serializable transaction that read every message of
// a long thread (max(seq) planned as a scan of all of them) held read locks
// on the pages where every other message is being added, and replies to
// other threads lost races to it.
func (db *DB) nextSeq(ctx context.Context, tx *sql.Tx, threadID string) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM messages WHERE thread_id = ? ORDER BY seq DESC LIMIT 1`, threadID).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("next message number: %w", err)
	}
	return last + 1, nil
}

// Reply adds a message to a thread. A help-seeker's reply reopens a closed
// thread. A counsellor's reply reaches the help-seeker at once, or, when the
// counsellor is a trainee, once a supervisor approves it. With notify, the
// help-seeker is mailed that something is waiting.
func (db *DB) Reply(ctx context.Context, c counselling.Caller, id, body string, notify bool) error {
	if err := counselling.ValidateText("body", body, counselling.BodyMaxRunes); err != nil {
		return err
	}
	messageID, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActReply, id)
		if err != nil {
			return err
		}
		fromSeeker := c.Kind == counselling.KindSeeker
		if !fromSeeker && h.status == counselling.StatusClosed {
			return errClosed
		}
		sealed, err := h.ts.at("messages", messageID).seal("body", body)
		if err != nil {
			return err
		}
		seq, err := db.nextSeq(ctx, tx, id)
		if err != nil {
			return err
		}
		now := db.now().Unix()
		status := counselling.MessageSent
		if counselling.NeedsApproval(c) {
			status = counselling.MessagePending
		}
		var author any
		if !fromSeeker {
			author = c.AccountID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, thread_id, office_id, from_seeker, author_id, body, status, created_at, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, messageID, id, h.officeID, fromSeeker, author, sealed, status, now, seq); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		switch {
		case fromSeeker:
			_, err = tx.ExecContext(ctx, `UPDATE threads SET last_activity_at = ?, counsellor_unread = 1,
				status = CASE WHEN status = 'closed' THEN (CASE WHEN counsellor_id IS NULL THEN 'open' ELSE 'assigned' END) ELSE status END
				WHERE id = ?`, now, id)
		case status == counselling.MessagePending:
			_, err = tx.ExecContext(ctx, `UPDATE threads SET last_activity_at = ?, pending_reviews = pending_reviews + 1 WHERE id = ?`, now, id)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE threads SET last_activity_at = ?, seeker_unread = 1 WHERE id = ?`, now, id)
		}
		if err != nil {
			return fmt.Errorf("update thread: %w", err)
		}
		if status == counselling.MessageSent {
			if err := db.factMessage(ctx, tx, id, fromSeeker, db.now()); err != nil {
				return err
			}
		}
		switch {
		case fromSeeker:
			err = db.awaitAnswer(ctx, tx, id, h.officeID, db.now())
		case status == counselling.MessageSent:
			err = db.answered(ctx, tx, id)
		}
		if err != nil {
			return err
		}
		if fromSeeker && h.status == counselling.StatusClosed {
			if err := db.factClosed(ctx, tx, id, false); err != nil {
				return err
			}
		}
		if !fromSeeker {
			if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE thread_id = ? AND author_id = ?`, id, c.AccountID); err != nil {
				return fmt.Errorf("delete draft: %w", err)
			}
		}
		if status == counselling.MessageSent && !fromSeeker {
			return db.notify(ctx, tx, h.officeID, h.seekerID, counselling.NoticeReply, notify)
		}
		return nil
	})
}

// SaveDraft keeps a counsellor's unfinished reply, encrypted, until it is sent.
func (db *DB) SaveDraft(ctx context.Context, c counselling.Caller, id, body string) error {
	if err := counselling.ValidateText("body", body, counselling.BodyMaxRunes); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActDraft, id)
		if err != nil {
			return err
		}
		return db.putDraft(ctx, tx, h, c.AccountID, body, "")
	})
}

func (db *DB) putDraft(ctx context.Context, tx *sql.Tx, h *held, authorID, body, comment string) error {
	s := h.ts.at("drafts", draftRow(h.id, authorID))
	sealedBody, err := s.seal("body", body)
	if err != nil {
		return err
	}
	sealedComment, err := s.seal("comment", comment)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO drafts (thread_id, author_id, office_id, body, comment, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (thread_id, author_id) DO UPDATE SET body = excluded.body, comment = excluded.comment, updated_at = excluded.updated_at`,
		h.id, authorID, h.officeID, sealedBody, sealedComment, db.now().Unix())
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// draftOf is the draft authorID keeps on the held thread, empty if none.
func (db *DB) draftOf(ctx context.Context, tx *sql.Tx, h *held, authorID string) (counselling.Draft, error) {
	var body, comment []byte
	err := tx.QueryRowContext(ctx, `SELECT body, comment FROM drafts WHERE thread_id = ? AND author_id = ?`, h.id, authorID).Scan(&body, &comment)
	if errors.Is(err, sql.ErrNoRows) {
		return counselling.Draft{}, nil
	}
	if err != nil {
		return counselling.Draft{}, fmt.Errorf("read draft: %w", err)
	}
	s := h.ts.at("drafts", draftRow(h.id, authorID))
	var d counselling.Draft
	if d.Body, err = s.open("body", body); err != nil {
		return d, err
	}
	d.Comment, err = s.open("comment", comment)
	return d, err
}

// AddNote adds a private note, which help-seekers never see and no mail carries.
func (db *DB) AddNote(ctx context.Context, c counselling.Caller, id, body string) error {
	if err := counselling.ValidateText("body", body, counselling.BodyMaxRunes); err != nil {
		return err
	}
	noteID, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActNote, id)
		if err != nil {
			return err
		}
		sealed, err := h.ts.at("notes", noteID).seal("body", body)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO notes (id, thread_id, office_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			noteID, id, h.officeID, c.AccountID, sealed, db.now().Unix())
		if err != nil {
			return fmt.Errorf("insert note: %w", err)
		}
		return nil
	})
}

// SetThemes replaces the theme tags of a thread the caller holds.
func (db *DB) SetThemes(ctx context.Context, c counselling.Caller, id string, slugs []string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActThemes, id)
		if err != nil {
			return err
		}
		slices.Sort(slugs)
		slugs = slices.Compact(slugs)
		var ids []int64
		for _, slug := range slugs {
			var themeID int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM themes WHERE office_id = ? AND slug = ? AND retired_at IS NULL`, h.officeID, slug).Scan(&themeID)
			if errors.Is(err, sql.ErrNoRows) {
				return counselling.FieldError("theme", "Please choose themes from the list.")
			}
			if err != nil {
				return fmt.Errorf("find theme: %w", err)
			}
			ids = append(ids, themeID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM thread_themes WHERE thread_id = ?`, id); err != nil {
			return fmt.Errorf("clear themes: %w", err)
		}
		for _, themeID := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO thread_themes (thread_id, theme_id) VALUES (?, ?)`, id, themeID); err != nil {
				return fmt.Errorf("tag theme: %w", err)
			}
		}
		return db.factThemes(ctx, tx, id, ids)
	})
}

// Handover gives a thread the caller holds to a colleague the domain allows
// (counselling.MayReceiveHandover).
func (db *DB) Handover(ctx context.Context, c counselling.Caller, id, to string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.actOn(ctx, tx, c, counselling.ActHandover, id); err != nil {
			return err
		}
		m, err := staffMember(ctx, tx, to)
		if err != nil {
			return err
		}
		if m == nil || !counselling.MayReceiveHandover(c, *m) {
			return counselling.FieldError("to", "Please choose a counsellor of this office from the list.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET counsellor_id = ?, counsellor_unread = 1 WHERE id = ?`, to, id); err != nil {
			return fmt.Errorf("hand over: %w", err)
		}
		return nil
	})
}

// staffMember reads what the domain's rules look at of a staff member (not the
// name); nil when id is no staff member.
func staffMember(ctx context.Context, tx *sql.Tx, id string) (*counselling.StaffMember, error) {
	if !validID(id) {
		return nil, nil
	}
	m := counselling.StaffMember{ID: id}
	err := tx.QueryRowContext(ctx, `SELECT office_id, role, trainee, disabled, password_hash != '' AND totp_secret IS NOT NULL
		FROM accounts WHERE id = ? AND kind = 'staff'`, id).Scan(&m.OfficeID, &m.Role, &m.Trainee, &m.Disabled, &m.Enrolled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read staff member: %w", err)
	}
	return &m, nil
}

// Flag marks a thread as a risk to others, with a reason. The office's
// supervisors see it at once: a banner on their pages, and with notify a
// neutral mail to each who gave an address, the first time it is flagged.
func (db *DB) Flag(ctx context.Context, c counselling.Caller, id, reason string, notify bool) error {
	if err := counselling.ValidateText("reason", reason, counselling.ReasonMaxRunes); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActFlag, id)
		if err != nil {
			return err
		}
		sealed, err := h.ts.at("threads", id).seal("flag_reason", reason)
		if err != nil {
			return err
		}
		var wasFlagged bool
		if err := tx.QueryRowContext(ctx, `SELECT flagged_at IS NOT NULL FROM threads WHERE id = ?`, id).Scan(&wasFlagged); err != nil {
			return fmt.Errorf("read flag: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET flagged_at = ?, flag_reason = ? WHERE id = ?`, db.now().Unix(), sealed, id); err != nil {
			return fmt.Errorf("flag thread: %w", err)
		}
		if notify && !wasFlagged {
			return db.notifySupervisors(ctx, tx, h.officeID)
		}
		return nil
	})
}

// SetClosed closes or reopens a thread the caller holds.
func (db *DB) SetClosed(ctx context.Context, c counselling.Caller, id string, closed bool) error {
	action := counselling.ActReopen
	if closed {
		action = counselling.ActClose
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.actOn(ctx, tx, c, action, id); err != nil {
			return err
		}
		status := counselling.StatusAssigned
		if closed {
			status = counselling.StatusClosed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET status = ? WHERE id = ?`, status, id); err != nil {
			return fmt.Errorf("set thread status: %w", err)
		}
		// A closed thread waits for no answer; a help-seeker who writes in
		// it again starts the promise anew.
		if closed {
			if err := db.answered(ctx, tx, id); err != nil {
				return err
			}
		}
		return db.factClosed(ctx, tx, id, closed)
	})
}

// errOwnReply refuses a reply's author its approval or return.
var errOwnReply = counselling.Errorf(counselling.EForbidden,
	"You wrote this reply, so another supervisor approves or returns it.")

// pendingReply returns a reply awaiting approval in a thread the caller may
// approve or return replies in (action), if the caller may review this reply
// (counselling.MayReview).
func (db *DB) pendingReply(ctx context.Context, tx *sql.Tx, c counselling.Caller, action counselling.ThreadAction, threadID, messageID string) (*held, string, []byte, error) {
	if !validID(messageID) {
		return nil, "", nil, errThreadNotFound
	}
	h, err := db.actOn(ctx, tx, c, action, threadID)
	if err != nil {
		return nil, "", nil, err
	}
	var author sql.NullString
	var body []byte
	err = tx.QueryRowContext(ctx, `SELECT author_id, body FROM messages WHERE id = ? AND thread_id = ? AND status = 'pending'`,
		messageID, threadID).Scan(&author, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil, notFound("The reply")
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("read pending reply: %w", err)
	}
	if !counselling.MayReview(c, author.String) {
		return nil, "", nil, errOwnReply
	}
	return h, author.String, body, nil
}

// Approve delivers a trainee's reply to the help-seeker.
func (db *DB) Approve(ctx context.Context, c counselling.Caller, threadID, messageID string, notify bool) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, _, _, err := db.pendingReply(ctx, tx, c, counselling.ActApprove, threadID, messageID)
		if err != nil {
			return err
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'sent', created_at = ? WHERE id = ?`, now, messageID); err != nil {
			return fmt.Errorf("approve reply: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET pending_reviews = pending_reviews - 1, seeker_unread = 1,
			last_activity_at = ? WHERE id = ?`, now, threadID); err != nil {
			return fmt.Errorf("update thread: %w", err)
		}
		if err := db.factMessage(ctx, tx, threadID, false, db.now()); err != nil {
			return err
		}
		if err := db.answered(ctx, tx, threadID); err != nil {
			return err
		}
		return db.notify(ctx, tx, h.officeID, h.seekerID, counselling.NoticeReply, notify)
	})
}

// ReturnReply sends a trainee's reply back to the trainee's draft with the
// supervisor's comment; the help-seeker never sees it.
func (db *DB) ReturnReply(ctx context.Context, c counselling.Caller, threadID, messageID, comment string) error {
	if err := counselling.ValidateText("comment", comment, counselling.ReasonMaxRunes); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, author, sealed, err := db.pendingReply(ctx, tx, c, counselling.ActReturn, threadID, messageID)
		if err != nil {
			return err
		}
		body, err := h.ts.at("messages", messageID).open("body", sealed)
		if err != nil {
			return err
		}
		kept, err := db.draftOf(ctx, tx, h, author)
		if err != nil {
			return err
		}
		d := kept.WithReturned(body, comment)
		if err := db.putDraft(ctx, tx, h, author, d.Body, d.Comment); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, messageID); err != nil {
			return fmt.Errorf("withdraw reply: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET pending_reviews = pending_reviews - 1 WHERE id = ?`, threadID); err != nil {
			return fmt.Errorf("update thread: %w", err)
		}
		return nil
	})
}
