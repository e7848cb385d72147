package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database at dbPath to dest with
// VACUUM INTO, which reads one snapshot and so works beside a running office
// that keeps writing. The copy has no free pages (nothing deleted lingers in
// it), is made owner-only, synced to disk, and checked for integrity. The key
// files are not part of it: keep them apart.
func Backup(ctx context.Context, dbPath, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s exists already; choose a new file name", dest)
	}
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no database at %s", dbPath)
	}
	src, err := sql.Open("sqlite3", dsn(dbPath, false))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer src.Close()
	// Create the file owner-only first; VACUUM INTO then fills the empty file.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create backup file: %w", err)
	}
	f.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("copy database: %w", err)
	}
	if err := syncFile(dest); err != nil {
		return err
	}
	return CheckIntegrity(ctx, dest)
}

// CheckIntegrity runs SQLite's integrity check on a database file.
func CheckIntegrity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("%s failed the integrity check: %s", path, result)
	}
	var migrations int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&migrations); err != nil || migrations == 0 {
		return fmt.Errorf("%s is not a Confidant database", path)
	}
	return nil
}

// Restore copies a backup into dataDir, which must not hold a database yet.
// The backup is checked before and after copying.
func Restore(ctx context.Context, backup, dataDir string) error {
	dest := filepath.Join(dataDir, FileName)
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s holds a database already; restore into an empty data folder", dataDir)
	}
	if err := CheckIntegrity(ctx, backup); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	in, err := os.Open(backup)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer in.Close()
	tmp := dest + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return fmt.Errorf("copy backup: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("sync database file: %w", err)
	}
	out.Close()
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("install database file: %w", err)
	}
	if err := syncFile(dataDir); err != nil {
		return err
	}
	return CheckIntegrity(ctx, dest)
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// IsWrongKey reports whether err says the key files do not fit the database.
func IsWrongKey(err error) bool { return errors.Is(err, ErrWrongKey) }
