package store

import (
	"context"
	"database/sql"
	"fmt"

	"confidant/counselling"
)

// Regions lists an office's region list, retired entries too (old statistics
// and profiles keep them), in the order they are offered.
func (db *DB) Regions(ctx context.Context, officeID int64) (counselling.RegionList, error) {
	var out counselling.RegionList
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = regionsTx(ctx, tx, officeID)
		return err
	})
	return out, err
}

func regionsTx(ctx context.Context, tx *sql.Tx, officeID int64) (counselling.RegionList, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, office_id, slug, name, retired_at IS NOT NULL FROM regions
		WHERE office_id = ? ORDER BY position, id`, officeID)
	if err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	defer rows.Close()
	var out counselling.RegionList
	for rows.Next() {
		var r counselling.Region
		if err := rows.Scan(&r.ID, &r.OfficeID, &r.Slug, &r.Name, &r.Retired); err != nil {
			return nil, fmt.Errorf("read region: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// chooseRegion turns a posted region into what the profile stores, by the
// office's list (RegionList.Choose): an entry's slug or nothing.
func chooseRegion(ctx context.Context, tx *sql.Tx, officeID int64, posted string) (string, error) {
	list, err := regionsTx(ctx, tx, officeID)
	if err != nil {
		return "", err
	}
	return list.Choose(posted)
}

// AddRegion adds an entry to the region list of the office the actor
// administers.
func (db *DB) AddRegion(ctx context.Context, actor counselling.Caller, name string) error {
	return db.addEntry(ctx, actor, regionList, name)
}

// RenameRegion renames a region entry; its slug, the profiles that chose it
// and its statistics stay.
func (db *DB) RenameRegion(ctx context.Context, actor counselling.Caller, regionID int64, name string) error {
	return db.renameEntry(ctx, actor, regionList, regionID, name)
}

// RetireRegion stops offering a region entry; old statistics keep it.
func (db *DB) RetireRegion(ctx context.Context, actor counselling.Caller, regionID int64) error {
	return db.retireEntry(ctx, actor, regionList, regionID)
}
