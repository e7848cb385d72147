package store_test

import (
	"context"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

func seekerCaller(t *testing.T, db *storetest.DB, nick, email string) counselling.Caller {
	t.Helper()
	id := register(t, db, nick, email)
	office, _ := db.OfficeBySlug(context.Background(), counselling.DefaultOfficeSlug)
	return counselling.Caller{AccountID: id, Kind: counselling.KindSeeker, OfficeID: office.ID}
}

func counts(t *testing.T, db *storetest.DB, dry bool) map[string]int64 {
	t.Helper()
	stats, err := db.Purge(context.Background(), counselling.DefaultSessionPolicy, dry)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, c := range stats.Counts {
		out[c.Rule] = c.Count
	}
	return out
}

func TestMailThreadsExpireTwelveMonthsAfterTheLastMessage(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	old := seekerCaller(t, db, "Old Writer", "")
	oldThread, _ := db.CreateThread(ctx, old, counselling.Enquiry{Theme: "family", Body: "long ago"}, false)
	db.Clock.Advance(60 * 24 * time.Hour)
	recent := seekerCaller(t, db, "Recent Writer", "")
	if _, err := db.CreateThread(ctx, recent, counselling.Enquiry{Theme: "family", Body: "not so long ago"}, false); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(320 * 24 * time.Hour) // old: 380 days since its last message, recent: 320
	if c := counts(t, db, true); c[counselling.RuleMailThreads] != 1 {
		t.Fatalf("dry run says %d threads would go, want 1", c[counselling.RuleMailThreads])
	}
	if n := db.Count(t, `SELECT count(*) FROM threads`); n != 2 {
		t.Fatal("a dry run deleted something")
	}
	if c := counts(t, db, false); c[counselling.RuleMailThreads] != 1 {
		t.Fatalf("purged %d threads, want 1", c[counselling.RuleMailThreads])
	}
	if n := db.Count(t, `SELECT count(*) FROM threads WHERE id = ?`, oldThread); n != 0 {
		t.Fatal("the expired thread is still there")
	}
	if n := db.Count(t, `SELECT count(*) FROM messages`); n != 1 {
		t.Fatalf("%d messages left, want only the recent one", n)
	}
	if n := db.Count(t, `SELECT count(*) FROM contact_facts`); n != 2 {
		t.Fatalf("%d statistics facts left, want both kept", n)
	}
}

func TestYearEndWipe(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	rules := counselling.DefaultRetention
	rules.WipeMailYearEnd = true
	if err := db.SetRetention(ctx, office.ID, rules); err != nil {
		t.Fatal(err)
	}
	writer := seekerCaller(t, db, "December Writer", "")
	db.CreateThread(ctx, writer, counselling.Enquiry{Theme: "other", Body: "spring"}, false)
	db.Clock.Advance(time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC).Sub(db.Clock.Now()))
	db.CreateThread(ctx, writer, counselling.Enquiry{Theme: "other", Body: "winter"}, false)
	if c := counts(t, db, false); c[counselling.RuleMailThreads] != 0 {
		t.Fatal("threads wiped before 31 December")
	}
	db.Clock.Advance(24 * time.Hour) // 31 December
	if c := counts(t, db, false); c[counselling.RuleMailThreads] != 2 {
		t.Fatalf("on 31 December %d threads wiped, want all 2", c[counselling.RuleMailThreads])
	}
}

func TestInactiveAccountsAreWarnedThenDeleted(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	quiet := seekerCaller(t, db, "Quiet One", "quiet@example.org")
	db.CreateThread(ctx, quiet, counselling.Enquiry{Theme: "other", Body: "hello"}, false)
	back := seekerCaller(t, db, "Comes Back", "back@example.org")
	noMail := seekerCaller(t, db, "No Address", "")

	db.Clock.Advance(time.Duration(2*365-10) * 24 * time.Hour) // 10 days before two years
	c := counts(t, db, false)
	if c[counselling.RuleInactiveWarned] != 2 || c[counselling.RuleInactiveDeleted] != 0 {
		t.Fatalf("warned %d, deleted %d; want both accounts with an email warned, none deleted", c[counselling.RuleInactiveWarned], c[counselling.RuleInactiveDeleted])
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'inactive'`); n != 2 {
		t.Fatalf("%d warning mails queued", n)
	}
	if c := counts(t, db, false); c[counselling.RuleInactiveWarned] != 0 {
		t.Fatal("warned twice")
	}
	if _, err := db.Login(ctx, back.AccountID); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(12 * 24 * time.Hour)
	c = counts(t, db, false)
	if c[counselling.RuleInactiveDeleted] != 2 {
		t.Fatalf("deleted %d inactive accounts, want 2 (with and without email)", c[counselling.RuleInactiveDeleted])
	}
	for _, gone := range []string{quiet.AccountID, noMail.AccountID} {
		if n := db.Count(t, `SELECT count(*) FROM accounts WHERE id = ?`, gone); n != 0 {
			t.Error("an inactive account survived")
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM accounts WHERE id = ?`, back.AccountID); n != 1 {
		t.Fatal("an account that logged in after the warning was deleted")
	}
	if n := db.Count(t, `SELECT count(*) FROM contact_facts`); n != 1 {
		t.Fatal("the statistics fact went with the account")
	}
}

func TestHousekeepingRules(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	who := seekerCaller(t, db, "House Keeper", "")
	if _, err := db.Login(ctx, who.AccountID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FirstAdminInvite(ctx); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(counselling.InviteTTL + time.Hour)
	c := counts(t, db, false)
	if c[counselling.RuleInvites] != 1 || c[counselling.RuleSessions] != 1 {
		t.Fatalf("expired invites %d, sessions %d; want 1 and 1", c[counselling.RuleInvites], c[counselling.RuleSessions])
	}
}

func TestPurgeEndsSessionsByThePolicyItIsGiven(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	who := seekerCaller(t, db, "Short Stay", "")
	if _, err := db.Login(ctx, who.AccountID); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(20 * time.Minute) // within the default 30 idle minutes
	strict := counselling.SessionPolicy{Idle: 10 * time.Minute, StaffIdle: 10 * time.Minute, Absolute: time.Hour}
	if c := counts(t, db, true); c[counselling.RuleSessions] != 0 {
		t.Fatal("the default policy expires a session idle for 20 minutes")
	}
	stats, err := db.Purge(ctx, strict, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range stats.Counts {
		if c.Rule == counselling.RuleSessions && c.Count != 1 {
			t.Fatalf("a 10-minute policy purged %d sessions idle for 20 minutes, want 1", c.Count)
		}
	}
}

func TestNewOfficesTakeTheDomainsRetentionDefaults(t *testing.T) {
	saved := counselling.DefaultRetention
	t.Cleanup(func() { counselling.DefaultRetention = saved })
	counselling.DefaultRetention = counselling.RetentionRules{MailMonths: 7, WipeMailYearEnd: true, InactiveAccountMonths: 9, ChatTranscriptMonths: 3}
	db := storetest.MustOpenDB(t)
	office, err := db.OfficeBySlug(context.Background(), counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	if office.Retention != counselling.DefaultRetention {
		t.Fatalf("a new office keeps %+v, want the domain's defaults %+v", office.Retention, counselling.DefaultRetention)
	}
}
