package counselling

import (
	"fmt"
	"strings"
)

// FactRow is one contact fact, for the research export.
type FactRow struct {
	Year, Month    int
	Channel        string
	AgeBand        string
	Gender         string
	Region         string
	FirstResponse  string
	Themes         []string
	SeekerMessages int
	StaffMessages  int
	Closed         bool
	Rating         int
	// StaffRating is the counsellor's score; the research export leaves it
	// out, the year report counts it.
	StaffRating int
}

// ResearchRow is a fact generalised for the research export. Period,
// Channel, AgeBand, Gender and Region are its quasi-identifiers; "*" marks a
// value generalised away.
type ResearchRow struct {
	Period         string
	Channel        string
	AgeBand        string
	Gender         string
	Region         string
	Themes         string
	FirstResponse  string
	SeekerMessages string
	StaffMessages  string
	Closed         bool
	Rating         int
}

// MinK is the smallest k the research export accepts.
const MinK = 5

// key is the row's quasi-identifiers.
func (r ResearchRow) key() string {
	return strings.Join([]string{r.Period, r.Channel, r.AgeBand, r.Gender, r.Region}, "\x00")
}

// generalisation levels, each coarser than the one before.
var levels = []func(f FactRow) ResearchRow{
	func(f FactRow) ResearchRow { return base(f, quarter(f), f.AgeBand, f.Gender, f.Region) },
	func(f FactRow) ResearchRow { return base(f, quarter(f), f.AgeBand, f.Gender, "*") },
	func(f FactRow) ResearchRow { return base(f, quarter(f), f.AgeBand, "*", "*") },
	func(f FactRow) ResearchRow { return base(f, quarter(f), coarseAge(f.AgeBand), "*", "*") },
	func(f FactRow) ResearchRow { return base(f, fmt.Sprint(f.Year), coarseAge(f.AgeBand), "*", "*") },
	func(f FactRow) ResearchRow { return base(f, fmt.Sprint(f.Year), "*", "*", "*") },
}

func base(f FactRow, period, age, gender, region string) ResearchRow {
	return ResearchRow{Period: period, Channel: f.Channel, AgeBand: orNotGiven(age), Gender: orNotGiven(gender), Region: orNotGiven(region),
		Themes: strings.Join(f.Themes, ";"), FirstResponse: f.FirstResponse, SeekerMessages: countBucket(f.SeekerMessages),
		StaffMessages: countBucket(f.StaffMessages), Closed: f.Closed, Rating: f.Rating}
}

func quarter(f FactRow) string { return fmt.Sprintf("%d-Q%d", f.Year, (f.Month-1)/3+1) }

func coarseAge(band string) string {
	switch band {
	case "under-15", "15-19":
		return "under-20"
	case "20-29", "30-39", "40-49":
		return "20-49"
	case "50-64", "65-plus":
		return "50-plus"
	}
	return band
}

func countBucket(n int) string {
	switch {
	case n <= 1:
		return fmt.Sprint(n)
	case n <= 3:
		return "2-3"
	case n <= 9:
		return "4-9"
	}
	return "10+"
}

// NameRegions prepares facts for the research export: each region slug
// becomes its entry's name, under the same rule as the year report's rows
// (MergeRareRows): a region fewer than MinCell of the facts carry, or a value
// that is not an entry of the list, becomes OtherLabel; "not given" stays.
func NameRegions(facts []FactRow, regions RegionList) []FactRow {
	counts := map[string]int{}
	for _, f := range facts {
		if f.Region != "" {
			counts[f.Region]++
		}
	}
	var slugs []string
	var n []int
	for _, r := range regions {
		slugs = append(slugs, r.Slug)
		n = append(n, counts[r.Slug])
	}
	kept, _ := MergeRareRows(slugs, n)
	shown := map[string]string{}
	for _, slug := range kept {
		if slug != OtherLabel {
			shown[slug] = regions.Name(slug)
		}
	}
	out := make([]FactRow, len(facts))
	for i, f := range facts {
		out[i] = f
		if f.Region == "" {
			continue
		}
		if name, ok := shown[f.Region]; ok {
			out[i].Region = name
		} else {
			out[i].Region = OtherLabel
		}
	}
	return out
}

// Anonymize generalises facts until every combination of quasi-identifiers in
// the result occurs at least k times (k-anonymity). It works level by level:
// the groups that reach k at a level are written out as they are, the rest go
// on to the next, coarser level; what is still alone at the coarsest level is
// dropped and counted. Because every level marks what it generalised with "*",
// rows of different levels never share a combination, so each combination's
// count is exactly the size of the group that reached k.
func Anonymize(facts []FactRow, k int) (out []ResearchRow, dropped int) {
	k = max(k, MinK)
	remaining := facts
	for _, level := range levels {
		groups := map[string][]int{}
		rows := make([]ResearchRow, len(remaining))
		for i, f := range remaining {
			rows[i] = level(f)
			groups[rows[i].key()] = append(groups[rows[i].key()], i)
		}
		var next []FactRow
		for i, f := range remaining {
			if len(groups[rows[i].key()]) >= k {
				out = append(out, rows[i])
			} else {
				next = append(next, f)
			}
		}
		remaining = next
	}
	return out, len(remaining)
}
