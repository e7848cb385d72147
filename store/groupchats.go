package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

var errGroupNotFound = notFound("The group chat")

const groupColumns = `g.id, g.office_id, g.created_by, g.moderator_id, g.theme, g.rules, g.starts_at, g.ends_at, g.max_size,
	g.ended_at, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id AND m.removed_at IS NULL), a.data_key`

// scanGroup reads a group row and opens its theme and rules under the key
// of the staff member who scheduled it.
func (db *DB) scanGroup(r slotScanner) (counselling.GroupChat, error) {
	var g counselling.GroupChat
	var createdBy string
	var theme, rules, wrapped []byte
	var starts, ends int64
	var ended sql.NullInt64
	if err := r.Scan(&g.ID, &g.OfficeID, &createdBy, &g.ModeratorID, &theme, &rules, &starts, &ends, &g.MaxSize, &ended,
		&g.Present, &wrapped); err != nil {
		return g, err
	}
	g.StartsAt, g.EndsAt, g.EndedAt = time.Unix(starts, 0).UTC(), time.Unix(ends, 0).UTC(), unixOrZero(ended)
	key, err := db.keys.UnwrapDataKey(createdBy, wrapped)
	if err != nil {
		return g, err
	}
	s := sealer{key: key, table: "group_chats", row: g.ID}
	if g.Theme, err = s.open("theme", theme); err != nil {
		return g, err
	}
	if g.Rules, err = s.open("rules", rules); err != nil {
		return g, err
	}
	return g, nil
}

// groupFor loads a group and the caller's part in it; to anyone without a
// part (counselling.GroupRoleOf) it does not exist.
func (db *DB) groupFor(ctx context.Context, tx *sql.Tx, c counselling.Caller, id string) (counselling.GroupChat, counselling.GroupRole, *counselling.GroupMember, error) {
	if !validID(id) {
		return counselling.GroupChat{}, counselling.GroupNobody, nil, errGroupNotFound
	}
	g, err := db.scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM group_chats g JOIN accounts a ON a.id = g.created_by
		WHERE g.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, counselling.GroupNobody, nil, errGroupNotFound
	}
	if err != nil {
		return g, counselling.GroupNobody, nil, fmt.Errorf("read group chat: %w", err)
	}
	var m *counselling.GroupMember
	var no int
	var muted bool
	var removed sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT member_no, muted, removed_at FROM group_members WHERE group_id = ? AND account_id = ?`,
		id, c.AccountID).Scan(&no, &muted, &removed)
	switch {
	case err == nil:
		m = &counselling.GroupMember{No: no, Muted: muted, Removed: removed.Valid}
	case !errors.Is(err, sql.ErrNoRows):
		return g, counselling.GroupNobody, nil, fmt.Errorf("read group member: %w", err)
	}
	role := counselling.GroupRoleOf(c, g, m)
	if role == counselling.GroupNobody {
		return g, role, nil, errGroupNotFound
	}
	return g, role, m, nil
}

// ScheduleGroup stores a group chat an admin or supervisor schedules
// (counselling.MayScheduleGroups), with a moderator who counsels in their
// office, and returns its id.
func (db *DB) ScheduleGroup(ctx context.Context, c counselling.Caller, g counselling.GroupChat) (string, error) {
	if !counselling.MayScheduleGroups(c) {
		return "", errGroupNotFound
	}
	id, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM accounts WHERE id = ? AND office_id = ? AND kind = 'staff'
			AND role IN ('counsellor', 'supervisor') AND disabled = 0`, g.ModeratorID, c.OfficeID).Scan(&ok); err != nil {
			return fmt.Errorf("check moderator: %w", err)
		}
		if !ok {
			return counselling.FieldError("moderator", "Please choose who moderates the group.")
		}
		key, err := db.dataKey(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		s := sealer{key: key, table: "group_chats", row: id}
		theme, err := s.seal("theme", g.Theme)
		if err != nil {
			return err
		}
		rules, err := s.seal("rules", g.Rules)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_chats (id, office_id, created_by, moderator_id, theme, rules, starts_at,
			ends_at, max_size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, c.OfficeID, c.AccountID, g.ModeratorID, theme, rules,
			g.StartsAt.Unix(), g.EndsAt.Unix(), g.MaxSize, db.now().Unix()); err != nil {
			return fmt.Errorf("insert group chat: %w", err)
		}
		return nil
	})
	return id, err
}

