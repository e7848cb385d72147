package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

var errThreadNotFound = notFound("The conversation")

// threadSealer seals the columns of a thread's rows under its help-seeker's key.
type threadSealer struct{ key *vault.Key }

func (ts threadSealer) at(table, row string) sealer {
	return sealer{key: ts.key, table: table, row: row}
}

func draftRow(threadID, authorID string) string { return threadID + "/" + authorID }

// CreateThread opens an enquiry for a help-seeker and returns the thread id.
// With notify, a confirmation mail is queued when the help-seeker gave an email.
func (db *DB) CreateThread(ctx context.Context, c counselling.Caller, e counselling.Enquiry, notify bool) (string, error) {
	if c.Kind != counselling.KindSeeker {
		return "", counselling.Errorf(counselling.EForbidden, "Only help-seekers open enquiries.")
	}
	if err := e.Validate(); err != nil {
		return "", err
	}
	threadID, err := db.newID()
	if err != nil {
		return "", err
	}
	messageID, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := db.mayStart(ctx, tx, c, true); err != nil {
			return err
		}
		var themeID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM themes WHERE office_id = ? AND slug = ? AND retired_at IS NULL`,
			c.OfficeID, e.Theme).Scan(&themeID)
		if errors.Is(err, sql.ErrNoRows) {
			return counselling.FieldError("theme", "Please choose one of the themes in the list.")
		}
		if err != nil {
			return fmt.Errorf("find theme: %w", err)
		}
		key, err := db.dataKey(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		ts := threadSealer{key}
		subject, err := ts.at("threads", threadID).seal("subject", e.Subject)
		if err != nil {
			return err
		}
		body, err := ts.at("messages", messageID).seal("body", e.Body)
		if err != nil {
			return err
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `INSERT INTO threads (id, office_id, seeker_id, theme_id, subject, status,
			created_at, last_activity_at, counsellor_unread) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, 1)`,
			threadID, c.OfficeID, c.AccountID, themeID, subject, now, now); err != nil {
			return fmt.Errorf("insert thread: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, thread_id, office_id, from_seeker, author_id, body, created_at, seq)
			VALUES (?, ?, ?, 1, NULL, ?, ?, 1)`, messageID, threadID, c.OfficeID, body, now); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if err := db.createFact(ctx, tx, threadID, c.OfficeID, c.AccountID, key, themeID, db.now(), counselling.ChannelMail, 1); err != nil {
			return err
		}
		if err := db.awaitAnswer(ctx, tx, threadID, c.OfficeID, db.now()); err != nil {
			return err
		}
		if err := db.autoAssign(ctx, tx, c.OfficeID, threadID, themeID, db.now()); err != nil {
			return err
		}
		if notify {
			return db.enqueue(ctx, tx, c.OfficeID, c.AccountID, counselling.NoticeReceived)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return threadID, nil
}

// dataKey unwraps an account's data key inside a transaction.
func (db *DB) dataKey(ctx context.Context, tx *sql.Tx, accountID string) (*vault.Key, error) {
	var wrapped []byte
	err := tx.QueryRowContext(ctx, `SELECT data_key FROM accounts WHERE id = ?`, accountID).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("The account")
	}
	if err != nil {
		return nil, fmt.Errorf("read data key: %w", err)
	}
	return db.keys.UnwrapDataKey(accountID, wrapped)
}

// SeekerThreads lists a help-seeker's own threads, latest activity first.
func (db *DB) SeekerThreads(ctx context.Context, c counselling.Caller) ([]counselling.ThreadSummary, error) {
	if c.Kind != counselling.KindSeeker {
		return nil, nil
	}
	var out []counselling.ThreadSummary
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.seekerThreads(ctx, tx, c)
		return err
	})
	return out, err
}

