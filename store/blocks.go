package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

var (
	errAlreadyBlocked  = counselling.Errorf(counselling.EConflict, "This help-seeker's account is already blocked.")
	errGuestNotBlocked = counselling.Errorf(counselling.EInvalid, "A guest has no account to block; their chat ends when it is closed.")
	errNoSuchSeeker    = counselling.FieldError("nickname", "No help-seeker's account of this office has this nickname.")
)

// mayStart applies counselling.MayStartConversation to a help-seeker about
// to open an enquiry (enquiry true) or a live chat: the office's limit on open
// enquiries counts their mail conversations that are not closed.
func (db *DB) mayStart(ctx context.Context, tx *sql.Tx, c counselling.Caller, enquiry bool) error {
	var blocked bool
	open, limit := -1, 0
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM blocks WHERE account_id = a.id),
		(SELECT count(*) FROM threads t WHERE t.seeker_id = a.id AND t.channel = 'mail' AND t.status != 'closed'),
		o.open_enquiry_limit FROM accounts a JOIN offices o ON o.id = a.office_id WHERE a.id = ?`, c.AccountID).Scan(&blocked, &open, &limit)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("The account")
	}
	if err != nil {
		return fmt.Errorf("read block and open enquiries: %w", err)
	}
	if !enquiry {
		open = -1
	}
	return counselling.MayStartConversation(blocked, open, limit)
}

// MayStart tells a help-seeker whether they may open an enquiry now
// (counselling.MayStartConversation), so that the form can say so before
// anything is written.
func (db *DB) MayStart(ctx context.Context, c counselling.Caller) error {
	if c.Kind != counselling.KindSeeker {
		return nil
	}
	return db.readTx(ctx, func(tx *sql.Tx) error { return db.mayStart(ctx, tx, c, true) })
}

// BlockSeeker blocks the help-seeker of a conversation the caller may read
// (counselling.MayBlock), with a reason sealed under the help-seeker's key so
// that it goes with their account. The audit log records that an account was
// blocked, never whose.
func (db *DB) BlockSeeker(ctx context.Context, c counselling.Caller, threadID, reason string) error {
	if !counselling.MayBlock(c) {
		return errThreadNotFound
	}
	reason, err := counselling.ValidateBlockReason(reason)
	if err != nil {
		return err
	}
	id, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		h, err := db.readableThread(ctx, tx, c, threadID)
		if err != nil {
			return err
		}
		sealed, err := h.ts.at("blocks", id).seal("reason", reason)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO blocks (id, account_id, office_id, blocked_by, reason, created_at)
			SELECT ?, id, office_id, ?, ?, ? FROM accounts WHERE id = ? AND kind = 'seeker' AND guest = 0`,
			id, c.AccountID, sealed, db.now().Unix(), h.seekerID)
		if isUniqueViolation(err) {
			return errAlreadyBlocked
		}
		if err != nil {
			return fmt.Errorf("block account: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errGuestNotBlocked
		}
		return db.audit(ctx, tx, h.officeID, c.AccountID, "blocked a help-seeker's account", "", "")
	})
}

