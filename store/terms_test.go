package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store/storetest"
	"confidant/templates"
)

// A new office dials the domain's default emergency number and has the
// default terms published in English and stored in every language, whatever the column defaults of the schema say.
func TestNewOfficesTakeTheDomainsDefaults(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	for _, slug := range []string{counselling.DefaultOfficeSlug, "second"} {
		office, err := db.OfficeBySlug(ctx, slug)
		if err != nil {
			office, err = db.CreateOffice(ctx, slug, "Second")
		}
		if err != nil {
			t.Fatal(err)
		}
		if office.EmergencyNumber != counselling.DefaultEmergencyNumber {
			t.Errorf("%s: emergency number %q, want %q", slug, office.EmergencyNumber, counselling.DefaultEmergencyNumber)
		}
		terms, err := db.Terms(ctx, office.ID)
		if err != nil {
			t.Fatal(err)
		}
		if terms.Version != 1 || terms.Lang != counselling.DefaultTermsLang || terms.Texts[counselling.DefaultTermsLang] != counselling.DefaultTermsText || len(terms.Texts) != len(templates.Languages) {
			t.Errorf("%s: terms %+v", slug, terms)
		}
		// The default text is stored in every language, so that a reader is
		// shown, and accepts, a stored text in their own.
		for _, l := range templates.Languages {
			if want := counselling.DefaultTerms[l.Value]; terms.Texts[l.Value] != want {
				t.Errorf("%s: default terms in %s are %q, want the catalogue's %q", slug, l.Value, terms.Texts[l.Value], want)
			}
		}
	}
}

func TestTermsTranslationsBelongToTheirVersion(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	main, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	admin := staffCaller(t, db, main.ID, counselling.RoleAdmin, "Terms Admin")
	counsellor := staffCaller(t, db, main.ID, counselling.RoleCounsellor, "Terms Counsellor")
	if err := db.TranslateTermsBy(ctx, counsellor, "de", "Nicht erlaubt."); err == nil {
		t.Error("a counsellor translated the terms")
	}
	if err := db.TranslateTermsBy(ctx, admin, "de", "Deutsche Fassung eins."); err != nil {
		t.Fatal(err)
	}
	if err := db.TranslateTermsBy(ctx, admin, "en", "Rewritten without a new version."); err == nil {
		t.Error("a translation replaced the text the version was published in")
	}
	terms, _ := db.Terms(ctx, main.ID)
	if terms.Version != 1 || terms.Texts["de"] != "Deutsche Fassung eins." || terms.Texts["en"] != counselling.DefaultTermsText {
		t.Fatalf("after a translation: %+v", terms)
	}
	// A new version starts without the old version's translations.
	if _, err := db.PublishTermsBy(ctx, admin, "nl", "Versie twee."); err != nil {
		t.Fatal(err)
	}
	terms, _ = db.Terms(ctx, main.ID)
	if terms.Version != 2 || terms.Lang != "nl" || len(terms.Texts) != 1 || terms.Texts["nl"] != "Versie twee." {
		t.Fatalf("after a new Dutch version: %+v", terms)
	}
}
