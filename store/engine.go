package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// The store runs on one of two engines: the embedded SQLite (a file in the
// data folder, the default) or PostgreSQL (a postgres:// URL). Their SQL is
// shared: it is written once, with ? placeholders, in the dialect both
// understand. What differs lives here and nowhere else:
//
//   - placeholders: PostgreSQL's driver gets every query with $1, $2, …
//     (rebound once per query text, see pgConn);
//   - values: SQLite has no booleans, so PostgreSQL's booleans reach the
//     store as 1 and 0, and Go booleans reach PostgreSQL as 1 and 0 where
//     the query wants a number, the way the INTEGER columns of both schemas
//     hold them;
//   - the schema: each engine has its own numbered migrations with the same
//     numbers, tables and columns (migrations/ and migrations/postgres/;
//     BLOB is BYTEA there, INTEGER is BIGINT, and a row id is an identity
//     column, so that rows keep the ids their ciphertexts are bound to);
//   - the write path: SQLite has one writer that commits queued writes
//     together (group commit, db.go); PostgreSQL takes writes from many
//     connections and many nodes at once, each in a serializable transaction
//     retried when PostgreSQL finds it raced another, so that every write
//     still behaves as if it ran alone, as it does behind SQLite's writer;
//   - text compares byte by byte on both (PostgreSQL's columns are
//     COLLATE "C", as SQLite's BINARY), so that lists sort alike;
//   - the few expressions that are not spelled alike (greatest,
//     insertionOrder, nextID, claimRows below; SQLite's randomblob is a
//     function of the PostgreSQL schema);
//   - errors: which codes mean a unique violation or a full disk;
//   - SQLite's pragmas and WAL checkpoints (checkpointer.go, deletion.go),
//     which PostgreSQL does not have;
//   - jobs that must run once across several nodes (RunOnce), and rows that
//     the workers of several nodes share (claimRows).

//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

// engine names the database a store runs on.
type engine int

const (
	engineSQLite engine = iota
	enginePostgres
)

