package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store/storetest"
)

func TestCounselledThemesAreKeptPerAccount(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	themes, err := db.Themes(ctx, office.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Theme Counsellor")
	other := staffCaller(t, db, office.ID, counselling.RoleSupervisor, "Theme Supervisor")
	if got, err := db.CounselledThemes(ctx, c); err != nil || !got.All {
		t.Fatalf("a new counsellor counsels %v, %v; want all themes", got, err)
	}
	chosen, err := db.SetCounselledThemes(ctx, c, []string{themes[1].Slug, themes[0].Slug})
	if err != nil || chosen.All || len(chosen.IDs) != 2 {
		t.Fatalf("choose two themes: %v, %v", chosen, err)
	}
	got, err := db.CounselledThemes(ctx, c)
	if err != nil || got.All || !got.Covers(themes[0].ID) || !got.Covers(themes[1].ID) || got.Covers(themes[2].ID) {
		t.Fatalf("read back %v, %v", got, err)
	}
	if got, _ := db.CounselledThemes(ctx, other); !got.All {
		t.Fatalf("one counsellor's choice changed another's: %v", got)
	}
	// An empty or unknown choice is refused and changes nothing.
	for _, bad := range [][]string{nil, {"no-such-theme"}} {
		if _, err := db.SetCounselledThemes(ctx, c, bad); counselling.ErrorCode(err) != counselling.EInvalid {
			t.Fatalf("choice %v: %v", bad, err)
		}
	}
	if got, _ := db.CounselledThemes(ctx, c); got.All || len(got.IDs) != 2 {
		t.Fatalf("a refused choice changed the themes: %v", got)
	}
	// Choosing every theme is all themes again.
	var all []string
	for _, th := range themes {
		all = append(all, th.Slug)
	}
	if _, err := db.SetCounselledThemes(ctx, c, all); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CounselledThemes(ctx, c); !got.All {
		t.Fatalf("every theme chosen reads as %v", got)
	}
	admin := staffCaller(t, db, office.ID, counselling.RoleAdmin, "Theme Admin")
	if _, err := db.SetCounselledThemes(ctx, admin, all); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("an admin, who does not counsel, chose themes: %v", err)
	}
}
