package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"confidant/counselling/vault"
	"confidant/store"
)

// migrate runs "confidant migrate --to postgres://…": it copies the stopped
// SQLite office in --data into an empty PostgreSQL database, checks the copy,
// and says what to change in the configuration.
func (m *Main) migrate(ctx context.Context, args []string) error {
	fs, cfg := m.flags("migrate")
	to := fs.String("to", "", "postgres:// URL of the empty PostgreSQL database to move the office into")
	rest, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	if !store.IsPostgres(*to) {
		return fmt.Errorf("usage: confidant migrate --to postgres://USER@HOST/DATABASE [--data DIR]")
	}
	if cfg.Database != "" {
		return fmt.Errorf("this office is on PostgreSQL already (--database); migrate moves an office from its SQLite file")
	}
	path := filepath.Join(cfg.Data, store.FileName)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no office to move: %s does not exist", path)
	}
	// A running office holds this lock; rows it wrote during the copy would
	// be lost.
	unlock, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer unlock()
	keys, err := vault.LoadOrCreate(cfg.Data, true)
	if err != nil {
		return err
	}
	report, err := store.MoveToPostgres(ctx, path, *to, keys)
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range report.Tables {
		rows += t.To
	}
	var sealed int
	for _, n := range report.Opened {
		sealed += n
	}
	fmt.Fprintf(m.Stdout, "Moved: %d rows in %d tables, the same number in each table on both sides; all %d sealed values open with the keys in %s.\n",
		rows, len(report.Tables), sealed, cfg.Data)
	for _, t := range report.Tables {
		fmt.Fprintf(m.Stdout, "  %-26s %d\n", t.Table, t.To)
	}
	fmt.Fprintf(m.Stdout, `
Now change the configuration:
  1. Start the office with --database (or CONFIDANT_DATABASE) set to the URL you gave --to.
  2. Keep %s and %s in --data; every node needs the same two files in its own --data.
  3. Back up with PostgreSQL's tools from now on (pg_dump, or base backups); confidant backup
     no longer applies. %s is left as it was: keep it until the office runs well on
     PostgreSQL, then delete it (shred -u), since it holds the same data.
`, vault.KEKFile, vault.IndexFile, path)
	return nil
}
