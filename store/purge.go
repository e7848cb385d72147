package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"confidant/counselling"
)

// PurgeStats is what a purge did, and how long it held the write lock.
type PurgeStats struct {
	Counts []counselling.PurgeCount
	// LongestWrite is the longest single write transaction, from taking the
	// lock to committing; Writes is how many there were.
	LongestWrite time.Duration
	Writes       int
	// P99Write is the 99th percentile of the write transactions.
	P99Write  time.Duration
	durations []time.Duration
}

func (s *PurgeStats) add(rule string, n int64) {
	for i := range s.Counts {
		if s.Counts[i].Rule == rule {
			s.Counts[i].Count += n
			return
		}
	}
	s.Counts = append(s.Counts, counselling.PurgeCount{Rule: rule, Count: n})
}

// purger deletes in small chunks, each its own short transaction, growing or
// shrinking the chunk so that no transaction holds the write lock for longer
// than about chunkTarget.
type purger struct {
	db    *DB
	stats *PurgeStats
	dry   bool
	chunk int
}

const (
	chunkTarget = 12 * time.Millisecond
	chunkMin    = 50
	chunkMax    = 20_000
)

// timedTx runs fn in a write transaction and records how long it held the lock.
func (p *purger) timedTx(ctx context.Context, fn func(*sql.Tx) error) (time.Duration, error) {
	start := time.Now()
	err := p.db.writeTx(ctx, fn)
	d := time.Since(start)
	p.stats.Writes++
	p.stats.LongestWrite = max(p.stats.LongestWrite, d)
	p.stats.durations = append(p.stats.durations, d)
	return d, err
}

// chunked runs a DELETE whose last parameter is a LIMIT until it deletes nothing.
func (p *purger) chunked(ctx context.Context, query string, args ...any) (int64, error) {
	var total int64
	for {
		var n int64
		d, err := p.timedTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, query, append(args, p.chunk)...)
			if err != nil {
				return fmt.Errorf("purge: %w", err)
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		switch {
		case d > chunkTarget && p.chunk > chunkMin:
			p.chunk = max(chunkMin, p.chunk/2)
		case d < chunkTarget/3 && n == int64(p.chunk) && p.chunk < chunkMax:
			p.chunk = min(chunkMax, p.chunk*2)
		}
		if n == 0 {
			return total, nil
		}
	}
}

func (p *purger) count(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	if err := p.db.read.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("purge count: %w", err)
	}
	return n, nil
}

