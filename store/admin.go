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
// names staff by id and themes by slug: never a help-seeker. detail is a
// message id without placeholders (or ""); auditSaying records one with
// arguments.
func (db *DB) audit(ctx context.Context, tx *sql.Tx, officeID int64, actorID, action, target, detail string) error {
	return db.auditSaying(ctx, tx, officeID, actorID, action, target, counselling.AuditDetail{ID: detail})
}

// auditSaying is audit with a detail that is a message and its arguments,
// stored as such so that the audit page tells it in its reader's language.
func (db *DB) auditSaying(ctx context.Context, tx *sql.Tx, officeID int64, actorID, action, target string, said counselling.AuditDetail) error {
	detail := said.Encode()
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

// errNotAdmin answers an actor who administers nothing, or not what they
// asked for: not found, as the web layer answers, so nothing is revealed.
var errNotAdmin = notFound("Administration")

// adminScope applies the domain's rule of who administers what
// (counselling.Administers) to actor; an actor who administers nothing gets
// not-found.
func (db *DB) adminScope(ctx context.Context, tx *sql.Tx, actor counselling.Caller) (counselling.AdminScope, error) {
	var defaultOffice int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM offices WHERE slug = ?`, counselling.DefaultOfficeSlug).Scan(&defaultOffice)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return counselling.AdminScope{}, fmt.Errorf("read default office: %w", err)
	}
	s := counselling.Administers(actor, defaultOffice)
	if s.None() {
		return s, errNotAdmin
	}
	return s, nil
}

// adminSQL turns what an admin administers into a SQL condition on the office
// column col.
func adminSQL(col string, s counselling.AdminScope) (string, []any) {
	if s.None() {
		return "1 = 0", nil
	}
	return col + " = ?", []any{s.OfficeID}
}

// AuditLog returns the latest recorded admin actions of the office the actor
// administers, newest first, with staff ids resolved to names.
func (db *DB) AuditLog(ctx context.Context, actor counselling.Caller, limit int) ([]counselling.AuditEntry, error) {
	var out []counselling.AuditEntry
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		cond, args := adminSQL("office_id", scope)
		rows, err := tx.QueryContext(ctx, `SELECT at, coalesce(actor_id, ''), action, target, detail FROM audit_log
			WHERE `+cond+` ORDER BY at DESC, id DESC LIMIT ?`, append(args, limit)...)
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
			e := counselling.AuditEntry{At: time.Unix(r.at, 0).UTC(), Action: r.action, Target: r.target, ActorLabel: counselling.AuditActorOperator}
			var ok bool
			if e.Said, ok = counselling.DecodeAuditDetail(r.detail); !ok {
				e.Detail = r.detail
			}
			switch r.actor {
			case "":
			case automaticActor:
				e.ActorLabel = counselling.AuditActorAutomatic
			default:
				e.ActorLabel = ""
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

// InviteStaff is CreateStaff done by an admin for the office they administer,
// recorded in the audit log.
func (db *DB) InviteStaff(ctx context.Context, actor counselling.Caller, n counselling.NewStaff) (string, error) {
	token, err := db.newToken()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if n.OfficeID != scope.OfficeID {
			return errNotAdmin
		}
		if err := n.Validate(); err != nil {
			return err
		}
		return db.inviteStaff(ctx, tx, n, token, actor.AccountID)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// staffTarget checks that id is staff of an office the actor administers and
// returns its role.
func staffTarget(ctx context.Context, tx *sql.Tx, scope counselling.AdminScope, id string) (counselling.Role, error) {
	cond, args := adminSQL("office_id", scope)
	var role string
	err := tx.QueryRowContext(ctx, `SELECT role FROM accounts WHERE id = ? AND kind = 'staff' AND `+cond, append([]any{id}, args...)...).Scan(&role)
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
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if _, err := counselling.ParseRole(string(role)); err != nil {
			return err
		}
		old, err := staffTarget(ctx, tx, scope, staffID)
		if err != nil {
			return err
		}
		if staffID == actor.AccountID {
			return counselling.Errorf(counselling.EInvalid, "You cannot change your own role; ask another admin.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET role = ? WHERE id = ?`, string(role), staffID); err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		waits, err := awaitsSecondAdmin(ctx, tx, scope.OfficeID, staffID, role, actor.AccountID)
		if err != nil {
			return err
		}
		if waits {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, staffID); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "role changed", staffID, counselling.AuditDetail{
			ID: counselling.AuditRoleChange, Args: map[string]string{"Old": string(old), "New": string(role)}, Translated: []string{"Old", "New"}})
	})
}

