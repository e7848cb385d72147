package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"confidant/counselling"
)

var (
	errChatTaken = counselling.Errorf(counselling.EConflict,
		"Another counsellor has just accepted this chat. It is no longer in the queue.")
	errChatEnded      = counselling.Errorf(counselling.EConflict, "This chat has ended.")
	errNoChatForStaff = counselling.Errorf(counselling.EForbidden, "Only help-seekers start chats.")
)

// StartChat opens a chat on theme for a help-seeker, registered or guest, and
// returns its id. It waits in the office's live queue until a counsellor
// accepts it. A help-seeker who already has a chat waiting or running is
// given that one, so that pressing "Start chat" twice queues them once.
func (db *DB) StartChat(ctx context.Context, c counselling.Caller, theme string) (string, error) {
	if !counselling.MayStartChat(c) {
		return "", errNoChatForStaff
	}
	id, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := db.mayStart(ctx, tx, c, false); err != nil {
			return err
		}
		var err error
		id, err = db.startChat(ctx, tx, c, theme, id)
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func (db *DB) startChat(ctx context.Context, tx *sql.Tx, c counselling.Caller, theme, id string) (string, error) {
	var running string
	err := tx.QueryRowContext(ctx, `SELECT id FROM threads WHERE seeker_id = ? AND channel = 'chat' AND status != 'closed'
		ORDER BY created_at DESC LIMIT 1`, c.AccountID).Scan(&running)
	if err == nil {
		return running, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find running chat: %w", err)
	}
	var themeID int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM themes WHERE office_id = ? AND slug = ? AND retired_at IS NULL`,
		c.OfficeID, theme).Scan(&themeID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", counselling.FieldError("theme", "Please choose one of the themes in the list.")
	}
	if err != nil {
		return "", fmt.Errorf("find theme: %w", err)
	}
	key, err := db.dataKey(ctx, tx, c.AccountID)
	if err != nil {
		return "", err
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO threads (id, office_id, seeker_id, theme_id, status, channel,
		created_at, last_activity_at) VALUES (?, ?, ?, ?, 'open', 'chat', ?, ?)`,
		id, c.OfficeID, c.AccountID, themeID, now.Unix(), now.Unix()); err != nil {
		return "", fmt.Errorf("insert chat: %w", err)
	}
	if err := db.createFact(ctx, tx, id, c.OfficeID, c.AccountID, key, themeID, now, counselling.ChannelChat, 0); err != nil {
		return "", err
	}
	return id, nil
}

// StartGuestChat lets a visitor without an account chat: it creates a guest
// account (a help-seeker with no nickname, password or email, and its own data
// key), a session for it and its chat, in one transaction, and returns the
// chat id and the session token.
func (db *DB) StartGuestChat(ctx context.Context, officeID int64, theme, lang string) (chatID, token string, err error) {
	accountID, err := db.newID()
	if err != nil {
		return "", "", err
	}
	chatID, err = db.newID()
	if err != nil {
		return "", "", err
	}
	token, err = db.newToken()
	if err != nil {
		return "", "", err
	}
	index := make([]byte, 32)
	if _, err := io.ReadFull(db.rand, index); err != nil {
		return "", "", fmt.Errorf("guest index: %w", err)
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		key, wrapped, err := db.keys.NewDataKey(accountID)
		if err != nil {
			return err
		}
		// A guest has no nickname: the column holds the sealed empty text.
		nickname, err := key.SealString("", sealer{key: key, table: "accounts", row: accountID}.loc("nickname"))
		if err != nil {
			return fmt.Errorf("seal guest nickname: %w", err)
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, office_id, kind, nickname_index, data_key, nickname,
			guest, created_at, last_active_at, lang) VALUES (?, ?, 'seeker', ?, ?, ?, 1, ?, ?, ?)`,
			accountID, officeID, index, wrapped, nickname, now, now, lang); err != nil {
			return fmt.Errorf("insert guest: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
			hashToken(token), accountID, now, now); err != nil {
			return fmt.Errorf("create guest session: %w", err)
		}
		c := counselling.Caller{AccountID: accountID, Kind: counselling.KindSeeker, OfficeID: officeID, Guest: true}
		if _, err = db.startChat(ctx, tx, c, theme, chatID); err != nil {
			return err
		}
		// The guest rates the chat with this pass once it is over, when
		// their session has ended with it.
		pass := sha256.Sum256([]byte(counselling.GuestPass(hashToken(token), chatID)))
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET guest_pass = ? WHERE id = ?`, pass[:], chatID); err != nil {
			return fmt.Errorf("keep guest pass: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", "", err
	}
	return chatID, token, nil
}

// LiveChat loads a chat the caller may load live (counselling.ChatScope), with its
// messages, decrypted, when the caller reads them live
// (counselling.LiveTranscriptScope), and its place in the live queue while it
// waits.
func (db *DB) LiveChat(ctx context.Context, c counselling.Caller, id string) (*counselling.LiveChat, error) {
	var ch *counselling.LiveChat
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		ch, err = db.liveChat(ctx, tx, c, id, 0)
		return err
	})
	return ch, err
}

