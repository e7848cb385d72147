package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/store/storetest"
)

// staffCaller creates a staff member of the office and returns them as a
// caller, as a session would.
// staffMaker is the part of the store staffCaller needs, so that tests with a
// database opened by hand can use it too.
type staffMaker interface {
	CreateStaff(ctx context.Context, n counselling.NewStaff) (string, error)
	Staff(ctx context.Context, officeID int64) ([]counselling.StaffMember, error)
}

func staffCaller(t testing.TB, db staffMaker, officeID int64, role counselling.Role, name string) counselling.Caller {
	t.Helper()
	ctx := context.Background()
	if _, err := db.CreateStaff(ctx, counselling.NewStaff{OfficeID: officeID, Role: role, Name: name}); err != nil {
		t.Fatal(err)
	}
	staff, err := db.Staff(ctx, officeID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range staff {
		if m.Name == name {
			return counselling.Caller{AccountID: m.ID, Kind: counselling.KindStaff, Role: role, OfficeID: officeID}
		}
	}
	t.Fatalf("staff member %q not found", name)
	return counselling.Caller{}
}

// adminState is what any admin action changes, as counts, so that a test can
// see that a refused action changed nothing.
func adminState(t *testing.T, db *storetest.DB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT count(*) FROM audit_log`,
		`SELECT count(*) FROM accounts`,
		`SELECT count(*) FROM invites`,
		`SELECT count(*) FROM accounts WHERE trainee = 1`,
		`SELECT count(*) FROM accounts WHERE disabled = 1`,
		`SELECT count(*) FROM accounts WHERE role = 'supervisor'`,
		`SELECT count(*) FROM themes`,
		`SELECT count(*) FROM themes WHERE retired_at IS NOT NULL`,
		`SELECT count(*) FROM themes WHERE name = 'Renamed theme'`,
		`SELECT count(*) FROM regions`,
		`SELECT count(*) FROM regions WHERE retired_at IS NOT NULL`,
		`SELECT count(*) FROM regions WHERE name = 'Renamed region'`,
		`SELECT count(*) FROM offices`,
		`SELECT count(*) FROM offices WHERE name = 'Changed name'`,
		`SELECT coalesce(sum(terms_version), 0) FROM offices`,
		`SELECT count(*) FROM terms_versions`,
	} {
		out = append(out, fmt.Sprint(db.Count(t, q)))
	}
	return strings.Join(out, " ")
}

// TestAdminMethodsEnforceWhoAdministersWhat calls every admin method of the
// store with callers who do not administer the office: each is refused as
// not found and changes nothing, whatever the web layer in front checks.
// The office's own admin then succeeds with the same calls.
func TestAdminMethodsEnforceWhoAdministersWhat(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	main, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	north, err := db.CreateOffice(ctx, "north", "North office")
	if err != nil {
		t.Fatal(err)
	}
	admin := staffCaller(t, db, main.ID, counselling.RoleAdmin, "Main Admin")
	counsellor := staffCaller(t, db, main.ID, counselling.RoleCounsellor, "Main Counsellor")
	supervisor := staffCaller(t, db, main.ID, counselling.RoleSupervisor, "Main Supervisor")
	northAdmin := staffCaller(t, db, north.ID, counselling.RoleAdmin, "North Admin")
	seekerID := register(t, db, "Quiet Seeker", "")
	seeker := counselling.Caller{AccountID: seekerID, Kind: counselling.KindSeeker, OfficeID: main.ID}
	themes, err := db.Themes(ctx, main.ID)
	if err != nil {
		t.Fatal(err)
	}
	theme := themes[0].ID
	if err := db.AddRegion(ctx, admin, "Harbour"); err != nil {
		t.Fatal(err)
	}
	regions, err := db.Regions(ctx, main.ID)
	if err != nil || len(regions) != 1 {
		t.Fatalf("regions %v, %v", regions, err)
	}
	region := regions[0].ID
	settings := counselling.OfficeSettings{Name: "Changed name", Retention: counselling.DefaultRetention}

	// An admin of another office legitimately adds themes and regions to,
	// changes the settings of, publishes terms for and reads the audit log of
	// their own office; those actions are checked against them further down.
	ownOffice := map[string]bool{"add theme": true, "add region": true, "office settings": true, "publish terms": true, "audit log": true,
		"year statistics": true, "research rows": true}
	actions := []struct {
		name string
		do   func(actor counselling.Caller) error
	}{
		{"invite staff", func(a counselling.Caller) error {
			_, err := db.InviteStaff(ctx, a, counselling.NewStaff{OfficeID: main.ID, Role: counselling.RoleCounsellor, Name: "New Colleague"})
			return err
		}},
		{"set role", func(a counselling.Caller) error {
			return db.SetRole(ctx, a, counsellor.AccountID, counselling.RoleSupervisor)
		}},
		{"set trainee", func(a counselling.Caller) error { return db.SetTrainee(ctx, a, counsellor.AccountID, true) }},
		{"set disabled", func(a counselling.Caller) error {
			_, err := db.SetDisabled(ctx, a, supervisor.AccountID, true)
			return err
		}},
		{"add theme", func(a counselling.Caller) error { return db.AddTheme(ctx, a, "A new theme") }},
		{"rename theme", func(a counselling.Caller) error { return db.RenameTheme(ctx, a, theme, "Renamed theme") }},
		{"retire theme", func(a counselling.Caller) error { return db.RetireTheme(ctx, a, theme) }},
		{"add region", func(a counselling.Caller) error { return db.AddRegion(ctx, a, "A new region") }},
		{"rename region", func(a counselling.Caller) error { return db.RenameRegion(ctx, a, region, "Renamed region") }},
		{"retire region", func(a counselling.Caller) error { return db.RetireRegion(ctx, a, region) }},
		{"office settings", func(a counselling.Caller) error { return db.UpdateOffice(ctx, a, settings) }},
		{"publish terms", func(a counselling.Caller) error {
			_, err := db.PublishTermsBy(ctx, a, "en", "New terms of the office.")
			return err
		}},
		{"create office", func(a counselling.Caller) error {
			_, _, err := db.CreateOfficeBy(ctx, a, "south", "South office", "South Admin")
			return err
		}},
		{"audit log", func(a counselling.Caller) error {
			_, err := db.AuditLog(ctx, a, 100)
			return err
		}},
		{"year statistics", func(a counselling.Caller) error {
			_, err := db.YearFacts(ctx, a, 2026)
			return err
		}},
		{"research rows", func(a counselling.Caller) error {
			_, err := db.FactRows(ctx, a, 2026)
			return err
		}},
	}
	reads := map[string]bool{"audit log": true, "year statistics": true, "research rows": true}
	wrong := []struct {
		name   string
		caller counselling.Caller
	}{
		{"counsellor", counsellor}, {"supervisor", supervisor}, {"help-seeker", seeker},
		{"admin of another office", northAdmin}, {"nobody", counselling.Caller{}},
		{"help-seeker claiming the admin role", counselling.Caller{AccountID: seekerID, Kind: counselling.KindSeeker, Role: counselling.RoleAdmin, OfficeID: main.ID}},
	}
	for _, a := range actions {
		for _, w := range wrong {
			if w.caller == northAdmin && ownOffice[a.name] {
				continue
			}
			before := adminState(t, db)
			err := a.do(w.caller)
			if code := counselling.ErrorCode(err); code != counselling.ENotFound {
				t.Errorf("%s by %s: %v (code %q), want not found", a.name, w.name, err, code)
			}
			if after := adminState(t, db); after != before {
				t.Errorf("%s by %s changed the database: %s -> %s", a.name, w.name, before, after)
			}
		}
	}
	for _, a := range actions {
		before := adminState(t, db)
		if err := a.do(admin); err != nil {
			t.Fatalf("%s by the office's admin: %v", a.name, err)
		}
		if !reads[a.name] && adminState(t, db) == before {
			t.Errorf("%s by the office's admin changed nothing", a.name)
		}
	}
	if err := db.UpdateOffice(ctx, northAdmin, counselling.OfficeSettings{Name: "North renamed",
		Retention: counselling.DefaultRetention}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Office(ctx, main.ID); got.Name != "Changed name" {
		t.Errorf("the north office's admin renamed the main office to %q", got.Name)
	}
	entries, err := db.AuditLog(ctx, northAdmin, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == "theme renamed" || e.Action == "role changed" {
			t.Errorf("the north office's admin reads the main office's audit entry %q", e.Action)
		}
	}
	if err := db.SetTrainee(ctx, northAdmin, counsellor.AccountID, false); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("an admin of another office changes the main office's staff: %v", err)
	}
	_, err = db.InviteStaff(ctx, admin, counselling.NewStaff{OfficeID: north.ID, Role: counselling.RoleAdmin, Name: "Sneaky Admin"})
	if counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("an admin invites staff into another office: %v", err)
	}
}

// TestCreateOfficeIsAllOrNothing: an office is created together with its first
// admin's invite and the audit entries, or not at all.
func TestCreateOfficeIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	main, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	admin := staffCaller(t, db, main.ID, counselling.RoleAdmin, "Main Admin")
	// The new admin's name is taken, which is found only after the office
	// row would have been written.
	_, _, err = db.CreateOfficeBy(ctx, admin, "south", "South office", "Main Admin")
	if counselling.ErrorCode(err) != counselling.EInvalid {
		t.Fatalf("create office with a taken admin name: %v, want invalid", err)
	}
	if n := db.Count(t, `SELECT count(*) FROM offices WHERE slug = 'south'`); n != 0 {
		t.Fatal("a refused office creation left an office without its admin")
	}
	office, token, err := db.CreateOfficeBy(ctx, admin, "south", "South office", "South Admin")
	if err != nil || token == "" {
		t.Fatalf("create office: %v", err)
	}
	if n := db.Count(t, `SELECT count(*) FROM invites WHERE office_id = ?`, office.ID); n != 1 {
		t.Fatalf("the new office has %d invites, want 1", n)
	}
	if n := db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'office created' AND office_id = ?`, main.ID); n != 1 {
		t.Fatalf("the creating office's audit log has %d entries of the creation, want 1", n)
	}
}