// Purge applies every retention rule of every office now, and removes the
// sessions that sessions has expired, keeping the anonymous statistics. With
// dryRun it only counts what would go.
func (db *DB) Purge(ctx context.Context, sessions counselling.SessionPolicy, dryRun bool) (*PurgeStats, error) {
	stats := &PurgeStats{}
	p := &purger{db: db, stats: stats, dry: dryRun, chunk: 1000}
	if !dryRun {
		stop, err := db.checkpointAside(ctx)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	now := db.now()
	offices, err := db.Offices(ctx)
	if err != nil {
		return nil, err
	}
	for _, rule := range []string{counselling.RuleMailThreads, counselling.RuleInactiveWarned, counselling.RuleInactiveDeleted,
		counselling.RuleChatTranscripts, counselling.RuleInvites, counselling.RuleSessions, counselling.RuleOutbox} {
		stats.add(rule, 0)
	}
	for _, o := range offices {
		if err := p.threads(ctx, o, counselling.ChannelMail, counselling.RuleMailThreads, o.Retention.MailCutoff(now)); err != nil {
			return stats, err
		}
		if err := p.threads(ctx, o, counselling.ChannelChat, counselling.RuleChatTranscripts, o.Retention.ChatCutoff(now)); err != nil {
			return stats, err
		}
		if err := p.groupChats(ctx, o, counselling.RuleChatTranscripts, now, o.Retention.ChatCutoff(now)); err != nil {
			return stats, err
		}
		if err := p.appointments(ctx, o, counselling.RuleChatTranscripts, o.Retention.ChatCutoff(now)); err != nil {
			return stats, err
		}
		if err := p.guests(ctx, o, o.Retention.ChatCutoff(now)); err != nil {
			return stats, err
		}
		if err := p.warnInactive(ctx, o, now); err != nil {
			return stats, err
		}
		if err := p.deleteInactive(ctx, o, o.Retention.InactiveCutoff(now)); err != nil {
			return stats, err
		}
	}
	idleBefore, createdBefore := sessions.Cutoffs(now)
	for _, g := range []struct {
		rule  string
		where string
		args  []any
	}{
		{counselling.RuleInvites, `expires_at < ? OR used_at IS NOT NULL`, []any{now.Unix()}},
		{counselling.RuleSessions, `last_seen_at <= ? OR created_at <= ?`, []any{idleBefore.Unix(), createdBefore.Unix()}},
		{counselling.RuleOutbox, `sent_at IS NOT NULL OR given_up_at IS NOT NULL`, nil},
	} {
		table := map[string]string{counselling.RuleInvites: "invites", counselling.RuleSessions: "sessions", counselling.RuleOutbox: "outbox"}[g.rule]
		key := map[string]string{"invites": "token_hash", "sessions": "token_hash", "outbox": "id"}[table]
		var n int64
		var err error
		if dryRun {
			n, err = p.count(ctx, `SELECT count(*) FROM `+table+` WHERE `+g.where, g.args...)
		} else {
			n, err = p.chunked(ctx, `DELETE FROM `+table+` WHERE `+key+` IN (SELECT `+key+` FROM `+table+` WHERE `+g.where+` LIMIT ?)`, g.args...)
		}
		if err != nil {
			return stats, err
		}
		stats.add(g.rule, n)
	}
	if len(stats.durations) > 0 {
		slices.Sort(stats.durations)
		stats.P99Write = stats.durations[len(stats.durations)*99/100]
		stats.durations = nil
	}
	if !dryRun {
		if err := db.Checkpoint(ctx); err != nil {
			return stats, err
		}
	}
	return stats, nil
}

// threads deletes the office's threads of channel (mail threads or chat
// transcripts) whose last message is older than cutoff, counting them under
// rule.
func (p *purger) threads(ctx context.Context, o counselling.Office, channel, rule string, cutoff time.Time) error {
	cut := cutoff.Unix()
	if p.dry {
		n, err := p.count(ctx, `SELECT count(*) FROM threads WHERE office_id = ? AND channel = ? AND last_activity_at < ?`, o.ID, channel, cut)
		p.stats.add(rule, n)
		return err
	}
	// A batch of expired threads at a time: their messages first, in chunks,
	// so that no thread delete has to cascade through thousands of messages
	// under one lock; then the threads. Every statement checks the thread is
	// still expired, in case someone wrote in the meantime.
	for {
		rows, err := p.db.read.QueryContext(ctx, `SELECT id FROM threads WHERE office_id = ? AND channel = ? AND last_activity_at < ? LIMIT 500`,
			o.ID, channel, cut)
		if err != nil {
			return fmt.Errorf("find expired threads: %w", err)
		}
		var ids []any
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("read expired thread: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			return nil
		}
		in := "?" + strings.Repeat(", ?", len(ids)-1)
		args := append(append([]any{}, ids...), cut)
		if _, err := p.chunked(ctx, `DELETE FROM messages WHERE id IN (SELECT m.id FROM messages m JOIN threads t ON t.id = m.thread_id
			WHERE m.thread_id IN (`+in+`) AND t.last_activity_at < ? LIMIT ?)`, args...); err != nil {
			return err
		}
		n, err := p.chunked(ctx, `DELETE FROM threads WHERE id IN (SELECT id FROM threads WHERE id IN (`+in+`) AND last_activity_at < ? LIMIT ?)`, args...)
		if err != nil {
			return err
		}
		p.stats.add(rule, n)
	}
}

// guests deletes the guest accounts of the office that have no chat left and
// were last active before cutoff: with the account goes its data key, so that
// nothing a guest wrote can be opened again, not even from a backup once the
// keys have been rotated.
func (p *purger) guests(ctx context.Context, o counselling.Office, cutoff time.Time) error {
	where := `office_id = ? AND guest = 1 AND last_active_at < ? AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.seeker_id = accounts.id)`
	if p.dry {
		return nil
	}
	_, err := p.chunked(ctx, `DELETE FROM accounts WHERE id IN (SELECT id FROM accounts WHERE `+where+` LIMIT ?)`, o.ID, cutoff.Unix())
	return err
}

func (p *purger) warnInactive(ctx context.Context, o counselling.Office, now time.Time) error {
	warn, del := o.Retention.WarnCutoff(now).Unix(), o.Retention.InactiveCutoff(now).Unix()
	const due = `FROM accounts WHERE office_id = ? AND kind = 'seeker' AND last_active_at < ? AND last_active_at >= ?
		AND inactivity_warned_at IS NULL AND email IS NOT NULL`
	if p.dry {
		n, err := p.count(ctx, `SELECT count(*) `+due, o.ID, warn, del)
		p.stats.add(counselling.RuleInactiveWarned, n)
		return err
	}
	for {
		var n int64
		_, err := p.timedTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id `+due+` LIMIT 100`, o.ID, warn, del)
			if err != nil {
				return fmt.Errorf("find inactive accounts: %w", err)
			}
			var ids []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return fmt.Errorf("read inactive account: %w", err)
				}
				ids = append(ids, id)
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("find inactive accounts: %w", err)
			}
			for _, id := range ids {
				if err := p.db.enqueue(ctx, tx, o.ID, id, counselling.NoticeInactive); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE accounts SET inactivity_warned_at = ? WHERE id = ?`, now.Unix(), id); err != nil {
					return fmt.Errorf("record warning: %w", err)
				}
			}
			n = int64(len(ids))
			return nil
		})
		if err != nil {
			return err
		}
		p.stats.add(counselling.RuleInactiveWarned, n)
		if n == 0 {
			return nil
		}
	}
}

