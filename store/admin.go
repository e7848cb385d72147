package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"confidant/counselling"
)

// audit records an admin action in the same transaction as the action. target
// and detail name staff by id and themes by slug: never a help-seeker.
func (db *DB) audit(ctx context.Context, tx *sql.Tx, officeID int64, actorID, action, target, detail string) error {
	var actor any
	if actorID != "" {
		actor = actorID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (office_id, actor_id, action, target, detail, at) VALUES (?, ?, ?, ?, ?, ?)`,
		officeID, actor, action, target, detail, db.now().Unix()); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns an office's latest recorded admin actions, newest first,
// with staff ids resolved to names.
func (db *DB) AuditLog(ctx context.Context, officeID int64, limit int) ([]counselling.AuditEntry, error) {
	var out []counselling.AuditEntry
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, coalesce(actor_id, ''), action, target, detail FROM audit_log
			WHERE office_id = ? ORDER BY at DESC, id DESC LIMIT ?`, officeID, limit)
		if err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		type raw struct {
			at                            int64
			actor, action, target, detail string
		}
		var all []raw
		for rows.Next() {
			var r raw
			if err := rows.Scan(&r.at, &r.actor, &r.action, &r.target, &r.detail); err != nil {
				rows.Close()
				return fmt.Errorf("read audit entry: %w", err)
			}
			all = append(all, r)
		}
		rows.Close()
		names := staffNames{db: db, tx: tx, ctx: ctx}
		for _, r := range all {
			e := counselling.AuditEntry{At: time.Unix(r.at, 0).UTC(), Action: r.action, Target: r.target, Detail: r.detail, Actor: "operator (command line)"}
			if r.actor != "" {
				if e.Actor, err = names.name(r.actor); err != nil {
					return err
				}
			}
			if validID(r.target) {
				if e.Target, err = names.name(r.target); err != nil {
					return err
				}
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// InviteStaff is CreateStaff done by an admin, recorded in the audit log.
func (db *DB) InviteStaff(ctx context.Context, actor counselling.Caller, n counselling.NewStaff) (string, error) {
	return db.createStaff(ctx, n, actor.AccountID)
}

// staffTarget checks that id is staff of the office and returns its role.
func staffTarget(ctx context.Context, tx *sql.Tx, officeID int64, id string) (counselling.Role, error) {
	var role string
	err := tx.QueryRowContext(ctx, `SELECT role FROM accounts WHERE id = ? AND office_id = ? AND kind = 'staff'`, id, officeID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("The staff member")
	}
	if err != nil {
		return "", fmt.Errorf("read staff member: %w", err)
	}
	return counselling.Role(role), nil
}

// SetRole changes a staff member's role.
func (db *DB) SetRole(ctx context.Context, actor counselling.Caller, staffID string, role counselling.Role) error {
	if _, err := counselling.ParseRole(string(role)); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := staffTarget(ctx, tx, actor.OfficeID, staffID)
		if err != nil {
			return err
		}
		if staffID == actor.AccountID {
			return counselling.Errorf(counselling.EInvalid, "You cannot change your own role; ask another admin.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET role = ? WHERE id = ?`, string(role), staffID); err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "role changed", staffID, string(old)+" → "+string(role))
	})
}

// SetTrainee marks or unmarks a staff member of the office as trainee.
func (db *DB) SetTrainee(ctx context.Context, actor counselling.Caller, staffID string, trainee bool) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := staffTarget(ctx, tx, actor.OfficeID, staffID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET trainee = ? WHERE id = ?`, trainee, staffID); err != nil {
			return fmt.Errorf("set trainee: %w", err)
		}
		detail := "trainee: replies need approval"
		if !trainee {
			detail = "no longer trainee"
		}
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "trainee changed", staffID, detail)
	})
}

// SetDisabled disables (or enables again) a staff member; their sessions end
// at once.
func (db *DB) SetDisabled(ctx context.Context, actor counselling.Caller, staffID string, disabled bool) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := staffTarget(ctx, tx, actor.OfficeID, staffID); err != nil {
			return err
		}
		if staffID == actor.AccountID {
			return counselling.Errorf(counselling.EInvalid, "You cannot disable yourself.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET disabled = ? WHERE id = ?`, disabled, staffID); err != nil {
			return fmt.Errorf("set disabled: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, staffID); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		action := "disabled"
		if !disabled {
			action = "enabled"
		}
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "staff "+action, staffID, "")
	})
}

// AddTheme adds a theme to the office.
func (db *DB) AddTheme(ctx context.Context, actor counselling.Caller, name string) error {
	if err := counselling.ValidateThemeName(name); err != nil {
		return err
	}
	slug := counselling.Slugify(name)
	if len(slug) < 2 {
		return counselling.FieldError("name", "Please use a name with at least two letters or digits.")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO themes (office_id, slug, name, position)
			VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM themes WHERE office_id = ?))`, actor.OfficeID, slug, name, actor.OfficeID)
		if isUniqueViolation(err) {
			return counselling.FieldError("name", "A theme with this name exists already (perhaps retired).")
		}
		if err != nil {
			return fmt.Errorf("add theme: %w", err)
		}
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "theme added", slug, name)
	})
}

// RenameTheme renames a theme; its slug and its statistics stay.
func (db *DB) RenameTheme(ctx context.Context, actor counselling.Caller, themeID int64, name string) error {
	if err := counselling.ValidateThemeName(name); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var slug string
		err := tx.QueryRowContext(ctx, `UPDATE themes SET name = ? WHERE id = ? AND office_id = ? RETURNING slug`, name, themeID, actor.OfficeID).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The theme")
		}
		if err != nil {
			return fmt.Errorf("rename theme: %w", err)
		}
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "theme renamed", slug, name)
	})
}

// RetireTheme stops offering a theme; old statistics keep it.
func (db *DB) RetireTheme(ctx context.Context, actor counselling.Caller, themeID int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var slug string
		err := tx.QueryRowContext(ctx, `UPDATE themes SET retired_at = ? WHERE id = ? AND office_id = ? AND retired_at IS NULL RETURNING slug`,
			db.now().Unix(), themeID, actor.OfficeID).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The theme")
		}
		if err != nil {
			return fmt.Errorf("retire theme: %w", err)
		}
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "theme retired", slug, "")
	})
}

// UpdateOffice stores an office's settings and retention rules.
func (db *DB) UpdateOffice(ctx context.Context, actor counselling.Caller, s counselling.OfficeSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		r := s.Retention
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET name = ?, answer_time = ?, collect_region = ?, retain_mail_months = ?,
			wipe_mail_year_end = ?, inactive_account_months = ?, chat_transcript_months = ? WHERE id = ?`,
			s.Name, s.AnswerTime, s.CollectRegion, r.MailMonths, r.WipeMailYearEnd, r.InactiveAccountMonths, r.ChatTranscriptMonths, actor.OfficeID); err != nil {
			return fmt.Errorf("update office: %w", err)
		}
		detail := fmt.Sprintf("name %q, answer time %q, region collected %v, mail kept %d months, year-end wipe %v, inactive accounts %d months, chat %d months",
			s.Name, s.AnswerTime, s.CollectRegion, r.MailMonths, r.WipeMailYearEnd, r.InactiveAccountMonths, r.ChatTranscriptMonths)
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "settings changed", "", detail)
	})
}

