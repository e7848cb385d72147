package store

import (
	"context"
	"database/sql"
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
