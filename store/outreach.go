package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
)

// ContactConsent returns the help-seeker's consent to be contacted again.
func (db *DB) ContactConsent(ctx context.Context, c counselling.Caller) (counselling.ContactConsent, error) {
	var out counselling.ContactConsent
	if !counselling.MayUseAccountPages(c) {
		return out, nil
	}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = contactConsent(ctx, tx, c.AccountID)
		return err
	})
	return out, err
}

func contactConsent(ctx context.Context, tx *sql.Tx, accountID string) (counselling.ContactConsent, error) {
	var out counselling.ContactConsent
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT version, given_at FROM contact_consents WHERE account_id = ?`, accountID).Scan(&out.Version, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read contact consent: %w", err)
	}
	out.GivenAt = time.Unix(at, 0).UTC()
	return out, nil
}

// SetContactConsent records that the registered help-seeker allows the
// counsellors they have spoken with to contact them again, under the
// current version of its text, or withdraws it.
func (db *DB) SetContactConsent(ctx context.Context, c counselling.Caller, on bool) error {
	if !counselling.MayUseAccountPages(c) {
		return counselling.ErrGuestOnlyChats
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if on {
			_, err = tx.ExecContext(ctx, `INSERT INTO contact_consents (account_id, version, given_at) VALUES (?, ?, ?)
				ON CONFLICT (account_id) DO UPDATE SET version = excluded.version, given_at = excluded.given_at`,
				c.AccountID, counselling.ContactConsentVersion, db.now().Unix())
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM contact_consents WHERE account_id = ?`, c.AccountID)
		}
		if err != nil {
			return fmt.Errorf("set contact consent: %w", err)
		}
		return nil
	})
}

// outreachCandidate loads a help-seeker of the office as the rules of
// out-bound contact see them; an unknown id, or one of another office, is a
// candidate without consent, whom every rule refuses alike.
func (db *DB) outreachCandidate(ctx context.Context, tx *sql.Tx, officeID int64, seekerID string) (counselling.OutreachCandidate, error) {
	p := counselling.OutreachCandidate{SeekerID: seekerID}
	if !validID(seekerID) {
		return p, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT office_id, guest FROM accounts WHERE id = ? AND kind = 'seeker' AND office_id = ?`,
		seekerID, officeID).Scan(&p.OfficeID, &p.Guest)
	if errors.Is(err, sql.ErrNoRows) {
		return counselling.OutreachCandidate{SeekerID: seekerID}, nil
	}
	if err != nil {
		return p, fmt.Errorf("read help-seeker: %w", err)
	}
	if p.Consent, err = contactConsent(ctx, tx, seekerID); err != nil {
		return p, err
	}
	if p.Links, err = contactLinks(ctx, tx, seekerID); err != nil {
		return p, err
	}
	return p, nil
}

// OutreachCandidates lists the help-seekers the calling counsellor may see
// online to invite (counselling.MaySeeOnline): of their office, spoken with,
// and allowing contact under the current text. Nobody else is loaded, so
// nothing built from this list can tell whether anyone else is online.
func (db *DB) OutreachCandidates(ctx context.Context, c counselling.Caller) ([]counselling.OutreachCandidate, error) {
	if !c.Counsels() {
		return nil, nil
	}
	var out []counselling.OutreachCandidate
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT t.seeker_id FROM threads t JOIN contact_consents cc ON cc.account_id = t.seeker_id
			WHERE t.counsellor_id = ? AND t.office_id = ? AND cc.version = ? LIMIT 500`, c.AccountID, c.OfficeID, counselling.ContactConsentVersion)
		if err != nil {
			return fmt.Errorf("list outreach candidates: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("read outreach candidate: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list outreach candidates: %w", err)
		}
		for _, id := range ids {
			p, err := db.outreachCandidate(ctx, tx, c.OfficeID, id)
			if err != nil {
				return err
			}
			if !counselling.MaySeeOnline(c, p) {
				continue
			}
			if p.Nickname, err = db.seekerNickname(ctx, tx, id); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// MayInvite applies counselling.MayInvite to the help-seeker seekerID for
// the calling counsellor, with their counselled themes, and returns the
// help-seeker's nickname when they may be invited.
func (db *DB) MayInvite(ctx context.Context, c counselling.Caller, seekerID string) (string, error) {
	var nick string
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		p, err := db.outreachCandidate(ctx, tx, c.OfficeID, seekerID)
		if err != nil {
			return err
		}
		mine, err := db.counselledThemes(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		if _, err := counselling.MayInvite(c, p, mine); err != nil {
			return err
		}
		nick, err = db.seekerNickname(ctx, tx, seekerID)
		return err
	})
	return nick, err
}

// OpenInvitedChat opens the chat a counsellor invited the help-seeker to,
// when they accept: the rule (counselling.MayInvite) is applied again in the
// same transaction, so a consent withdrawn meanwhile opens nothing. The
// anonymous fact counts it under the kind's channel; it never waited.
func (db *DB) OpenInvitedChat(ctx context.Context, c counselling.Caller, counsellorID, kind string) (string, error) {
	if !counselling.MayUseAccountPages(c) {
		return "", notFound("invitation")
	}
	if err := counselling.ValidateReachKind(kind); err != nil {
		return "", err
	}
	chatID, err := db.newID()
	if err != nil {
		return "", err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := db.mayStart(ctx, tx, c, false); err != nil {
			return err
		}
		m, err := staffMember(ctx, tx, counsellorID)
		if err != nil {
			return err
		}
		if m == nil || m.Disabled {
			return counselling.ErrInviteNoConsent
		}
		staff := counselling.Caller{AccountID: m.ID, Kind: counselling.KindStaff, Role: m.Role, OfficeID: m.OfficeID}
		p, err := db.outreachCandidate(ctx, tx, m.OfficeID, c.AccountID)
		if err != nil {
			return err
		}
		mine, err := db.counselledThemes(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		theme, err := counselling.MayInvite(staff, p, mine)
		if err != nil {
			return err
		}
		return db.openReachChat(ctx, tx, c, m.ID, theme, kind, chatID)
	})
	if err != nil {
		return "", err
	}
	return chatID, nil
}
