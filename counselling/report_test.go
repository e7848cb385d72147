package counselling_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"confidant/counselling"
)

func TestSmallCellAndItsComplementAreHidden(t *testing.T) {
	// Four contacts about one theme, 30 and 20 about others: the four show
	// "<5", and one more cell must hide too, or 54 - 30 - 20 gives them away.
	tally := counselling.NewTally([]string{"family", "anxiety", "self-harm"}, []int{30, 20, 4})
	if tally.Cells[2].String() != "<5" {
		t.Fatalf("4 contacts shown as %s", tally.Cells[2])
	}
	if !tally.Cells[1].Hidden || tally.Cells[0].Hidden {
		t.Fatalf("complement: %v; want the next smallest (20) hidden and 30 shown", tally.Cells)
	}
	if tally.Total.String() != "54" {
		t.Fatalf("total %s", tally.Total)
	}
}

func TestCrossTableCannotBeSolved(t *testing.T) {
	counts := [][]int{{10, 12, 3}, {8, 9, 11}, {20, 1, 7}}
	rows, cols := []int{25, 28, 28}, []int{38, 22, 21}
	ct := counselling.NewCrossTable([]string{"a", "b", "c"}, []string{"x", "y", "z"}, counts, rows, cols, 81)
	lines := func(cells []counselling.Cell, total counselling.Cell) {
		hidden := 0
		for _, c := range cells {
			if c.Hidden {
				hidden++
			}
		}
		if !total.Hidden && hidden == 1 {
			t.Errorf("a line with a shown total has exactly one hidden cell: %v total %v", cells, total)
		}
	}
	for i := range ct.Cells {
		lines(ct.Cells[i], ct.RowTotals[i])
	}
	for j := range ct.ColTotals {
		var col []counselling.Cell
		for i := range ct.Cells {
			col = append(col, ct.Cells[i][j])
		}
		lines(col, ct.ColTotals[j])
	}
	if !ct.Cells[0][2].Hidden || !ct.Cells[2][1].Hidden {
		t.Fatal("small cells are shown")
	}
}

func TestSuppressionPropertyOnRandomTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		n := 2 + rng.IntN(8)
		counts := make([]int, n)
		for i := range counts {
			counts[i] = rng.IntN(12)
		}
		tally := counselling.NewTally(make([]string, n), counts)
		hidden := 0
		for i, c := range tally.Cells {
			if c.N < counselling.MinCell && !c.Hidden {
				t.Fatalf("cell %d of %v shown", i, counts)
			}
			if c.Hidden {
				hidden++
			}
		}
		if !tally.Total.Hidden && hidden == 1 {
			t.Fatalf("one hidden cell with a shown total: %v", tally.Cells)
		}
	}
}

func TestYearReportFromFacts(t *testing.T) {
	facts := &counselling.YearFacts{
		Tallies: map[string]map[string]int{
			counselling.DimMonth:         {"1": 40, "2": 12},
			counselling.DimChannel:       {"mail": 52},
			counselling.DimAgeBand:       {"15-19": 40, "20-29": 10, "65-plus": 2},
			counselling.DimGender:        {"female": 40, "male": 12},
			counselling.DimFirstResponse: {"1-4h": 40, "4-24h": 10, "over-7d": 2},
			counselling.DimChatWait:      {"under-1m": 9, "1-5m": 6, "5-15m": 7, "15-60m": 8, "over-1h": 2},
			counselling.DimChatDuration:  {"10-30m": 17},
		},
		SeekerMessages: 142, StaffMessages: 92,
		Themes: []counselling.ThemeMonth{{ThemeID: 1, Month: 1, Count: 40}, {ThemeID: 2, Month: 2, Count: 12}},
	}
	r := counselling.BuildYearReport(2026, facts, []counselling.Theme{{ID: 1, Name: "Family"}, {ID: 2, Name: "Anxiety"}}, nil)
	if r.Contacts.N != 52 || r.PerMonth.Cells[0].N != 40 || r.PerMonth.Cells[1].N != 12 {
		t.Fatalf("contacts %v, per month %v", r.Contacts, r.PerMonth.Cells)
	}
	if r.ResponseMedian != "1-4h" || r.ResponseP90 != "4-24h" {
		t.Fatalf("median %q p90 %q", r.ResponseMedian, r.ResponseP90)
	}
	if r.SeekerPerContact != "2.7" || r.StaffPerContact != "1.8" {
		t.Fatalf("messages per contact %s / %s", r.SeekerPerContact, r.StaffPerContact)
	}
	if !r.AgeBands.Cells[6].Hidden {
		t.Fatal("two contacts aged 65+ are shown")
	}
	// Chats that waited over an hour are too few to show, and so is the
	// smallest shown bucket, or the total would give them away.
	if got := cellStrings(r.ChatWait); got != "9 <5 7 8 <5 | 32" {
		t.Fatalf("chat waiting times: %s", got)
	}
	if got := cellStrings(r.ChatDuration); got != "<5 17 <5 <5 | 17" {
		t.Fatalf("chat durations: %s", got)
	}
	if r.ThemesByMonth.Cells[0][0].N != 40 || !r.ThemesByMonth.Cells[0][1].Hidden {
		t.Fatalf("themes by month: %v", r.ThemesByMonth.Cells[0])
	}
}

