package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

// staffID creates a staff member and returns their account id.
func staffID(t *testing.T, db *storetest.DB, role counselling.Role, name string) string {
	t.Helper()
	ctx := context.Background()
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateStaff(ctx, counselling.NewStaff{OfficeID: office.ID, Role: role, Name: name}); err != nil {
		t.Fatal(err)
	}
	staff, err := db.Staff(ctx, office.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range staff {
		if s.Name == name {
			return s.ID
		}
	}
	t.Fatalf("no staff member %q", name)
	return ""
}

func TestSessionOfADisabledAccountIsRefused(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	admin := staffID(t, db, counselling.RoleAdmin, "Ada Admin")
	counsellor := staffID(t, db, counselling.RoleCounsellor, "Colm Counsellor")
	// A login that read the credentials just before an admin disabled the
	// account still creates its session after the disabling has ended every
	// other one. Only the session lookup stands between that session and the
	// account.
	creds, err := db.Credentials(ctx, "Colm Counsellor")
	if err != nil || creds.Disabled {
		t.Fatalf("credentials: %+v, %v", creds, err)
	}
	if _, err := db.SetDisabled(ctx, counselling.Caller{AccountID: admin, Kind: counselling.KindStaff, Role: counselling.RoleAdmin,
		OfficeID: office.ID}, counsellor, true); err != nil {
		t.Fatal(err)
	}
	token, err := db.Login(ctx, creds.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := db.Session(ctx, token); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("session of a disabled account = %+v, %v; want not found", s, err)
	}
}

func TestAccountCeilingAlertsAdminsOnceAndNamesNoHelpSeeker(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	admin := counselling.Caller{AccountID: staffID(t, db, counselling.RoleAdmin, "Ada Admin"), Kind: counselling.KindStaff,
		Role: counselling.RoleAdmin, OfficeID: office.ID}
	seeker := register(t, db, "Much Guessed", "")
	staff := staffID(t, db, counselling.RoleCounsellor, "Guessed Staff")
	for _, id := range []string{seeker, staff} {
		for range 2 * counselling.AccountFailureCeiling {
			if err := db.RecordLoginFailure(ctx, id, counselling.MinGuessingNetworks, counselling.MinGuessingNetworks); err != nil {
				t.Fatal(err)
			}
			db.Clock.Advance(time.Second)
		}
	}
	log, err := db.AuditLog(ctx, admin, 100)
	if err != nil {
		t.Fatal(err)
	}
	var alerts []counselling.AuditEntry
	for _, e := range log {
		if strings.Contains(e.Action, "wrong passwords") {
			alerts = append(alerts, e)
		}
	}
	if len(alerts) != 2 {
		t.Fatalf("%d alerts for two accounts over the ceiling, want one each: %+v", len(alerts), alerts)
	}
	for _, e := range alerts {
		if e.ActorLabel != counselling.AuditActorAutomatic {
			t.Errorf("alert attributed to %q %q", e.Actor, e.ActorLabel)
		}
		if strings.Contains(e.Target+e.Detail, "Much Guessed") || strings.Contains(e.Target+e.Detail, seeker) {
			t.Errorf("alert names the help-seeker: %+v", e)
		}
	}
	if alerts[0].Target != "Guessed Staff" && alerts[1].Target != "Guessed Staff" {
		t.Errorf("no alert names the staff member: %+v", alerts)
	}
	creds, err := db.AccountCredentials(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	if (counselling.PasswordThrottle{Account: creds.Failures, Networks: counselling.MinGuessingNetworks}).Allowed(db.Clock.Now()) {
		t.Error("an account past its ceiling is checked at once from a new client")
	}
}