// ChatSince is LiveChat with only the messages after seq.
func (db *DB) ChatSince(ctx context.Context, c counselling.Caller, id string, after int64) (*counselling.LiveChat, error) {
	var ch *counselling.LiveChat
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		ch, err = db.liveChat(ctx, tx, c, id, after)
		return err
	})
	return ch, err
}

func (db *DB) liveChat(ctx context.Context, tx *sql.Tx, c counselling.Caller, id string, after int64) (*counselling.LiveChat, error) {
	if !validID(id) {
		return nil, errThreadNotFound
	}
	cond, args := scopeSQL(counselling.ChatScope(c))
	var ch counselling.LiveChat
	var counsellor sql.NullString
	var wrapped []byte
	var created, apptEnds int64
	// A chat an appointment opened carries the appointment's kind and end,
	// for the rule of whether its call opens by itself.
	err := tx.QueryRowContext(ctx, `SELECT t.id, t.office_id, th.slug, th.name, t.status, t.seeker_id, a.guest, t.counsellor_id,
		t.created_at, a.data_key, coalesce(ap.kind, ''), coalesce(ap.start_at + ap.minutes * 60, 0)
		FROM threads t JOIN themes th ON th.id = t.theme_id JOIN accounts a ON a.id = t.seeker_id
		LEFT JOIN appointment_slots ap ON ap.chat_id = t.id
		WHERE t.id = ? AND t.channel = 'chat' AND `+cond, append([]any{id}, args...)...).Scan(&ch.ID, &ch.OfficeID, &ch.ThemeSlug,
		&ch.ThemeName, &ch.Status, &ch.SeekerID, &ch.Guest, &counsellor, &created, &wrapped, &ch.AppointmentKind, &apptEnds)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errThreadNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read chat: %w", err)
	}
	ch.CounsellorID = counsellor.String
	ch.CreatedAt = time.Unix(created, 0).UTC()
	if ch.AppointmentKind != "" {
		ch.AppointmentEnds = time.Unix(apptEnds, 0).UTC()
	}
	names := staffNames{db: db, tx: tx, ctx: ctx}
	if ch.CounsellorID != "" {
		if ch.Counsellor, err = names.name(ch.CounsellorID); err != nil {
			return nil, err
		}
	}
	if ch.Status == counselling.ChatWaiting {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM threads WHERE office_id = ? AND channel = 'chat' AND status = 'open'
			AND (created_at, id) <= (?, ?)`, ch.OfficeID, created, ch.ID).Scan(&ch.Place); err != nil {
			return nil, fmt.Errorf("place in queue: %w", err)
		}
	}
	reads, err := inScope(ctx, tx, counselling.LiveTranscriptScope(c), ch.ID)
	if err != nil {
		return nil, err
	}
	if !reads {
		ch.TranscriptWithheld = true
		return &ch, nil
	}
	key, err := db.keys.UnwrapDataKey(ch.SeekerID, wrapped)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, seq, coalesce(client_id, ''), from_seeker, author_id, body, created_at FROM messages
		WHERE thread_id = ? AND seq > ? AND status = 'sent' ORDER BY seq`, id, after)
	if err != nil {
		return nil, fmt.Errorf("list chat messages: %w", err)
	}
	defer rows.Close()
	ts := threadSealer{key}
	for rows.Next() {
		var m counselling.ChatMessage
		var mid string
		var author sql.NullString
		var body []byte
		var at int64
		if err := rows.Scan(&mid, &m.Seq, &m.ClientID, &m.FromSeeker, &author, &body, &at); err != nil {
			return nil, fmt.Errorf("read chat message: %w", err)
		}
		m.CreatedAt = time.Unix(at, 0).UTC()
		if m.Body, err = ts.at("messages", mid).open("body", body); err != nil {
			return nil, err
		}
		if !m.FromSeeker {
			if m.Author, err = names.name(author.String); err != nil {
				return nil, err
			}
		}
		ch.Messages = append(ch.Messages, m)
	}
	return &ch, rows.Err()
}

