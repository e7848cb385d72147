package store

import (
	"context"
	"database/sql"
	"fmt"

	"confidant/counselling"
)

// OfficeLanguage returns how the office's pages speak.
func (db *DB) OfficeLanguage(ctx context.Context, officeID int64) (counselling.LanguageSettings, error) {
	var s counselling.LanguageSettings
	err := db.read.QueryRowContext(ctx, `SELECT formal_german, easy_language FROM offices WHERE id = ?`, officeID).
		Scan(&s.FormalGerman, &s.EasyLanguage)
	if err != nil {
		return s, fmt.Errorf("read language settings: %w", err)
	}
	return s, nil
}

// SetOfficeLanguage changes how the pages of the office the actor
// administers speak, and records it in the audit log.
func (db *DB) SetOfficeLanguage(ctx context.Context, actor counselling.Caller, s counselling.LanguageSettings) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		cond, args := adminSQL("id", scope)
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET formal_german = ?, easy_language = ? WHERE `+cond,
			append([]any{s.FormalGerman, s.EasyLanguage}, args...)...); err != nil {
			return fmt.Errorf("update language settings: %w", err)
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "language settings changed", "", counselling.AuditDetail{
			ID: counselling.AuditLanguage, Args: map[string]string{"Formal": counselling.YesNo(s.FormalGerman),
				"Easy": counselling.YesNo(s.EasyLanguage)}, Translated: []string{"Formal", "Easy"}})
	})
}

// EasyLanguage reports whether the account chose the easy-language pages.
func (db *DB) EasyLanguage(ctx context.Context, accountID string) (bool, error) {
	var easy bool
	err := db.read.QueryRowContext(ctx, `SELECT easy_language FROM accounts WHERE id = ?`, accountID).Scan(&easy)
	if err != nil {
		return false, fmt.Errorf("read easy language: %w", err)
	}
	return easy, nil
}

// SetEasyLanguage remembers whether the account reads the easy-language
// pages, as its language is remembered.
func (db *DB) SetEasyLanguage(ctx context.Context, accountID string, easy bool) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET easy_language = ? WHERE id = ?`, easy, accountID); err != nil {
			return fmt.Errorf("set easy language: %w", err)
		}
		return nil
	})
}
