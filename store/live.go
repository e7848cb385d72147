package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

// LiveState is the live state that every node of an office shares
// (live.Shared), kept in the database for offices of several nodes on one
// PostgreSQL. Each node counts its own open connections under its name and
// beats (Beat); a node that stopped beating for NodeGone counts no more, so
// that the connections of a node that died go with it.
type LiveState struct {
	db   *DB
	node string
}

// NodeGone is how long a node may miss its beat before its connections no
// longer count. Nodes beat every NodeBeat.
const (
	NodeGone = 30 * time.Second
	NodeBeat = 10 * time.Second
)

// LiveState returns the shared live state as the node named node sees it.
func (db *DB) LiveState(node string) *LiveState { return &LiveState{db: db, node: node} }

// Beat records that the node is alive, and forgets what nodes that died and
// values that expired left behind.
func (s *LiveState) Beat(ctx context.Context) error {
	now := s.db.now().Unix()
	gone := now - int64(NodeGone/time.Second)
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO live_nodes (node, seen_at) VALUES (?, ?)
			ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at`, s.node, now); err != nil {
			return fmt.Errorf("beat: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM live_tallies WHERE node IN (SELECT node FROM live_nodes WHERE seen_at < ?)`, gone); err != nil {
			return fmt.Errorf("forget dead nodes' connections: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM live_nodes WHERE seen_at < ?`, gone); err != nil {
			return fmt.Errorf("forget dead nodes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM live_values WHERE expires_at <> 0 AND expires_at <= ?`, now); err != nil {
			return fmt.Errorf("forget expired live values: %w", err)
		}
		return nil
	})
}

// Join implements live.Shared.
func (s *LiveState) Join(ctx context.Context, key string) error {
	now := s.db.now().Unix()
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		// A node that joins is alive, also before its first beat.
		if _, err := tx.ExecContext(ctx, `INSERT INTO live_nodes (node, seen_at) VALUES (?, ?)
			ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at`, s.node, now); err != nil {
			return fmt.Errorf("join: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO live_tallies (node, key, n) VALUES (?, ?, 1)
			ON CONFLICT (node, key) DO UPDATE SET n = live_tallies.n + 1`, s.node, key); err != nil {
			return fmt.Errorf("join: %w", err)
		}
		return nil
	})
}

// Leave implements live.Shared.
func (s *LiveState) Leave(ctx context.Context, key string) error {
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE live_tallies SET n = n - 1 WHERE node = ? AND key = ?`, s.node, key); err != nil {
			return fmt.Errorf("leave: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM live_tallies WHERE node = ? AND key = ? AND n <= 0`, s.node, key); err != nil {
			return fmt.Errorf("leave: %w", err)
		}
		return nil
	})
}

// Count implements live.Shared: the connections of nodes seen lately.
func (s *LiveState) Count(ctx context.Context, key string) (int, error) {
	since := s.db.now().Unix() - int64(NodeGone/time.Second)
	var n int64
	err := s.db.read.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT) FROM live_tallies t
		JOIN live_nodes d ON d.node = t.node WHERE t.key = ? AND d.seen_at >= ?`, key, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count connections: %w", err)
	}
	return int(n), nil
}

func liveValueLocation(key string) vault.Location {
	return vault.Location{Table: "live_values", Column: "value", Row: key}
}

// Put implements live.Shared; the value is sealed, bound to its key.
func (s *LiveState) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkSealed("live_values", "value"); err != nil {
		return err
	}
	sealed, err := s.db.keys.SealSystem(value, liveValueLocation(key))
	if err != nil {
		return fmt.Errorf("seal live value: %w", err)
	}
	var expires int64
	if ttl > 0 {
		expires = s.db.now().Add(ttl + time.Second - 1).Unix()
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO live_values (key, value, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`, key, sealed, expires); err != nil {
			return fmt.Errorf("keep live value: %w", err)
		}
		return nil
	})
}

func (s *LiveState) open(key string, sealed []byte, expires int64) ([]byte, error) {
	if expires != 0 && expires <= s.db.now().Unix() {
		return nil, nil
	}
	v, err := s.db.keys.OpenSystem(sealed, liveValueLocation(key))
	if err != nil {
		return nil, fmt.Errorf("open live value: %w", err)
	}
	return v, nil
}

// Get implements live.Shared.
func (s *LiveState) Get(ctx context.Context, key string) ([]byte, error) {
	var sealed []byte
	var expires int64
	err := s.db.read.QueryRowContext(ctx, `SELECT value, expires_at FROM live_values WHERE key = ?`, key).Scan(&sealed, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read live value: %w", err)
	}
	return s.open(key, sealed, expires)
}

