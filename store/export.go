package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"confidant/counselling"
)

// Export gathers everything stored about a help-seeker, decrypted, from one
// snapshot of the database: the profile, consents and threads agree with each
// other even while the help-seeker writes in another tab.
func (db *DB) Export(ctx context.Context, accountID string) (*counselling.Export, error) {
	if !validID(accountID) {
		return nil, notFound("The account")
	}
	var out *counselling.Export
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.export(ctx, tx, accountID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) export(ctx context.Context, tx *sql.Tx, accountID string) (*counselling.Export, error) {
	a, err := db.account(ctx, tx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Kind != counselling.KindSeeker {
		return nil, notFound("The account")
	}
	regions, err := regionsTx(ctx, tx, a.OfficeID)
	if err != nil {
		return nil, err
	}
	profile := counselling.ExportProfile(a.Profile)
	profile.Region = regions.Name(a.Profile.Region)
	out := &counselling.Export{
		Format:      "confidant-export-1",
		ExportedAt:  db.now().UTC(),
		Nickname:    a.Nickname,
		Profile:     profile,
		CreatedAt:   a.CreatedAt,
		Threads:     []counselling.ExportThread{},
		Explanation: counselling.ExportExplanation,
	}
	if out.Consents, err = exportConsents(ctx, tx, accountID); err != nil {
		return nil, err
	}
	if out.Devices, err = db.exportDevices(ctx, tx, accountID); err != nil {
		return nil, err
	}
	caller := counselling.Caller{AccountID: accountID, Kind: counselling.KindSeeker, OfficeID: a.OfficeID}
	if out.Reach, err = db.exportReach(ctx, tx, accountID); err != nil {
		return nil, err
	}
	if out.Appointments, err = db.exportAppointments(ctx, tx, accountID); err != nil {
		return nil, err
	}
	if out.GroupChats, err = db.exportGroupChats(ctx, tx, accountID); err != nil {
		return nil, err
	}
	summaries, err := db.seekerThreads(ctx, tx, caller)
	if err != nil {
		return nil, err
	}
	for i := len(summaries) - 1; i >= 0; i-- {
		// An export reads; it marks nothing read.
		t, err := db.thread(ctx, tx, caller, summaries[i].ID, false)
		if err != nil {
			return nil, err
		}
		et := counselling.ExportThread{Theme: t.ThemeName, Subject: t.Subject, Status: t.Status, CreatedAt: t.CreatedAt}
		for _, m := range t.Messages {
			em := counselling.ExportMessage{From: "you", Body: m.Body, SentAt: m.CreatedAt}
			if !m.FromSeeker {
				em.From, em.Author = "counsellor", m.Author
			}
			et.Messages = append(et.Messages, em)
		}
		out.Threads = append(out.Threads, et)
	}
	return out, nil
}

// exportConsents lists the privacy terms an account accepted, oldest first,
// each with the text it accepted.
func exportConsents(ctx context.Context, tx *sql.Tx, accountID string) ([]counselling.ExportConsent, error) {
	// The text is the one the person accepted: the translation in the
	// language recorded with the consent, else the text as published.
	rows, err := tx.QueryContext(ctx, `SELECT c.terms_version, c.accepted_at, coalesce(tt.text, tv.text, '') FROM consents c
		LEFT JOIN terms_versions tv ON tv.office_id = c.office_id AND tv.version = c.terms_version
		LEFT JOIN terms_translations tt ON tt.office_id = c.office_id AND tt.version = c.terms_version AND tt.lang = c.lang
		WHERE c.account_id = ? ORDER BY c.accepted_at, c.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export consents: %w", err)
	}
	defer rows.Close()
	out := []counselling.ExportConsent{}
	for rows.Next() {
		var c counselling.ExportConsent
		var at int64
		if err := rows.Scan(&c.TermsVersion, &at, &c.TermsText); err != nil {
			return nil, fmt.Errorf("export consent: %w", err)
		}
		c.AcceptedAt = time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// exportAppointments lists every appointment the help-seeker booked, oldest
// first, cancelled ones too, each with its counsellor's display name.
func (db *DB) exportAppointments(ctx context.Context, tx *sql.Tx, accountID string) ([]counselling.ExportAppointment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+slotColumns+` FROM appointment_slots s WHERE s.seeker_id = ?
		ORDER BY s.start_at, s.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export appointments: %w", err)
	}
	var slots []counselling.Slot
	for rows.Next() {
		s, err := scanSlot(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("export appointment: %w", err)
		}
		slots = append(slots, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("export appointments: %w", err)
	}
	names := staffNames{db: db, tx: tx, ctx: ctx}
	out := []counselling.ExportAppointment{}
	for _, s := range slots {
		if s.Counsellor, err = names.name(s.CounsellorID); err != nil {
			return nil, err
		}
		out = append(out, counselling.ExportAppointmentOf(s))
	}
	return out, nil
}

// exportGroupChats lists the group chats the help-seeker joined, oldest
// first, with their number in each and the messages they wrote there,
// opened under their own key. Nobody else's message or name is read.
func (db *DB) exportGroupChats(ctx context.Context, tx *sql.Tx, accountID string) ([]counselling.ExportGroupChat, error) {
	type membership struct {
		groupID string
		e       counselling.ExportGroupChat
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.group_id, m.member_no, m.joined_at, m.muted, m.removed_at FROM group_members m
		JOIN group_chats g ON g.id = m.group_id WHERE m.account_id = ? ORDER BY g.starts_at, g.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export group chats: %w", err)
	}
	var list []membership
	for rows.Next() {
		var m membership
		var joined int64
		var removed sql.NullInt64
		if err := rows.Scan(&m.groupID, &m.e.ParticipantNo, &joined, &m.e.Muted, &removed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("export group membership: %w", err)
		}
		m.e.JoinedAt = time.Unix(joined, 0).UTC()
		if removed.Valid {
			at := time.Unix(removed.Int64, 0).UTC()
			m.e.RemovedAt = &at
		}
		list = append(list, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("export group chats: %w", err)
	}
	out := []counselling.ExportGroupChat{}
	if len(list) == 0 {
		return out, nil
	}
	key, err := db.dataKey(ctx, tx, accountID)
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		g, err := db.scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM group_chats g JOIN accounts a ON a.id = g.created_by
			WHERE g.id = ?`, m.groupID))
		if err != nil {
			return nil, fmt.Errorf("export group chat: %w", err)
		}
		e := m.e
		e.Theme, e.StartsAt, e.EndsAt = g.Theme, g.StartsAt, g.EndsAt
		e.Messages = []counselling.ExportGroupMessage{}
		msgs, err := tx.QueryContext(ctx, `SELECT id, body, created_at FROM group_messages WHERE group_id = ? AND author_id = ?
			ORDER BY seq`, m.groupID, accountID)
		if err != nil {
			return nil, fmt.Errorf("export group messages: %w", err)
		}
		for msgs.Next() {
			var id string
			var body []byte
			var at int64
			if err := msgs.Scan(&id, &body, &at); err != nil {
				msgs.Close()
				return nil, fmt.Errorf("export group message: %w", err)
			}
			text, err := sealer{key: key, table: "group_messages", row: id}.open("body", body)
			if err != nil {
				msgs.Close()
				return nil, err
			}
			e.Messages = append(e.Messages, counselling.ExportGroupMessage{Body: text, SentAt: time.Unix(at, 0).UTC()})
		}
		msgs.Close()
		if err := msgs.Err(); err != nil {
			return nil, fmt.Errorf("export group messages: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}
