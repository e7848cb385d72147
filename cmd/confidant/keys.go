package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"confidant/counselling"
	"confidant/counselling/vault"
	"confidant/store"
)

// errPostgresBackup is what backup and restore answer for an office on
// PostgreSQL: its backups are PostgreSQL's own, which know the database's
// replication and point-in-time recovery; a copy made beside them would be
// one more to keep safe, and not a better one.
var errPostgresBackup = errors.New("this office keeps its data in PostgreSQL: back it up with PostgreSQL's own tools " +
	"(pg_dump, or base backups with pg_basebackup and WAL archiving) and restore with pg_restore or from the base backup; " +
	"keep master.key and index.key from --data apart from those backups, as for SQLite")

// backup runs "confidant backup FILE".
func (m *Main) backup(ctx context.Context, args []string) error {
	fs, cfg := m.flags("backup")
	files, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	// On PostgreSQL there is no FILE to give: the advice, not the usage.
	if cfg.Database != "" {
		return errPostgresBackup
	}
	if len(files) != 1 {
		return fmt.Errorf("usage: confidant backup FILE [--data DIR]")
	}
	if err := store.Backup(ctx, filepath.Join(cfg.Data, store.FileName), files[0]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Backup written to %s and checked. It is encrypted with the keys in %s: back up %s and %s too, but keep them apart from the backup.\n",
		files[0], cfg.Data, vault.KEKFile, vault.IndexFile)
	return nil
}

// restore runs "confidant restore FILE" into an empty data folder.
func (m *Main) restore(ctx context.Context, args []string) error {
	fs, cfg := m.flags("restore")
	files, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	// On PostgreSQL there is no FILE to give: the advice, not the usage.
	if cfg.Database != "" {
		return errPostgresBackup
	}
	if len(files) != 1 {
		return fmt.Errorf("usage: confidant restore FILE [--data DIR]")
	}
	unlock, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer unlock()
	if err := store.Restore(ctx, files[0], cfg.Data); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Restored into %s. Before starting, put the %s and %s that belong to this backup into %s.\n",
		cfg.Data, vault.KEKFile, vault.IndexFile, cfg.Data)
	return nil
}

// keys runs "confidant keys rotate": a new key-encryption key and a new
// blind-index key; every data key re-wrapped and every nickname re-indexed in
// one transaction. The office must be stopped: on PostgreSQL every node of it
// (the store refuses while one has shown signs of life lately).
func (m *Main) keys(ctx context.Context, args []string) error {
	fs, cfg := m.flags("keys rotate")
	rest, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "rotate" {
		return fmt.Errorf("usage: confidant keys rotate [--data DIR]")
	}
	unlock, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer unlock()
	db, ring, err := openStoreKeys(ctx, cfg.Data, cfg.Database, counselling.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()

	id, kek, err := vault.NewKEK()
	if err != nil {
		return err
	}
	index, err := vault.NewIndexKey()
	if err != nil {
		return err
	}
	next, err := vault.NewKeyring(id, kek, index, nil)
	if err != nil {
		return err
	}
	// The new keys are on disk before the database depends on them; if the
	// rotation stops half-way, the next start finishes it (see openStoreKeys).
	if err := vault.StageRotation(cfg.Data, id, kek, index); err != nil {
		return err
	}
	n, err := db.RotateKeys(ctx, next)
	if err != nil {
		// Staged keys left behind would be taken for a rotation to finish
		// at the next start, so the operator must hear if they stay.
		return errors.Join(err, vault.DiscardRotation(cfg.Data))
	}
	if err := vault.InstallRotation(cfg.Data, ring.Fingerprint()); err != nil {
		return err
	}
	retired := vault.RetiredFiles(cfg.Data, ring.Fingerprint())
	fmt.Fprintf(m.Stdout, `Rotated: %d data keys re-wrapped under the new key %s, and every nickname indexed under a new index key.
The old keys are kept as
  %s
  %s
Backups taken before now can only be read with them. Once those backups have
expired, destroy both (for example: shred -u %s %s); from then on,
accounts deleted before the rotation cannot be read from any old backup, and
no one can confirm from an old backup that a guessed nickname had an account.
`, n, next.Fingerprint(), retired[0], retired[1], retired[0], retired[1])
	if cfg.Database != "" {
		fmt.Fprintf(m.Stdout, `
This office is on PostgreSQL: before starting any node, copy the new
%s and %s from %s into the --data folder of every other node,
replacing theirs. A node with the old files is refused at start.
`, vault.KEKFile, vault.IndexFile, cfg.Data)
	}
	return nil
}
