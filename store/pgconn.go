package store

// The PostgreSQL connections: pools that speak the store's shared SQL
// (placeholders rebound, booleans as PostgreSQL takes them), and the
// settings of the connections that run serializable writes.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

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