// GroupChats lists the group chats a caller is shown: to a registered
// help-seeker those of their office that have not finished; to those who
// schedule, their office's that finished less than a day ago or later; to a
// counsellor, the groups they moderate. Soonest first.
func (db *DB) GroupChats(ctx context.Context, c counselling.Caller) ([]counselling.GroupChat, error) {
	now := db.now()
	var where string
	var args []any
	switch {
	case counselling.MayScheduleGroups(c):
		where, args = `g.office_id = ? AND g.ends_at > ?`, []any{c.OfficeID, now.Add(-24 * time.Hour).Unix()}
	case counselling.MayModerate(c):
		where, args = `g.office_id = ? AND g.moderator_id = ? AND g.ends_at > ?`, []any{c.OfficeID, c.AccountID, now.Add(-24 * time.Hour).Unix()}
	case counselling.MayUseAccountPages(c):
		where, args = `g.office_id = ? AND g.ends_at > ? AND g.ended_at IS NULL`, []any{c.OfficeID, now.Unix()}
	default:
		return nil, nil
	}
	var out []counselling.GroupChat
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+groupColumns+` FROM group_chats g JOIN accounts a ON a.id = g.created_by
			WHERE `+where+` ORDER BY g.starts_at, g.id LIMIT 100`, args...)
		if err != nil {
			return fmt.Errorf("list group chats: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			g, err := db.scanGroup(rows)
			if err != nil {
				return fmt.Errorf("read group chat: %w", err)
			}
			out = append(out, g)
		}
		return rows.Err()
	})
	return out, err
}

