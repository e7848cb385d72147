package store

import (
	"context"
	"database/sql"
	"fmt"

	"confidant/counselling"
)

// CounselledThemes returns the themes the calling counsellor or supervisor
// counsels: all of the office's until they chose fewer.
func (db *DB) CounselledThemes(ctx context.Context, c counselling.Caller) (counselling.CounselledThemes, error) {
	if !c.Counsels() {
		return counselling.CounselledThemes{}, notFound("The page")
	}
	var out counselling.CounselledThemes
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.counselledThemes(ctx, tx, c.AccountID)
		return err
	})
	return out, err
}

func (db *DB) counselledThemes(ctx context.Context, tx *sql.Tx, accountID string) (counselling.CounselledThemes, error) {
	rows, err := tx.QueryContext(ctx, `SELECT theme_id FROM counselled_themes WHERE account_id = ? ORDER BY theme_id`, accountID)
	if err != nil {
		return counselling.CounselledThemes{}, fmt.Errorf("read counselled themes: %w", err)
	}
	defer rows.Close()
	var out counselling.CounselledThemes
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return counselling.CounselledThemes{}, fmt.Errorf("read counselled theme: %w", err)
		}
		out.IDs = append(out.IDs, id)
	}
	if err := rows.Err(); err != nil {
		return counselling.CounselledThemes{}, fmt.Errorf("read counselled themes: %w", err)
	}
	if len(out.IDs) == 0 {
		return counselling.AllThemes, nil
	}
	return out, nil
}

// SetCounselledThemes stores the calling counsellor's or supervisor's choice
// of the themes they counsel (slugs of their office's themes) and returns it
// as the domain reads it.
func (db *DB) SetCounselledThemes(ctx context.Context, c counselling.Caller, slugs []string) (counselling.CounselledThemes, error) {
	if !c.Counsels() {
		return counselling.CounselledThemes{}, notFound("The page")
	}
	var out counselling.CounselledThemes
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		themes, err := db.activeThemes(ctx, tx, c.OfficeID)
		if err != nil {
			return err
		}
		if out, err = counselling.ChooseCounselledThemes(slugs, themes); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM counselled_themes WHERE account_id = ?`, c.AccountID); err != nil {
			return fmt.Errorf("clear counselled themes: %w", err)
		}
		if out.All {
			return nil
		}
		for _, id := range out.IDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO counselled_themes (account_id, theme_id) VALUES (?, ?)`, c.AccountID, id); err != nil {
				return fmt.Errorf("write counselled theme: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// activeThemes lists the office's themes in use.
func (db *DB) activeThemes(ctx context.Context, tx *sql.Tx, officeID int64) ([]counselling.Theme, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, office_id, slug, name FROM themes WHERE office_id = ? AND retired_at IS NULL ORDER BY position, id`, officeID)
	if err != nil {
		return nil, fmt.Errorf("list themes: %w", err)
	}
	defer rows.Close()
	var out []counselling.Theme
	for rows.Next() {
		var t counselling.Theme
		if err := rows.Scan(&t.ID, &t.OfficeID, &t.Slug, &t.Name); err != nil {
			return nil, fmt.Errorf("read theme: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