// ChatSend stores a message in a chat the caller writes in (ActChat), sealed
// under the help-seeker's key, and returns it with its number in the chat.
// A message its sender's browser sends again (same client id) is stored once:
// the second time the first is returned, with dup set. A help-seeker may
// write while the chat waits (the counsellor who accepts reads it first); a
// counsellor writes once they hold it; nobody writes in an ended chat.
func (db *DB) ChatSend(ctx context.Context, c counselling.Caller, id, clientID, body string) (msg counselling.ChatMessage, dup bool, err error) {
	if err := counselling.ValidateChatMessage(clientID, body); err != nil {
		return msg, false, err
	}
	messageID, err := db.newID()
	if err != nil {
		return msg, false, err
	}
	fromSeeker := c.Kind == counselling.KindSeeker
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActChat, id)
		if err != nil {
			return err
		}
		if h.status == counselling.ChatEnded {
			return errChatEnded
		}
		var author any
		if !fromSeeker {
			author = c.AccountID
		}
		var at int64
		err = tx.QueryRowContext(ctx, `SELECT seq, created_at FROM messages WHERE thread_id = ? AND from_seeker = ?
			AND coalesce(author_id, '') = coalesce(?, '') AND client_id = ?`, id, fromSeeker, author, clientID).Scan(&msg.Seq, &at)
		if err == nil {
			dup = true
			msg.CreatedAt = time.Unix(at, 0).UTC()
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find sent message: %w", err)
		}
		sealed, err := h.ts.at("messages", messageID).seal("body", body)
		if err != nil {
			return err
		}
		if msg.Seq, err = db.nextSeq(ctx, tx, id); err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, thread_id, office_id, from_seeker, author_id, body, status,
			created_at, seq, client_id) VALUES (?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?)`,
			messageID, id, h.officeID, fromSeeker, author, sealed, now.Unix(), msg.Seq, clientID); err != nil {
			return fmt.Errorf("insert chat message: %w", err)
		}
		msg.CreatedAt = now.UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET last_activity_at = ? WHERE id = ?`, now.Unix(), id); err != nil {
			return fmt.Errorf("update chat: %w", err)
		}
		return db.factMessage(ctx, tx, id, fromSeeker, now)
	})
	if err != nil {
		return counselling.ChatMessage{}, false, err
	}
	msg.ClientID, msg.FromSeeker, msg.Body = clientID, fromSeeker, body
	return msg, dup, nil
}

// AcceptChat gives a waiting chat of the office's live queue to the caller
// (ActAccept). Of two counsellors accepting one chat at once, the first wins
// and the second gets EConflict; so does the winner accepting it again (a
// second press of the button), which changes nothing.
func (db *DB) AcceptChat(ctx context.Context, c counselling.Caller, id string) error {
	scope := counselling.ActScope(c, counselling.ActAccept)
	if scope.None || !validID(id) {
		return errThreadNotFound
	}
	cond, args := scopeSQL(scope)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		res, err := tx.ExecContext(ctx, `UPDATE threads AS t SET counsellor_id = ?, status = 'assigned', accepted_at = ?,
			last_activity_at = ? WHERE t.id = ? AND `+cond, append([]any{c.AccountID, now.Unix(), now.Unix(), id}, args...)...)
		if err != nil {
			return fmt.Errorf("accept chat: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			var created int64
			if err := tx.QueryRowContext(ctx, `SELECT created_at FROM threads WHERE id = ?`, id).Scan(&created); err != nil {
				return fmt.Errorf("read chat start: %w", err)
			}
			return db.factChatBucket(ctx, tx, id, "wait", counselling.DimChatWait,
				counselling.WaitBucket(now.Sub(time.Unix(created, 0))))
		}
		var holder sql.NullString
		var status string
		err = tx.QueryRowContext(ctx, `SELECT counsellor_id, status FROM threads WHERE id = ? AND office_id = ? AND channel = 'chat'`,
			id, scope.OfficeID).Scan(&holder, &status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errThreadNotFound
		case err != nil:
			return fmt.Errorf("read chat holder: %w", err)
		case status == counselling.ChatEnded:
			return errChatEnded
		case holder.String == c.AccountID:
			return counselling.ErrChatYours
		}
		return errChatTaken
	})
}

