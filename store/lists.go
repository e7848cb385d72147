package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"confidant/counselling"
)

// officeList is one of the lists an office keeps and its admins edit: the
// themes people write about and the regions they may choose. Entries are
// added, renamed and retired, never deleted, because the anonymous statistics
// of past years name them; the slug made when an entry is added stays.
type officeList struct {
	table string // also names the list in errors for the log
	// taken is the refusal of a name whose slug the list has already.
	taken   func() error
	missing error
	// The actions the audit log records.
	added, renamed, retired string
}

var (
	themeList = officeList{
		table: "themes",
		taken: func() error {
			return counselling.FieldError("name", "A theme with this name exists already (perhaps retired).")
		},
		missing: notFound("The theme"),
		added:   "theme added", renamed: "theme renamed", retired: "theme retired",
	}
	regionList = officeList{
		table: "regions",
		taken: func() error {
			return counselling.FieldError("name", "A region with this name exists already (perhaps retired).")
		},
		missing: notFound("The region"),
		added:   "region added", renamed: "region renamed", retired: "region retired",
	}
)

// addEntry adds an entry at the end of a list of the office the actor
// administers.
func (db *DB) addEntry(ctx context.Context, actor counselling.Caller, l officeList, name string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := counselling.ValidateEntryName(name); err != nil {
			return err
		}
		slug := counselling.Slugify(name)
		if len(slug) < 2 {
			return counselling.FieldError("name", "Please use a name with at least two letters or digits.")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO `+l.table+` (office_id, slug, name, position)
			VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM `+l.table+` WHERE office_id = ?))`,
			scope.OfficeID, slug, name, scope.OfficeID)
		if isUniqueViolation(err) {
			return l.taken()
		}
		if err != nil {
			return fmt.Errorf("add to %s: %w", l.table, err)
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, l.added, slug, namedDetail(name))
	})
}

// renameEntry renames an entry of a list of the office the actor administers.
func (db *DB) renameEntry(ctx context.Context, actor counselling.Caller, l officeList, id int64, name string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := counselling.ValidateEntryName(name); err != nil {
			return err
		}
		cond, args := adminSQL("office_id", scope)
		var slug string
		err = tx.QueryRowContext(ctx, `UPDATE `+l.table+` SET name = ? WHERE id = ? AND `+cond+` RETURNING slug`,
			append([]any{name, id}, args...)...).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return l.missing
		}
		if err != nil {
			return fmt.Errorf("rename in %s: %w", l.table, err)
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, l.renamed, slug, namedDetail(name))
	})
}

// retireEntry stops offering an entry of a list of the office the actor
// administers.
func (db *DB) retireEntry(ctx context.Context, actor counselling.Caller, l officeList, id int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		cond, args := adminSQL("office_id", scope)
		var slug string
		err = tx.QueryRowContext(ctx, `UPDATE `+l.table+` SET retired_at = ? WHERE id = ? AND retired_at IS NULL AND `+cond+` RETURNING slug`,
			append([]any{db.now().Unix(), id}, args...)...).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return l.missing
		}
		if err != nil {
			return fmt.Errorf("retire in %s: %w", l.table, err)
		}
		return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, l.retired, slug, "")
	})
}