// Take implements live.Shared: the row is deleted and returned in one
// statement, so that of two nodes taking at once only one gets it.
func (s *LiveState) Take(ctx context.Context, key string) ([]byte, error) {
	var sealed []byte
	var expires int64
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM live_values WHERE key = ? RETURNING value, expires_at`, key).Scan(&sealed, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			sealed = nil
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("take live value: %w", err)
	}
	if sealed == nil {
		return nil, nil
	}
	return s.open(key, sealed, expires)
}

// Update implements live.Shared, in one write transaction: on SQLite the
// single writer runs it alone; on PostgreSQL a transaction that raced
// another's is run again, fn with it.
func (s *LiveState) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	if err := checkSealed("live_values", "value"); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		var sealed []byte
		var expires int64
		var old []byte
		err := tx.QueryRowContext(ctx, `SELECT value, expires_at FROM live_values WHERE key = ?`, key).Scan(&sealed, &expires)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read live value: %w", err)
		default:
			if old, err = s.open(key, sealed, expires); err != nil {
				return err
			}
		}
		v, err := fn(old)
		if err != nil {
			return err
		}
		if v == nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM live_values WHERE key = ?`, key); err != nil {
				return fmt.Errorf("forget live value: %w", err)
			}
			return nil
		}
		if sealed, err = s.db.keys.SealSystem(v, liveValueLocation(key)); err != nil {
			return fmt.Errorf("seal live value: %w", err)
		}
		expires = 0
		if ttl > 0 {
			expires = s.db.now().Add(ttl + time.Second - 1).Unix()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO live_values (key, value, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`, key, sealed, expires); err != nil {
			return fmt.Errorf("keep live value: %w", err)
		}
		return nil
	})
}

// Delete implements live.Shared.
func (s *LiveState) Delete(ctx context.Context, key string) error {
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM live_values WHERE key = ?`, key); err != nil {
			return fmt.Errorf("forget live value: %w", err)
		}
		return nil
	})
}

// Scan implements live.Shared.
func (s *LiveState) Scan(ctx context.Context, prefix string) (map[string][]byte, error) {
	now := s.db.now().Unix()
	rows, err := s.db.read.QueryContext(ctx, `SELECT key, value, expires_at FROM live_values
		WHERE substr(key, 1, ?) = ? AND (expires_at = 0 OR expires_at > ?)`, len(prefix), prefix, now)
	if err != nil {
		return nil, fmt.Errorf("scan live values: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var key string
		var sealed []byte
		var expires int64
		if err := rows.Scan(&key, &sealed, &expires); err != nil {
			return nil, fmt.Errorf("scan live values: %w", err)
		}
		v, err := s.open(key, sealed, expires)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[key] = v
		}
	}
	return out, rows.Err()
}

func guessKeyLocation(day int64) vault.Location {
	return vault.Location{Table: "guess_keys", Column: "key", Row: fmt.Sprint(day)}
}

// GuessKey returns the day's random key for the login limiter's hashes of
// clients. The first node to ask makes it; the others read the same one.
func (db *DB) GuessKey(ctx context.Context, day int64) ([]byte, error) {
	if err := checkSealed("guess_keys", "key"); err != nil {
		return nil, err
	}
	fresh := make([]byte, 32)
	if _, err := io.ReadFull(db.rand, fresh); err != nil {
		return nil, fmt.Errorf("new guess key: %w", err)
	}
	sealed, err := db.keys.SealSystem(fresh, guessKeyLocation(day))
	if err != nil {
		return nil, fmt.Errorf("seal guess key: %w", err)
	}
	var kept []byte
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO guess_keys (day, key) VALUES (?, ?) ON CONFLICT (day) DO NOTHING`, day, sealed); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT key FROM guess_keys WHERE day = ?`, day).Scan(&kept)
	})
	if err != nil {
		return nil, fmt.Errorf("keep guess key: %w", err)
	}
	key, err := db.keys.OpenSystem(kept, guessKeyLocation(day))
	if err != nil {
		return nil, fmt.Errorf("open guess key: %w", err)
	}
	return key, nil
}

// SpendGuess refills the client's token bucket at perSecond up to burst and
// spends one token, in one statement, so that nodes spending from the same
// bucket at once each see the other's spending. It reports how long to wait
// when the bucket holds less than one token.
func (db *DB) SpendGuess(ctx context.Context, client [32]byte, now time.Time, perSecond, burst float64) (time.Duration, bool, error) {
	ms := now.UnixMilli()
	// The refilled count, from the row's tokens and the time since it was
	// last asked, capped at burst; written out each time it is needed
	// because an UPDATE's SET sees only the row as it was.
	const refill = `(CASE WHEN guess_buckets.tokens + (CAST(? AS BIGINT) - guess_buckets.last_ms) * CAST(? AS DOUBLE PRECISION) / 1000.0 > CAST(? AS DOUBLE PRECISION)
		THEN CAST(? AS DOUBLE PRECISION)
		ELSE guess_buckets.tokens + (CAST(? AS BIGINT) - guess_buckets.last_ms) * CAST(? AS DOUBLE PRECISION) / 1000.0 END)`
	args := []any{ms, perSecond, burst, burst, ms, perSecond}
	var tokens float64
	var spent int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		q := `INSERT INTO guess_buckets (client, tokens, last_ms, spent) VALUES (?, ?, ?, 1)
			ON CONFLICT (client) DO UPDATE SET
				tokens = CASE WHEN ` + refill + ` >= 1 THEN ` + refill + ` - 1 ELSE ` + refill + ` END,
				spent = CASE WHEN ` + refill + ` >= 1 THEN 1 ELSE 0 END,
				last_ms = excluded.last_ms
			RETURNING tokens, spent`
		all := []any{client[:], burst - 1, ms}
		for range 4 {
			all = append(all, args...)
		}
		return tx.QueryRowContext(ctx, q, all...).Scan(&tokens, &spent)
	})
	if err != nil {
		return 0, false, fmt.Errorf("spend a guess: %w", err)
	}
	if spent == 1 {
		return 0, true, nil
	}
	return time.Duration((1 - tokens) / perSecond * float64(time.Second)), false, nil
}

