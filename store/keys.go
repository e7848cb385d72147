package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

// RotateKeys moves the database to next's keys in one transaction: every data
// key is re-wrapped with the new key-encryption key, every nickname's blind
// index is computed again with the new index key (the nickname is sealed, so
// each is opened with its own data key), and the key check is re-sealed, so
// that from the commit on only next opens the database. Every other value
// sealed under master.key is sealed again under next, or cleared where
// systemRows says so. The sealed data itself is not re-encrypted.
//
// It refuses while a node of the office runs (NodesRunningError): a node
// still holding the old keys would wrap the data keys of accounts made on
// it under the retired master.key, and those accounts could not be read
// once every node has the new key files.
//
// Renewing the index key is what makes shredding the retired keys final: an
// old backup holds indexes under the old index key only, so today's index key
// cannot confirm that a guessed nickname ever had an account there.
//
// Accounts whose data key was already destroyed by an unfinished deletion
// cannot be re-indexed; they get a random index, which finds nothing, and the
// next purge removes them.
func (db *DB) RotateKeys(ctx context.Context, next *vault.Keyring) (int, error) {
	// A node that starts meanwhile waits for the rotation at its migrations,
	// and then opens the database only with the new keys.
	unlock, err := db.lockCluster(ctx, "migrate", true)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := refuseRunningNodes(ctx, tx, db.now()); err != nil {
			return err
		}
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
		if err := db.resealSystemValues(ctx, tx, next); err != nil {
			return err
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

// resealSystemValues seals every value sealed under master.key (the data
// keys aside) again under next, or deletes a table's values where
// systemRows says the rotation clears them.
func (db *DB) resealSystemValues(ctx context.Context, tx *sql.Tx, next *vault.Keyring) error {
	for _, c := range sealedColumns {
		if c.under != underMasterKey || (c.table == "accounts" && c.column == "data_key") {
			continue
		}
		r, ok := systemRows[c.table]
		if !ok {
			return fmt.Errorf("no rule says which row binds %s.%s, sealed under master.key", c.table, c.column)
		}
		if r.clearAtRotation {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+c.table); err != nil {
				return fmt.Errorf("clear %s: %w", c.table, err)
			}
			continue
		}
		values, err := systemValues(ctx, tx, c)
		if err != nil {
			return err
		}
		for _, v := range values {
			loc := vault.Location{Table: c.table, Column: c.column, Row: v.row}
			plain, err := db.keys.OpenSystem(v.sealed, loc)
			if err != nil {
				return fmt.Errorf("a value of %s.%s does not open with master.key: %w", c.table, c.column, err)
			}
			sealed, err := next.SealSystem(plain, loc)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.column+` = ? WHERE `+r.row+` = ?`, sealed, v.row); err != nil {
				return fmt.Errorf("seal %s.%s again: %w", c.table, c.column, err)
			}
		}
	}
	return nil
}

// NodesRunningError is RotateKeys's refusal while nodes of the office have
// beaten lately: each node's name and how long ago it was last seen, and
// how long to wait before the last of them counts as stopped.
type NodesRunningError struct {
	Nodes []RunningNode
	Wait  time.Duration
}

// RunningNode is a node seen lately.
type RunningNode struct {
	Name string
	Seen time.Duration // how long ago
}

func (e *NodesRunningError) Error() string {
	var b strings.Builder
	if len(e.Nodes) == 1 {
		b.WriteString("1 node of this office is running, or stopped less than ")
	} else {
		fmt.Fprintf(&b, "%d nodes of this office are running, or stopped less than ", len(e.Nodes))
	}
	fmt.Fprintf(&b, "%d seconds ago:", int(NodeGone/time.Second))
	for _, n := range e.Nodes {
		fmt.Fprintf(&b, " %s (last seen %d seconds ago)", n.Name, int(n.Seen/time.Second))
	}
	fmt.Fprintf(&b, ". Stop every node first (every confidant serve on this database): a node that still holds the old keys "+
		"would wrap the keys of new accounts under the retired master.key. A stopped node counts as gone %d seconds after "+
		"its last sign of life, so once every node is stopped, try again in %d seconds.",
		int(NodeGone/time.Second), int(e.Wait/time.Second))
	return b.String()
}

// refuseRunningNodes returns a NodesRunningError if a node has beaten
// within NodeGone of now. Only nodes on PostgreSQL beat; a SQLite office's
// one process holds the lock file of its data folder instead.
func refuseRunningNodes(ctx context.Context, tx *sql.Tx, now time.Time) error {
	since := now.Unix() - int64(NodeGone/time.Second)
	rows, err := tx.QueryContext(ctx, `SELECT node, seen_at FROM live_nodes WHERE seen_at >= ? ORDER BY node`, since)
	if err != nil {
		return fmt.Errorf("list running nodes: %w", err)
	}
	defer rows.Close()
	refusal := &NodesRunningError{}
	for rows.Next() {
		var name string
		var seen int64
		if err := rows.Scan(&name, &seen); err != nil {
			return fmt.Errorf("list running nodes: %w", err)
		}
		ago := time.Duration(max(now.Unix()-seen, 0)) * time.Second
		refusal.Nodes = append(refusal.Nodes, RunningNode{Name: name, Seen: ago})
		// Seen at second s, the node counts as gone once the time is past
		// s + NodeGone (Beat forgets nodes with seen_at < now - NodeGone).
		refusal.Wait = max(refusal.Wait, NodeGone-ago+time.Second)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list running nodes: %w", err)
	}
	if len(refusal.Nodes) == 0 {
		return nil
	}
	return refusal
}
