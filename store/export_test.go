package store

import (
	"context"
	"database/sql"
	"time"

	"confidant/counselling"
)

// AfterKeyDestroyed makes fn run where a deletion has overwritten an
// account's data key but not yet deleted its rows. fn receives the data key as
// stored at that moment; an error from fn stops the deletion there.
func (db *DB) AfterKeyDestroyed(fn func(accountID string, wrapped []byte) error) {
	db.keyDestroyed = func(ctx context.Context, q querier, accountID string) error {
		var wrapped []byte
		if err := q.QueryRowContext(ctx, `SELECT data_key FROM accounts WHERE id = ?`, accountID).Scan(&wrapped); err != nil {
			return err
		}
		return fn(accountID, wrapped)
	}
}

// OpensDataKey reports whether wrapped is a data key of account that the
// store's keys open.
func (db *DB) OpensDataKey(accountID string, wrapped []byte) bool {
	_, err := db.keys.UnwrapDataKey(accountID, wrapped)
	return err == nil
}

// SecureDeleteOnEveryConnection reads PRAGMA secure_delete on the writer and
// on every connection the read pool may open, holding them all at once so
// that each is a different connection.
func (db *DB) SecureDeleteOnEveryConnection(ctx context.Context) ([]int, error) {
	var out []int
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for _, pool := range []struct {
		db *sql.DB
		n  int
	}{{db.write, 1}, {db.read, db.read.Stats().MaxOpenConnections}} {
		for range pool.n {
			c, err := pool.db.Conn(ctx)
			if err != nil {
				return nil, err
			}
			conns = append(conns, c)
			var on int
			if err := c.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&on); err != nil {
				return nil, err
			}
			out = append(out, on)
		}
	}
	return out, nil
}

// SealedColumns lists the declared sealed columns as table.column.
func SealedColumns() []string {
	var out []string
	for _, c := range sealedColumns {
		out = append(out, c.table+"."+c.column)
	}
	return out
}

// UnsealedBlobs lists the BLOB columns declared to hold no ciphertext, with
// their reasons.
func UnsealedBlobs() map[string]string {
	out := map[string]string{}
	for k, why := range unsealedBlobs {
		out[k[0]+"."+k[1]] = why
	}
	return out
}

// OptionsUpTo returns options that stop migrating after version, for tests
// that start from a database an older release left.
func OptionsUpTo(o Options, version int) Options {
	o.lastMigration = version
	return o
}

// SchemaColumns lists every table's columns as table.column.
func (db *DB) SchemaColumns(ctx context.Context) ([]string, error) { return db.schemaColumns(ctx) }

// Rebind is the PostgreSQL form of a query.
func Rebind(query string) string { return rebind(query) }

// FailAdvisoryUnlock makes giving back a cluster lock fail, as a broken
// connection would, until the returned function is called.
func FailAdvisoryUnlock() (restore func()) {
	was := advisoryUnlock
	advisoryUnlock = `SELECT CAST(? AS BIGINT) / 0 = 1`
	return func() { advisoryUnlock = was }
}

// twoSerializable begins two serializable transactions of the writers' pool
// at once (PostgreSQL only: SQLite's writer is one connection).
func (db *DB) twoSerializable(ctx context.Context) (a, b *sql.Tx, err error) {
	opts := &sql.TxOptions{Isolation: sql.LevelSerializable}
	if a, err = db.write.BeginTx(ctx, opts); err != nil {
		return nil, nil, err
	}
	if b, err = db.write.BeginTx(ctx, opts); err != nil {
		a.Rollback()
		return nil, nil, err
	}
	return a, b, nil
}

// RaceTallies adds one seeker message to the office's tally of a month in
// two serializable transactions at once, the first on shardA and the second
// on shardB, the way two nodes' messages do: both add before either commits,
// then the first commits, then the second. It returns each one's error.
func (db *DB) RaceTallies(ctx context.Context, officeID int64, year, shardA, shardB int) (errA, errB error) {
	a, b, err := db.twoSerializable(ctx)
	if err != nil {
		return err, nil
	}
	defer a.Rollback()
	defer b.Rollback()
	if err := tallyOn(ctx, a, shardA, officeID, year, "month", "1", 0, 1, 0); err != nil {
		return err, nil
	}
	// On one row the second waits for the first's row lock, so it adds in
	// the background while the first commits.
	added := make(chan error, 1)
	go func() { added <- tallyOn(ctx, b, shardB, officeID, year, "month", "1", 0, 1, 0) }()
	done := false
	select {
	case errB = <-added:
		done = true
	case <-time.After(200 * time.Millisecond):
	}
	errA = a.Commit()
	if !done {
		errB = <-added
	}
	if errB == nil {
		errB = b.Commit()
	}
	return errA, errB
}

// IsRaced reports whether err is PostgreSQL cancelling a transaction that
// raced another.
func IsRaced(err error) bool { return isRaced(err) }

// AddTally adds contacts to a value of a report dimension on one shard row,
// in a write transaction of its own.
func (db *DB) AddTally(ctx context.Context, officeID int64, year, shard int, dim, value string, contacts int) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return tallyOn(ctx, tx, shard, officeID, year, dim, value, contacts, 0, 0)
	})
}

// RaceReplies writes a counsellor's reply to thread a and another's to
// thread b in two serializable transactions open at once, the second
// committing after the first: each numbers its message after the thread's
// last, adds it and counts it in the thread's fact, as Reply does (Reply's
// tally is left out: the tally shard test races those). On PostgreSQL each
// statement runs with the plan made for any value from the statistics the
// database holds (see Analyze), as a node's connections keep it. On SQLite,
// whose writes take turns, they are written one after the other.
func (db *DB) RaceReplies(ctx context.Context, ca, cb counselling.Caller, a, b string) (errA, errB error) {
	reply := func(tx *sql.Tx, c counselling.Caller, id string) error {
		if db.eng == enginePostgres {
			// The plan a node's connection keeps for its prepared statements
			// once the planner finds it no dearer than a fresh one each time.
			if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
				return err
			}
		}
		h, err := db.actOn(ctx, tx, c, counselling.ActReply, id)
		if err != nil {
			return err
		}
		seq, err := db.nextSeq(ctx, tx, id)
		if err != nil {
			return err
		}
		messageID, err := db.newID()
		if err != nil {
			return err
		}
		sealed, err := h.ts.at("messages", messageID).seal("body", "at the same moment")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, thread_id, office_id, from_seeker, author_id, body, status, created_at, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, messageID, id, h.officeID, false, c.AccountID, sealed, counselling.MessageSent, db.now().Unix(), seq); err != nil {
			return err
		}
		return countInFact(ctx, tx, id, false)
	}
	if db.eng != enginePostgres {
		errA = db.writeTx(ctx, func(tx *sql.Tx) error { return reply(tx, ca, a) })
		errB = db.writeTx(ctx, func(tx *sql.Tx) error { return reply(tx, cb, b) })
		return errA, errB
	}
	txA, txB, err := db.twoSerializable(ctx)
	if err != nil {
		return err, nil
	}
	defer txA.Rollback()
	defer txB.Rollback()
	if errA = reply(txA, ca, a); errA != nil {
		return errA, nil
	}
	if errB = reply(txB, cb, b); errB != nil {
		return nil, errB
	}
	if errA = txA.Commit(); errA != nil {
		return errA, nil
	}
	return nil, txB.Commit()
}

// Analyze has the database gather statistics of every table now, as
// PostgreSQL's autovacuum does minutes after an office starts.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}