// GroupChat loads a group as the caller sees it: anyone with a part in it
// sees its theme, times and rules; its moderator and participants its
// messages; its moderator who is in it, by their numbers only.
func (db *DB) GroupChat(ctx context.Context, c counselling.Caller, id string) (*counselling.GroupView, error) {
	var v counselling.GroupView
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		v.Group, v.Role, v.Me, err = db.groupFor(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if v.Role == counselling.GroupModerator {
			rows, err := tx.QueryContext(ctx, `SELECT member_no, muted, removed_at IS NOT NULL FROM group_members WHERE group_id = ?
				ORDER BY member_no`, id)
			if err != nil {
				return fmt.Errorf("list group members: %w", err)
			}
			for rows.Next() {
				var m counselling.GroupMember
				if err := rows.Scan(&m.No, &m.Muted, &m.Removed); err != nil {
					rows.Close()
					return fmt.Errorf("read group member: %w", err)
				}
				v.Members = append(v.Members, m)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if !counselling.MayReadGroup(v.Role) {
			return nil
		}
		v.Messages, err = db.groupMessages(ctx, tx, c, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (db *DB) groupMessages(ctx context.Context, tx *sql.Tx, c counselling.Caller, id string) ([]counselling.GroupMessage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.seq, m.author_id, coalesce(m.member_no, 0), m.body, m.created_at, a.data_key
		FROM group_messages m JOIN accounts a ON a.id = m.author_id WHERE m.group_id = ? ORDER BY m.seq`, id)
	if err != nil {
		return nil, fmt.Errorf("list group messages: %w", err)
	}
	defer rows.Close()
	keys := map[string]*vault.Key{}
	var out []counselling.GroupMessage
	for rows.Next() {
		var m counselling.GroupMessage
		var mid, author string
		var body, wrapped []byte
		var at int64
		if err := rows.Scan(&mid, &m.Seq, &author, &m.MemberNo, &body, &at, &wrapped); err != nil {
			return nil, fmt.Errorf("read group message: %w", err)
		}
		key, ok := keys[author]
		if !ok {
			if key, err = db.keys.UnwrapDataKey(author, wrapped); err != nil {
				return nil, err
			}
			keys[author] = key
		}
		if m.Body, err = (sealer{key: key, table: "group_messages", row: mid}).open("body", body); err != nil {
			return nil, err
		}
		m.Mine, m.CreatedAt = author == c.AccountID, time.Unix(at, 0).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// JoinGroup lets a registered help-seeker join a running group once they
// accepted its rules, while it has room (counselling.MayJoinGroup). They are
// given the next number of the group; a second join changes nothing.
func (db *DB) JoinGroup(ctx context.Context, c counselling.Caller, id string, acceptedRules bool) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		g, role, _, err := db.groupFor(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if err := counselling.MayJoinGroup(role, g, acceptedRules, db.now()); err != nil || role == counselling.GroupParticipant {
			return err
		}
		if err := db.mayStart(ctx, tx, c, false); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, account_id, member_no, joined_at)
			VALUES (?, ?, (SELECT coalesce(max(member_no), 0) + 1 FROM group_members WHERE group_id = ?), ?)`,
			id, c.AccountID, id, db.now().Unix()); err != nil {
			return fmt.Errorf("join group: %w", err)
		}
		return nil
	})
}

// SayInGroup stores a message of the group's moderator or of a participant
// who is not muted (counselling.MaySayInGroup), sealed under its author's
// key and signed only with their number in the group.
func (db *DB) SayInGroup(ctx context.Context, c counselling.Caller, id, body string) error {
	if err := counselling.ValidateText("body", body, counselling.ChatBodyMaxRunes); err != nil {
		return err
	}
	messageID, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		g, role, m, err := db.groupFor(ctx, tx, c, id)
		if err != nil {
			return err
		}
		now := db.now()
		if err := counselling.MaySayInGroup(role, m, g, now); err != nil {
			return err
		}
		if role == counselling.GroupParticipant {
			if err := db.mayStart(ctx, tx, c, false); err != nil {
				return err
			}
		}
		var no any
		if role == counselling.GroupParticipant {
			no = m.No
		}
		key, err := db.dataKey(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		sealed, err := sealer{key: key, table: "group_messages", row: messageID}.seal("body", body)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_messages (id, group_id, seq, author_id, member_no, body, created_at)
			VALUES (?, ?, coalesce((SELECT seq FROM group_messages WHERE group_id = ? ORDER BY seq DESC LIMIT 1), 0) + 1, ?, ?, ?, ?)`,
			messageID, id, id, c.AccountID, no, sealed, now.Unix()); err != nil {
			return fmt.Errorf("insert group message: %w", err)
		}
		return nil
	})
}

// Moderation actions.
const (
	GroupMute   = "mute"
	GroupUnmute = "unmute"
	GroupRemove = "remove"
)

// ModerateGroup mutes, unmutes or removes the participant with number no,
// for the group's moderator while it is not finished
// (counselling.MayModerateGroup). A removed participant reads nothing more
// and cannot join again.
func (db *DB) ModerateGroup(ctx context.Context, c counselling.Caller, id string, no int, action string) error {
	var set string
	switch action {
	case GroupMute:
		set = `muted = 1`
	case GroupUnmute:
		set = `muted = 0`
	case GroupRemove:
		set = `removed_at = coalesce(removed_at, ?)`
	default:
		return counselling.Errorf(counselling.EInvalid, "This request could not be read.")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		g, role, _, err := db.groupFor(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if !counselling.MayModerateGroup(role, g, db.now()) {
			if role == counselling.GroupModerator {
				return counselling.ErrGroupFinished
			}
			return errGroupNotFound
		}
		args := []any{id, no}
		if action == GroupRemove {
			args = append([]any{db.now().Unix()}, args...)
		}
		res, err := tx.ExecContext(ctx, `UPDATE group_members SET `+set+` WHERE group_id = ? AND member_no = ?`, args...)
		if err != nil {
			return fmt.Errorf("moderate group: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errGroupNotFound
		}
		return nil
	})
}

// EndGroup ends a group early, for its moderator, and counts it in the
// anonymous statistics.
func (db *DB) EndGroup(ctx context.Context, c counselling.Caller, id string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		g, role, _, err := db.groupFor(ctx, tx, c, id)
		if err != nil {
			return err
		}
		now := db.now()
		if !counselling.MayModerateGroup(role, g, now) {
			if role == counselling.GroupModerator {
				return counselling.ErrGroupFinished
			}
			return errGroupNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE group_chats SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, now.Unix(), id); err != nil {
			return fmt.Errorf("end group: %w", err)
		}
		return db.countGroup(ctx, tx, id)
	})
}

// countGroup writes a finished group's anonymous fact, once: its office, the
// month it began and how many joined it, in a bucket.
func (db *DB) countGroup(ctx context.Context, tx *sql.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE group_chats SET counted = 1 WHERE id = ? AND counted = 0`, id)
	if err != nil {
		return fmt.Errorf("mark group counted: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var officeID, starts int64
	var joined int
	if err := tx.QueryRowContext(ctx, `SELECT office_id, starts_at, (SELECT count(*) FROM group_members WHERE group_id = g.id)
		FROM group_chats g WHERE id = ?`, id).Scan(&officeID, &starts, &joined); err != nil {
		return fmt.Errorf("read group for statistics: %w", err)
	}
	key := make([]byte, 16)
	if _, err := io.ReadFull(db.rand, key); err != nil {
		return fmt.Errorf("group statistics key: %w", err)
	}
	at := time.Unix(starts, 0).UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO group_facts (fact_key, office_id, year, month, size) VALUES (?, ?, ?, ?, ?)`,
		key, officeID, at.Year(), int(at.Month()), counselling.GroupSizeBucket(joined)); err != nil {
		return fmt.Errorf("record group in statistics: %w", err)
	}
	return nil
}

// GroupSizes counts an office's groups of a year per size bucket, from the
// anonymous facts.
func (db *DB) GroupSizes(ctx context.Context, officeID int64, year int) (map[string]int, error) {
	out := map[string]int{}
	rows, err := db.read.QueryContext(ctx, `SELECT size, count(*) FROM group_facts WHERE office_id = ? AND year = ? GROUP BY size`, officeID, year)
	if err != nil {
		return nil, fmt.Errorf("count group sizes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var size string
		var n int
		if err := rows.Scan(&size, &n); err != nil {
			return nil, fmt.Errorf("read group sizes: %w", err)
		}
		out[size] = n
	}
	return out, rows.Err()
}

// groupChats counts the office's finished groups in the statistics, then
// deletes those whose end lies before cutoff (the chat transcripts' rule),
// with their members and messages, counting them under rule.
func (p *purger) groupChats(ctx context.Context, o counselling.Office, rule string, now, cutoff time.Time) error {
	const expired = `office_id = ? AND coalesce(ended_at, ends_at) < ?`
	if p.dry {
		n, err := p.count(ctx, `SELECT count(*) FROM group_chats WHERE `+expired, o.ID, cutoff.Unix())
		p.stats.add(rule, n)
		return err
	}
	for {
		var ids []string
		rows, err := p.db.read.QueryContext(ctx, `SELECT id FROM group_chats WHERE office_id = ? AND counted = 0
			AND coalesce(ended_at, ends_at) <= ? LIMIT 200`, o.ID, now.Unix())
		if err != nil {
			return fmt.Errorf("find finished groups: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("read finished group: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			break
		}
		if _, err := p.timedTx(ctx, func(tx *sql.Tx) error {
			for _, id := range ids {
				if err := p.db.countGroup(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if _, err := p.chunked(ctx, `DELETE FROM group_messages WHERE id IN (SELECT m.id FROM group_messages m
		JOIN group_chats g ON g.id = m.group_id WHERE g.`+expired+` LIMIT ?)`, o.ID, cutoff.Unix()); err != nil {
		return err
	}
	n, err := p.chunked(ctx, `DELETE FROM group_chats WHERE id IN (SELECT id FROM group_chats WHERE `+expired+` LIMIT ?)`,
		o.ID, cutoff.Unix())
	if err != nil {
		return err
	}
	p.stats.add(rule, n)
	return nil
}
