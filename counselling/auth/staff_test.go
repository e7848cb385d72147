package auth_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/auth"
	"confidant/counselling/passwd"
	"confidant/counselling/twofactor"
	"confidant/store/storetest"
)

// enrolledStaff is a staff member who has accepted their invitation, with the
// secret of their second factor.
func enrolledStaff(t *testing.T, db *storetest.DB, svc *auth.Service, name string) string {
	t.Helper()
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	invite, err := db.CreateStaff(ctx, counselling.NewStaff{OfficeID: office.ID, Role: counselling.RoleCounsellor, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := svc.OpenInvite(ctx, invite)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := twofactor.Code(inv.Secret, db.Clock.Now())
	if _, err := svc.AcceptInvite(ctx, invite, "the staff member's long password", code); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(time.Minute)
	return inv.Secret
}

func halfLogin(t *testing.T, db *storetest.DB, svc *auth.Service, name string) *counselling.Session {
	t.Helper()
	ctx := context.Background()
	token, _, err := svc.Login(ctx, client(1), name, "the staff member's long password")
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Session(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sendAtOnce sends a wrong code for each of sessions, all at once, and returns
// how many codes were checked. Each check waits until every request has
// reached its check (or half a second has passed), so that no request can
// finish before the others have decided whether to check.
func sendAtOnce(t *testing.T, svc *auth.Service, sessions []*counselling.Session) int {
	t.Helper()
	var checks atomic.Int32
	everyone := make(chan struct{})
	auth.SetCodeChecker(svc, func(secret, code string, now time.Time, last int64) (int64, bool) {
		if checks.Add(1) == int32(len(sessions)) {
			close(everyone)
		}
		select {
		case <-everyone:
		case <-time.After(500 * time.Millisecond):
		}
		return twofactor.Check(secret, code, now, last)
	})
	defer auth.SetCodeChecker(svc, twofactor.Check)
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() {
			_, err := svc.SecondFactor(context.Background(), s, "000000")
			if err != auth.ErrWrongCode && err != auth.ErrTooManyCodes && err != auth.ErrCodesStopped {
				t.Errorf("a wrong code in parallel: %v, want one of the refusals", err)
			}
		})
	}
	wg.Wait()
	return int(checks.Load())
}

func TestParallelCodesAreNeverCheckedPastTheAccountCap(t *testing.T) {
	db := storetest.MustOpenDB(t)
	svc := auth.New(db, passwd.New(cheap, 0, time.Second), db.Clock)
	secret := enrolledStaff(t, db, svc, "Carl Counsellor")
	// Someone who has the password opens many half-finished logins and sends
	// every code each of them allows, all at once.
	var sessions []*counselling.Session
	for range 12 {
		s := halfLogin(t, db, svc, "Carl Counsellor")
		for range counselling.MaxSecondFactorFailures {
			sessions = append(sessions, s)
		}
	}
	if n := sendAtOnce(t, svc, sessions); n > counselling.MaxAccountSecondFactorFailures {
		t.Errorf("%d codes were checked in parallel; the account's cap is %d", n, counselling.MaxAccountSecondFactorFailures)
	}
	// The right code, after all that, is not checked.
	s := halfLogin(t, db, svc, "Carl Counsellor")
	code, _ := twofactor.Code(secret, db.Clock.Now())
	if _, err := svc.SecondFactor(context.Background(), s, code); err != auth.ErrCodesStopped {
		t.Fatalf("the right code after the account's cap: %v, want %v", err, auth.ErrCodesStopped)
	}
}

func TestParallelCodesAreNeverCheckedPastTheLoginsCap(t *testing.T) {
	db := storetest.MustOpenDB(t)
	svc := auth.New(db, passwd.New(cheap, 0, time.Second), db.Clock)
	secret := enrolledStaff(t, db, svc, "Carl Counsellor")
	s := halfLogin(t, db, svc, "Carl Counsellor")
	sessions := make([]*counselling.Session, 3*counselling.MaxSecondFactorFailures)
	for i := range sessions {
		sessions[i] = s
	}
	if n := sendAtOnce(t, svc, sessions); n > counselling.MaxSecondFactorFailures {
		t.Errorf("%d codes were checked in parallel for one login; its cap is %d", n, counselling.MaxSecondFactorFailures)
	}
	code, _ := twofactor.Code(secret, db.Clock.Now())
	if _, err := svc.SecondFactor(context.Background(), s, code); err != auth.ErrTooManyCodes {
		t.Fatalf("the right code after the login's cap: %v, want %v", err, auth.ErrTooManyCodes)
	}
}

func TestARightCodeIsNotCountedAsWrong(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	svc := auth.New(db, passwd.New(cheap, 0, time.Second), db.Clock)
	secret := enrolledStaff(t, db, svc, "Rita Right")
	// Many logins a day, half of them with a wrong code before the right one,
	// never reach the account's cap: only the wrong codes count.
	for i := range counselling.MaxAccountSecondFactorFailures {
		db.Clock.Advance(time.Minute)
		s := halfLogin(t, db, svc, "Rita Right")
		if i%2 == 0 {
			if _, err := svc.SecondFactor(ctx, s, "000000"); err != auth.ErrWrongCode {
				t.Fatalf("wrong code: %v", err)
			}
		}
		code, _ := twofactor.Code(secret, db.Clock.Now())
		if _, err := svc.SecondFactor(ctx, s, code); err != nil {
			t.Fatalf("login %d: the right code: %v", i, err)
		}
	}
}
