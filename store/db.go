// Package store keeps Confidant's data in one SQLite file, or in a PostgreSQL
// database (engine.go says what differs). It implements the domain's storage,
// applies the embedded numbered migrations at start, and seals every personal
// field and message through the vault package before it reaches the database.
//
// On SQLite there is one writer connection, so writes queue in Go rather than
// fighting over SQLite's lock, and a pool of read-only connections that WAL mode
// lets run beside the writer. Each exported method is one transaction.
package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"

	_ "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file inside the data folder.
const FileName = "confidant.db"

// DB is the store.
type DB struct {
	eng   engine
	write *sql.DB
	// The queue of writes waiting for the writer (see writeTx).
	writeMu    sync.Mutex
	writeQueue []*writeRequest
	writing    bool

	read *sql.DB
	// ckpt is the background checkpointer's connection (see checkpointer.go).
	ckpt  *sql.DB
	keys  *vault.Keyring
	clock counselling.Clock
	rand  io.Reader
	path  string

	// keyDestroyed, when set, runs right after an account's data key is
	// overwritten and before its rows are deleted: tests stand a crash there.
	keyDestroyed func(ctx context.Context, q querier, accountID string) error

	// log receives what goes wrong in the store's background work; never
	// personal data.
	log *slog.Logger
	// checkpointPatience is how long Checkpoint keeps trying (tests shorten it).
	checkpointPatience time.Duration
	// The background retry of a checkpoint a deletion could not finish (see
	// DeleteAccount): at most one runs, and Close waits for it.
	retrying  atomic.Bool
	closing   chan struct{}
	closeOnce sync.Once
	bg        sync.WaitGroup

	lastMigration int
}

// querier is what reads inside and outside a transaction share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Options tune Open; the zero value is production.
type Options struct {
	Clock counselling.Clock
	Rand  io.Reader
	// CheckpointPatience is how long a checkpoint waits for readers that
	// hold the WAL before it gives up (zero: 15 s).
	CheckpointPatience time.Duration
	// lastMigration, when set, stops migrating after that version, so that
	// tests can build a database as an older release left it.
	lastMigration int
}

// Newest reports whether the options open a store at the newest schema (and
// not, as migration tests do, at an older one).
func (o Options) Newest() bool { return o.lastMigration == 0 }

