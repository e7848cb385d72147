package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
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

// openPostgres opens a pool of connections to the PostgreSQL database at url,
// speaking the shared SQL.
func openPostgres(url string) (*sql.DB, error) {
	return openPostgresWith(url, nil)
}

// writerSettings are the settings of the connections that run serializable
// writes. A sequential scan in a serializable transaction takes a predicate
// lock on the whole table, so that every concurrent write to that table
// becomes a conflict. The planner picks such scans for a small table once
// it has statistics (a new office's contact_facts with a few hundred rows):
// under load two nodes then lost thousands of races a second and replies
// failed after every retry. PostgreSQL's documentation advises encouraging
// index scans; with sequential scans off the planner uses an index wherever
// the statement has one, and scans a table only where it has none.
var writerSettings = map[string]string{"enable_seqscan": "off"}

// openPostgresWriter opens the pool of connections for serializable writes.
func openPostgresWriter(url string) (*sql.DB, error) {
	return openPostgresWith(url, writerSettings)
}

func openPostgresWith(url string, settings map[string]string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: the parser's message quotes it.
		return nil, errors.New("the database URL is not a valid postgres:// URL")
	}
	for k, v := range settings {
		cfg.RuntimeParams[k] = v
	}
	return sql.OpenDB(pgConnector{inner: stdlib.GetConnector(*cfg)}), nil
}

// pgConnector hands out connections that translate the shared SQL.
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a connection of pgx's database/sql driver that rebinds each
// query's placeholders, turns booleans into integers both ways, and lets a
// transaction query again while it still reads rows, as SQLite does: the
// store looks up, say, a counsellor's name for each message it lists. A
// PostgreSQL connection reads one result at a time, so a query that comes
// while rows are open first reads the rest of them into memory.
type pgConn struct {
	*stdlib.Conn
	// open is the result being read, if any.
	open *pgRows
}

// settle reads the rows still open into memory, so that the connection is
// free for the next query.
func (c *pgConn) settle() {
	if c.open != nil {
		c.open.buffer()
		c.open = nil
	}
}

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	c.settle()
	return c.Conn.Prepare(rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.settle()
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.settle()
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.settle()
	rows, err := c.Conn.QueryContext(ctx, rebind(query), args)
	if err != nil {
		return nil, err
	}
	r := &pgRows{rows: rows.(*stdlib.Rows), conn: c}
	c.open = r
	return r, nil
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.settle()
	return c.Conn.BeginTx(ctx, opts)
}

// CheckNamedValue passes a Go boolean as the 1 or 0 the schema's integer
// columns hold where the query wants an integer, and as a boolean where it
// wants one (a condition such as "? OR kind = ?").
func (c *pgConn) CheckNamedValue(v *driver.NamedValue) error {
	if b, ok := v.Value.(bool); ok {
		v.Value = sqlBool{b}
	}
	return c.Conn.CheckNamedValue(v)
}

// sqlBool is a Go boolean that PostgreSQL takes as a boolean or as 1 and 0.
type sqlBool struct{ b bool }

func (v sqlBool) BoolValue() (pgtype.Bool, error) { return pgtype.Bool{Bool: v.b, Valid: true}, nil }

func (v sqlBool) Int64Value() (pgtype.Int8, error) {
	n := int64(0)
	if v.b {
		n = 1
	}
	return pgtype.Int8{Int64: n, Valid: true}, nil
}

// pgRows reads PostgreSQL's booleans (from comparisons, EXISTS, IS NULL in
// a select list) as SQLite gives them: 1 or 0. Once buffered (see pgConn)
// it reads from memory.
type pgRows struct {
	rows *stdlib.Rows
	conn *pgConn

	buffered bool
	columns  []string
	held     [][]driver.Value
	err      error
}

func (r *pgRows) Columns() []string {
	if r.columns == nil {
		r.columns = r.rows.Columns()
	}
	return r.columns
}

func (r *pgRows) Close() error {
	if r.conn != nil && r.conn.open == r {
		r.conn.open = nil
	}
	if r.buffered {
		r.held = nil
		return nil
	}
	return r.rows.Close()
}

// buffer reads the remaining rows into memory and frees the connection.
func (r *pgRows) buffer() {
	r.Columns()
	for {
		dest := make([]driver.Value, len(r.columns))
		if err := r.rows.Next(dest); err != nil {
			if err != io.EOF {
				r.err = err
			}
			break
		}
		r.held = append(r.held, dest)
	}
	if err := r.rows.Close(); err != nil && r.err == nil {
		r.err = err
	}
	r.buffered = true
}

func (r *pgRows) Next(dest []driver.Value) error {
	if r.buffered {
		if len(r.held) == 0 {
			if r.err != nil {
				return r.err
			}
			return io.EOF
		}
		copy(dest, r.held[0])
		r.held = r.held[1:]
	} else if err := r.rows.Next(dest); err != nil {
		return err
	}
	for i, v := range dest {
		if b, ok := v.(bool); ok {
			dest[i] = int64(0)
			if b {
				dest[i] = int64(1)
			}
		}
	}
	return nil
}

// rebound caches each query text's PostgreSQL form: the store has a few
// hundred distinct queries, made again on every call.
var rebound sync.Map

// rebind turns the ? placeholders of a query into PostgreSQL's $1, $2, …,
// leaving string literals, quoted names and comments alone.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	q := b.String()
	rebound.Store(query, q)
	return q
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
