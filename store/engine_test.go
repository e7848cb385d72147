package store_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"confidant/store"
	"confidant/store/storetest"
)

// schema is what a folder of migrations makes: per table, its columns as
// "name type" with the type in words both engines share.
type schema map[string][]string

var sqlSpace = regexp.MustCompile(`\s+`)

// plainSQL is SQL text without its comments, and with every string literal
// and dollar-quoted body emptied, so that what is left are statements.
func plainSQL(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch {
		case text[i] == '\'':
			j := i + 1
			for j < len(text) && (text[j] != '\'' || j+1 < len(text) && text[j+1] == '\'') {
				if text[j] == '\'' {
					j++
				}
				j++
			}
			b.WriteString("''")
			i = j
		case strings.HasPrefix(text[i:], "--"):
			for i < len(text) && text[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case strings.HasPrefix(text[i:], "$$"):
			end := strings.Index(text[i+2:], "$$")
			if end < 0 {
				end = len(text) - i - 2
			}
			i += end + 3
		default:
			b.WriteByte(text[i])
		}
	}
	return b.String()
}

// columnType names a declared column type alike for both engines.
func columnType(def string) string {
	f := strings.Fields(strings.ToUpper(def))
	if len(f) < 2 {
		return "none"
	}
	t := map[string]string{"INTEGER": "integer", "BIGINT": "integer", "TEXT": "text", "BLOB": "bytes", "BYTEA": "bytes",
		"REAL": "real", "DOUBLE": "real"}[f[1]]
	if t == "" {
		return "unknown " + f[1]
	}
	rest := strings.Join(f[2:], " ")
	if t == "integer" && (strings.HasPrefix(rest, "PRIMARY KEY") || strings.Contains(rest, "AS IDENTITY")) &&
		!strings.Contains(rest, "CHECK") {
		t = "row id"
	}
	return t
}

// splitTop splits s at the commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// parseMigrations reads the tables and columns the numbered migrations in
// dir create, alter and drop, in order.
func parseMigrations(t *testing.T, dir string) (schema, []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := schema{}
	var names []string
	createTable := regexp.MustCompile(`(?is)^CREATE TABLE (?:IF NOT EXISTS )?(\w+) \((.*)\)`)
	addColumn := regexp.MustCompile(`(?is)^ALTER TABLE (\w+) ADD COLUMN (.*)$`)
	dropColumn := regexp.MustCompile(`(?is)^ALTER TABLE (\w+) DROP COLUMN (\w+)$`)
	renameColumn := regexp.MustCompile(`(?is)^ALTER TABLE (\w+) RENAME COLUMN (\w+) TO (\w+)$`)
	renameTable := regexp.MustCompile(`(?is)^ALTER TABLE (\w+) RENAME TO (\w+)$`)
	dropTable := regexp.MustCompile(`(?is)^DROP TABLE (?:IF EXISTS )?(\w+)$`)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		names = append(names, e.Name())
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text := plainSQL(string(body))
		for _, stmt := range strings.Split(text, ";") {
			stmt = strings.TrimSpace(sqlSpace.ReplaceAllString(stmt, " "))
			switch {
			case createTable.MatchString(stmt):
				m := createTable.FindStringSubmatch(stmt)
				var cols []string
				for _, def := range splitTop(m[2]) {
					def = strings.TrimSpace(def)
					first := strings.ToUpper(strings.Fields(def)[0])
					if slices.Contains([]string{"PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "CONSTRAINT"}, first) {
						continue
					}
					cols = append(cols, strings.Fields(def)[0]+" "+columnType(def))
				}
				s[m[1]] = cols
			case addColumn.MatchString(stmt):
				m := addColumn.FindStringSubmatch(stmt)
				s[m[1]] = append(s[m[1]], strings.Fields(m[2])[0]+" "+columnType(m[2]))
			case dropColumn.MatchString(stmt):
				m := dropColumn.FindStringSubmatch(stmt)
				s[m[1]] = slices.DeleteFunc(s[m[1]], func(c string) bool { return strings.Fields(c)[0] == m[2] })
			case renameColumn.MatchString(stmt):
				m := renameColumn.FindStringSubmatch(stmt)
				for i, c := range s[m[1]] {
					if f := strings.Fields(c); f[0] == m[2] {
						s[m[1]][i] = m[3] + " " + strings.Join(f[1:], " ")
					}
				}
			case renameTable.MatchString(stmt):
				m := renameTable.FindStringSubmatch(stmt)
				s[m[2]] = s[m[1]]
				delete(s, m[1])
			case dropTable.MatchString(stmt):
				delete(s, dropTable.FindStringSubmatch(stmt)[1])
			}
		}
	}
	for table := range s {
		slices.Sort(s[table])
	}
	return s, names
}

// columnsOf lists a schema's columns as table.column.
func (s schema) columns() []string {
	var out []string
	for table, cols := range s {
		for _, c := range cols {
			out = append(out, table+"."+strings.Fields(c)[0])
		}
	}
	slices.Sort(out)
	return out
}

// Every SQLite migration has a PostgreSQL twin of the same number and name
// that makes the same tables with the same columns of the same kinds (a
// BLOB is a BYTEA there, an INTEGER a BIGINT, a row id an identity column),
// so that an office moves between them row for row.
func TestPostgresMigrationsTwinTheSQLiteOnes(t *testing.T) {
	lite, liteNames := parseMigrations(t, "migrations")
	pg, pgNames := parseMigrations(t, filepath.Join("migrations", "postgres"))
	if !slices.Equal(liteNames, pgNames) {
		t.Errorf("migrations without a twin:\nSQLite     %v\nPostgreSQL %v", liteNames, pgNames)
	}
	for table, cols := range lite {
		if !slices.Equal(cols, pg[table]) {
			t.Errorf("table %s:\nSQLite     %v\nPostgreSQL %v", table, cols, pg[table])
		}
	}
	for table := range pg {
		if lite[table] == nil {
			t.Errorf("table %s is only in the PostgreSQL migrations", table)
		}
	}
	if len(lite) < 30 || lite["accounts"] == nil || !slices.Contains(lite["offices"], "id row id") ||
		!slices.Contains(lite["messages"], "body bytes") {
		t.Fatalf("the migrations parsed into too little: %d tables, offices %v", len(lite), lite["offices"])
	}

	// The parse is what the databases really hold: SQLite always, and
	// PostgreSQL when the tests run on it.
	ctx := context.Background()
	sqlite := storetest.MustOpenSQLite(t)
	got, err := sqlite.SchemaColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := lite.columns(); !slices.Equal(got, want) {
		t.Errorf("SQLite holds\n%v\nthe migrations say\n%v", got, want)
	}
	db := storetest.MustOpenDB(t)
	if got, err = db.SchemaColumns(ctx); err != nil {
		t.Fatal(err)
	}
	if want := pg.columns(); db.Postgres() && !slices.Equal(got, want) {
		t.Errorf("PostgreSQL holds\n%v\nits migrations say\n%v", got, want)
	}
}

func TestQueriesAreReboundForPostgres(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{`SELECT '?' || "a?b" FROM t WHERE x = ?`, `SELECT '?' || "a?b" FROM t WHERE x = $1`},
		{"SELECT 1 -- is it?\nWHERE x = ?", "SELECT 1 -- is it?\nWHERE x = $1"},
		{`UPDATE t SET a = 'it''s ?' WHERE id = ?`, `UPDATE t SET a = 'it''s ?' WHERE id = $1`},
	} {
		if got := store.Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