// seekerThreads lists in tx a help-seeker's own threads, latest activity first.
func (db *DB) seekerThreads(ctx context.Context, tx *sql.Tx, c counselling.Caller) ([]counselling.ThreadSummary, error) {
	key, err := db.dataKey(ctx, tx, c.AccountID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.channel, th.slug, th.name, t.subject, t.status, t.created_at, t.last_activity_at,
		t.seeker_unread FROM threads t JOIN themes th ON th.id = t.theme_id
		WHERE t.seeker_id = ? ORDER BY t.last_activity_at DESC, t.id DESC`, c.AccountID)
	if err != nil {
		return nil, fmt.Errorf("list threads: %w", err)
	}
	defer rows.Close()
	var out []counselling.ThreadSummary
	for rows.Next() {
		var s counselling.ThreadSummary
		var subject []byte
		var created, active int64
		if err := rows.Scan(&s.ID, &s.Channel, &s.ThemeSlug, &s.ThemeName, &subject, &s.Status, &created, &active, &s.Unread); err != nil {
			return nil, fmt.Errorf("read thread: %w", err)
		}
		s.CreatedAt, s.LastActivityAt = time.Unix(created, 0).UTC(), time.Unix(active, 0).UTC()
		if s.Subject, err = (threadSealer{key}).at("threads", s.ID).open("subject", subject); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Thread loads a thread the caller may read, with its messages (and, for staff,
// notes), decrypted, and marks it read for the caller, in one transaction: what
// is marked read is what was shown. A thread the caller may not read is not
// found.
func (db *DB) Thread(ctx context.Context, c counselling.Caller, id string) (*counselling.Thread, error) {
	if !validID(id) {
		return nil, errThreadNotFound
	}
	var t *counselling.Thread
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = db.thread(ctx, tx, c, id, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// PeekThread is Thread without marking anything read, for a request that
// must not change anything (HEAD): the thread stays unread for the caller.
func (db *DB) PeekThread(ctx context.Context, c counselling.Caller, id string) (*counselling.Thread, error) {
	if !validID(id) {
		return nil, errThreadNotFound
	}
	var t *counselling.Thread
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = db.thread(ctx, tx, c, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// thread loads in tx a thread the caller may read, and with markRead marks it
// read for the caller.
func (db *DB) thread(ctx context.Context, tx *sql.Tx, c counselling.Caller, id string, markRead bool) (*counselling.Thread, error) {
	var t counselling.Thread
	var unread bool
	key, err := db.loadThread(ctx, tx, c, id, &t, &unread)
	if err != nil {
		return nil, err
	}
	names := staffNames{db: db, tx: tx, ctx: ctx}
	if t.CounsellorID != "" {
		if t.Counsellor, err = names.name(t.CounsellorID); err != nil {
			return nil, err
		}
	}
	if t.DueAt, err = dueOf(ctx, tx, t.ID); err != nil {
		return nil, err
	}
	if err := db.loadMessages(ctx, tx, c, &t, key, &names); err != nil {
		return nil, err
	}
	if c.Kind == counselling.KindStaff {
		if err := db.loadStaffExtras(ctx, tx, c, &t, key, &names); err != nil {
			return nil, err
		}
	}
	if markRead && unread {
		if err := db.markRead(ctx, tx, c, &t); err != nil {
			return nil, err
		}
	}
	if markRead {
		if err := db.noteSupervisionRead(ctx, tx, c, &t); err != nil {
			return nil, err
		}
		if !t.TranscriptWithheld && counselling.MustAuditTranscript(c, t.Channel, t.Status) {
			// The entry names the chat's counsellor, never the help-seeker.
			if err := db.audit(ctx, tx, t.OfficeID, c.AccountID, "ended chat's transcript read", t.CounsellorID, ""); err != nil {
				return nil, err
			}
		}
	}
	return &t, nil
}

func (db *DB) loadThread(ctx context.Context, tx *sql.Tx, c counselling.Caller, id string, t *counselling.Thread, unread *bool) (*vault.Key, error) {
	cond, args := scopeSQL(counselling.ReadScope(c))
	var subject, reason, wrapped []byte
	var counsellor sql.NullString
	var flagged sql.NullInt64
	var created, active int64
	var seekerUnread, counsellorUnread bool
	var pending int
	err := tx.QueryRowContext(ctx, `SELECT t.id, t.channel, t.office_id, t.seeker_id, t.counsellor_id, th.slug, th.name, t.subject,
		t.status, t.created_at, t.last_activity_at, t.flagged_at, t.flag_reason, t.pending_reviews, t.seeker_unread,
		t.counsellor_unread, a.data_key
		FROM threads t JOIN themes th ON th.id = t.theme_id JOIN accounts a ON a.id = t.seeker_id
		WHERE t.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&t.ID, &t.Channel, &t.OfficeID, &t.SeekerID, &counsellor,
		&t.ThemeSlug, &t.ThemeName, &subject, &t.Status, &created, &active, &flagged, &reason, &pending, &seekerUnread,
		&counsellorUnread, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errThreadNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read thread: %w", err)
	}
	t.CounsellorID = counsellor.String
	t.CreatedAt, t.LastActivityAt = time.Unix(created, 0).UTC(), time.Unix(active, 0).UTC()
	t.Flagged, t.AwaitingReview = flagged.Valid, pending > 0
	key, err := db.keys.UnwrapDataKey(t.SeekerID, wrapped)
	if err != nil {
		return nil, err
	}
	ts := threadSealer{key}
	if t.Subject, err = ts.at("threads", t.ID).open("subject", subject); err != nil {
		return nil, err
	}
	if c.Kind == counselling.KindStaff {
		if t.FlagReason, err = ts.at("threads", t.ID).open("flag_reason", reason); err != nil {
			return nil, err
		}
	}
	switch {
	case c.Kind == counselling.KindSeeker:
		t.Unread, *unread = seekerUnread, seekerUnread
	case t.HeldBy(c):
		t.Unread, *unread = counsellorUnread, counsellorUnread
	}
	return key, nil
}