// SetTrainee marks or unmarks a staff member of the office as trainee.
func (db *DB) SetTrainee(ctx context.Context, actor counselling.Caller, staffID string, trainee bool) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if _, err := staffTarget(ctx, tx, scope, staffID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET trainee = ? WHERE id = ?`, trainee, staffID); err != nil {
			return fmt.Errorf("set trainee: %w", err)
		}
		detail := "trainee: replies need approval"
		if !trainee {
			detail = "no longer trainee"
		}
		return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, "trainee changed", staffID, detail)
	})
}

// SetDisabled disables (or enables again) a staff member; their sessions end
// at once. Disabling returns the open mail threads they hold to the office's
// open queue, notes and all, and says how many went; the audit log says so
// too.
func (db *DB) SetDisabled(ctx context.Context, actor counselling.Caller, staffID string, disabled bool) (returned int, err error) {
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		returned = 0
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if _, err := staffTarget(ctx, tx, scope, staffID); err != nil {
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
		// Actions are whole catalogue ids: the audit page translates them.
		action := "staff disabled"
		if !disabled {
			action = "staff enabled"
			return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, action, staffID, "")
		}
		if returned, err = returnToQueue(ctx, tx, staffID); err != nil {
			return err
		}
		if err := db.cancelSlotsOf(ctx, tx, staffID); err != nil {
			return err
		}
		if err := db.endCallbacksTo(ctx, tx, staffID); err != nil {
			return err
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, action, staffID, counselling.AuditDetail{
			ID: counselling.AuditReturnedToQueue, Args: map[string]string{"Count": strconv.Itoa(returned)}})
	})
	return returned, err
}

// AddTheme adds a theme to the office the actor administers.
func (db *DB) AddTheme(ctx context.Context, actor counselling.Caller, name string) error {
	return db.addEntry(ctx, actor, themeList, name)
}

// RenameTheme renames a theme; its slug and its statistics stay.
func (db *DB) RenameTheme(ctx context.Context, actor counselling.Caller, themeID int64, name string) error {
	return db.renameEntry(ctx, actor, themeList, themeID, name)
}

// RetireTheme stops offering a theme; old statistics keep it.
func (db *DB) RetireTheme(ctx context.Context, actor counselling.Caller, themeID int64) error {
	return db.retireEntry(ctx, actor, themeList, themeID)
}

// UpdateOffice stores the settings and retention rules of the office the actor
// administers.
func (db *DB) UpdateOffice(ctx context.Context, actor counselling.Caller, s counselling.OfficeSettings) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := s.Validate(); err != nil {
			return err
		}
		cond, args := adminSQL("id", scope)
		r := s.Retention
		if _, err := tx.ExecContext(ctx, `UPDATE offices SET name = ?, retain_mail_months = ?,
			wipe_mail_year_end = ?, inactive_account_months = ?, chat_transcript_months = ?, emergency_number = ? WHERE `+cond,
			append([]any{s.Name, r.MailMonths, r.WipeMailYearEnd, r.InactiveAccountMonths, r.ChatTranscriptMonths,
				s.EmergencyNumber}, args...)...); err != nil {
			return fmt.Errorf("update office: %w", err)
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "settings changed", "", counselling.AuditDetail{
			ID: counselling.AuditSettings, Args: map[string]string{"Name": s.Name,
				"MailMonths": strconv.Itoa(r.MailMonths), "Wipe": counselling.YesNo(r.WipeMailYearEnd),
				"InactiveMonths": strconv.Itoa(r.InactiveAccountMonths), "ChatMonths": strconv.Itoa(r.ChatTranscriptMonths),
				"Emergency": s.EmergencyNumber}, Translated: []string{"Wipe"}})
	})
}

// PublishTermsBy is PublishTerms done by an admin for the office they
// administer, recorded in the audit log in the same transaction.
func (db *DB) PublishTermsBy(ctx context.Context, actor counselling.Caller, lang, text string) (int, error) {
	var version int
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if version, err = db.publishTerms(ctx, tx, scope.OfficeID, lang, text); err != nil {
			return err
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "privacy terms published", "", termsDetail(version, lang))
	})
	if err != nil {
		return 0, err
	}
	return version, nil
}

// TranslateTermsBy adds the text of the current privacy terms in lang (or
// replaces an earlier translation) for the office the actor administers,
// recorded in the audit log. The version stays the same: nobody has to
// accept the terms again for a translation.
func (db *DB) TranslateTermsBy(ctx context.Context, actor counselling.Caller, lang, text string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		terms, err := db.terms(ctx, tx, scope.OfficeID)
		if err != nil {
			return err
		}
		if err := terms.ValidateTranslation(lang, text); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO terms_translations (office_id, version, lang, text, published_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (office_id, version, lang) DO UPDATE SET text = excluded.text, published_at = excluded.published_at`,
			scope.OfficeID, terms.Version, lang, text, db.now().Unix()); err != nil {
			return fmt.Errorf("translate terms: %w", err)
		}
		return db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "privacy terms translated", "", termsDetail(terms.Version, lang))
	})
}

