package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"confidant/counselling"
)

// notify queues a notice of kind to an account: for the kinds
// counselling.PushFor names, a notification without content to each device
// that opted in, and with mail (the office sends mail) a mail if the account
// has an email address.
func (db *DB) notify(ctx context.Context, tx *sql.Tx, officeID int64, accountID string, kind counselling.NoticeKind, mail bool) error {
	if counselling.PushFor(kind) {
		if err := db.enqueuePushes(ctx, tx, officeID, accountID); err != nil {
			return err
		}
	}
	if !mail {
		return nil
	}
	return db.enqueue(ctx, tx, officeID, accountID, kind)
}

// enqueue queues a notification mail of kind to an account, if it has an
// email address. The address is sealed again for the outbox row, under the
// account's key, and cleared from the row once the mail is sent or given up.
func (db *DB) enqueue(ctx context.Context, tx *sql.Tx, officeID int64, accountID string, kind counselling.NoticeKind) error {
	return db.enqueueWith(ctx, tx, officeID, accountID, kind, "")
}

// enqueueWith is enqueue for a mail that carries a one-time link token, which
// the outbox row holds sealed like the address, and forgets with it.
func (db *DB) enqueueWith(ctx context.Context, tx *sql.Tx, officeID int64, accountID string, kind counselling.NoticeKind, linkToken string) error {
	var wrapped, email []byte
	if err := tx.QueryRowContext(ctx, `SELECT data_key, email FROM accounts WHERE id = ?`, accountID).Scan(&wrapped, &email); err != nil {
		return fmt.Errorf("read recipient: %w", err)
	}
	if email == nil {
		return nil
	}
	key, err := db.keys.UnwrapDataKey(accountID, wrapped)
	if err != nil {
		return err
	}
	address, err := sealer{key: key, table: "accounts", row: accountID}.open("email", email)
	if err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, db.eng.nextID("outbox")).Scan(&id); err != nil {
		return fmt.Errorf("next outbox id: %w", err)
	}
	rowSealer := sealer{key: key, table: "outbox", row: strconv.FormatInt(id, 10)}
	sealed, err := rowSealer.seal("recipient", address)
	if err != nil {
		return err
	}
	link, err := rowSealer.seal("link", linkToken)
	if err != nil {
		return err
	}
	now := db.now().Unix()
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, office_id, account_id, kind, recipient, link, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, officeID, accountID, string(kind), sealed, link, now, now); err != nil {
		return fmt.Errorf("queue notification: %w", err)
	}
	return nil
}

// DueNotices returns up to limit notifications whose next attempt is due, with
// their addresses (or devices' subscriptions) decrypted for the sender. Mails
// are among them only when mails is true: an office without a mail server
// still sends to devices.
//
// On PostgreSQL the outbox workers of several nodes ask at once: each claims
// the notifications it returns, putting their next attempt claimLease ahead,
// so that no other node sends them meanwhile; sending records the outcome
// (NoticeSent, NoticeFailed), and a node that dies before leaves them to
// another once the lease is over.
func (db *DB) DueNotices(ctx context.Context, limit int, mails bool) ([]counselling.Outgoing, error) {
	var out []counselling.Outgoing
	if db.eng != enginePostgres {
		err := db.readTx(ctx, func(tx *sql.Tx) error {
			var err error
			out, err = db.dueNotices(ctx, tx, limit, mails)
			return err
		})
		return out, err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = db.dueNotices(ctx, tx, limit, mails); err != nil {
			return err
		}
		lease := db.now().Add(claimLease).Unix()
		for _, n := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE id = ?`, lease, n.ID); err != nil {
				return fmt.Errorf("claim notice: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// claimLease is how long a notification a node's worker took stays its own.
const claimLease = 2 * time.Minute

func (db *DB) dueNotices(ctx context.Context, tx *sql.Tx, limit int, mails bool) ([]counselling.Outgoing, error) {
	var out []counselling.Outgoing
	rows, err := tx.QueryContext(ctx, `SELECT o.id, o.office_id, o.kind, o.recipient, o.link, o.attempts, o.created_at, a.id, a.data_key, a.lang,
			o.subscription_id, p.subscription, a.kind = 'staff', a.easy_language, f.formal_german, f.easy_language
		FROM outbox o JOIN accounts a ON a.id = o.account_id JOIN offices f ON f.id = o.office_id
		LEFT JOIN push_subscriptions p ON p.id = o.subscription_id
		WHERE o.sent_at IS NULL AND o.given_up_at IS NULL AND o.next_attempt_at <= ? AND (? OR o.kind = ?)
		ORDER BY o.next_attempt_at, o.id LIMIT ?`+db.eng.claimRows("o"), db.now().Unix(), mails, string(counselling.NoticePush), limit)
	if err != nil {
		return nil, fmt.Errorf("list due notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n counselling.Outgoing
		var recipient, link, wrapped, subscription []byte
		var accountID string
		var created int64
		var subscriptionID sql.NullInt64
		var staff, easy bool
		var speech counselling.LanguageSettings
		if err := rows.Scan(&n.ID, &n.OfficeID, &n.Kind, &recipient, &link, &n.Attempts, &created, &accountID, &wrapped, &n.Lang,
			&subscriptionID, &subscription, &staff, &easy, &speech.FormalGerman, &speech.EasyLanguage); err != nil {
			return nil, fmt.Errorf("read notice: %w", err)
		}
		// A mail speaks the form of its reader's language: "Sie" where the
		// office chose it, easy language where the help-seeker reads it.
		n.Register = speech.RegisterFor(n.Lang, easy, staff)
		n.CreatedAt = time.Unix(created, 0).UTC()
		key, err := db.keys.UnwrapDataKey(accountID, wrapped)
		if err != nil {
			return nil, err
		}
		if n.Kind == counselling.NoticePush {
			sub, err := openSubscription(key, subscriptionID.Int64, subscription)
			if err != nil {
				return nil, err
			}
			n.SubscriptionID, n.Push = subscriptionID.Int64, &sub
			out = append(out, n)
			continue
		}
		rowSealer := sealer{key: key, table: "outbox", row: strconv.FormatInt(n.ID, 10)}
		if n.Recipient, err = rowSealer.open("recipient", recipient); err != nil {
			return nil, err
		}
		if link != nil {
			if n.Link, err = rowSealer.open("link", link); err != nil {
				return nil, err
			}
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NoticeSent records a delivered notification and forgets its address.
func (db *DB) NoticeSent(ctx context.Context, id int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, recipient = NULL, link = NULL, last_error = NULL WHERE id = ?`, db.now().Unix(), id)
		if err != nil {
			return fmt.Errorf("mark notice sent: %w", err)
		}
		return nil
	})
}

// NoticeFailed records a failed attempt: the notice is tried again after a
// growing pause, or given up (and its address forgotten) once it is too old.
// reason must hold no personal data.
func (db *DB) NoticeFailed(ctx context.Context, n counselling.Outgoing, reason string) (gaveUp bool, err error) {
	now := db.now()
	gaveUp = counselling.NoticeGivenUp(n.Kind, n.CreatedAt, now)
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if gaveUp {
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, given_up_at = ?, recipient = NULL, link = NULL, last_error = ?
				WHERE id = ?`, now.Unix(), reason, n.ID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`,
				now.Add(counselling.NoticeBackoff(n.Attempts+1)).Unix(), reason, n.ID)
		}
		if err != nil {
			return fmt.Errorf("record notice failure: %w", err)
		}
		return nil
	})
	return gaveUp, err
}
