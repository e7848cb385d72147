package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

// accountKey unwraps the data key of an account.
func (db *DB) accountKey(ctx context.Context, tx *sql.Tx, accountID string) (*vault.Key, error) {
	var wrapped []byte
	if err := tx.QueryRowContext(ctx, `SELECT data_key FROM accounts WHERE id = ?`, accountID).Scan(&wrapped); err != nil {
		if err == sql.ErrNoRows {
			return nil, notFound("The account")
		}
		return nil, fmt.Errorf("read data key: %w", err)
	}
	return db.keys.UnwrapDataKey(accountID, wrapped)
}

// storedSubscription is one device's subscription, opened.
type storedSubscription struct {
	id      int64
	sub     counselling.PushSubscription
	created int64
}

// subscriptions opens every push subscription of an account, oldest first.
func (db *DB) subscriptions(ctx context.Context, tx *sql.Tx, accountID string, key *vault.Key) ([]storedSubscription, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, subscription, created_at FROM push_subscriptions WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list push subscriptions: %w", err)
	}
	defer rows.Close()
	var out []storedSubscription
	for rows.Next() {
		var s storedSubscription
		var sealed []byte
		if err := rows.Scan(&s.id, &sealed, &s.created); err != nil {
			return nil, fmt.Errorf("read push subscription: %w", err)
		}
		if s.sub, err = openSubscription(key, s.id, sealed); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func openSubscription(key *vault.Key, id int64, sealed []byte) (counselling.PushSubscription, error) {
	var sub counselling.PushSubscription
	plain, err := sealer{key: key, table: "push_subscriptions", row: strconv.FormatInt(id, 10)}.open("subscription", sealed)
	if err != nil {
		return sub, err
	}
	if err := json.Unmarshal([]byte(plain), &sub); err != nil {
		return sub, fmt.Errorf("decode push subscription: %w", err)
	}
	return sub, nil
}

// AddPushSubscription lets one more device of a help-seeker receive
// notifications. A device that opts in again replaces its old subscription;
// beyond counselling.MaxPushDevices the device that opted in first gives way.
func (db *DB) AddPushSubscription(ctx context.Context, accountID string, sub counselling.PushSubscription) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	plain, err := json.Marshal(sub)
	if err != nil {
		return fmt.Errorf("encode push subscription: %w", err)
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		key, err := db.accountKey(ctx, tx, accountID)
		if err != nil {
			return err
		}
		existing, err := db.subscriptions(ctx, tx, accountID, key)
		if err != nil {
			return err
		}
		kept := 0
		for _, s := range existing {
			if s.sub.Endpoint == sub.Endpoint {
				if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = ?`, s.id); err != nil {
					return fmt.Errorf("replace push subscription: %w", err)
				}
				continue
			}
			kept++
		}
		for _, s := range existing {
			if kept < counselling.MaxPushDevices {
				break
			}
			if s.sub.Endpoint == sub.Endpoint {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = ?`, s.id); err != nil {
				return fmt.Errorf("drop oldest push subscription: %w", err)
			}
			kept--
		}
		var id int64
		if err := tx.QueryRowContext(ctx, db.eng.nextID("push_subscriptions")).Scan(&id); err != nil {
			return fmt.Errorf("next push subscription id: %w", err)
		}
		sealed, err := sealer{key: key, table: "push_subscriptions", row: strconv.FormatInt(id, 10)}.seal("subscription", string(plain))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO push_subscriptions (id, account_id, subscription, created_at) VALUES (?, ?, ?, ?)`,
			id, accountID, sealed, db.now().Unix()); err != nil {
			return fmt.Errorf("add push subscription: %w", err)
		}
		return nil
	})
}

// PushDevices counts the devices of an account that receive notifications.
func (db *DB) PushDevices(ctx context.Context, accountID string) (int, error) {
	var n int
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM push_subscriptions WHERE account_id = ?`, accountID).Scan(&n); err != nil {
			return fmt.Errorf("count push subscriptions: %w", err)
		}
		return nil
	})
	return n, err
}

// RemovePushSubscription stops notifications to the device with endpoint,
// and drops those still waiting for it. It reports whether the account had
// such a device.
func (db *DB) RemovePushSubscription(ctx context.Context, accountID, endpoint string) (bool, error) {
	removed := false
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		key, err := db.accountKey(ctx, tx, accountID)
		if err != nil {
			return err
		}
		existing, err := db.subscriptions(ctx, tx, accountID, key)
		if err != nil {
			return err
		}
		for _, s := range existing {
			if s.sub.Endpoint != endpoint {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = ?`, s.id); err != nil {
				return fmt.Errorf("remove push subscription: %w", err)
			}
			removed = true
		}
		return nil
	})
	return removed, err
}

// RemovePushSubscriptions stops notifications to every device of an account.
func (db *DB) RemovePushSubscriptions(ctx context.Context, accountID string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return removePushSubscriptions(ctx, tx, accountID)
	})
}

func removePushSubscriptions(ctx context.Context, tx *sql.Tx, accountID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE account_id = ?`, accountID); err != nil {
		return fmt.Errorf("remove push subscriptions: %w", err)
	}
	return nil
}

// PushGone removes a subscription the push service no longer knows, with the
// notifications still waiting for it.
func (db *DB) PushGone(ctx context.Context, subscriptionID int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = ?`, subscriptionID); err != nil {
			return fmt.Errorf("remove gone push subscription: %w", err)
		}
		return nil
	})
}

// enqueuePushes queues a notification without content to every device of an
// account. The outbox row refers to the subscription rather than copying it,
// so that a device that opts out takes its waiting notifications with it.
func (db *DB) enqueuePushes(ctx context.Context, tx *sql.Tx, officeID int64, accountID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM push_subscriptions WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return fmt.Errorf("list push subscriptions: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("read push subscription: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list push subscriptions: %w", err)
	}
	now := db.now().Unix()
	for _, sub := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (office_id, account_id, kind, subscription_id, created_at, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?)`, officeID, accountID, string(counselling.NoticePush), sub, now, now); err != nil {
			return fmt.Errorf("queue push: %w", err)
		}
	}
	return nil
}

// exportDevices lists the devices of an account that receive notifications,
// for its export.
func (db *DB) exportDevices(ctx context.Context, tx *sql.Tx, accountID string) ([]counselling.ExportDevice, error) {
	key, err := db.accountKey(ctx, tx, accountID)
	if err != nil {
		return nil, err
	}
	subs, err := db.subscriptions(ctx, tx, accountID, key)
	if err != nil {
		return nil, err
	}
	var out []counselling.ExportDevice
	for _, s := range subs {
		out = append(out, counselling.ExportDevice{Endpoint: s.sub.Endpoint, Since: time.Unix(s.created, 0).UTC()})
	}
	return out, nil
}
