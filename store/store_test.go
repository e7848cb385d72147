package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
	"confidant/store"
	"confidant/store/storetest"
)

func register(t *testing.T, db *storetest.DB, nick, email string) string {
	t.Helper()
	office, err := db.OfficeBySlug(context.Background(), counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.CreateSeeker(context.Background(), counselling.Registration{
		OfficeID: office.ID, Nickname: nick, Password: "unused here", AcceptTerms: true,
		Profile: counselling.Profile{Email: email, AgeBand: "15-19", Gender: "female", Region: "Gent"},
	}, "$argon2id$fake")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// addRegions puts entries on an office's region list, as its admin (one made
// for the purpose) would; entries that exist already are left as they are.
// register's "Gent" is stored only where the list has it.
func addRegions(t *testing.T, db *storetest.DB, officeID int64, names ...string) {
	t.Helper()
	var admin counselling.Caller
	staff, err := db.Staff(context.Background(), officeID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range staff {
		if m.Name == "Region Keeper" {
			admin = counselling.Caller{AccountID: m.ID, Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: officeID}
		}
	}
	if admin.AccountID == "" {
		admin = staffCaller(t, db, officeID, counselling.RoleAdmin, "Region Keeper")
	}
	for _, name := range names {
		if err := db.AddRegion(context.Background(), admin, name); err != nil && counselling.ErrorFields(err)["name"] == "" {
			t.Fatal(err)
		}
	}
}

func TestFreshDatabaseHasDefaultOfficeAndThemes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	office, err := db.OfficeBySlug(context.Background(), counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	themes, err := db.Themes(context.Background(), office.ID)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, th := range themes {
		slugs = append(slugs, th.Slug)
	}
	want := []string{"loneliness", "family", "relationships", "violence", "self-harm", "suicidal-thoughts",
		"anxiety", "depression", "school-work", "sexuality", "addiction", "other"}
	if len(slugs) != len(want) {
		t.Fatalf("themes = %v, want %v", slugs, want)
	}
	for i := range want {
		if slugs[i] != want[i] {
			t.Fatalf("themes = %v, want %v", slugs, want)
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM schema_migrations`); n < 1 {
		t.Fatal("migrations not recorded")
	}
}

func TestAccountRoundTripAndPlaintextNeverStored(t *testing.T) {
	db := storetest.MustOpenDB(t)
	addRegions(t, db, 1, "Gent")
	id := register(t, db, "Midnight Owl", "owl.hidden@example.org")
	a, err := db.Account(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Nickname != "Midnight Owl" || a.Profile.Email != "owl.hidden@example.org" || a.Profile.AgeBand != "15-19" ||
		a.Profile.Gender != "female" || a.Profile.Region != "gent" || a.TermsVersion != 1 {
		t.Fatalf("account read back as %+v", a)
	}
	// The region is an entry of the office's list, whose names are in the
	// regions table by design; which entry a person chose is sealed.
	for where, content := range db.Stored(t) {
		for _, secret := range []string{"Midnight Owl", "midnight owl", "owl.hidden@example.org"} {
			if bytes.Contains(content, []byte(secret)) {
				t.Errorf("%s holds %q in clear", where, secret)
			}
		}
	}
}

func TestNicknameTakenAcrossCaseAndWidth(t *testing.T) {
	db := storetest.MustOpenDB(t)
	register(t, db, "Anna", "")
	for _, variant := range []string{"ANNA", "Ａｎｎａ", "anna"} {
		office, _ := db.OfficeBySlug(context.Background(), counselling.DefaultOfficeSlug)
		_, err := db.CreateSeeker(context.Background(), counselling.Registration{OfficeID: office.ID, Nickname: variant, AcceptTerms: true}, "$x")
		if counselling.ErrorFields(err)["nickname"] == "" {
			t.Errorf("%q registered beside Anna: %v", variant, err)
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM accounts WHERE kind = 'seeker'`); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
}

func TestSealedFieldSwappedBetweenRowsFailsToOpen(t *testing.T) {
	db := storetest.MustOpenDB(t)
	addRegions(t, db, 1, "Gent")
	a := register(t, db, "First Person", "")
	b := register(t, db, "Second Person", "")
	raw := openRaw(t, db)
	// Copy b's sealed nickname into a's row: it must not open as a's.
	if _, err := raw.Exec(`UPDATE accounts SET nickname = (SELECT nickname FROM accounts WHERE id = ?) WHERE id = ?`, b, a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Account(context.Background(), a); err == nil {
		t.Fatal("a ciphertext moved to another row opened")
	}
	// Copy a's region into its own age_band column: another column must fail too.
	if _, err := raw.Exec(`UPDATE accounts SET age_band = region WHERE id = ?`, b); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Account(context.Background(), b); err == nil {
		t.Fatal("a ciphertext moved to another column opened")
	}
}

func TestWrongKeyRefusesToOpen(t *testing.T) {
	db := storetest.MustOpenDB(t)
	register(t, db, "Someone", "")
	db.Close()
	otherDir := t.TempDir()
	otherKeys, err := vault.LoadOrCreate(otherDir, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(context.Background(), db.Path(), otherKeys, store.Options{})
	if !errors.Is(err, store.ErrWrongKey) {
		t.Fatalf("open with another installation's keys: %v, want ErrWrongKey", err)
	}
}

func TestSessionsStoreOnlyTokenHashes(t *testing.T) {
	db := storetest.MustOpenDB(t)
	id := register(t, db, "Token Keeper", "")
	token, err := db.Login(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 22 {
		t.Fatalf("token %q has fewer than 128 bits", token)
	}
	for where, content := range db.Stored(t) {
		if bytes.Contains(content, []byte(token)) {
			t.Fatalf("session token stored in clear in %s", where)
		}
	}
	s, err := db.Session(context.Background(), token)
	if err != nil || s.AccountID != id {
		t.Fatalf("session = %+v, %v", s, err)
	}
	db.Clock.Advance(31 * time.Minute)
	n, err := db.DeleteExpiredSessions(context.Background(), counselling.DefaultSessionPolicy)
	if err != nil || n != 1 {
		t.Fatalf("expired sessions deleted = %d, %v; want 1", n, err)
	}
	if _, err := db.Session(context.Background(), token); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("expired session still found: %v", err)
	}
}

func TestFirstAdminInviteUntilAnAdminExists(t *testing.T) {
	db := storetest.MustOpenDB(t)
	first, err := db.FirstAdminInvite(context.Background())
	if err != nil || first == "" {
		t.Fatalf("first invite = %q, %v", first, err)
	}
	second, err := db.FirstAdminInvite(context.Background())
	if err != nil || second == "" || second == first {
		t.Fatalf("second start: %q, %v", second, err)
	}
	if n := db.Count(t, `SELECT count(*) FROM invites WHERE first_admin = 1`); n != 1 {
		t.Fatalf("%d first-admin invites, want only the newest", n)
	}
	if n := db.Count(t, `SELECT count(*) FROM invites WHERE expires_at = ?`, db.Clock.Now().Add(counselling.FirstAdminInviteTTL).Unix()); n != 1 {
		t.Fatal("the first-admin invite does not work exactly as long as the domain says")
	}
}

// Writes that arrive together are committed together; one that fails is
// rolled back alone and the others still land.
func TestConcurrentWritesCommitTogetherAndFailAlone(t *testing.T) {
	db := storetest.MustOpenDB(t)
	office, _ := db.OfficeBySlug(context.Background(), counselling.DefaultOfficeSlug)
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() {
			// Every fourth registration repeats the nickname of the one before.
			nick := fmt.Sprintf("Crowd Member %d", i-i%4/3)
			if i%4 == 3 {
				nick = fmt.Sprintf("Crowd Member %d", i-1)
			}
			_, errs[i] = db.CreateSeeker(context.Background(), counselling.Registration{OfficeID: office.ID, Nickname: nick, AcceptTerms: true}, "$x")
		})
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			if counselling.ErrorFields(err)["nickname"] == "" {
				t.Fatalf("unexpected error: %v", err)
			}
			failed++
		}
	}
	if failed != 10 {
		t.Fatalf("%d registrations failed, want the 10 repeated nicknames", failed)
	}
	if n := db.Count(t, `SELECT count(*) FROM accounts WHERE kind = 'seeker'`); n != 30 {
		t.Fatalf("%d accounts stored, want 30", n)
	}
	if n := db.Count(t, `SELECT count(*) FROM consents`); n != 30 {
		t.Fatalf("%d consents stored, want 30: a failed write left part of itself behind", n)
	}
}
