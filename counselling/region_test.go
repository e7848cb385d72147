package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestRegionChoice(t *testing.T) {
	list := counselling.RegionList{
		{ID: 1, Slug: "north", Name: "North Jutland"},
		{ID: 2, Slug: "south", Name: "South"},
		{ID: 3, Slug: "old-town", Name: "Old Town", Retired: true},
	}
	allRetired := counselling.RegionList{{ID: 3, Slug: "old-town", Name: "Old Town", Retired: true}}
	for _, tc := range []struct {
		name    string
		list    counselling.RegionList
		posted  string
		want    string
		refused bool
	}{
		{"slug", list, "north", "north", false},
		{"name", list, "North Jutland", "north", false},
		{"name in other case, with spaces", list, "  north jutland ", "north", false},
		{"empty", list, "", "", false},
		{"only spaces", list, "   ", "", false},
		{"free text", list, "Springfield Elm Street 42", "", true},
		{"formula", list, `=HYPERLINK("http://x","y")`, "", true},
		{"retired entry", list, "old-town", "", true},
		{"retired entry by name", list, "Old Town", "", true},
		{"no list: free text ignored", nil, "Springfield Elm Street 42", "", false},
		{"all retired: retired slug ignored", allRetired, "old-town", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.list.Choose(tc.posted)
			if tc.refused {
				if counselling.ErrorFields(err)["region"] == "" {
					t.Fatalf("Choose(%q) = %q, %v; want a message on the region field", tc.posted, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Choose(%q) = %q, %v; want %q", tc.posted, got, err, tc.want)
			}
		})
	}
}

func TestRegionListAsksOnlyWithActiveEntries(t *testing.T) {
	for _, tc := range []struct {
		list counselling.RegionList
		want bool
	}{
		{nil, false},
		{counselling.RegionList{{Slug: "a", Name: "A", Retired: true}}, false},
		{counselling.RegionList{{Slug: "a", Name: "A", Retired: true}, {Slug: "b", Name: "B"}}, true},
	} {
		if got := tc.list.Asks(); got != tc.want {
			t.Errorf("%v.Asks() = %v, want %v", tc.list, got, tc.want)
		}
	}
}

func TestFactRegionKeepsOnlyListEntries(t *testing.T) {
	list := counselling.RegionList{{Slug: "north", Name: "North"}, {Slug: "gone", Name: "Gone", Retired: true}}
	for stored, want := range map[string]string{"north": "north", "gone": "gone", "": "", "Aarhus C": "", "North": ""} {
		if got := list.FactRegion(stored); got != want {
			t.Errorf("FactRegion(%q) = %q, want %q", stored, got, want)
		}
	}
}