func (e engine) String() string {
	if e == enginePostgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// IsPostgres reports whether location names a PostgreSQL database rather
// than a SQLite file.
func IsPostgres(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// Postgres reports whether the store runs on PostgreSQL.
func (db *DB) Postgres() bool { return db.eng == enginePostgres }

// migrationFiles is the engine's folder of numbered migrations.
func (e engine) migrationFiles() (fs.FS, error) {
	if e == enginePostgres {
		return fs.Sub(postgresMigrations, "migrations/postgres")
	}
	return fs.Sub(migrations, "migrations")
}

// migrationsTable creates the table that records the applied migrations.
func (e engine) migrationsTable() string {
	if e == enginePostgres {
		return `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`
}

// greatest is the larger of two SQL expressions (SQLite's two-argument max).
func (e engine) greatest(a, b string) string {
	if e == enginePostgres {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "max(" + a + ", " + b + ")"
}

// tallyShards is how many rows each report tally is spread over on
// PostgreSQL. Every message's transaction adds to its month's tally; on one
// row, concurrent serializable transactions lose to each other there and are
// retried ("could not serialize access due to concurrent update"), while on
// different rows they do not meet: the upsert's unique check takes no
// predicate lock. The chance that two of the dozen or so transactions in
// flight at once pick the same row falls with the number of rows (with 32,
// about one race in eight replies was still a tally's); the year report sums
// them, a few thousand rows at most.
const tallyShards = 256

// tallyShard is the shard row a tally is added to: one at random on
// PostgreSQL, always the first on SQLite, whose single writer never races.
func (e engine) tallyShard() int {
	if e == enginePostgres {
		return mrand.IntN(tallyShards)
	}
	return 0
}

// isUniqueViolation reports whether err is a unique constraint refusing a row.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isStorageFull reports whether err is SQLite's "database or disk is full"
// or PostgreSQL's disk_full.
func isStorageFull(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrFull
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "53100"
}

// isRaced reports whether PostgreSQL gave up a transaction because it raced
// another (serialization_failure, deadlock_detected): run again, it sees the
// other's result.
func isRaced(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// writeTxPostgres runs fn in a serializable transaction of its own, again
// (up to maxRaces times) while PostgreSQL reports that it raced another
// transaction. Like a write behind SQLite's writer, it is not cut short by
// the caller's context once begun.
func (db *DB) writeTxPostgres(ctx context.Context, fn func(*sql.Tx) error) error {
	const maxRaces = 30
	for attempt := 1; ; attempt++ {
		err := db.writeOncePostgres(context.WithoutCancel(ctx), fn)
		if err == nil || !isRaced(err) || attempt == maxRaces {
			return err
		}
		if err := sleepJitter(ctx, attempt); err != nil {
			return err
		}
	}
}

func (db *DB) writeOncePostgres(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	r := writeRequest{fn: fn}
	if err := r.run(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// readOptions are a read transaction's: on PostgreSQL a snapshot taken at
// its first query, as SQLite's WAL gives every read transaction.
func (e engine) readOptions() *sql.TxOptions {
	if e == enginePostgres {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// sleepJitter waits a little before a raced transaction runs again, longer
// after each race and never in step with the transaction it raced.
func sleepJitter(ctx context.Context, attempt int) error {
	d := time.Duration(1+mrand.IntN(2*min(attempt, 10))) * time.Millisecond
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// lockCluster takes the PostgreSQL advisory lock named name on a connection
// of its own, waiting for it if wait, and reports false if not and another
// holds it. The lock is the cluster's: every node asks for the same one.
// unlock gives it back; on SQLite there is one node and nothing to lock.
func (db *DB) lockCluster(ctx context.Context, name string, wait bool) (unlock func(), err error) {
	if db.eng != enginePostgres {
		return func() {}, nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte("confidant " + name))
	key := int64(h.Sum64())
	if wait {
		_, err = conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, key)
	} else {
		var got bool
		if err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, key).Scan(&got); err == nil && !got {
			conn.Close()
			return nil, nil
		}
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() {
		var released bool
		err := conn.QueryRowContext(context.WithoutCancel(ctx), advisoryUnlock, key).Scan(&released)
		if err != nil || !released {
			// The lock is the session's: a connection given back to the
			// pool still holding it would keep the job from every node
			// for as long as the pool keeps the connection. Closed
			// instead, its session ends and the server lets the lock go.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// advisoryUnlock gives a session's advisory lock back and says whether it
// was held; tests make it fail to see that a lock is not kept.
var advisoryUnlock = `SELECT pg_advisory_unlock(?)`

// RunOnce runs a job that several nodes schedule alike (the nightly purge,
// the digests) on one of them only. slot names the scheduled run, the same
// on every node (the schedule's time, to the second): the first node to
// take the job's lock runs it, unless a run of that slot or a later one is
// recorded; the others skip it. ran says whether this call ran it. On
// SQLite there is one node, and the record is kept all the same.
func (db *DB) RunOnce(ctx context.Context, job string, slot time.Time, fn func(context.Context) error) (ran bool, err error) {
	unlock, err := db.lockCluster(ctx, "job "+job, false)
	if err != nil || unlock == nil {
		return false, err
	}
	defer unlock()
	var last sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT ran_at FROM job_runs WHERE job = ?`, job).Scan(&last); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("job %s: %w", job, err)
	}
	if last.Valid && last.Int64 >= slot.Unix() {
		return false, nil
	}
	if err := fn(ctx); err != nil {
		return true, err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, ran_at) VALUES (?, ?)
			ON CONFLICT (job) DO UPDATE SET ran_at = excluded.ran_at`, job, slot.Unix())
		return err
	})
	if err != nil {
		return true, fmt.Errorf("job %s: record the run: %w", job, err)
	}
	return true, nil
}

// OpenRaw opens a plain pool of connections to the database at location (a
// SQLite file or a postgres:// URL) that speaks the shared SQL, without the
// store around it: for tests that look at what really reached the database,
// and for tools.
func OpenRaw(location string) (*sql.DB, error) {
	if IsPostgres(location) {
		return openPostgres(location)
	}
	return sql.Open("sqlite3", "file:"+location+"?_busy_timeout=5000&_foreign_keys=on")
}

// Migrate brings the database at location up to its newest schema and does
// nothing else: no key check, no office. Tests make their template database
// with it.
func Migrate(ctx context.Context, location string) error {
	db := newDB(location, nil, Options{})
	var err error
	if IsPostgres(location) {
		db.eng = enginePostgres
		db.write, err = openPostgres(location)
	} else if db.write, err = sql.Open("sqlite3", dsn(location, false)); err == nil {
		db.write.SetMaxOpenConns(1)
	}
	if err != nil {
		return err
	}
	defer db.write.Close()
	return db.migrate(ctx)
}

// SchemaDigest names the PostgreSQL schema this release migrates to, so that
// a test template made by an older one is not taken for it.
func SchemaDigest() string {
	h := fnv.New64a()
	files, _ := enginePostgres.migrationFiles()
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		b, _ := fs.ReadFile(files, e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// nextID is a query for the id of a row about to be inserted into table,
// for rows whose sealed columns are bound to their id before the row
// exists. On SQLite the single writer makes the next after the highest
// safe; on PostgreSQL it comes from the column's identity sequence, which
// transactions of several nodes draw from without racing.
func (e engine) nextID(table string) string {
	if e == enginePostgres {
		return `SELECT nextval(pg_get_serial_sequence('` + table + `', 'id'))`
	}
	return `SELECT coalesce(max(id), 0) + 1 FROM ` + table
}

// claimRows is what a query that lists rows to work on adds on PostgreSQL
// so that the workers of several nodes take different rows: the rows it
// returns (of the table aliased alias) are locked, and rows another node's
// worker has locked are skipped.
func (e engine) claimRows(alias string) string {
	if e == enginePostgres {
		return ` FOR UPDATE OF ` + alias + ` SKIP LOCKED`
	}
	return ``
}

// HoldsOffice reports whether the PostgreSQL database at url holds an office
// already (its key check), so that a node that starts without key files is
// refused instead of making new keys that cannot open it.
func HoldsOffice(ctx context.Context, url string) (bool, error) {
	raw, err := openPostgres(url)
	if err != nil {
		return false, err
	}
	defer raw.Close()
	var n int
	err = raw.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name = 'keyring_check'`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("open database: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM keyring_check`).Scan(&n); err != nil {
		return false, fmt.Errorf("open database: %w", err)
	}
	return n > 0, nil
}

// insertionOrder is an expression that orders the rows of the table aliased
// alias as they were inserted, to break ties between rows written in the
// same second: SQLite's rowid, PostgreSQL's physical row address (rows that
// are never updated, as ratings, keep the order they were appended in).
func (e engine) insertionOrder(alias string) string {
	if e == enginePostgres {
		return alias + ".ctid"
	}
	return alias + ".rowid"
}
