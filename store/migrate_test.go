package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"confidant/counselling"
	"confidant/counselling/vault"
	"confidant/store"
	"confidant/store/storetest"
	"confidant/templates"
)

// A database that a release before region lists left holds regions people
// typed, in the facts and in the report tallies. Migrating moves them to "not
// given": the text is gone from the files, and the counts add up as before.
func TestMigrationMovesFreeTextRegionsToNotGiven(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := vault.LoadOrCreate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, store.FileName)
	opts := store.Options{Clock: storetest.NewClock()}
	old, err := store.Open(ctx, path, keys, store.OptionsUpTo(opts, 6))
	if err != nil {
		t.Fatal(err)
	}
	// The office is read with SQL: the store's queries expect today's schema.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	var office struct{ ID int64 }
	if err := raw.QueryRow(`SELECT id FROM offices WHERE slug = ?`, counselling.DefaultOfficeSlug).Scan(&office.ID); err != nil {
		t.Fatal(err)
	}
	street, lane := "Springfield Elm Street 42", "Oak Lane 7 back door"
	facts := []any{street, street, lane, nil}
	for i, region := range facts {
		if _, err := raw.Exec(`INSERT INTO contact_facts (fact_key, office_id, channel, year, month, region, seeker_messages)
			VALUES (?, ?, 'mail', 2026, 3, ?, 1)`, []byte{byte(i + 1)}, office.ID, region); err != nil {
			t.Fatal(err)
		}
	}
	for _, tl := range []struct {
		dim, value string
		n          int
	}{
		{"month", "3", 4}, {"channel", "mail", 4}, {"age_band", "", 4}, {"gender", "", 4}, {"closed", "0", 4},
		{"region", street, 2}, {"region", lane, 1}, {"region", "", 1},
	} {
		if _, err := raw.Exec(`INSERT INTO fact_tallies (office_id, year, dimension, value, contacts) VALUES (?, 2026, ?, ?, ?)`,
			office.ID, tl.dim, tl.value, tl.n); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte(street)) {
		t.Fatal("the old database does not hold the typed region: the test set-up is wrong")
	}

	db, err := store.Open(ctx, path, keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := db.YearFacts(ctx, staffCaller(t, db, office.ID, counselling.RoleAdmin, "Statistics Admin"), 2026)
	if err != nil {
		t.Fatal(err)
	}
	if got := kept.Tallies[counselling.DimRegion]; len(got) != 1 || got[""] != 4 {
		t.Fatalf("region tallies after migration %v, want all 4 contacts not given", got)
	}
	fresh, err := db.YearFactsFromFacts(ctx, office.ID, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if got := fresh.Tallies[counselling.DimRegion]; len(got) != 1 || got[""] != 4 {
		t.Fatalf("regions counted from the facts %v, want all 4 not given", got)
	}
	report := counselling.BuildYearReport(2026, kept, nil, nil)
	for _, l := range report.Regions.Labels {
		if l == street || l == lane {
			t.Fatalf("the year report still shows %q", l)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{street, lane} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s still holds %q", filepath.Base(path+suffix), s)
			}
		}
	}
}

// Offices of an earlier release have their default privacy terms only in
// English. Migrating stores the catalogue's translations for each office whose
// version 1 is the untouched default, and leaves an office's own text alone.
func TestMigrationStoresTheDefaultTermsInEveryLanguage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := vault.LoadOrCreate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, store.FileName)
	opts := store.Options{Clock: storetest.NewClock()}
	old, err := store.Open(ctx, path, keys, store.OptionsUpTo(opts, 13))
	if err != nil {
		t.Fatal(err)
	}
	own, err := old.CreateOffice(ctx, "own", "Own terms")
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM terms_translations`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the old database holds %d translations (%v): the test set-up is wrong", n, err)
	}
	if _, err := raw.Exec(`UPDATE terms_versions SET text = 'Our own privacy terms, in English only.' WHERE office_id = ?`, own.ID); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := store.Open(ctx, path, keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	main, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := db.Terms(ctx, main.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range templates.Languages {
		if want := counselling.DefaultTerms[l.Value]; terms.Texts[l.Value] != want {
			t.Errorf("after migrating, the default terms in %s are %q, want %q", l.Value, terms.Texts[l.Value], want)
		}
	}
	if terms, err = db.Terms(ctx, own.ID); err != nil || len(terms.Texts) != 1 {
		t.Errorf("an office's own terms got translations it never had: %+v %v", terms, err)
	}
}