func (p *purger) deleteInactive(ctx context.Context, o counselling.Office, cutoff time.Time) error {
	cut := cutoff.Unix()
	if p.dry {
		n, err := p.count(ctx, `SELECT count(*) FROM accounts WHERE office_id = ? AND kind = 'seeker' AND last_active_at < ?`, o.ID, cut)
		p.stats.add(counselling.RuleInactiveDeleted, n)
		return err
	}
	for {
		var id string
		err := p.db.read.QueryRowContext(ctx, `SELECT id FROM accounts WHERE office_id = ? AND kind = 'seeker' AND last_active_at < ? LIMIT 1`,
			o.ID, cut).Scan(&id)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find inactive account: %w", err)
		}
		// The data key goes first, in a transaction of its own that checks the
		// account is still inactive: a login since the query above keeps it.
		destroyed := false
		if _, err := p.timedTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE accounts SET data_key = randomblob(length(data_key)) WHERE id = ? AND last_active_at < ?`, id, cut)
			if err != nil {
				return fmt.Errorf("destroy data key: %w", err)
			}
			n, _ := res.RowsAffected()
			destroyed = n == 1
			return nil
		}); err != nil || !destroyed {
			if err != nil {
				return err
			}
			continue
		}
		if p.db.keyDestroyed != nil {
			if err := p.db.keyDestroyed(ctx, p.db.read, id); err != nil {
				return err
			}
		}
		if _, err := p.chunked(ctx, `DELETE FROM messages WHERE id IN (SELECT m.id FROM threads t JOIN messages m ON m.thread_id = t.id
			WHERE t.seeker_id = ? LIMIT ?)`, id); err != nil {
			return err
		}
		if _, err := p.timedTx(ctx, func(tx *sql.Tx) error { return p.db.deleteAccountRows(ctx, tx, id) }); err != nil {
			return err
		}
		p.stats.add(counselling.RuleInactiveDeleted, 1)
	}
}

// checkpointAside moves WAL checkpoints off the writer for the length of a
// purge: the writer stops checkpointing on commit (which would hold it up for
// a long moment now and then), and a connection of its own copies the WAL into
// the database meanwhile, which in WAL mode runs beside the writer.
func (db *DB) checkpointAside(ctx context.Context) (func(), error) {
	if db.eng == enginePostgres {
		return func() {}, nil
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		return nil, fmt.Errorf("pause checkpoints: %w", err)
	}
	cp, err := sql.Open("sqlite3", dsn(db.path, false))
	if err != nil {
		return nil, fmt.Errorf("open checkpoint connection: %w", err)
	}
	cp.SetMaxOpenConns(1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				cp.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		cp.Close()
		db.write.Exec(`PRAGMA wal_autocheckpoint = 1000`)
	}, nil
}