// ForgetGuesses forgets the buckets idle since before, the keys of the days
// before day, with which yesterday's hashes could be made again, and the
// counts of wrong passwords whose window has passed.
func (db *DB) ForgetGuesses(ctx context.Context, before time.Time, day int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM guess_buckets WHERE last_ms < ?`, before.UnixMilli()); err != nil {
			return fmt.Errorf("forget guesses: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM guess_keys WHERE day < ?`, day); err != nil {
			return fmt.Errorf("forget guess keys: %w", err)
		}
		// Counts of wrong passwords go once their window has passed.
		old := db.now().Add(-counselling.FailureWindow).Unix()
		if _, err := tx.ExecContext(ctx, `DELETE FROM guess_failures WHERE last_at <= ?`, old); err != nil {
			return fmt.Errorf("forget guesses: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM guess_networks WHERE last_at <= ?`, old); err != nil {
			return fmt.Errorf("forget guessing networks: %w", err)
		}
		return nil
	})
}

// The counts of wrong passwords per client (or network) and account, and the
// networks that failed against each account lately (auth.Guesses), for
// offices of several nodes, where a guesser's next try may reach another
// node. Clients and networks are keyed hashes made with the day's guess key;
// a pair is known only by a hash of that hash and the account.

func guessPair(pair [32]byte, accountID string) []byte {
	h := sha256.New()
	h.Write(pair[:])
	h.Write([]byte(accountID))
	return h.Sum(nil)
}

// PairFailures implements auth.Guesses.
func (db *DB) PairFailures(ctx context.Context, pair [32]byte, accountID string) (counselling.Failures, error) {
	var f counselling.Failures
	var since, last int64
	err := db.read.QueryRowContext(ctx, `SELECT n, since, last_at FROM guess_failures WHERE pair = ?`,
		guessPair(pair, accountID)).Scan(&f.Count, &since, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return counselling.Failures{}, nil
	}
	if err != nil {
		return f, fmt.Errorf("read guesses: %w", err)
	}
	f.Since, f.Last = time.Unix(since, 0), time.Unix(last, 0)
	return f, nil
}

// AddPairFailure implements auth.Guesses: the count is read and written in
// one transaction, by the domain's rule.
func (db *DB) AddPairFailure(ctx context.Context, pair [32]byte, accountID string, now time.Time) error {
	key := guessPair(pair, accountID)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var f counselling.Failures
		var since, last int64
		err := tx.QueryRowContext(ctx, `SELECT n, since, last_at FROM guess_failures WHERE pair = ?`, key).Scan(&f.Count, &since, &last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read guesses: %w", err)
		}
		if err == nil {
			f.Since, f.Last = time.Unix(since, 0), time.Unix(last, 0)
		}
		f = f.AddPasswordFailure(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO guess_failures (pair, n, since, last_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (pair) DO UPDATE SET n = excluded.n, since = excluded.since, last_at = excluded.last_at`,
			key, f.Count, f.Since.Unix(), f.Last.Unix()); err != nil {
			return fmt.Errorf("count a guess: %w", err)
		}
		return nil
	})
}

// ForgetPair implements auth.Guesses.
func (db *DB) ForgetPair(ctx context.Context, pair [32]byte, accountID string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM guess_failures WHERE pair = ?`, guessPair(pair, accountID)); err != nil {
			return fmt.Errorf("forget guesses: %w", err)
		}
		return nil
	})
}

func countNetworks(ctx context.Context, q querier, accountID string, now time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM guess_networks WHERE account_id = ? AND last_at > ?`,
		accountID, now.Add(-counselling.FailureWindow).Unix()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count guessing networks: %w", err)
	}
	return n, nil
}

// Networks implements auth.Guesses.
func (db *DB) Networks(ctx context.Context, accountID string, now time.Time) (int, error) {
	return countNetworks(ctx, db.read, accountID, now)
}

// AddNetwork implements auth.Guesses.
func (db *DB) AddNetwork(ctx context.Context, accountID string, network [32]byte, now time.Time) (int, error) {
	var n int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO guess_networks (account_id, network, last_at) VALUES (?, ?, ?)
			ON CONFLICT (account_id, network) DO UPDATE SET last_at = excluded.last_at`, accountID, network[:], now.Unix()); err != nil {
			return fmt.Errorf("record a guessing network: %w", err)
		}
		var err error
		n, err = countNetworks(ctx, tx, accountID, now)
		return err
	})
	return n, err
}
