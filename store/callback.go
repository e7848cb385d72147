package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"confidant/counselling"
)

// Reaching out: call-back requests, the consent to be contacted again, and
// the chats both open between a help-seeker and one counsellor, bypassing
// the live queue. The rules are the domain's (counselling/callback.go); the
// methods here load what the rules look at and enforce their answer in the
// same transaction as the change.

// contactLinks lists the help-seeker's conversations as the rules of
// reaching out see them.
func contactLinks(ctx context.Context, tx *sql.Tx, seekerID string) ([]counselling.ContactLink, error) {
	rows, err := tx.QueryContext(ctx, `SELECT coalesce(counsellor_id, ''), channel, status, theme_id, created_at FROM threads
		WHERE seeker_id = ? ORDER BY created_at`, seekerID)
	if err != nil {
		return nil, fmt.Errorf("list contact links: %w", err)
	}
	defer rows.Close()
	var out []counselling.ContactLink
	for rows.Next() {
		var l counselling.ContactLink
		var at int64
		if err := rows.Scan(&l.CounsellorID, &l.Channel, &l.Status, &l.ThemeID, &at); err != nil {
			return nil, fmt.Errorf("read contact link: %w", err)
		}
		l.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// expireCallbacks marks the open requests whose time is up as expired and
// queues the neutral mail that tells each help-seeker (if they gave an
// address); seekerID, when set, limits it to one help-seeker's requests.
func (db *DB) expireCallbacks(ctx context.Context, tx *sql.Tx, seekerID string) (int, error) {
	cond, args := `status = 'open' AND expires_at <= ?`, []any{db.now().Unix()}
	if seekerID != "" {
		cond += ` AND seeker_id = ?`
		args = append(args, seekerID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, office_id, seeker_id FROM callbacks WHERE `+cond, args...)
	if err != nil {
		return 0, fmt.Errorf("find expired call-backs: %w", err)
	}
	type due struct {
		id, seeker string
		office     int64
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.office, &d.seeker); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read expired call-back: %w", err)
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find expired call-backs: %w", err)
	}
	for _, d := range list {
		if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET status = 'expired' WHERE id = ?`, d.id); err != nil {
			return 0, fmt.Errorf("expire call-back: %w", err)
		}
		if err := db.enqueue(ctx, tx, d.office, d.seeker, counselling.NoticeCallbackExpired); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// callbackKeep is how long an expired request's notice stays on the
// help-seeker's pages when they never dismiss it.
const callbackKeep = 30 * 24 * time.Hour

// ExpireCallbacks marks every request whose time is up as expired, queues
// the mails that say so, and deletes expired requests whose notice has been
// shown for callbackKeep. It returns how many requests expired now.
func (db *DB) ExpireCallbacks(ctx context.Context) (int, error) {
	var n int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = db.expireCallbacks(ctx, tx, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM callbacks WHERE status = 'expired' AND expires_at < ?`,
			db.now().Add(-callbackKeep).Unix()); err != nil {
			return fmt.Errorf("delete old call-backs: %w", err)
		}
		return nil
	})
	return n, err
}

// RequestCallback records a help-seeker's request that a counsellor of
// their office with whom they are in contact call them back (kind chat or
// video, optionally within a time window today given as "HH:MM" in office
// time), and returns its id. A second open request to the same counsellor
// is refused, also when two arrive at once.
func (db *DB) RequestCallback(ctx context.Context, c counselling.Caller, counsellorID, kind, from, until string) (string, error) {
	if err := counselling.ValidateReachKind(kind); err != nil {
		return "", err
	}
	id, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		// The window is meant on the clock of the office's time zone.
		var zone string
		if err := tx.QueryRowContext(ctx, `SELECT time_zone FROM offices WHERE id = ?`, c.OfficeID).Scan(&zone); err != nil {
			return fmt.Errorf("read office time zone: %w", err)
		}
		start, end, err := counselling.ParseCallbackWindow(from, until, db.now(), counselling.Workday{TimeZone: zone}.Workweek().Location)
		if err != nil {
			return err
		}
		if err := db.mayStart(ctx, tx, c, false); err != nil {
			return err
		}
		if _, err := db.expireCallbacks(ctx, tx, c.AccountID); err != nil {
			return err
		}
		target, err := staffMember(ctx, tx, counsellorID)
		if err != nil {
			return err
		}
		links, err := contactLinks(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM callbacks WHERE seeker_id = ? AND counsellor_id = ? AND status = 'open'`,
			c.AccountID, counsellorID).Scan(&open); err != nil {
			return fmt.Errorf("count open call-backs: %w", err)
		}
		if err := counselling.MayRequestCallback(c, target, links, open > 0); err != nil {
			return err
		}
		var hours int
		if err := tx.QueryRowContext(ctx, `SELECT callback_expiry_hours FROM offices WHERE id = ?`, c.OfficeID).Scan(&hours); err != nil {
			return fmt.Errorf("read call-back expiry: %w", err)
		}
		now := db.now()
		var wFrom, wTo any
		if !start.IsZero() {
			wFrom, wTo = start.Unix(), end.Unix()
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO callbacks (id, office_id, seeker_id, counsellor_id, theme_id, kind, window_from, window_to,
			status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`, id, c.OfficeID, c.AccountID, counsellorID,
			counselling.LatestTheme(links, counsellorID), kind, wFrom, wTo, now.Unix(), counselling.CallbackExpiry(now, hours).Unix())
		if err != nil && strings.Contains(err.Error(), "UNIQUE") {
			return counselling.ErrCallbackOpen
		}
		if err != nil {
			return fmt.Errorf("insert call-back: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

const callbackColumns = `cb.id, cb.office_id, cb.seeker_id, cb.counsellor_id, cb.theme_id, th.name, cb.kind, cb.window_from, cb.window_to,
	cb.status, cb.created_at, cb.expires_at FROM callbacks cb JOIN themes th ON th.id = cb.theme_id`

func (db *DB) scanCallbacks(rows *sql.Rows) ([]counselling.CallbackRequest, error) {
	defer rows.Close()
	now := db.now()
	var out []counselling.CallbackRequest
	for rows.Next() {
		var r counselling.CallbackRequest
		var from, to sql.NullInt64
		var status string
		var created, expires int64
		if err := rows.Scan(&r.ID, &r.OfficeID, &r.SeekerID, &r.CounsellorID, &r.ThemeID, &r.ThemeName, &r.Kind, &from, &to,
			&status, &created, &expires); err != nil {
			return nil, fmt.Errorf("read call-back: %w", err)
		}
		if from.Valid && to.Valid {
			r.WindowFrom, r.WindowTo = time.Unix(from.Int64, 0).UTC(), time.Unix(to.Int64, 0).UTC()
		}
		r.CreatedAt, r.ExpiresAt = time.Unix(created, 0).UTC(), time.Unix(expires, 0).UTC()
		r.Expired = status == "expired" || counselling.CallbackExpired(r, now)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SeekerCallbacks lists the help-seeker's own requests, open and expired,
// oldest first, with the names of the counsellors asked.
func (db *DB) SeekerCallbacks(ctx context.Context, c counselling.Caller) ([]counselling.CallbackRequest, error) {
	if !counselling.MayUseAccountPages(c) {
		return nil, nil
	}
	var out []counselling.CallbackRequest
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+callbackColumns+` WHERE cb.seeker_id = ? ORDER BY cb.created_at, cb.id`, c.AccountID)
		if err != nil {
			return fmt.Errorf("list call-backs: %w", err)
		}
		if out, err = db.scanCallbacks(rows); err != nil {
			return err
		}
		names := staffNames{db: db, tx: tx, ctx: ctx}
		for i := range out {
			if out[i].Counsellor, err = names.name(out[i].CounsellorID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ExpiredCallbacks counts the help-seeker's expired requests whose notice
// they have not dismissed: what every page of theirs tells them about.
func (db *DB) ExpiredCallbacks(ctx context.Context, c counselling.Caller) (int, error) {
	if !counselling.MayUseAccountPages(c) {
		return 0, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM callbacks WHERE seeker_id = ? AND (status = 'expired' OR expires_at <= ?)`,
		c.AccountID, db.now().Unix()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count expired call-backs: %w", err)
	}
	return n, nil
}

// CallbackCounsellors lists the counsellors the help-seeker may ask to call
// back (counselling.MayRequestCallback), by name.
func (db *DB) CallbackCounsellors(ctx context.Context, c counselling.Caller) ([]counselling.StaffMember, error) {
	if !counselling.MayUseAccountPages(c) {
		return nil, nil
	}
	var out []counselling.StaffMember
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		links, err := contactLinks(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		names := staffNames{db: db, tx: tx, ctx: ctx}
		seen := map[string]bool{}
		for _, l := range links {
			if l.CounsellorID == "" || seen[l.CounsellorID] {
				continue
			}
			seen[l.CounsellorID] = true
			m, err := staffMember(ctx, tx, l.CounsellorID)
			if err != nil {
				return err
			}
			if counselling.MayRequestCallback(c, m, links, false) != nil {
				continue
			}
			if m.Name, err = names.name(m.ID); err != nil {
				return err
			}
			out = append(out, *m)
		}
		return nil
	})
	return out, err
}

// RemoveCallback deletes one of the help-seeker's own requests: an open one
// they withdraw, or an expired one whose notice they dismiss.
func (db *DB) RemoveCallback(ctx context.Context, c counselling.Caller, id string) error {
	if !counselling.MayUseAccountPages(c) || !validID(id) {
		return notFound("call-back")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM callbacks WHERE id = ? AND seeker_id = ?`, id, c.AccountID)
		if err != nil {
			return fmt.Errorf("remove call-back: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("call-back")
		}
		return nil
	})
}

// CallbackQueue lists the open requests made to the calling counsellor,
// oldest first, with each help-seeker's nickname.
func (db *DB) CallbackQueue(ctx context.Context, c counselling.Caller) ([]counselling.CallbackRequest, error) {
	if !c.Counsels() {
		return nil, nil
	}
	var out []counselling.CallbackRequest
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+callbackColumns+` WHERE cb.counsellor_id = ? AND cb.office_id = ? AND cb.status = 'open'
			AND cb.expires_at > ? ORDER BY cb.created_at, cb.id LIMIT 200`, c.AccountID, c.OfficeID, db.now().Unix())
		if err != nil {
			return fmt.Errorf("list call-back queue: %w", err)
		}
		if out, err = db.scanCallbacks(rows); err != nil {
			return err
		}
		for i := range out {
			if out[i].Seeker, err = db.seekerNickname(ctx, tx, out[i].SeekerID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// seekerNickname decrypts a help-seeker's nickname.
func (db *DB) seekerNickname(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var wrapped, nick []byte
	if err := tx.QueryRowContext(ctx, `SELECT data_key, nickname FROM accounts WHERE id = ?`, id).Scan(&wrapped, &nick); err != nil {
		return "", fmt.Errorf("read nickname: %w", err)
	}
	key, err := db.keys.UnwrapDataKey(id, wrapped)
	if err != nil {
		return "", err
	}
	return sealer{key: key, table: "accounts", row: id}.open("nickname", nick)
}

// CallbackFor loads a request the caller may answer
// (counselling.MayCallBack); any other is not found.
func (db *DB) CallbackFor(ctx context.Context, c counselling.Caller, id string) (*counselling.CallbackRequest, error) {
	if !c.Counsels() || !validID(id) {
		return nil, notFound("call-back")
	}
	var out []counselling.CallbackRequest
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+callbackColumns+` WHERE cb.id = ? AND cb.counsellor_id = ?`, id, c.AccountID)
		if err != nil {
			return fmt.Errorf("read call-back: %w", err)
		}
		out, err = db.scanCallbacks(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, notFound("call-back")
	}
	if !counselling.MayCallBack(c, out[0], db.now()) {
		return nil, counselling.ErrCallbackGone
	}
	return &out[0], nil
}

// AnswerCallback opens the chat a call-back request asked for, when its
// help-seeker accepts the counsellor's ring: a running chat between exactly
// those two, on the request's theme, that never waits in the live queue. The
// request goes (the chat is its record) and the anonymous fact counts the
// chat under the request's kind, with the time from request to answer as its
// waiting time. It returns the chat's id.
func (db *DB) AnswerCallback(ctx context.Context, c counselling.Caller, id string) (string, error) {
	if !counselling.MayUseAccountPages(c) || !validID(id) {
		return "", notFound("call-back")
	}
	chatID, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := db.mayStart(ctx, tx, c, false); err != nil {
			return err
		}
		var counsellorID, kind string
		var themeID, created, expires int64
		var officeID int64
		err := tx.QueryRowContext(ctx, `SELECT counsellor_id, office_id, theme_id, kind, created_at, expires_at FROM callbacks
			WHERE id = ? AND seeker_id = ? AND status = 'open'`, id, c.AccountID).Scan(&counsellorID, &officeID, &themeID, &kind, &created, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return counselling.ErrCallbackGone
		}
		if err != nil {
			return fmt.Errorf("read call-back: %w", err)
		}
		now := db.now()
		if counselling.CallbackExpired(counselling.CallbackRequest{ExpiresAt: time.Unix(expires, 0)}, now) || officeID != c.OfficeID {
			return counselling.ErrCallbackGone
		}
		if err := db.openReachChat(ctx, tx, c, counsellorID, themeID, kind, chatID); err != nil {
			return err
		}
		if err := db.factChatBucket(ctx, tx, chatID, "wait", counselling.DimChatWait,
			counselling.WaitBucket(now.Sub(time.Unix(created, 0)))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM callbacks WHERE id = ?`, id); err != nil {
			return fmt.Errorf("answer call-back: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return chatID, nil
}

// openReachChat opens a running chat between the help-seeker and the
// counsellor, who holds it from the start, and writes its anonymous fact of
// the kind's channel.
func (db *DB) openReachChat(ctx context.Context, tx *sql.Tx, c counselling.Caller, counsellorID string, themeID int64, kind, chatID string) error {
	key, err := db.dataKey(ctx, tx, c.AccountID)
	if err != nil {
		return err
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO threads (id, office_id, seeker_id, counsellor_id, theme_id, status, channel,
		created_at, last_activity_at, accepted_at) VALUES (?, ?, ?, ?, ?, 'assigned', 'chat', ?, ?, ?)`,
		chatID, c.OfficeID, c.AccountID, counsellorID, themeID, now.Unix(), now.Unix(), now.Unix()); err != nil {
		return fmt.Errorf("insert chat: %w", err)
	}
	return db.createFact(ctx, tx, chatID, c.OfficeID, c.AccountID, key, themeID, now, counselling.ReachChannel(kind), 0)
}

// CallbackExpiryHours returns how many hours the office's call-back requests
// wait before they expire.
func (db *DB) CallbackExpiryHours(ctx context.Context, officeID int64) (int, error) {
	var hours int
	if err := db.read.QueryRowContext(ctx, `SELECT callback_expiry_hours FROM offices WHERE id = ?`, officeID).Scan(&hours); err != nil {
		return 0, fmt.Errorf("read call-back expiry: %w", err)
	}
	return hours, nil
}

// SetCallbackExpiryHours changes, for the office the actor administers, how
// many hours call-back requests made from now on wait before they expire,
// recorded in the audit log in the same transaction.
func (db *DB) SetCallbackExpiryHours(ctx context.Context, actor counselling.Caller, hours int) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := counselling.ValidateCallbackExpiryHours(hours); err != nil {
			return err
		}
		cond, args := adminSQL("id", scope)
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET callback_expiry_hours = ? WHERE `+cond, append([]any{hours}, args...)...); err != nil {
			return fmt.Errorf("update call-back expiry: %w", err)
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "settings changed", "", counselling.AuditDetail{
			ID: counselling.AuditCallbackExpiry, Args: map[string]string{"Hours": strconv.Itoa(hours)}})
	})
}

// exportReach is the help-seeker's consent to be contacted again and their
// call-back requests, for their export.
func (db *DB) exportReach(ctx context.Context, tx *sql.Tx, accountID string) (counselling.ExportReach, error) {
	out := counselling.ExportReach{Callbacks: []counselling.ExportCallback{}}
	consent, err := contactConsent(ctx, tx, accountID)
	if err != nil {
		return out, err
	}
	if consent.Version != 0 {
		out.ContactConsent = &counselling.ExportContactConsent{Version: consent.Version, GivenAt: consent.GivenAt}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+callbackColumns+` WHERE cb.seeker_id = ? ORDER BY cb.created_at, cb.id`, accountID)
	if err != nil {
		return out, fmt.Errorf("export call-backs: %w", err)
	}
	list, err := db.scanCallbacks(rows)
	if err != nil {
		return out, err
	}
	names := staffNames{db: db, tx: tx, ctx: ctx}
	for _, r := range list {
		name, err := names.name(r.CounsellorID)
		if err != nil {
			return out, err
		}
		e := counselling.ExportCallback{Counsellor: name, Kind: r.Kind, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, Expired: r.Expired}
		if !r.WindowFrom.IsZero() {
			from, to := r.WindowFrom, r.WindowTo
			e.WindowFrom, e.WindowTo = &from, &to
		}
		out.Callbacks = append(out.Callbacks, e)
	}
	return out, nil
}
