package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
	"confidant/store"
	"confidant/store/storetest"
)

// seededOffice fills a SQLite office with what people leave in it: mail
// conversations with replies, notes, a draft, a flag, ratings with comments,
// notification mails, a guest's chat and a group chat. It returns the
// help-seekers' ids and an admin.
func seededOffice(t *testing.T, db *storetest.DB) (seekers []string, admin counselling.Caller) {
	t.Helper()
	ctx := context.Background()
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	admin = staffCaller(t, db, office.ID, counselling.RoleAdmin, "Moving Admin")
	counsellor := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Moving Counsellor")
	supervisor := staffCaller(t, db, office.ID, counselling.RoleSupervisor, "Moving Supervisor")
	for i, nick := range []string{"First Mover", "Second Mover", "Third Mover"} {
		seeker := seekerCaller(t, db, nick, "mover@example.org")
		seekers = append(seekers, seeker.AccountID)
		thread, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Subject: "Moving house " + nick,
			Body: "We are moving and I am afraid of the new school."}, true)
		if err != nil {
			t.Fatal(err)
		}
		db.Clock.Advance(time.Hour)
		if err := db.Take(ctx, counsellor, thread); err != nil {
			t.Fatal(err)
		}
		if err := db.Reply(ctx, counsellor, thread, "Tell me more about the new school, "+nick+".", true); err != nil {
			t.Fatal(err)
		}
		if err := db.AddNote(ctx, counsellor, thread, "Follow up after the move."); err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			if err := db.SetClosed(ctx, counsellor, thread, true); err != nil {
				t.Fatal(err)
			}
			if err := db.Rate(ctx, seeker, thread, counselling.Rating{Side: counselling.RatingBySeeker, Score: 4, Comment: "It helped."}); err != nil {
				t.Fatal(err)
			}
			if err := db.Rate(ctx, counsellor, thread, counselling.Rating{Side: counselling.RatingByCounsellor, Score: 3, Comment: "Short but good."}); err != nil {
				t.Fatal(err)
			}
		case 1:
			if err := db.Flag(ctx, counsellor, thread, "Mentions being afraid at home.", false); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := db.SaveDraft(ctx, counsellor, thread, "A draft not sent yet."); err != nil {
				t.Fatal(err)
			}
		}
	}
	guest, chat, _ := guestCaller(t, db, "anxiety")
	if err := db.AcceptChat(ctx, counsellor, chat); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ChatSend(ctx, guest, chat, "g-1", "Hello, is someone there?"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ChatSend(ctx, counsellor, chat, "c-1", "Yes, I am here."); err != nil {
		t.Fatal(err)
	}
	if err := db.EndChat(ctx, counsellor, chat); err != nil {
		t.Fatal(err)
	}
	scheduleGroup(t, db, supervisor, counsellor.AccountID, time.Hour, 5)
	return seekers, admin
}

// pages is what the moved office must show the same: every help-seeker's
// export and the year report, as JSON.
func pages(t *testing.T, db *store.DB, seekers []string, admin counselling.Caller) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, id := range seekers {
		e, err := db.Export(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(e)
		out["export "+id] = string(b)
	}
	report, err := db.YearFacts(ctx, admin, 2026)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(report)
	out["year report"] = string(b)
	return out
}

// An office moves from its SQLite file into an empty PostgreSQL database
// with every row and every sealed value as it was: each help-seeker's export
// and the year report read the same afterwards, every sealed value opens,
// new rows get new ids, and a second move into the now full database is
// refused. (The part after the move needs a PostgreSQL server: make
// test-postgres runs it.)
func TestAnOfficeMovesToPostgresAndReadsTheSame(t *testing.T) {
	ctx := context.Background()
	src := storetest.MustOpenSQLite(t)
	seekers, admin := seededOffice(t, src)
	before := pages(t, src.DB, seekers, admin)
	opened, err := src.OpenEverySealed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for col, min := range map[string]int{"accounts.data_key": 6, "accounts.nickname": 6, "messages.body": 8, "notes.body": 3,
		"drafts.body": 1, "threads.flag_reason": 1, "ratings.comment": 2, "outbox.recipient": 3, "group_chats.theme": 1} {
		if opened[col] < min {
			t.Errorf("opened %d values of %s, want at least %d (all: %v)", opened[col], col, min, opened)
		}
	}
	if !storetest.Postgres() {
		return
	}

	to := storetest.NewDatabase(t, false)
	keys, err := vault.LoadOrCreate(src.Dir, true)
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
	report, err := store.MoveToPostgres(ctx, src.Path(), to, keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range report.Tables {
		if tc.From != tc.To {
			t.Errorf("%s: %d rows before, %d after", tc.Table, tc.From, tc.To)
		}
	}
	for col, n := range opened {
		if report.Opened[col] != n {
			t.Errorf("%s: %d sealed values opened before the move, %d after", col, n, report.Opened[col])
		}
	}
	moved, err := store.Open(ctx, to, keys, store.Options{Clock: src.Clock})
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	after := pages(t, moved, seekers, admin)
	for what, page := range before {
		if after[what] != page {
			t.Errorf("%s differs after the move:\nbefore %s\nafter  %s", what, page, after[what])
		}
	}
	// New rows continue after the highest id moved: a new help-seeker's
	// consent and notification mail take fresh ids.
	office, err := moved.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	id, err := moved.CreateSeeker(ctx, counselling.Registration{OfficeID: office.ID, Nickname: "After The Move", Password: "unused",
		AcceptTerms: true, Profile: counselling.Profile{Email: "after@example.org"}}, "$argon2id$fake")
	if err != nil {
		t.Fatal(err)
	}
	seeker := counselling.Caller{AccountID: id, Kind: counselling.KindSeeker, OfficeID: office.ID}
	if _, err := moved.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Body: "Written after the move."}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := store.MoveToPostgres(ctx, src.Path(), to, keys); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("a second move into the same database: %v", err)
	}
}