// termsDetail says which version of the terms, in which language.
func termsDetail(version int, lang string) counselling.AuditDetail {
	return counselling.AuditDetail{ID: counselling.AuditTerms, Args: map[string]string{"Version": strconv.Itoa(version),
		"Language": counselling.LanguageNames[lang]}, Translated: []string{"Language"}}
}

// namedDetail gives the name an admin typed, shown as typed.
func namedDetail(name string) counselling.AuditDetail {
	if name == "" {
		return counselling.AuditDetail{}
	}
	return counselling.AuditDetail{ID: counselling.AuditNamed, Args: map[string]string{"Name": name}}
}

// CreateOfficeBy creates an office and an invite for its first admin, recorded
// in the creating admin's audit log and in the new office's, all in one
// transaction: an office never exists without its admin's invite or its audit
// entries. Only admins who create offices (counselling.Administers) may.
func (db *DB) CreateOfficeBy(ctx context.Context, actor counselling.Caller, slug, name, adminName string) (*counselling.Office, string, error) {
	token, err := db.newToken()
	if err != nil {
		return nil, "", err
	}
	var office *counselling.Office
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		if !scope.Offices {
			return errNotAdmin
		}
		p := counselling.Problems{}
		if !counselling.ValidSlug(slug) {
			p.Add("slug", "A slug is 2 to 40 lowercase letters, digits and dashes.")
		}
		if err := counselling.ValidateEntryName(name); err != nil {
			p.Add("office_name", "Please give the office a name of at most 60 characters.")
		}
		if _, err := counselling.NormalizeNickname(adminName); err != nil {
			p.Add("admin_name", "Please give the new office's admin a name of 3 to 32 characters.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		officeID, err := db.createOffice(ctx, tx, slug, name)
		if isUniqueViolation(errors.Unwrap(err)) {
			return counselling.FieldError("slug", "An office with this slug exists already.")
		}
		if err != nil {
			return err
		}
		n := counselling.NewStaff{OfficeID: officeID, Role: counselling.RoleAdmin, Name: adminName}
		if err := n.Validate(); err != nil {
			return err
		}
		if err := db.inviteStaff(ctx, tx, n, token, actor.AccountID); err != nil {
			return err
		}
		if err := db.auditSaying(ctx, tx, scope.OfficeID, actor.AccountID, "office created", slug, namedDetail(name)); err != nil {
			return err
		}
		office, err = officeByID(ctx, tx, officeID)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return office, token, nil
}

// ApproveAdmin lets an admin who waits for a second admin's approval log in,
// as approved by actor (counselling.MayApproveAdmin), recorded in the audit
// log.
func (db *DB) ApproveAdmin(ctx context.Context, actor counselling.Caller, staffID string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		role, err := staffTarget(ctx, tx, scope, staffID)
		if err != nil {
			return err
		}
		m := counselling.StaffMember{ID: staffID, OfficeID: scope.OfficeID, Role: role}
		var madeBy sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT awaiting_approval, made_by FROM accounts WHERE id = ?`, staffID).Scan(&m.AwaitingApproval, &madeBy); err != nil {
			return fmt.Errorf("read approval: %w", err)
		}
		m.MadeBy = madeBy.String
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE office_id = ? AND kind = 'staff' AND role = 'admin'
			AND disabled = 0 AND awaiting_approval = 0 AND id != ? AND id != ?`, scope.OfficeID, staffID, m.MadeBy).Scan(&others); err != nil {
			return fmt.Errorf("count other admins: %w", err)
		}
		if err := counselling.MayApproveAdmin(actor, m, others); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET awaiting_approval = 0, made_by = NULL WHERE id = ?`, staffID); err != nil {
			return fmt.Errorf("approve admin: %w", err)
		}
		return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, counselling.AuditAdminApproved, staffID, "")
	})
}
