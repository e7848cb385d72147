package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store/storetest"
)

// BenchmarkYearFactsMillion counts a year of 1,000,000 contact facts for the
// report (the store's share of the year report; the web benchmark measures the
// whole page).
func BenchmarkYearFactsMillion(b *testing.B) {
	db := storetest.MustOpenDB(b)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, "main")
	if err := db.SeedFacts(ctx, office.ID, 2026, 1_000_000); err != nil {
		b.Fatal(err)
	}
	themes, _ := db.AllThemes(ctx, office.ID)
	b.ResetTimer()
	for b.Loop() {
		f, err := db.YearFacts(ctx, office.ID, 2026)
		if err != nil {
			b.Fatal(err)
		}
		r := counselling.BuildYearReport(2026, f, themes)
		if r.Contacts.N != 1_000_000 {
			b.Fatalf("contacts %d", r.Contacts.N)
		}
	}
}