// inScope reports whether the thread id lies within scope.
func inScope(ctx context.Context, tx *sql.Tx, scope counselling.ThreadScope, id string) (bool, error) {
	cond, args := scopeSQL(scope)
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM threads t WHERE t.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read transcript scope: %w", err)
	}
	return true, nil
}

// loadMessages reads and opens the thread's messages when the caller reads
// its transcript (counselling.TranscriptScope); otherwise it reads none and
// marks the transcript withheld.
func (db *DB) loadMessages(ctx context.Context, tx *sql.Tx, c counselling.Caller, t *counselling.Thread, key *vault.Key, names *staffNames) error {
	reads, err := inScope(ctx, tx, counselling.TranscriptScope(c), t.ID)
	if err != nil {
		return err
	}
	if !reads {
		t.TranscriptWithheld = true
		return nil
	}
	q := `SELECT id, from_seeker, author_id, body, status, created_at FROM messages WHERE thread_id = ?`
	if c.Kind == counselling.KindSeeker {
		q += ` AND status = 'sent'`
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY seq`, t.ID)
	if err != nil {
		return fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	ts := threadSealer{key}
	for rows.Next() {
		var m counselling.Message
		var author sql.NullString
		var body []byte
		var created int64
		if err := rows.Scan(&m.ID, &m.FromSeeker, &author, &body, &m.Status, &created); err != nil {
			return fmt.Errorf("read message: %w", err)
		}
		m.CreatedAt = time.Unix(created, 0).UTC()
		if m.Body, err = ts.at("messages", m.ID).open("body", body); err != nil {
			return err
		}
		if !m.FromSeeker {
			if m.Author, err = names.name(author.String); err != nil {
				return err
			}
		}
		m.Reviewable = m.Status == counselling.MessagePending && counselling.MayReview(c, author.String)
		t.Messages = append(t.Messages, m)
	}
	return rows.Err()
}

func (db *DB) loadStaffExtras(ctx context.Context, tx *sql.Tx, c counselling.Caller, t *counselling.Thread, key *vault.Key, names *staffNames) error {
	ts := threadSealer{key}
	rows, err := tx.QueryContext(ctx, `SELECT id, author_id, body, created_at FROM notes WHERE thread_id = ? ORDER BY created_at, id`, t.ID)
	if err != nil {
		return fmt.Errorf("list notes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n counselling.Note
		var id string
		var author sql.NullString
		var body []byte
		var created int64
		if err := rows.Scan(&id, &author, &body, &created); err != nil {
			return fmt.Errorf("read note: %w", err)
		}
		n.CreatedAt = time.Unix(created, 0).UTC()
		if n.Body, err = ts.at("notes", id).open("body", body); err != nil {
			return err
		}
		if n.Author, err = names.name(author.String); err != nil {
			return err
		}
		t.Notes = append(t.Notes, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	themes, err := tx.QueryContext(ctx, `SELECT th.slug FROM thread_themes tt JOIN themes th ON th.id = tt.theme_id
		WHERE tt.thread_id = ? ORDER BY th.position`, t.ID)
	if err != nil {
		return fmt.Errorf("list thread themes: %w", err)
	}
	defer themes.Close()
	for themes.Next() {
		var slug string
		if err := themes.Scan(&slug); err != nil {
			return fmt.Errorf("read thread theme: %w", err)
		}
		t.Themes = append(t.Themes, slug)
	}
	var body, comment []byte
	var saved int64
	err = tx.QueryRowContext(ctx, `SELECT body, comment, updated_at FROM drafts WHERE thread_id = ? AND author_id = ?`, t.ID, c.AccountID).
		Scan(&body, &comment, &saved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read draft: %w", err)
	}
	t.Draft.SavedAt = time.Unix(saved, 0).UTC()
	s := ts.at("drafts", draftRow(t.ID, c.AccountID))
	if t.Draft.Body, err = s.open("body", body); err != nil {
		return err
	}
	t.Draft.Comment, err = s.open("comment", comment)
	return err
}

func (db *DB) markRead(ctx context.Context, tx *sql.Tx, c counselling.Caller, t *counselling.Thread) error {
	var err error
	if c.Kind == counselling.KindSeeker {
		_, err = tx.ExecContext(ctx, `UPDATE threads SET seeker_unread = 0 WHERE id = ? AND seeker_id = ?`, t.ID, c.AccountID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE threads SET counsellor_unread = 0 WHERE id = ? AND counsellor_id = ?`, t.ID, c.AccountID)
	}
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}