// TestPublishTermsIsRecordedOrNotPublished: terms an admin publishes are in the
// audit log, or not published at all.
func TestPublishTermsIsRecordedOrNotPublished(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	main, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	admin := staffCaller(t, db, main.ID, counselling.RoleAdmin, "Main Admin")
	raw := db.Raw(t)
	// The audit log refuses entries, as a full disk might at that moment.
	refuse, allow := `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused'); END`, `DROP TRIGGER refuse_audit`
	if db.Postgres() {
		refuse = `CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
			CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse()`
		allow = `DROP TRIGGER refuse_audit ON audit_log`
	}
	if _, err := raw.Exec(refuse); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishTermsBy(ctx, admin, "en", "Terms nobody recorded."); err == nil {
		t.Fatal("terms were published although their audit entry failed")
	}
	if n := db.Count(t, `SELECT count(*) FROM terms_versions WHERE text LIKE '%nobody recorded%'`); n != 0 {
		t.Fatal("unrecorded terms were published")
	}
	if _, err := raw.Exec(allow); err != nil {
		t.Fatal(err)
	}
	version, err := db.PublishTermsBy(ctx, admin, "en", "Recorded terms.")
	if err != nil || version != 2 {
		t.Fatalf("publish terms: version %d, %v; want 2", version, err)
	}
}

// TestReadingAThreadMarksWhatWasShownRead: the help-seeker sees a new reply as
// unread once; the next view shows it read.
func TestReadingAThreadMarksWhatWasShownRead(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	main, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	seeker := counselling.Caller{AccountID: register(t, db, "Reading Seeker", ""), Kind: counselling.KindSeeker, OfficeID: main.ID}
	counsellor := staffCaller(t, db, main.ID, counselling.RoleCounsellor, "Reading Counsellor")
	id, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Body: "hello"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Take(ctx, counsellor, id); err != nil {
		t.Fatal(err)
	}
	if err := db.Reply(ctx, counsellor, id, "an answer", false); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		th, err := db.Thread(ctx, seeker, id)
		if err != nil {
			t.Fatal(err)
		}
		if th.Unread != want || len(th.Messages) != 2 {
			t.Fatalf("view %d: unread %v with %d messages, want unread %v with 2", i+1, th.Unread, len(th.Messages), want)
		}
	}
}
