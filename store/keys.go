package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"confidant/counselling"
	"confidant/counselling/vault"
)

// RotateKeys moves the database to next's keys in one transaction: every data
// key is re-wrapped with the new key-encryption key, every nickname's blind
// index is computed again with the new index key (the nickname is sealed, so
// each is opened with its own data key), and the key check is re-sealed, so
// that from the commit on only next opens the database. The sealed data itself
// is not re-encrypted.
//
// Renewing the index key is what makes shredding the retired keys final: an
// old backup holds indexes under the old index key only, so today's index key
// cannot confirm that a guessed nickname ever had an account there.
//
// Accounts whose data key was already destroyed by an unfinished deletion
// cannot be re-indexed; they get a random index, which finds nothing, and the
// next purge removes them.
func (db *DB) RotateKeys(ctx context.Context, next *vault.Keyring) (int, error) {
	n := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, data_key, nickname FROM accounts`)
		if err != nil {
			return fmt.Errorf("list data keys: %w", err)
		}
		type account struct {
			id            string
			key, nickname []byte
		}
		var all []account
		for rows.Next() {
			var a account
			if err := rows.Scan(&a.id, &a.key, &a.nickname); err != nil {
				rows.Close()
				return fmt.Errorf("read data key: %w", err)
			}
			all = append(all, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range all {
			rewrapped, index, err := db.rekeyAccount(next, a.id, a.key, a.nickname)
			if errors.Is(err, errKeyDestroyed) {
				if _, err := tx.ExecContext(ctx, `UPDATE accounts SET nickname_index = randomblob(32) WHERE id = ?`, a.id); err != nil {
					return fmt.Errorf("clear index of a deleted account: %w", err)
				}
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE accounts SET data_key = ?, nickname_index = ? WHERE id = ?`, rewrapped, index, a.id); err != nil {
				return fmt.Errorf("store rewrapped key: %w", err)
			}
			n++
		}
		canary, err := next.SealSystem([]byte(canaryText), canaryLocation)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE keyring_check SET kek_id = ?, kek_canary = ?, index_check = ? WHERE id = 1`,
			next.KEKID(), canary, next.BlindIndex("check", canaryText))
		return err
	})
	if err != nil {
		return 0, err
	}
	db.keys = next
	return n, db.Checkpoint(ctx)
}

var errKeyDestroyed = errors.New("data key destroyed")

// rekeyAccount returns an account's data key wrapped for next and its
// nickname's blind index under next.
func (db *DB) rekeyAccount(next *vault.Keyring, id string, wrapped, sealedNickname []byte) ([]byte, []byte, error) {
	key, err := db.keys.UnwrapDataKey(id, wrapped)
	if err != nil {
		return nil, nil, errKeyDestroyed
	}
	nickname, err := sealer{key: key, table: "accounts", row: id}.open("nickname", sealedNickname)
	if err != nil {
		return nil, nil, err
	}
	normalized, err := counselling.NormalizeNickname(nickname)
	if err != nil {
		return nil, nil, fmt.Errorf("normalize a stored nickname for its new index: %w", err)
	}
	rewrapped, err := next.Rewrap(db.keys, id, wrapped)
	if err != nil {
		return nil, nil, err
	}
	return rewrapped, next.BlindIndex(nicknameDomain, normalized), nil
}