// EndChat ends a chat the caller writes in (ActChat). A guest's session ends
// with it: a guest has nothing else to come back to.
func (db *DB) EndChat(ctx context.Context, c counselling.Caller, id string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.actOn(ctx, tx, c, counselling.ActChat, id)
		if err != nil {
			return err
		}
		if h.status == counselling.ChatEnded {
			return nil
		}
		now := db.now()
		var accepted sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT accepted_at FROM threads WHERE id = ?`, id).Scan(&accepted); err != nil {
			return fmt.Errorf("read chat times: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET status = 'closed', ended_at = ?, last_activity_at = ? WHERE id = ?`,
			now.Unix(), now.Unix(), id); err != nil {
			return fmt.Errorf("end chat: %w", err)
		}
		if accepted.Valid {
			if err := db.factChatBucket(ctx, tx, id, "duration", counselling.DimChatDuration,
				counselling.DurationBucket(now.Sub(time.Unix(accepted.Int64, 0)))); err != nil {
				return err
			}
		}
		if err := db.factClosed(ctx, tx, id, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE id = ? AND guest = 1)`,
			h.seekerID); err != nil {
			return fmt.Errorf("end guest session: %w", err)
		}
		return nil
	})
}

// RequeueChat hands a running chat back to the live queue, with its
// transcript, when its counsellor's page has been gone too long
// (counselling.HolderGoneGrace). It changes nothing unless holderID still
// holds the chat, and reports whether it did.
func (db *DB) RequeueChat(ctx context.Context, id, holderID string) (bool, error) {
	var done bool
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE threads SET status = 'open', counsellor_id = NULL, last_activity_at = ?
			WHERE id = ? AND channel = 'chat' AND status = 'assigned' AND counsellor_id = ?`, db.now().Unix(), id, holderID)
		if err != nil {
			return fmt.Errorf("requeue chat: %w", err)
		}
		n, _ := res.RowsAffected()
		done = n == 1
		return nil
	})
	return done, err
}

// LiveQueue lists the chats waiting in the caller's live queue (ActAccept),
// oldest first, each with the first message its help-seeker wrote while
// waiting: what a counsellor needs to choose which to accept.
func (db *DB) LiveQueue(ctx context.Context, c counselling.Caller) ([]counselling.LiveQueueItem, error) {
	scope := counselling.ActScope(c, counselling.ActAccept)
	if scope.None {
		return nil, nil
	}
	cond, args := scopeSQL(scope)
	var out []counselling.LiveQueueItem
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.id, th.id, th.slug, th.name, t.created_at, t.seeker_id, a.data_key,
			(SELECT m.id FROM messages m WHERE m.thread_id = t.id AND m.from_seeker = 1 ORDER BY m.seq LIMIT 1),
			(SELECT m.body FROM messages m WHERE m.thread_id = t.id AND m.from_seeker = 1 ORDER BY m.seq LIMIT 1)
			FROM threads t JOIN themes th ON th.id = t.theme_id JOIN accounts a ON a.id = t.seeker_id
			WHERE `+cond+` ORDER BY t.created_at, t.id LIMIT 200`, args...)
		if err != nil {
			return fmt.Errorf("list live queue: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var q counselling.LiveQueueItem
			var created int64
			var seekerID string
			var wrapped, body []byte
			var messageID sql.NullString
			if err := rows.Scan(&q.ID, &q.ThemeID, &q.ThemeSlug, &q.ThemeName, &created, &seekerID, &wrapped, &messageID, &body); err != nil {
				return fmt.Errorf("read live queue: %w", err)
			}
			q.CreatedAt = time.Unix(created, 0).UTC()
			if messageID.Valid {
				key, err := db.keys.UnwrapDataKey(seekerID, wrapped)
				if err != nil {
					return err
				}
				if q.FirstMessage, err = (threadSealer{key}).at("messages", messageID.String).open("body", body); err != nil {
					return err
				}
			}
			out = append(out, q)
		}
		return rows.Err()
	})
	return out, err
}
