//go:build postgres

package main

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"confidant/store"
	"confidant/store/storetest"
)

// The office is moved by the command an operator types: a SQLite office
// with a help-seeker's thread and synthetic traffic, stopped, moved with
// confidant migrate --to into an empty PostgreSQL database, and started
// again with --database. Every table holds as many rows on both sides, the
// help-seeker logs in, their thread reads the same and their export is the
// same but for the time it was made. (make test-postgres runs it.)
func TestMigrateMovesAnOfficeToPostgresOnPostgres(t *testing.T) {
	dir := t.TempDir()
	office := start(t, dir)
	c := client()
	postForm(t, c, office.url, "/register", url.Values{"nickname": {"Moving Writer"}, "password": {"packing boxes all day"},
		"email": {"moving@example.org"}, "accept_terms": {"y"}})
	resp, _ := postForm(t, c, office.url, "/threads/new", url.Values{"theme": {"family"}, "subject": {"Before the move"},
		"body": {"Written while the office was on SQLite."}})
	threadPath := resp.Request.URL.Path
	if !strings.HasPrefix(threadPath, "/threads/") {
		t.Fatalf("the thread was not written: landed on %s", threadPath)
	}
	before := exportOf(t, c, office.url)
	if err := office.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, "seed", "--data", dir, "--seekers", "8", "--threads", "40", "--counsellors", "2",
		"--messages-per-thread", "3"); err != nil {
		t.Fatal(err)
	}
	from := rawDB(t, filepath.Join(dir, store.FileName))
	counts := tableCounts(t, from, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)

	to := storetest.NewDatabase(t, false)
	out, err := runCmd(t, "migrate", "--data", dir, "--to", to)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	for _, want := range []string{"the same number in each table on both sides", "sealed values open", "Now change the configuration", "--database"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate does not say %q:\n%s", want, out)
		}
	}
	moved, err := store.OpenRaw(to)
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	if counts["threads"] < 41 || counts["messages"] < 120 {
		t.Fatalf("the seeded office holds too little to compare: %v", counts)
	}
	for table, n := range counts {
		if table == "schema_migrations" {
			continue
		}
		var m int
		if err := moved.QueryRow(`SELECT count(*) FROM ` + table).Scan(&m); err != nil {
			t.Errorf("%s after the move: %v", table, err)
			continue
		}
		if m != n {
			t.Errorf("%s: %d rows on SQLite, %d on PostgreSQL", table, n, m)
		}
	}

	again := start(t, dir, "--database", to)
	c = client()
	resp, _ = postForm(t, c, again.url, "/login", url.Values{"nickname": {"Moving Writer"}, "password": {"packing boxes all day"}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		t.Fatalf("login after the move: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	page, err := c.Get(again.url + threadPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(body), "Written while the office was on SQLite.") {
		t.Fatalf("the thread after the move: %d", page.StatusCode)
	}
	if after := exportOf(t, c, again.url); after != before {
		t.Errorf("the export differs after the move:\nbefore %s\nafter  %s", before, after)
	}
}

// exportOf fetches the logged-in help-seeker's export and returns it
// without the time it was made.
func exportOf(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Get(base + "/account/export")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	var export map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&export); err != nil {
		t.Fatal(err)
	}
	if _, ok := export["exported_at"]; !ok {
		t.Fatalf("the export has no exported_at: %v", export)
	}
	delete(export, "exported_at")
	b, _ := json.Marshal(export)
	return string(b)
}

// tableCounts counts the rows of every table that list names.
func tableCounts(t *testing.T, db *sql.DB, list string) map[string]int {
	t.Helper()
	rows, err := db.Query(list)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	counts := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}
