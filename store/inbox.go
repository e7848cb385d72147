package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"confidant/counselling"
)

// cursor is a keyset position: a time and an id. It is opaque to clients.
type cursor struct {
	at int64
	id string
}

func parseCursor(s string, first cursor) cursor {
	at, id, ok := strings.Cut(s, ".")
	if !ok || !validID(id) {
		return first
	}
	n, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return first
	}
	return cursor{n, id}
}

func (c cursor) String() string { return strconv.FormatInt(c.at, 10) + "." + c.id }

// Inbox returns a counsellor's inbox: a page of the open queue (oldest first),
// a page of the counsellor's own threads (latest activity first) and, for
// supervisors, the flagged threads and the replies awaiting approval. Pages are
// found by key, never by OFFSET, and nothing is counted in full.
func (db *DB) Inbox(ctx context.Context, c counselling.Caller, queueAfter, ownAfter string) (*counselling.Inbox, error) {
	return db.FilteredInbox(ctx, c, "", queueAfter, ownAfter)
}

// FilteredInbox returns a counsellor's inbox filtered by one of
// counselling.InboxStatuses (empty: the whole inbox), as counselling.FilterInbox
// decides.
func (db *DB) FilteredInbox(ctx context.Context, c counselling.Caller, status, queueAfter, ownAfter string) (*counselling.Inbox, error) {
	lists := counselling.InboxOf(c)
	if lists.Queue.None && lists.Own.None {
		return nil, counselling.Errorf(counselling.ENotFound, "There is no inbox here.")
	}
	filter := counselling.FilterInbox(status)
	var extra string
	var extraArgs []any
	if filter.OnlyOverdue {
		extra, extraArgs = ` AND t.due_at IS NOT NULL AND t.due_at < ?`, []any{db.now().Unix()}
	}
	in := &counselling.Inbox{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if filter.Queue {
			if err := db.queuePage(ctx, tx, lists.Queue, extra, extraArgs, parseCursor(queueAfter, cursor{math.MinInt64, ""}), in); err != nil {
				return err
			}
		}
		if filter.Own {
			own := parseCursor(ownAfter, cursor{math.MaxInt64, ""})
			cond, args := scopeSQL(lists.Own)
			cond += extra
			args = append(args, extraArgs...)
			if len(filter.OwnStatuses) > 0 {
				cond += ` AND t.status IN (?` + strings.Repeat(", ?", len(filter.OwnStatuses)-1) + `)`
				for _, s := range filter.OwnStatuses {
					args = append(args, s)
				}
			}
			rows, err := tx.QueryContext(ctx, summarySelect+` WHERE `+cond+`
				AND (t.last_activity_at, t.id) < (?, ?) ORDER BY t.last_activity_at DESC, t.id DESC LIMIT ?`,
				append(args, own.at, own.id, counselling.InboxPageSize+1)...)
			if err != nil {
				return fmt.Errorf("list own threads: %w", err)
			}
			if in.Own, err = db.scanSummaries(rows, true); err != nil {
				return err
			}
			if len(in.Own) > counselling.InboxPageSize {
				in.Own = in.Own[:counselling.InboxPageSize]
				last := in.Own[len(in.Own)-1]
				in.OwnNext = cursor{last.LastActivityAt.Unix(), last.ID}.String()
			}
		}
		if !filter.Extras {
			return nil
		}
		var err error
		var rows *sql.Rows
		if !lists.Flagged.None {
			cond, args := scopeSQL(lists.Flagged)
			rows, err = tx.QueryContext(ctx, summarySelect+` WHERE `+cond+` ORDER BY t.flagged_at DESC LIMIT ?`,
				append(args, counselling.InboxPageSize)...)
			if err != nil {
				return fmt.Errorf("list flagged threads: %w", err)
			}
			if in.Flagged, err = db.scanSummaries(rows, false); err != nil {
				return err
			}
		}
		if !lists.Review.None {
			cond, args := scopeSQL(lists.Review)
			rows, err = tx.QueryContext(ctx, summarySelect+` WHERE `+cond+` ORDER BY t.last_activity_at LIMIT ?`,
				append(args, counselling.InboxPageSize)...)
			if err != nil {
				return fmt.Errorf("list threads awaiting review: %w", err)
			}
			if in.Review, err = db.scanSummaries(rows, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

func (db *DB) queuePage(ctx context.Context, tx *sql.Tx, queue counselling.ThreadScope, extra string, extraArgs []any, after cursor, in *counselling.Inbox) error {
	cond, args := scopeSQL(queue)
	cond += extra
	args = append(args, extraArgs...)
	rows, err := tx.QueryContext(ctx, `SELECT t.id, th.slug, th.name, t.created_at, t.due_at FROM threads t
		JOIN themes th ON th.id = t.theme_id
		WHERE `+cond+` AND (t.created_at, t.id) > (?, ?)
		ORDER BY t.created_at, t.id LIMIT ?`, append(args, after.at, after.id, counselling.InboxPageSize+1)...)
	if err != nil {
		return fmt.Errorf("list queue: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q counselling.QueueItem
		var created int64
		var due sql.NullInt64
		if err := rows.Scan(&q.ID, &q.ThemeSlug, &q.ThemeName, &created, &due); err != nil {
			return fmt.Errorf("read queue item: %w", err)
		}
		if due.Valid {
			q.DueAt = time.Unix(due.Int64, 0).UTC()
		}
		q.CreatedAt = time.Unix(created, 0).UTC()
		in.Queue = append(in.Queue, q)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(in.Queue) > counselling.InboxPageSize {
		in.Queue = in.Queue[:counselling.InboxPageSize]
		last := in.Queue[len(in.Queue)-1]
		in.QueueNext = cursor{last.CreatedAt.Unix(), last.ID}.String()
	}
	return nil
}

const summarySelect = `SELECT t.id, t.channel, th.slug, th.name, t.subject, t.status, t.created_at, t.last_activity_at,
	t.counsellor_unread, t.flagged_at IS NOT NULL, t.pending_reviews > 0, t.seeker_id, a.data_key, t.due_at
	FROM threads t JOIN themes th ON th.id = t.theme_id JOIN accounts a ON a.id = t.seeker_id`

// scanSummaries reads summarySelect rows; unread markers count only for the
// thread's own counsellor.
func (db *DB) scanSummaries(rows *sql.Rows, own bool) ([]counselling.ThreadSummary, error) {
	defer rows.Close()
	var out []counselling.ThreadSummary
	for rows.Next() {
		var s counselling.ThreadSummary
		var subject, wrapped []byte
		var seekerID string
		var created, active int64
		var due sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Channel, &s.ThemeSlug, &s.ThemeName, &subject, &s.Status, &created, &active, &s.Unread,
			&s.Flagged, &s.AwaitingReview, &seekerID, &wrapped, &due); err != nil {
			return nil, fmt.Errorf("read thread summary: %w", err)
		}
		if due.Valid {
			s.DueAt = time.Unix(due.Int64, 0).UTC()
		}
		s.Unread = s.Unread && own
		s.CreatedAt, s.LastActivityAt = time.Unix(created, 0).UTC(), time.Unix(active, 0).UTC()
		if subject != nil {
			key, err := db.keys.UnwrapDataKey(seekerID, wrapped)
			if err != nil {
				return nil, err
			}
			if s.Subject, err = (threadSealer{key}).at("threads", s.ID).open("subject", subject); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