// busyTimeout is how long a connection waits for a lock before giving up.
const busyTimeout = 5 * time.Second

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	q.Set("_secure_delete", "on")
	// Keep prepared statements per connection: preparing is a fifth of a
	// short transaction's time otherwise.
	q.Set("_stmt_cache_size", "256")
	if readOnly {
		q.Set("_query_only", "on")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, migrates it, and checks
// that keys belong to it. path is a SQLite file, or the postgres:// URL of a
// PostgreSQL database.
func Open(ctx context.Context, path string, keys *vault.Keyring, opts Options) (*DB, error) {
	if IsPostgres(path) {
		return openPostgresStore(ctx, path, keys, opts)
	}
	// SQLite gives the WAL and shared-memory files the database file's mode, so
	// creating it owner-only keeps all three private.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	f.Close()
	db := newDB(path, keys, opts)
	if db.write, err = sql.Open("sqlite3", dsn(path, false)); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, err
	}
	if db.read, err = sql.Open("sqlite3", dsn(path, true)); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open read pool: %w", err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	db.read.SetMaxOpenConns(readers)
	db.read.SetMaxIdleConns(readers)
	if err := db.ready(ctx); err != nil {
		return nil, err
	}
	if err := db.startCheckpointer(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// newDB is a store not yet connected.
func newDB(path string, keys *vault.Keyring, opts Options) *DB {
	db := &DB{keys: keys, clock: opts.Clock, rand: opts.Rand, path: path, lastMigration: opts.lastMigration,
		log: slog.Default(), checkpointPatience: cmp.Or(opts.CheckpointPatience, checkpointPatience), closing: make(chan struct{})}
	if db.clock == nil {
		db.clock = counselling.SystemClock{}
	}
	if db.rand == nil {
		db.rand = rand.Reader
	}
	return db
}

// ready checks the keys and makes the default office; it closes the store
// if either fails.
func (db *DB) ready(ctx context.Context) error {
	if err := db.checkKeys(ctx); err != nil {
		db.Close()
		return err
	}
	if err := db.ensureDefaultOffice(ctx); err != nil {
		db.Close()
		return err
	}
	return nil
}

// postgresConns is how many connections a node keeps to PostgreSQL for
// writes, and as many again for reads. The pools are apart, as SQLite's
// writer and readers are, so that a write that reads on the side never
// waits for a connection that other writes hold.
const postgresConns = 8

func openPostgresStore(ctx context.Context, url string, keys *vault.Keyring, opts Options) (*DB, error) {
	db := newDB(url, keys, opts)
	db.eng = enginePostgres
	var err error
	if db.write, err = openPostgresWriter(url); err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(postgresConns)
	db.write.SetMaxIdleConns(postgresConns)
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, err
	}
	if db.read, err = openPostgres(url); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read.SetMaxOpenConns(postgresConns)
	db.read.SetMaxIdleConns(postgresConns)
	if err := db.ready(ctx); err != nil {
		return nil, err
	}
	return db, nil
}

// SetLogger makes the store report the failures of its background work to l.
// Call it before the store is used.
func (db *DB) SetLogger(l *slog.Logger) { db.log = l }

// Close stops the store's background work, checkpoints the WAL and closes
// every connection.
func (db *DB) Close() error {
	if db.closing != nil {
		db.closeOnce.Do(func() { close(db.closing) })
		db.bg.Wait()
	}
	var errs []error
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.Close())
	}
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil && db.eng == enginePostgres {
		errs = append(errs, db.write.Close())
	} else if db.write != nil {
		_, err := db.write.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		errs = append(errs, err, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.read.PingContext(ctx)
}

// Path is the database file, or the URL of the PostgreSQL database.
func (db *DB) Path() string { return db.path }

func (db *DB) now() time.Time { return db.clock.Now() }

func (db *DB) migrate(ctx context.Context) error {
	if db.eng == enginePostgres {
		// Nodes that start together migrate one after the other.
		unlock, err := db.lockCluster(ctx, "migrate", true)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if _, err := db.write.ExecContext(ctx, db.eng.migrationsTable()); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	files, err := db.eng.migrationFiles()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	for _, name := range names {
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		if db.lastMigration > 0 && version > db.lastMigration {
			break
		}
		if err := db.applyMigration(ctx, files, version, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, files fs.FS, version int, name string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return fmt.Errorf("check migration %d: %w", version, err)
		}
		if n > 0 {
			return nil
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			version, name, db.now().Unix()); err != nil {
			return fmt.Errorf("record migration %s: %w", name, err)
		}
		return nil
	})
}

// ErrWrongKey means the key files do not belong to the database.
var ErrWrongKey = errors.New("the key files do not belong to this database")

var canaryLocation = vault.Location{Table: "keyring_check", Column: "kek_canary", Row: "1"}

const canaryText = "confidant key check"

func (db *DB) checkKeys(ctx context.Context) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var canary, indexCheck []byte
		err := tx.QueryRowContext(ctx, `SELECT kek_canary, index_check FROM keyring_check WHERE id = 1`).Scan(&canary, &indexCheck)
		if errors.Is(err, sql.ErrNoRows) {
			var accounts int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&accounts); err != nil {
				return fmt.Errorf("count accounts: %w", err)
			}
			if accounts > 0 {
				return fmt.Errorf("%w: the database has accounts but no key check", ErrWrongKey)
			}
			sealed, err := db.keys.SealSystem([]byte(canaryText), canaryLocation)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO keyring_check (id, kek_id, kek_canary, index_check) VALUES (1, ?, ?, ?)`,
				db.keys.KEKID(), sealed, db.keys.BlindIndex("check", canaryText))
			return err
		}
		if err != nil {
			return fmt.Errorf("read key check: %w", err)
		}
		plain, err := db.keys.OpenSystem(canary, canaryLocation)
		if err != nil || string(plain) != canaryText {
			return fmt.Errorf("%w: master.key (key %s) cannot open it", ErrWrongKey, db.keys.Fingerprint())
		}
		if string(indexCheck) != string(db.keys.BlindIndex("check", canaryText)) {
			return fmt.Errorf("%w: index.key does not match", ErrWrongKey)
		}
		return nil
	})
}

// writeTx runs fn in one write transaction on the single writer.
//
// Writes that arrive while another is committing are committed together
// (group commit): each runs inside a savepoint of one transaction, so one
// that fails is rolled back alone, and the batch shares one fsync of the WAL.
// With synchronous=FULL that fsync, not the work, is what limits how many
// acknowledged writes a second the disk allows. writeTx returns only once its
// own write is durable or has failed.
func (db *DB) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if db.eng == enginePostgres {
		return storageFull(db.writeTxPostgres(ctx, fn))
	}
	req := &writeRequest{fn: fn, done: make(chan error, 1)}
	db.writeMu.Lock()
	db.writeQueue = append(db.writeQueue, req)
	lead := !db.writing
	db.writing = true
	db.writeMu.Unlock()
	// The committer runs apart from the caller who started it: that caller's
	// write is durable with the first batch and returns then, not once
	// everyone else's writes queued meanwhile are committed too.
	if lead {
		go db.commitQueued()
	}
	return storageFull(<-req.done)
}

// storageFull turns a full disk into ErrStorageFull.
func storageFull(err error) error {
	if isStorageFull(err) {
		return &counselling.Error{Code: counselling.EUnavailable, Message: ErrStorageFull.Message, Err: err}
	}
	return err
}

// ErrStorageFull is what a write answers when the disk (or the database's
// page limit) is full: nothing was saved, and reads keep working. Writes work
// again as soon as space returns; the office needs no restart.
var ErrStorageFull = counselling.Errorf(counselling.EUnavailable,
	"The office cannot save anything right now because its storage is full. Nothing was saved and your text is still here. Please try again later.")

type writeRequest struct {
	fn   func(*sql.Tx) error
	done chan error
}

// run runs the write. The batch is committed on a goroutine of its own, where
// a panic would end the whole office (and leave every waiter waiting), so a
// panicking write fails alone, like one that returns an error.
func (r *writeRequest) run(tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write panicked: %v", p)
		}
	}()
	return r.fn(tx)
}

// maxBatch bounds a group commit, so that no batch holds the lock long.
const maxBatch = 32

// commitQueued commits queued writes in batches until the queue is empty.
func (db *DB) commitQueued() {
	for {
		db.writeMu.Lock()
		n := min(len(db.writeQueue), maxBatch)
		if n == 0 {
			db.writing = false
			db.writeMu.Unlock()
			return
		}
		batch := db.writeQueue[:n:n]
		db.writeQueue = db.writeQueue[n:]
		db.writeMu.Unlock()
		db.commitBatch(batch)
	}
}

func (db *DB) commitBatch(batch []*writeRequest) {
	fail := func(err error) {
		for _, r := range batch {
			r.done <- err
		}
	}
	// The transaction belongs to the batch, not to any one caller's context.
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	if len(batch) == 1 {
		if err := batch[0].run(tx); err != nil {
			tx.Rollback()
			batch[0].done <- err
			return
		}
		if err := tx.Commit(); err != nil {
			batch[0].done <- fmt.Errorf("commit: %w", err)
			return
		}
		batch[0].done <- nil
		return
	}
	errs := make([]error, len(batch))
	for i, r := range batch {
		if _, err := tx.Exec(`SAVEPOINT write`); err != nil {
			tx.Rollback()
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		if errs[i] = r.run(tx); errs[i] != nil {
			if _, err := tx.Exec(`ROLLBACK TO write`); err != nil {
				tx.Rollback()
				fail(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.Exec(`RELEASE write`); err != nil {
			tx.Rollback()
			fail(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// readTx runs fn in one read transaction on the read pool, so every query in it
// sees the same snapshot. A read that succeeded ends with a commit, not a
// rollback, so that PostgreSQL's count of rolled-back transactions
// (pg_stat_database.xact_rollback) counts only failures.
func (db *DB) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, db.eng.readOptions())
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("end read: %w", err)
	}
	return nil
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns an opaque identifier of 128 random bits.
func (db *DB) newID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(db.rand, b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return idEncoding.EncodeToString(b[:]), nil
}

// validID reports whether s could be an id made by newID, so that malformed ids
// are answered as not found without a query.
func validID(s string) bool {
	if len(s) != 26 {
		return false
	}
	_, err := idEncoding.DecodeString(s)
	return err == nil
}

func unixOrZero(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

// notFound says the same for everything that is missing or not the caller's,
// so the answer tells nothing about what exists. what is for the reader.
func notFound(what string) error {
	_ = what
	return counselling.Errorf(counselling.ENotFound, "We could not find that. It may have been deleted, or you may not be allowed to see it.")
}