// SeekerBlocked reports whether the help-seeker of a conversation the caller
// may read is blocked.
func (db *DB) SeekerBlocked(ctx context.Context, c counselling.Caller, threadID string) (bool, error) {
	var blocked bool
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		h, err := db.readableThread(ctx, tx, c, threadID)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM blocks WHERE account_id = ?)`, h.seekerID).Scan(&blocked)
	})
	return blocked, err
}

// Blocks lists the blocks of the caller's office with their reasons, for
// supervisors (counselling.MayLiftBlock); others see none.
func (db *DB) Blocks(ctx context.Context, c counselling.Caller) ([]counselling.Block, error) {
	if !counselling.MayLiftBlock(c) {
		return nil, nil
	}
	var out []counselling.Block
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT b.id, b.account_id, a.data_key, a.nickname, coalesce(b.blocked_by, ''), b.reason, b.created_at
			FROM blocks b JOIN accounts a ON a.id = b.account_id WHERE b.office_id = ? ORDER BY b.created_at DESC, b.id`, c.OfficeID)
		if err != nil {
			return fmt.Errorf("list blocks: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var b counselling.Block
			var accountID string
			var wrapped, nickname, reason []byte
			var created int64
			if err := rows.Scan(&b.ID, &accountID, &wrapped, &nickname, &b.BlockedBy, &reason, &created); err != nil {
				return fmt.Errorf("read block: %w", err)
			}
			key, err := db.keys.UnwrapDataKey(accountID, wrapped)
			if err != nil {
				return err
			}
			if b.Reason, err = (sealer{key: key, table: "blocks", row: b.ID}).open("reason", reason); err != nil {
				return err
			}
			if b.Nickname, err = (sealer{key: key, table: "accounts", row: accountID}).open("nickname", nickname); err != nil {
				return err
			}
			b.CreatedAt = time.Unix(created, 0).UTC()
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, err
}

// LiftBlock lifts a block of the caller's office (counselling.MayLiftBlock).
func (db *DB) LiftBlock(ctx context.Context, c counselling.Caller, blockID string) error {
	if !counselling.MayLiftBlock(c) || !validID(blockID) {
		return notFound("The block")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM blocks WHERE id = ? AND office_id = ?`, blockID, c.OfficeID)
		if err != nil {
			return fmt.Errorf("lift block: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("The block")
		}
		return db.audit(ctx, tx, c.OfficeID, c.AccountID, "lifted the block of a help-seeker's account", "", "")
	})
}

// OpenEnquiryLimit is how many open enquiries one account of the office may
// have.
func (db *DB) OpenEnquiryLimit(ctx context.Context, officeID int64) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT open_enquiry_limit FROM offices WHERE id = ?`, officeID).Scan(&n); err != nil {
		return 0, fmt.Errorf("read open enquiry limit: %w", err)
	}
	return n, nil
}

// SetOpenEnquiryLimit sets the office's limit on open enquiries per account,
// as an admin of the office.
func (db *DB) SetOpenEnquiryLimit(ctx context.Context, actor counselling.Caller, n int) error {
	if err := counselling.ValidateOpenEnquiryLimit(n); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		cond, args := adminSQL("id", scope)
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET open_enquiry_limit = ? WHERE `+cond, append([]any{n}, args...)...); err != nil {
			return fmt.Errorf("set open enquiry limit: %w", err)
		}
		return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, "limit on open enquiries changed", "", "")
	})
}

// DeleteOnRequest deletes a help-seeker's account of the caller's office at
// the person's written request (counselling.MayDeleteOnRequest), found by its
// nickname, with the same crypto-shredding as when they delete it
// themselves. The audit log records the deletion without naming the person.
func (db *DB) DeleteOnRequest(ctx context.Context, c counselling.Caller, nickname string) (*counselling.Deletion, error) {
	if !counselling.MayDeleteOnRequest(c) {
		return nil, notFound("The account")
	}
	normalized, err := counselling.NormalizeNickname(nickname)
	if err != nil {
		return nil, errNoSuchSeeker
	}
	var d *counselling.Deletion
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var accountID string
		err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE nickname_index = ? AND office_id = ? AND kind = 'seeker' AND guest = 0`,
			db.nicknameIndex(normalized), c.OfficeID).Scan(&accountID)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSuchSeeker
		}
		if err != nil {
			return fmt.Errorf("find account to delete: %w", err)
		}
		if d, err = db.deleteAccount(ctx, tx, accountID); err != nil {
			return err
		}
		return db.audit(ctx, tx, c.OfficeID, c.AccountID, "deleted a help-seeker's account at their written request", "", "")
	})
	if err != nil {
		return nil, err
	}
	db.afterDeletion(ctx)
	return d, nil
}