func TestRareRowsAreMergedIntoOther(t *testing.T) {
	for _, tc := range []struct {
		name       string
		labels     []string
		counts     []int
		wantLabels []string
		wantCounts []int
	}{
		{"nothing rare", []string{"a", "b"}, []int{5, 9}, []string{"a", "b"}, []int{5, 9}},
		{"one rare", []string{"a", "b", "c"}, []int{12, 4, 7}, []string{"a", "c", counselling.OtherLabel}, []int{12, 7, 4}},
		{"several rare", []string{"a", "b", "c"}, []int{1, 2, 30}, []string{"c", counselling.OtherLabel}, []int{30, 3}},
		{"empty rows go, no other row for nobody", []string{"a", "b"}, []int{0, 6}, []string{"b"}, []int{6}},
		{"all rare", []string{"a", "b"}, []int{1, 1}, []string{counselling.OtherLabel}, []int{2}},
		{"none", nil, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			labels, counts := counselling.MergeRareRows(tc.labels, tc.counts)
			if !slices.Equal(labels, tc.wantLabels) || !slices.Equal(counts, tc.wantCounts) {
				t.Fatalf("got %v %v, want %v %v", labels, counts, tc.wantLabels, tc.wantCounts)
			}
		})
	}
}

func TestThemeRowsHideRareThemes(t *testing.T) {
	themes := []counselling.Theme{{ID: 1, Name: "Family"}, {ID: 2, Name: "Anxiety"}, {ID: 3, Name: "Violence"}, {ID: 4, Name: "Loneliness"}}
	facts := &counselling.YearFacts{
		Tallies: map[string]map[string]int{counselling.DimMonth: {"1": 40, "2": 9}},
		Themes: []counselling.ThemeMonth{
			{ThemeID: 1, Month: 1, Count: 38}, {ThemeID: 2, Month: 1, Count: 2},
			{ThemeID: 3, Month: 2, Count: 1}, {ThemeID: 3, Month: 1, Count: 1}, {ThemeID: 4, Month: 2, Count: 8},
		},
	}
	tt := counselling.BuildYearReport(2026, facts, themes, nil).ThemesByMonth
	if want := []string{"Family", "Loneliness", counselling.OtherLabel}; !slices.Equal(tt.RowLabels, want) {
		t.Fatalf("theme rows %v, want %v: Anxiety (2) and Violence (2) must not name a row", tt.RowLabels, want)
	}
	other := tt.Cells[2]
	if other[0].N != 3 || other[1].N != 1 || tt.RowTotals[2].N != 4 {
		t.Fatalf("other row %v total %v, want January 3, February 1, total 4", other, tt.RowTotals[2])
	}
	if !tt.RowTotals[2].Hidden {
		t.Fatal("the other row's total of 4 is shown")
	}
}

func TestRegionRowsComeFromTheListAndHideRareValues(t *testing.T) {
	regions := counselling.RegionList{{Slug: "north", Name: "North"}, {Slug: "south", Name: "South"}, {Slug: "east", Name: "East", Retired: true}}
	facts := &counselling.YearFacts{Tallies: map[string]map[string]int{
		counselling.DimMonth:  {"1": 40},
		counselling.DimRegion: {"north": 20, "south": 3, "east": 6, "Springfield Elm Street 42": 1, "": 10},
	}}
	r := counselling.BuildYearReport(2026, facts, nil, regions)
	want := []string{"North", "East", counselling.OtherLabel, "not given"}
	if !slices.Equal(r.Regions.Labels, want) {
		t.Fatalf("region rows %v, want %v", r.Regions.Labels, want)
	}
	if r.Regions.Cells[2].N != 4 {
		t.Fatalf("other counts %d, want 4 (South's 3 and the stray 1)", r.Regions.Cells[2].N)
	}
	if r.Regions.Total.N != 40 {
		t.Fatalf("total %d, want 40", r.Regions.Total.N)
	}
}

func TestResearchRegionsAreNamedOrOther(t *testing.T) {
	regions := counselling.RegionList{{Slug: "north", Name: "North"}, {Slug: "south", Name: "South"}}
	var facts []counselling.FactRow
	for range 6 {
		facts = append(facts, counselling.FactRow{Region: "north"})
	}
	facts = append(facts, counselling.FactRow{Region: "south"}, counselling.FactRow{Region: "Elm Street 42"}, counselling.FactRow{})
	got := map[string]int{}
	for _, f := range counselling.NameRegions(facts, regions) {
		got[f.Region]++
	}
	want := map[string]int{"North": 6, counselling.OtherLabel: 2, "": 1}
	if !maps.Equal(got, want) {
		t.Fatalf("research regions %v, want %v", got, want)
	}
}

func cellStrings(t counselling.Tally) string {
	var out []string
	for _, c := range t.Cells {
		out = append(out, c.String())
	}
	return strings.Join(out, " ") + " | " + t.Total.String()
}
