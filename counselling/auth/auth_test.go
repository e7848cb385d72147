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

func client(n int) auth.Client {
	var c auth.Client
	c[0], c[1] = byte(n), byte(n>>8)
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
