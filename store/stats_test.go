package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"confidant/counselling"
	"confidant/store/storetest"
)

// The report tallies are kept up to date as facts change; counted afresh from
// the facts they must agree.
func TestTalliesAgreeWithFacts(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	addRegions(t, db, office.ID, "North", "South", "Gent")
	if err := db.SeedFacts(ctx, office.ID, 2026, 300); err != nil {
		t.Fatal(err)
	}
	seeker := seekerCaller(t, db, "Tally Writer", "")
	staffToken, err := db.CreateStaff(ctx, counselling.NewStaff{OfficeID: office.ID, Role: counselling.RoleCounsellor, Name: "Tally Staff"})
	if err != nil || staffToken == "" {
		t.Fatal(err)
	}
	staff, _ := db.Staff(ctx, office.ID)
	counsellor := counselling.Caller{AccountID: staff[0].ID, Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: office.ID}
	for i := range 3 {
		id, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Body: "hello"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Take(ctx, counselling.Caller(counsellor), id); err != nil {
			t.Fatal(err)
		}
		db.Reply(ctx, counsellor, id, "answer", false)
		db.Reply(ctx, seeker, id, "thanks", false)
		db.SetThemes(ctx, counsellor, id, []string{"anxiety", "school-work"})
		if i == 1 {
			db.SetThemes(ctx, counsellor, id, nil)
		}
		db.SetClosed(ctx, counsellor, id, true)
		if i == 2 {
			db.Reply(ctx, seeker, id, "reopened", false)
		}
	}
	kept, err := db.YearFacts(ctx, staffCaller(t, db, office.ID, counselling.RoleAdmin, "Statistics Admin"), 2026)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := db.YearFactsFromFacts(ctx, office.ID, 2026)
	if err != nil {
		t.Fatal(err)
	}
	drop := func(m map[string]map[string]int) {
		for _, inner := range m {
			for k, v := range inner {
				if v == 0 {
					delete(inner, k)
				}
			}
		}
	}
	drop(kept.Tallies)
	drop(fresh.Tallies)
	if !reflect.DeepEqual(kept.Tallies, fresh.Tallies) {
		t.Fatalf("tallies differ from the facts:\nkept  %v\nfresh %v", kept.Tallies, fresh.Tallies)
	}
	if kept.SeekerMessages != fresh.SeekerMessages || kept.StaffMessages != fresh.StaffMessages {
		t.Fatalf("message totals: kept %d/%d, fresh %d/%d", kept.SeekerMessages, kept.StaffMessages, fresh.SeekerMessages, fresh.StaffMessages)
	}
	norm := func(tm []counselling.ThemeMonth) []counselling.ThemeMonth {
		var out []counselling.ThemeMonth
		for _, x := range tm {
			if x.Count != 0 {
				out = append(out, x)
			}
		}
		slices.SortFunc(out, func(a, b counselling.ThemeMonth) int {
			return int(a.ThemeID*100+int64(a.Month)) - int(b.ThemeID*100+int64(b.Month))
		})
		return out
	}
	if !reflect.DeepEqual(norm(kept.Themes), norm(fresh.Themes)) {
		t.Fatalf("theme tallies differ:\nkept  %v\nfresh %v", norm(kept.Themes), norm(fresh.Themes))
	}
}
