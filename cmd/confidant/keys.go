package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"confidant/counselling"
	"confidant/counselling/vault"
	"confidant/store"
)

// backup runs "confidant backup FILE".
func (m *Main) backup(ctx context.Context, args []string) error {
	fs, cfg := m.flags("backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: confidant backup FILE")
	}
	if err := store.Backup(ctx, filepath.Join(cfg.Data, store.FileName), fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Backup written to %s and checked. It is encrypted with the keys in %s: back up %s and %s too, but keep them apart from the backup.\n",
		fs.Arg(0), cfg.Data, vault.KEKFile, vault.IndexFile)
	return nil
}

// restore runs "confidant restore FILE" into an empty data folder.
func (m *Main) restore(ctx context.Context, args []string) error {
	fs, cfg := m.flags("restore")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: confidant restore FILE")
	}
	unlock, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer unlock()
	if err := store.Restore(ctx, fs.Arg(0), cfg.Data); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Restored into %s. Before starting, put the %s and %s that belong to this backup into %s.\n",
		cfg.Data, vault.KEKFile, vault.IndexFile, cfg.Data)
	return nil
}

// keys runs "confidant keys rotate": a new key-encryption key, every data key
// re-wrapped in one transaction. The office must be stopped.
func (m *Main) keys(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("usage: confidant keys rotate")
	}
	fs, cfg := m.flags("keys rotate")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	unlock, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer unlock()
	db, ring, err := openStoreKeys(ctx, cfg.Data, counselling.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()

	id, kek, err := vault.NewKEK()
	if err != nil {
		return err
	}
	next, err := ring.WithKEK(id, kek)
	if err != nil {
		return err
	}
	// The new key is on disk before the database depends on it; if the
	// rotation stops half-way, the next start finishes it (see openStore).
	current := filepath.Join(cfg.Data, vault.KEKFile)
	pending := current + ".new"
	if err := vault.WriteKEKFile(pending, id, kek); err != nil {
		return err
	}
	n, err := db.RotateKEK(ctx, next)
	if err != nil {
		os.Remove(pending)
		return err
	}
	retired := current + ".retired-" + ring.Fingerprint()
	if err := os.Rename(current, retired); err != nil {
		return fmt.Errorf("retire old key file: %w", err)
	}
	if err := os.Rename(pending, current); err != nil {
		return fmt.Errorf("install new key file: %w", err)
	}
	fmt.Fprintf(m.Stdout, `Rotated: %d data keys re-wrapped under the new key %s.
The old key is kept as %s. Backups taken before now can only be read with it.
Once those backups have expired, destroy it (for example: shred -u %s); from then
on, accounts deleted before the rotation cannot be read from any old backup.
`, n, next.Fingerprint(), retired, retired)
	return nil
}
