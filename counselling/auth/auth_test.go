package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/auth"
	"confidant/counselling/passwd"
	"confidant/store/storetest"
)

// cheap hashes in microseconds: these tests are about counting, not hashing.
var cheap = passwd.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// client is the n-th client, each in a network of its own.
func client(n int) auth.Client {
	var c auth.Client
	c.ID[0], c.ID[1] = byte(n), byte(n>>8)
	c.Network = c.ID
	return c
}

func TestGuessingFromManyClientsMakesTheAccountWaitAndTellsAdmins(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.New(db, passwd.New(cheap, 0, time.Second), db.Clock)
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if _, err := svc.Register(ctx, counselling.Registration{OfficeID: office.ID, Nickname: "Target",
		Password: "the target's long password", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateStaff(ctx, counselling.NewStaff{OfficeID: office.ID, Role: counselling.RoleAdmin, Name: "Ada Admin"}); err != nil {
		t.Fatal(err)
	}
	staff, _ := db.Staff(ctx, office.ID)
	admin := counselling.Caller{AccountID: staff[0].ID, Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: office.ID}
	owner := client(9999)
	// Each of many clients guesses as often as it is let, a second apart.
	for i := range counselling.AccountFailureCeiling {
		if _, _, err := svc.Login(ctx, client(i), "Target", "wrong guess"); err != auth.ErrLoginFailed {
			t.Fatalf("guess %d: %v", i, err)
		}
		db.Clock.Advance(time.Second)
	}
	if _, _, err := svc.Login(ctx, owner, "Target", "the target's long password"); err != auth.ErrLoginFailed {
		t.Fatalf("right password at once after guessing from many clients past the ceiling: %v, want the refusal", err)
	}
	log, _ := db.AuditLog(ctx, admin, 10)
	if len(log) == 0 || !strings.Contains(log[0].Action, "wrong passwords") {
		t.Fatalf("the admins were not told: %+v", log)
	}
	db.Clock.Advance(time.Minute)
	if _, _, err := svc.Login(ctx, owner, "Target", "the target's long password"); err != nil {
		t.Fatalf("right password a minute after the last guess: %v", err)
	}
}

func TestBelowTheCeilingOtherClientsDoNotWait(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.New(db, passwd.New(cheap, 0, time.Second), db.Clock)
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if _, err := svc.Register(ctx, counselling.Registration{OfficeID: office.ID, Nickname: "Target",
		Password: "the target's long password", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	for i := range counselling.AccountFailureCeiling - 5 {
		svc.Login(ctx, client(i), "Target", "wrong guess")
	}
	guesser := client(7777)
	for range 4 {
		svc.Login(ctx, guesser, "Target", "wrong guess")
	}
	if _, _, err := svc.Login(ctx, client(9999), "Target", "the target's long password"); err != nil {
		t.Fatalf("right password from a new client below the ceiling: %v", err)
	}
	if _, _, err := svc.Login(ctx, guesser, "Target", "the target's long password"); err != auth.ErrLoginFailed {
		t.Fatalf("right password from a guessing client during its pause: %v, want the refusal", err)
	}
}

func TestAFewGuessingNetworksCannotKeepTheOwnerOut(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.New(db, passwd.New(cheap, 0, time.Second), db.Clock)
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if _, err := svc.Register(ctx, counselling.Registration{OfficeID: office.ID, Nickname: "Target",
		Password: "the target's long password", AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	// Six strangers' networks, each of many clients (a tunnel's /48 hands out
	// 256 /56s), guess as often as they are let for an hour.
	counted := 0
	for second := range 3600 {
		for n := range 6 {
			var c auth.Client
			c.Network[0] = byte(n + 1)
			c.ID = c.Network
			c.ID[1] = byte(second % 256)
			if _, _, err := svc.Login(ctx, c, "Target", "wrong guess"); err != auth.ErrLoginFailed {
				t.Fatalf("guess: %v", err)
			}
		}
		if second%60 == 59 {
			creds, _ := db.Credentials(ctx, "Target")
			counted = creds.Failures.Count
			if _, _, err := svc.Login(ctx, client(9999), "Target", "the target's long password"); err != nil {
				t.Fatalf("minute %d, %d failures: the owner with the right password from their own network: %v", second/60, counted, err)
			}
		}
		db.Clock.Advance(time.Second)
	}
	if counted < counselling.AccountFailureCeiling {
		t.Fatalf("the strangers made only %d failures; the test wants the account past its ceiling", counted)
	}
	// Still slow: a network, however many clients it has, makes no more than
	// a few hundred guesses an hour.
	if limit := 6 * 250; counted > limit {
		t.Fatalf("six networks made %d guesses in an hour, more than %d", counted, limit)
	}
}
