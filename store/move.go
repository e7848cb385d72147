package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"confidant/counselling/vault"

	"github.com/jackc/pgx/v5"
)

// Moving an office from its SQLite file to PostgreSQL copies every row as it
// is: the same ids (ciphertexts are bound to their table, column and row),
// the same sealed bytes, the same Unix times. Nothing is opened and sealed
// again on the way; the check afterwards opens every sealed value with the
// keys, in the new database, to prove it.

// TableCount is how many rows a table holds in the office being moved and
// in its new database.
type TableCount struct {
	Table    string
	From, To int64
}

// MoveReport is what a move copied and checked.
type MoveReport struct {
	Tables []TableCount
	// Opened is how many sealed values were opened with the keys in the new
	// database, per table.column.
	Opened map[string]int
}

// ErrNotEmpty means the PostgreSQL database to move into holds tables already.
var ErrNotEmpty = errors.New("the PostgreSQL database is not empty; move into a new, empty database")

// MoveToPostgres copies the SQLite office at path (stopped: the caller holds
// its lock) into the empty PostgreSQL database at url, then checks that both
// hold the same number of rows in every table and that every sealed value
// opens with keys. The SQLite file is only read (after bringing its schema
// up to date).
func MoveToPostgres(ctx context.Context, path, url string, keys *vault.Keyring) (*MoveReport, error) {
	src, err := Open(ctx, path, keys, Options{})
	if err != nil {
		return nil, err
	}
	defer src.Close()

	dst := newDB(url, keys, Options{})
	dst.eng = enginePostgres
	if dst.write, err = openPostgres(url); err != nil {
		return nil, err
	}
	defer dst.write.Close()
	dst.read = dst.write
	var tables int
	if err := dst.write.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema()`).Scan(&tables); err != nil {
		return nil, fmt.Errorf("open the PostgreSQL database: %w", err)
	}
	if tables > 0 {
		return nil, ErrNotEmpty
	}
	// From here on the database holds tables: a failed move must be tried
	// again in a new, empty database.
	again := func(err error) error {
		return fmt.Errorf("%w (nothing was copied; drop the PostgreSQL database and create it again before the next try)", err)
	}
	if err := dst.migrate(ctx); err != nil {
		return nil, again(err)
	}
	if err := sameMigrations(ctx, src, dst); err != nil {
		return nil, again(err)
	}
	order, err := src.tablesInOrder(ctx)
	if err != nil {
		return nil, again(err)
	}
	if err := dst.copyFrom(ctx, src, order); err != nil {
		return nil, again(err)
	}
	report := &MoveReport{}
	for _, t := range order {
		c := TableCount{Table: t}
		if err := src.read.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&c.From); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if err := dst.read.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&c.To); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if c.From != c.To {
			return nil, fmt.Errorf("%s: %d rows in SQLite but %d in PostgreSQL", t, c.From, c.To)
		}
		report.Tables = append(report.Tables, c)
	}
	if report.Opened, err = dst.OpenEverySealed(ctx); err != nil {
		return nil, err
	}
	return report, nil
}

// sameMigrations checks that both databases have applied the same numbered
// migrations, so that their tables and columns are the same.
func sameMigrations(ctx context.Context, a, b *DB) error {
	versions := func(db *DB) ([]int64, error) {
		rows, err := db.read.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return nil, fmt.Errorf("read migrations: %w", err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
	va, err := versions(a)
	if err != nil {
		return err
	}
	vb, err := versions(b)
	if err != nil {
		return err
	}
	if !slices.Equal(va, vb) {
		return fmt.Errorf("the SQLite office has migrations %v, this release's PostgreSQL schema %v", va, vb)
	}
	return nil
}

// tablesInOrder lists the SQLite store's tables (but the record of its
// migrations) so that every table comes after the tables it refers to.
func (db *DB) tablesInOrder(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	refers := map[string][]string{}
	for _, n := range names {
		rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", n, err)
		}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return nil, err
			}
			if t != n {
				refers[n] = append(refers[n], t)
			}
		}
		rows.Close()
	}
	var order []string
	done := map[string]bool{}
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		if done[n] {
			return nil
		}
		if slices.Contains(path, n) {
			return fmt.Errorf("tables refer to each other in a circle: %s", strings.Join(append(path, n), " → "))
		}
		for _, t := range refers[n] {
			if err := visit(t, append(path, n)); err != nil {
				return err
			}
		}
		done[n] = true
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// copyFrom copies the tables of src, in order, into db (PostgreSQL) in one
// transaction with PostgreSQL's COPY, and sets each identity column's
// sequence past the highest id copied.
func (db *DB) copyFrom(ctx context.Context, src *DB, tables []string) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pg := dc.(*pgConn).Conn.Conn()
		tx, err := pg.Begin(ctx)
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		defer tx.Rollback(ctx)
		for _, t := range tables {
			cols, err := pgColumns(ctx, tx, t)
			if err != nil {
				return err
			}
			rows, err := src.read.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+t)
			if err != nil {
				return fmt.Errorf("read %s: %w", t, err)
			}
			_, err = tx.CopyFrom(ctx, pgx.Identifier{t}, cols, &sqlRows{rows: rows, n: len(cols)})
			rows.Close()
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
		}
		// Rows keep their ids; new rows continue after the highest.
		seqs, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND is_identity = 'YES'`)
		if err != nil {
			return fmt.Errorf("list identity columns: %w", err)
		}
		var identity [][2]string
		for seqs.Next() {
			var t, c string
			if err := seqs.Scan(&t, &c); err != nil {
				seqs.Close()
				return err
			}
			identity = append(identity, [2]string{t, c})
		}
		seqs.Close()
		for _, tc := range identity {
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(`+
				pgx.Identifier{tc[1]}.Sanitize()+`), 0) + 1, false) FROM `+pgx.Identifier{tc[0]}.Sanitize(),
				tc[0], tc[1]); err != nil {
				return fmt.Errorf("reset the ids of %s: %w", tc[0], err)
			}
		}
		return tx.Commit(ctx)
	})
}

// pgColumns lists a PostgreSQL table's columns.
func pgColumns(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("PostgreSQL has no table %s", table)
	}
	return cols, nil
}

// sqlRows feeds the rows of a database/sql query to COPY.
type sqlRows struct {
	rows *sql.Rows
	n    int
	vals []any
	err  error
}

func (r *sqlRows) Next() bool {
	if !r.rows.Next() {
		return false
	}
	r.vals = make([]any, r.n)
	ptrs := make([]any, r.n)
	for i := range r.vals {
		ptrs[i] = &r.vals[i]
	}
	r.err = r.rows.Scan(ptrs...)
	return r.err == nil
}

func (r *sqlRows) Values() ([]any, error) { return r.vals, r.err }

func (r *sqlRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// sealedRow says, for a table with sealed columns, whose data key seals
// them (owner: the account id) and which row they are bound to (row), as
// SQL over the table aliased s.
type sealedRow struct{ from, owner, row string }

var sealedRows = map[string]sealedRow{
	"accounts":           {"accounts s", "s.id", "s.id"},
	"threads":            {"threads s", "s.seeker_id", "s.id"},
	"messages":           {"messages s JOIN threads t ON t.id = s.thread_id", "t.seeker_id", "s.id"},
	"notes":              {"notes s JOIN threads t ON t.id = s.thread_id", "t.seeker_id", "s.id"},
	"drafts":             {"drafts s JOIN threads t ON t.id = s.thread_id", "t.seeker_id", "s.thread_id || '/' || s.author_id"},
	"ratings":            {"ratings s JOIN threads t ON t.id = s.thread_id", "t.seeker_id", "s.thread_id || '/' || s.side"},
	"supervision_items":  {"supervision_items s JOIN threads t ON t.id = s.thread_id", "t.seeker_id", "s.id"},
	"outbox":             {"outbox s", "s.account_id", "CAST(s.id AS TEXT)"},
	"push_subscriptions": {"push_subscriptions s", "s.account_id", "CAST(s.id AS TEXT)"},
	"blocks":             {"blocks s", "s.account_id", "s.id"},
	"group_chats":        {"group_chats s", "s.created_by", "s.id"},
	"group_messages":     {"group_messages s", "s.author_id", "s.id"},
	"snippets":           {"snippets s", "s.author_id", "s.id"},
}

// OpenEverySealed opens every sealed value in the database with the store's
// keys and counts them per table.column; the first that does not open is
// the error. A data key and every other value sealed under master.key
// (systemRows) is opened with master.key, a column sealed under a data key
// with that key.
func (db *DB) OpenEverySealed(ctx context.Context) (map[string]int, error) {
	opened := map[string]int{}
	keys := map[string]*vault.Key{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, data_key FROM accounts`)
		if err != nil {
			return fmt.Errorf("read data keys: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var wrapped []byte
			if err := rows.Scan(&id, &wrapped); err != nil {
				return err
			}
			if keys[id], err = db.keys.UnwrapDataKey(id, wrapped); err != nil {
				return fmt.Errorf("accounts.data_key of one account does not open: %w", err)
			}
			opened["accounts.data_key"]++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range sealedColumns {
			if c.under == underMasterKey {
				if c.table == "accounts" && c.column == "data_key" {
					continue
				}
				n, err := db.openSystemColumn(ctx, tx, db.keys, c)
				if err != nil {
					return err
				}
				opened[c.table+"."+c.column] += n
				continue
			}
			r, ok := sealedRows[c.table]
			if !ok {
				return fmt.Errorf("no rule says whose key seals %s.%s", c.table, c.column)
			}
			rows, err := tx.QueryContext(ctx, `SELECT `+r.owner+`, `+r.row+`, s.`+c.column+` FROM `+r.from+
				` WHERE s.`+c.column+` IS NOT NULL`)
			if err != nil {
				return fmt.Errorf("read %s.%s: %w", c.table, c.column, err)
			}
			for rows.Next() {
				var owner sql.NullString
				var row string
				var sealed []byte
				if err := rows.Scan(&owner, &row, &sealed); err != nil {
					rows.Close()
					return err
				}
				key := keys[owner.String]
				if key == nil {
					rows.Close()
					return fmt.Errorf("%s.%s: a value whose account is gone", c.table, c.column)
				}
				if _, err := (sealer{key: key, table: c.table, row: row}).open(c.column, sealed); err != nil {
					rows.Close()
					return err
				}
				opened[c.table+"."+c.column]++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := db.checkKeys(ctx); err != nil {
		return nil, err
	}
	return opened, nil
}

// systemValue is one value sealed under master.key and the row it is bound
// to.
type systemValue struct {
	row    string
	sealed []byte
}

// systemValues reads every value of a column sealed under master.key, with
// the row each is bound to (systemRows).
func systemValues(ctx context.Context, tx *sql.Tx, c sealedColumn) ([]systemValue, error) {
	r, ok := systemRows[c.table]
	if !ok {
		return nil, fmt.Errorf("no rule says which row binds %s.%s, sealed under master.key", c.table, c.column)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+r.row+`, `+c.column+` FROM `+c.table+` WHERE `+c.column+` IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read %s.%s: %w", c.table, c.column, err)
	}
	defer rows.Close()
	var out []systemValue
	for rows.Next() {
		var v systemValue
		if err := rows.Scan(&v.row, &v.sealed); err != nil {
			return nil, fmt.Errorf("read %s.%s: %w", c.table, c.column, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// openSystemColumn opens every value of a column sealed under master.key
// with keys and says how many there are; the first that does not open is
// the error.
func (db *DB) openSystemColumn(ctx context.Context, tx *sql.Tx, keys *vault.Keyring, c sealedColumn) (int, error) {
	values, err := systemValues(ctx, tx, c)
	if err != nil {
		return 0, err
	}
	for _, v := range values {
		if _, err := keys.OpenSystem(v.sealed, vault.Location{Table: c.table, Column: c.column, Row: v.row}); err != nil {
			return 0, fmt.Errorf("a value of %s.%s does not open with master.key: %w", c.table, c.column, err)
		}
	}
	return len(values), nil
}

// schemaColumns lists every table's columns (the migrations' record
// excepted), as table.column, so that tests can compare the two engines'
// schemas.
func (db *DB) schemaColumns(ctx context.Context) ([]string, error) {
	query := `SELECT m.name || '.' || p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> 'schema_migrations'`
	if db.eng == enginePostgres {
		query = `SELECT table_name || '.' || column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`
	}
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return out, rows.Err()
}
