// Package storetest opens real stores for tests, with a clock the test moves
// by hand: SQLite files in temporary folders, or, when the environment
// variable CONFIDANT_TEST_DATABASE holds the postgres:// URL of a PostgreSQL
// server, a fresh database on that server for every test.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling/vault"
	"confidant/store"
)

// Clock is a clock that only moves when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at a fixed, ordinary moment.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// DB is an open store with its folder and clock.
type DB struct {
	*store.DB
	Dir   string
	Clock *Clock
}

// EnvDatabase is the environment variable that, set to the postgres:// URL
// of a server (its maintenance database), makes the tests run on
// PostgreSQL. The URL's user must be allowed to create databases.
const EnvDatabase = "CONFIDANT_TEST_DATABASE"

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return store.IsPostgres(os.Getenv(EnvDatabase)) }

// MustOpenDB opens a fresh store, with key files generated in t.TempDir() as
// on a first start, and closes it when the test ends: a SQLite file in that
// folder, or a new PostgreSQL database when EnvDatabase says so. tune, if
// given, changes the options the store opens with.
func MustOpenDB(t testing.TB, tune ...func(*store.Options)) *DB {
	t.Helper()
	dir := t.TempDir()
	keys, err := vault.LoadOrCreate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	clock := NewClock()
	opts := store.Options{Clock: clock}
	for _, f := range tune {
		f(&opts)
	}
	location := filepath.Join(dir, store.FileName)
	if Postgres() {
		location = NewDatabase(t, opts.Newest())
	}
	db, err := store.Open(context.Background(), location, keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &DB{DB: db, Dir: dir, Clock: clock}
}

// MustOpenSQLite opens a fresh store on SQLite whatever EnvDatabase says, for
// the tests of what only SQLite has (its file, WAL and checkpoints).
func MustOpenSQLite(t testing.TB, tune ...func(*store.Options)) *DB {
	t.Helper()
	dir := t.TempDir()
	keys, err := vault.LoadOrCreate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	clock := NewClock()
	opts := store.Options{Clock: clock}
	for _, f := range tune {
		f(&opts)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, store.FileName), keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &DB{DB: db, Dir: dir, Clock: clock}
}

// Raw opens a plain connection pool to the store's database, so that tests
// can check what really reached it, and closes it when the test ends.
func (db *DB) Raw(t testing.TB) *sql.DB {
	t.Helper()
	raw, err := store.OpenRaw(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// Count runs a counting query on a separate connection to the same
// database, so tests can check what really reached it.
func (db *DB) Count(t testing.TB, query string, args ...any) int {
	t.Helper()
	raw, err := store.OpenRaw(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// NewDatabase makes a new, empty PostgreSQL database on the server named by
// EnvDatabase and returns its URL. With migrated it holds the newest schema
// and no rows: a database a finished test of this process left behind,
// emptied, or else a copy of a template database that holds the schema,
// which is much faster than migrating each. A database that is not reused
// is dropped when the test ends.
func NewDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	server := os.Getenv(EnvDatabase)
	if migrated {
		if url := reuse(t); url != "" {
			return url
		}
	}
	admin, err := store.OpenRaw(server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	var b [8]byte
	rand.Read(b[:])
	name := "confidant_test_" + hex.EncodeToString(b[:])
	create := `CREATE DATABASE ` + name
	if migrated {
		tmpl, err := template(ctx, admin, server)
		if err != nil {
			t.Fatal(err)
		}
		create += ` TEMPLATE ` + tmpl
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		t.Fatal(err)
	}
	url := withDatabase(server, name)
	t.Cleanup(func() {
		if migrated && !t.Failed() {
			spare.Lock()
			spare.urls = append(spare.urls, url)
			spare.Unlock()
			return
		}
		admin, err := store.OpenRaw(server)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	})
	return url
}

// spare holds the databases of finished tests, ready to be emptied and
// used again by the next test of this process.
var spare struct {
	sync.Mutex
	urls []string
}

// reuse empties a spare database for t and returns its URL, or "" if there
// is none. The database goes back to the spares when t ends, unless t
// failed.
func reuse(t testing.TB) string {
	t.Helper()
	spare.Lock()
	if len(spare.urls) == 0 {
		spare.Unlock()
		return ""
	}
	url := spare.urls[len(spare.urls)-1]
	spare.urls = spare.urls[:len(spare.urls)-1]
	spare.Unlock()
	raw, err := store.OpenRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var tables []string
	rows, err := raw.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
		AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if _, err := raw.Exec(`TRUNCATE ` + strings.Join(tables, ", ") + ` RESTART IDENTITY`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		spare.Lock()
		spare.urls = append(spare.urls, url)
		spare.Unlock()
	})
	return url
}

// templates remembers the template this process made or found.
var templates sync.Map

// template returns the name of the server's template database with the
// newest schema, making it first if no test process has yet.
func template(ctx context.Context, admin *sql.DB, server string) (string, error) {
	name := "confidant_template_" + store.SchemaDigest()
	if _, ok := templates.Load(name); ok {
		return name, nil
	}
	// Test processes of several packages start at once: the first makes the
	// template, the others wait for it under the same lock.
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7215)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7215)`)
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = ?`, name).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		building := name + "_building"
		conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
		if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
			return "", err
		}
		if err := store.Migrate(ctx, withDatabase(server, building)); err != nil {
			return "", fmt.Errorf("migrate the template database: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
			return "", err
		}
		// No one connects to the template again, not even autovacuum, whose
		// visit would make every copy wait until it left.
		if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+name+` WITH ALLOW_CONNECTIONS false`); err != nil {
			return "", err
		}
	}
	templates.Store(name, true)
	return name, nil
}

// withDatabase is the server URL naming database instead.
func withDatabase(server, database string) string {
	scheme, rest, _ := strings.Cut(server, "://")
	hostPart, query, hasQuery := strings.Cut(rest, "?")
	if i := strings.Index(hostPart, "/"); i >= 0 {
		hostPart = hostPart[:i]
	}
	u := scheme + "://" + hostPart + "/" + database
	if hasQuery {
		u += "?" + query
	}
	return u
}

// Columns lists the columns of every table of the store's database (the
// migrations' record excepted), table by table.
func (db *DB) Columns(t testing.TB) map[string][]string {
	t.Helper()
	query := `SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> 'schema_migrations' ORDER BY m.name, p.cid`
	if db.Postgres() {
		query = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position`
	}
	rows, err := db.Raw(t).Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], column)
	}
	return out
}

// Stored is every byte the store's database holds, by where it is: on
// SQLite the database file and its WAL as they lie on disk; on PostgreSQL
// every value of every table. Tests look in it for what must never be
// stored in clear.
func (db *DB) Stored(t testing.TB) map[string][]byte {
	t.Helper()
	if !db.Postgres() {
		out := map[string][]byte{}
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(db.Path() + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			out[filepath.Base(db.Path())+suffix] = b
		}
		return out
	}
	var all []byte
	raw := db.Raw(t)
	for table := range db.Columns(t) {
		rows, err := raw.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case []byte:
					all = append(all, v...)
				case string:
					all = append(all, v...)
				default:
					all = fmt.Append(all, v)
				}
				all = append(all, 0)
			}
		}
		rows.Close()
	}
	return map[string][]byte{"the PostgreSQL database": all}
}

// Holding counts the rows of table whose column holds text anywhere in its
// bytes, so that tests can check that a sealed column never holds it in
// clear.
func (db *DB) Holding(t testing.TB, table, column, text string) int {
	t.Helper()
	rows, err := db.Raw(t).Query(`SELECT ` + column + ` FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v []byte
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(v, []byte(text)) {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
