package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

// RunningChats lists the chats a supervisor may read along
// (counselling.ReadAlongScope), longest running first. It reads no message.
func (db *DB) RunningChats(ctx context.Context, c counselling.Caller) ([]counselling.RunningChat, error) {
	scope := counselling.ReadAlongScope(c)
	if scope.None {
		return nil, nil
	}
	cond, args := scopeSQL(scope)
	var out []counselling.RunningChat
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.id, th.slug, th.name, t.counsellor_id, coalesce(t.accepted_at, t.created_at)
			FROM threads t JOIN themes th ON th.id = t.theme_id
			WHERE `+cond+` ORDER BY coalesce(t.accepted_at, t.created_at), t.id LIMIT 200`, args...)
		if err != nil {
			return fmt.Errorf("list running chats: %w", err)
		}
		var holders []string
		for rows.Next() {
			var r counselling.RunningChat
			var holder string
			var accepted int64
			if err := rows.Scan(&r.ID, &r.ThemeSlug, &r.ThemeName, &holder, &accepted); err != nil {
				rows.Close()
				return fmt.Errorf("read running chats: %w", err)
			}
			r.AcceptedAt = time.Unix(accepted, 0).UTC()
			out = append(out, r)
			holders = append(holders, holder)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read running chats: %w", err)
		}
		names := staffNames{db: db, tx: tx, ctx: ctx}
		for i := range out {
			if out[i].Counsellor, err = names.name(holders[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// NoteReadAlong records in the audit log that the supervisor c opens the
// running chat id to read it along (counselling.ReadAlongScope); a chat
// outside that scope is not found.
func (db *DB) NoteReadAlong(ctx context.Context, c counselling.Caller, id string) error {
	scope := counselling.ReadAlongScope(c)
	if scope.None || !validID(id) {
		return notFound("The chat")
	}
	cond, args := scopeSQL(scope)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var officeID int64
		var holder sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT t.office_id, t.counsellor_id FROM threads t WHERE t.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&officeID, &holder)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The chat")
		}
		if err != nil {
			return fmt.Errorf("find chat to read along: %w", err)
		}
		// The entry names the chat's counsellor, never the help-seeker.
		return db.audit(ctx, tx, officeID, c.AccountID, "chat read along", holder.String, "")
	})
}

// EndedChats lists a page (from 1) of the ended chats whose transcripts a
// supervisor may read (counselling.EndedChatScope), the most recently ended
// first, and whether an older page follows. It reads no message: each
// transcript is read, and audited, on its conversation's page.
func (db *DB) EndedChats(ctx context.Context, c counselling.Caller, page int) (out []counselling.EndedChat, more bool, err error) {
	scope := counselling.EndedChatScope(c)
	if scope.None {
		return nil, false, nil
	}
	if page < 1 {
		page = 1
	}
	cond, args := scopeSQL(scope)
	n := counselling.EndedChatsPageSize
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.id, th.slug, th.name, coalesce(t.counsellor_id, ''), coalesce(t.ended_at, t.last_activity_at)
			FROM threads t JOIN themes th ON th.id = t.theme_id
			WHERE `+cond+` ORDER BY coalesce(t.ended_at, t.last_activity_at) DESC, t.id LIMIT ? OFFSET ?`,
			append(args, n+1, (page-1)*n)...)
		if err != nil {
			return fmt.Errorf("list ended chats: %w", err)
		}
		var holders []string
		for rows.Next() {
			var e counselling.EndedChat
			var holder string
			var ended int64
			if err := rows.Scan(&e.ID, &e.ThemeSlug, &e.ThemeName, &holder, &ended); err != nil {
				rows.Close()
				return fmt.Errorf("read ended chats: %w", err)
			}
			e.EndedAt = time.Unix(ended, 0).UTC()
			out = append(out, e)
			holders = append(holders, holder)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read ended chats: %w", err)
		}
		if len(out) > n {
			out, holders, more = out[:n], holders[:n], true
		}
		names := staffNames{db: db, tx: tx, ctx: ctx}
		for i := range out {
			if holders[i] == "" {
				continue
			}
			if out[i].Counsellor, err = names.name(holders[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, more, err
}
