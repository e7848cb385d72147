package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"confidant/counselling"
)

var errSnippetNotFound = notFound("The snippet")

// snippetSQL turns a scope of the domain's (whose snippets a caller keeps or
// inserts) into a SQL condition on snippets s.
func snippetSQL(s counselling.SnippetScope) (string, []any) {
	if s.None || s.OfficeID == 0 {
		return "1 = 0", nil
	}
	var alts []string
	args := []any{s.OfficeID}
	if s.OwnerID != "" {
		alts = append(alts, "s.owner_id = ?")
		args = append(args, s.OwnerID)
	}
	if s.OfficeWide {
		alts = append(alts, "s.owner_id IS NULL")
	}
	if len(alts) == 0 {
		return "1 = 0", nil
	}
	return "s.office_id = ? AND (" + strings.Join(alts, " OR ") + ")", args
}

// KeptSnippets lists the snippets the caller keeps (counselling.KeptSnippets),
// in every language, by title.
func (db *DB) KeptSnippets(ctx context.Context, c counselling.Caller) ([]counselling.Snippet, error) {
	return db.snippets(ctx, counselling.KeptSnippets(c), "")
}

// InsertableSnippets lists the snippets in lang that the caller may insert
// into a reply (counselling.InsertableSnippets): their own first, then the
// office's, each by title.
func (db *DB) InsertableSnippets(ctx context.Context, c counselling.Caller, lang string) ([]counselling.Snippet, error) {
	return db.snippets(ctx, counselling.InsertableSnippets(c), lang)
}

func (db *DB) snippets(ctx context.Context, scope counselling.SnippetScope, lang string) ([]counselling.Snippet, error) {
	if scope.None {
		return nil, nil
	}
	cond, args := snippetSQL(scope)
	if lang != "" {
		cond += " AND s.lang = ?"
		args = append(args, lang)
	}
	var out []counselling.Snippet
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.owner_id IS NULL, s.lang, s.author_id, a.data_key, s.title, s.body
			FROM snippets s JOIN accounts a ON a.id = s.author_id WHERE `+cond+` ORDER BY s.owner_id IS NULL, s.created_at, s.id`, args...)
		if err != nil {
			return fmt.Errorf("list snippets: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			sn, err := db.scanSnippet(rows)
			if err != nil {
				return err
			}
			out = append(out, *sn)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// Titles are sealed, so they are put in order once opened.
	sortSnippets(out)
	return out, nil
}

// sortSnippets orders the caller's own before the office's, each by title.
func sortSnippets(list []counselling.Snippet) {
	slices.SortStableFunc(list, func(a, b counselling.Snippet) int {
		if a.OfficeWide != b.OfficeWide {
			if a.OfficeWide {
				return 1
			}
			return -1
		}
		return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	})
}

func (db *DB) scanSnippet(rows *sql.Rows) (*counselling.Snippet, error) {
	var sn counselling.Snippet
	var author string
	var wrapped, title, body []byte
	if err := rows.Scan(&sn.ID, &sn.OfficeWide, &sn.Lang, &author, &wrapped, &title, &body); err != nil {
		return nil, fmt.Errorf("read snippet: %w", err)
	}
	key, err := db.keys.UnwrapDataKey(author, wrapped)
	if err != nil {
		return nil, err
	}
	s := sealer{key: key, table: "snippets", row: sn.ID}
	if sn.Title, err = s.open("title", title); err != nil {
		return nil, err
	}
	if sn.Body, err = s.open("body", body); err != nil {
		return nil, err
	}
	return &sn, nil
}

// InsertableSnippet returns one snippet the caller may insert into a reply.
func (db *DB) InsertableSnippet(ctx context.Context, c counselling.Caller, id string) (*counselling.Snippet, error) {
	scope := counselling.InsertableSnippets(c)
	if scope.None || !validID(id) {
		return nil, errSnippetNotFound
	}
	cond, args := snippetSQL(scope)
	var out *counselling.Snippet
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.owner_id IS NULL, s.lang, s.author_id, a.data_key, s.title, s.body
			FROM snippets s JOIN accounts a ON a.id = s.author_id WHERE s.id = ? AND `+cond, append([]any{id}, args...)...)
		if err != nil {
			return fmt.Errorf("read snippet: %w", err)
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read snippet: %w", err)
			}
			return errSnippetNotFound
		}
		out, err = db.scanSnippet(rows)
		return err
	})
	return out, err
}

// AddSnippet stores a snippet the caller keeps: a counsellor's own, or an
// admin's for the whole office (counselling.KeptSnippets). Title and text
// are sealed under the caller's data key. An admin's addition is audited.
func (db *DB) AddSnippet(ctx context.Context, c counselling.Caller, sn counselling.Snippet) error {
	scope := counselling.KeptSnippets(c)
	if scope.None {
		return errSnippetNotFound
	}
	if err := sn.Validate(); err != nil {
		return err
	}
	id, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		cond, args := snippetSQL(scope)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM snippets s WHERE `+cond, args...).Scan(&n); err != nil {
			return fmt.Errorf("count snippets: %w", err)
		}
		if n >= counselling.MaxSnippets {
			return counselling.Errorf(counselling.EInvalid, "There are 100 snippets here already, the most there may be. Please delete one you no longer use first.")
		}
		var wrapped []byte
		err := tx.QueryRowContext(ctx, `SELECT data_key FROM accounts WHERE id = ?`, c.AccountID).Scan(&wrapped)
		if errors.Is(err, sql.ErrNoRows) {
			return errSnippetNotFound
		}
		if err != nil {
			return fmt.Errorf("read author key: %w", err)
		}
		key, err := db.keys.UnwrapDataKey(c.AccountID, wrapped)
		if err != nil {
			return err
		}
		s := sealer{key: key, table: "snippets", row: id}
		title, err := s.seal("title", sn.Title)
		if err != nil {
			return err
		}
		body, err := s.seal("body", sn.Body)
		if err != nil {
			return err
		}
		var owner any
		if !scope.OfficeWide {
			owner = c.AccountID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO snippets (id, office_id, owner_id, author_id, lang, title, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, scope.OfficeID, owner, c.AccountID, sn.Lang, title, body, db.now().Unix()); err != nil {
			return fmt.Errorf("add snippet: %w", err)
		}
		if scope.OfficeWide {
			return db.audit(ctx, tx, scope.OfficeID, c.AccountID, "office snippet added", "", counselling.LanguageNames[sn.Lang])
		}
		return nil
	})
}

// DeleteSnippet deletes a snippet the caller keeps; another's is not found.
func (db *DB) DeleteSnippet(ctx context.Context, c counselling.Caller, id string) error {
	scope := counselling.KeptSnippets(c)
	if scope.None || !validID(id) {
		return errSnippetNotFound
	}
	cond, args := snippetSQL(scope)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM snippets AS s WHERE s.id = ? AND `+cond, append([]any{id}, args...)...)
		if err != nil {
			return fmt.Errorf("delete snippet: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errSnippetNotFound
		}
		if scope.OfficeWide {
			return db.audit(ctx, tx, scope.OfficeID, c.AccountID, "office snippet deleted", "", "")
		}
		return nil
	})
}