// staffNames decrypts staff display names, once per name per transaction.
type staffNames struct {
	db    *DB
	tx    *sql.Tx
	ctx   context.Context
	cache map[string]string
}

func (n *staffNames) name(id string) (string, error) {
	if id == "" {
		return counselling.FormerStaff, nil
	}
	if name, ok := n.cache[id]; ok {
		return name, nil
	}
	var wrapped, display []byte
	err := n.tx.QueryRowContext(n.ctx, `SELECT data_key, display_name FROM accounts WHERE id = ?`, id).Scan(&wrapped, &display)
	if errors.Is(err, sql.ErrNoRows) {
		return counselling.FormerStaff, nil
	}
	if err != nil {
		return "", fmt.Errorf("read staff name: %w", err)
	}
	name, err := n.db.openStaffName(id, wrapped, display)
	if err != nil {
		return "", err
	}
	if n.cache == nil {
		n.cache = map[string]string{}
	}
	n.cache[id] = name
	return name, nil
}

// SeekerIdentity returns the nickname and region name of a thread's help-seeker, for
// a caller who may read the thread, so that they can be removed from training
// fragments.
func (db *DB) SeekerIdentity(ctx context.Context, c counselling.Caller, threadID string) (nickname, region string, err error) {
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		h, err := db.readableThread(ctx, tx, c, threadID)
		if err != nil {
			return err
		}
		var nick, reg []byte
		if err := tx.QueryRowContext(ctx, `SELECT nickname, region FROM accounts WHERE id = ?`, h.seekerID).Scan(&nick, &reg); err != nil {
			return fmt.Errorf("read help-seeker: %w", err)
		}
		s := h.ts.at("accounts", h.seekerID)
		if nickname, err = s.open("nickname", nick); err != nil {
			return err
		}
		slug, err := s.open("region", reg)
		if err != nil {
			return err
		}
		var office int64
		if err := tx.QueryRowContext(ctx, `SELECT office_id FROM accounts WHERE id = ?`, h.seekerID).Scan(&office); err != nil {
			return fmt.Errorf("read help-seeker office: %w", err)
		}
		regions, err := regionsTx(ctx, tx, office)
		if err != nil {
			return err
		}
		region = regions.Name(slug)
		return nil
	})
	return nickname, region, err
}