// PublishTermsBy is PublishTerms done by an admin, recorded in the audit log.
func (db *DB) PublishTermsBy(ctx context.Context, actor counselling.Caller, text string) (int, error) {
	version, err := db.PublishTerms(ctx, actor.OfficeID, text)
	if err != nil {
		return 0, err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "privacy terms published", "", "version "+strconv.Itoa(version))
	})
	return version, err
}

// CreateOfficeBy creates an office and an invite for its first admin, recorded
// in the creating admin's audit log and in the new office's.
func (db *DB) CreateOfficeBy(ctx context.Context, actor counselling.Caller, slug, name, adminName string) (*counselling.Office, string, error) {
	p := counselling.Problems{}
	if !counselling.ValidSlug(slug) {
		p.Add("slug", "A slug is 2 to 40 lowercase letters, digits and dashes.")
	}
	if err := counselling.ValidateThemeName(name); err != nil {
		p.Add("office_name", "Please give the office a name of at most 60 characters.")
	}
	if _, err := counselling.NormalizeNickname(adminName); err != nil {
		p.Add("admin_name", "Please give the new office's admin a name of 3 to 32 characters.")
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	office, err := db.CreateOffice(ctx, slug, name)
	if err != nil {
		return nil, "", err
	}
	token, err := db.createStaff(ctx, counselling.NewStaff{OfficeID: office.ID, Role: counselling.RoleAdmin, Name: adminName}, actor.AccountID)
	if err != nil {
		return nil, "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		return db.audit(ctx, tx, actor.OfficeID, actor.AccountID, "office created", slug, name)
	})
	return office, token, err
}
