package counselling

import (
	"slices"
	"strconv"
)

// MinCell is the smallest count a report shows: fewer contacts than this could
// point at a person, so such a cell reads "<5".
const MinCell = 5

// Cell is one count in a report.
type Cell struct {
	N      int
	Hidden bool
}

// String is the cell as reports print it.
func (c Cell) String() string {
	if c.Hidden {
		return "<" + strconv.Itoa(MinCell)
	}
	return strconv.Itoa(c.N)
}

// Tally is a one-way table: counts per label, with their total.
type Tally struct {
	Labels []string
	Cells  []Cell
	Total  Cell
}

// CrossTable is a two-way table (themes by month, say) with row, column and
// grand totals. Row cells need not add up to the row total when one contact
// can count in several rows (a contact with two themes).
type CrossTable struct {
	RowLabels []string
	ColLabels []string
	Cells     [][]Cell
	RowTotals []Cell
	ColTotals []Cell
	Total     Cell
}

// NewTally builds a tally from counts and suppresses it.
func NewTally(labels []string, counts []int) Tally {
	t := Tally{Labels: labels, Cells: make([]Cell, len(counts))}
	for i, n := range counts {
		t.Cells[i] = Cell{N: n}
		t.Total.N += n
	}
	t.suppress()
	return t
}

// suppress hides small cells, then enough others that no hidden cell can be
// worked out from the total.
func (t *Tally) suppress() {
	hideSmall(t.Cells)
	hideSmall1(&t.Total)
	for protectLine(ptrs(t.Cells), &t.Total) {
	}
}

func hideSmall(cells []Cell) {
	for i := range cells {
		hideSmall1(&cells[i])
	}
}

func hideSmall1(c *Cell) {
	if c.N < MinCell {
		c.Hidden = true
	}
}

func ptrs(cells []Cell) []*Cell {
	out := make([]*Cell, len(cells))
	for i := range cells {
		out[i] = &cells[i]
	}
	return out
}

// protectLine makes sure a line with a shown total does not have exactly one
// hidden cell, which the total would give away: it hides the smallest shown
// cell as well (or, if none is left, the total). It reports whether it changed
// anything.
func protectLine(cells []*Cell, total *Cell) bool {
	if total.Hidden {
		return false
	}
	hidden := 0
	for _, c := range cells {
		if c.Hidden {
			hidden++
		}
	}
	if hidden != 1 {
		return false
	}
	var smallest *Cell
	for _, c := range cells {
		if !c.Hidden && (smallest == nil || c.N < smallest.N) {
			smallest = c
		}
	}
	if smallest == nil {
		total.Hidden = true
	} else {
		smallest.Hidden = true
	}
	return true
}

// NewCrossTable builds a cross table from counts (rows × columns), row totals
// and column totals given separately (contacts, not cells, are what they
// count), and suppresses it.
func NewCrossTable(rowLabels, colLabels []string, counts [][]int, rowTotals, colTotals []int, total int) CrossTable {
	t := CrossTable{RowLabels: rowLabels, ColLabels: colLabels, Total: Cell{N: total}}
	for i := range counts {
		row := make([]Cell, len(counts[i]))
		for j, n := range counts[i] {
			row[j] = Cell{N: n}
		}
		t.Cells = append(t.Cells, row)
		t.RowTotals = append(t.RowTotals, Cell{N: rowTotals[i]})
	}
	for _, n := range colTotals {
		t.ColTotals = append(t.ColTotals, Cell{N: n})
	}
	t.suppress()
	return t
}

func (t *CrossTable) suppress() {
	for i := range t.Cells {
		hideSmall(t.Cells[i])
	}
	hideSmall(t.RowTotals)
	hideSmall(t.ColTotals)
	hideSmall1(&t.Total)
	// Lines: every row with its total; every column with its total; the row
	// totals and the column totals with the grand total. Repeat until nothing
	// changes, as hiding one cell can expose another line.
	for changed := true; changed; {
		changed = false
		for i := range t.Cells {
			changed = protectLine(ptrs(t.Cells[i]), &t.RowTotals[i]) || changed
		}
		for j := range t.ColTotals {
			col := make([]*Cell, len(t.Cells))
			for i := range t.Cells {
				col[i] = &t.Cells[i][j]
			}
			changed = protectLine(col, &t.ColTotals[j]) || changed
		}
		changed = protectLine(ptrs(t.RowTotals), &t.Total) || changed
		changed = protectLine(ptrs(t.ColTotals), &t.Total) || changed
	}
}

// Report dimensions: what fact_tallies count contacts by.
const (
	DimMonth         = "month"
	DimChannel       = "channel"
	DimAgeBand       = "age_band"
	DimGender        = "gender"
	DimRegion        = "region"
	DimFirstResponse = "first_response"
	DimRating        = "rating"
	DimStaffRating   = "staff_rating"
	DimClosed        = "closed"
)

// ThemeMonth is how many contacts of a month carry a theme.
type ThemeMonth struct {
	ThemeID int64
	Month   int
	Count   int
}

// YearFacts is what the store counts for a year report: for each dimension,
// the contacts per value ("" is "not given"), the message totals, the themes
// per month, and the page views per month.
type YearFacts struct {
	Tallies        map[string]map[string]int
	SeekerMessages int
	StaffMessages  int
	Themes         []ThemeMonth
	PageViews      [12]int
}

// YearReport is the year-end statistics of an office, with small cells suppressed.
type YearReport struct {
	Year          int
	Contacts      Cell
	PerMonth      Tally
	ThemesByMonth CrossTable
	Channels      Tally
	AgeBands      Tally
	Genders       Tally
	Regions       Tally
	FirstResponse Tally
	// Median and P90 are first-response buckets, empty when too few replied.
	ResponseMedian string
	ResponseP90    string
	// Messages per contact, by side; hidden with fewer than MinCell contacts.
	SeekerPerContact string
	StaffPerContact  string
	Ratings          Tally
	// StaffRatings are the counsellors' scores of the same contacts.
	StaffRatings Tally
	// How long chats waited to be accepted, and how long they ran.
	ChatWait     Tally
	ChatDuration Tally
	// How many took part in each group chat, in buckets.
	GroupSizes Tally
	// Surveys are the office's survey questions with their answers.
	Surveys   []SurveyTable
	PageViews [12]int
}

// MonthLabels are the months as report columns.
var MonthLabels = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

const notGiven = "not given"

// BuildYearReport turns counted facts into the suppressed year report. Themes
// name the rows of the theme table, and regions the rows of the region table,
// retired ones included.
func BuildYearReport(year int, f *YearFacts, themes []Theme, regions RegionList) YearReport {
	r := YearReport{Year: year, PageViews: f.PageViews}
	dim := func(name string) map[string]int {
		m := map[string]int{}
		for k, v := range f.Tallies[name] {
			m[orNotGiven(k)] += v
		}
		return m
	}
	months := dim(DimMonth)
	perMonth := make([]int, 12)
	total := 0
	for i := range perMonth {
		perMonth[i] = months[strconv.Itoa(i+1)]
		total += perMonth[i]
	}
	r.Contacts = Cell{N: total, Hidden: total < MinCell}
	r.PerMonth = NewTally(MonthLabels, perMonth)
	r.Channels = tallyOf([]string{ChannelMail, ChannelChat, ChannelVideo}, dim(DimChannel))
	r.AgeBands = tallyOf(append(slices.Clone(AgeBands), notGiven), dim(DimAgeBand))
	r.Genders = tallyOf(append(slices.Clone(Genders), notGiven), dim(DimGender))
	r.Regions = regionTally(dim(DimRegion), regions)
	responses := f.Tallies[DimFirstResponse]
	var bucketNames []string
	for _, b := range ResponseBuckets {
		bucketNames = append(bucketNames, b.Name)
	}
	r.FirstResponse = tallyOf(bucketNames, responses)
	r.ResponseMedian, r.ResponseP90 = bucketQuantile(responses, 0.5), bucketQuantile(responses, 0.9)
	r.Ratings = tallyOf([]string{"1", "2", "3", "4", "5"}, f.Tallies[DimRating])
	r.StaffRatings = tallyOf([]string{"1", "2", "3", "4", "5"}, f.Tallies[DimStaffRating])
	r.ChatWait = tallyOf(WaitBuckets, f.Tallies[DimChatWait])
	r.ChatDuration = tallyOf(DurationBuckets, f.Tallies[DimChatDuration])
	if total >= MinCell {
		r.SeekerPerContact = strconv.FormatFloat(float64(f.SeekerMessages)/float64(total), 'f', 1, 64)
		r.StaffPerContact = strconv.FormatFloat(float64(f.StaffMessages)/float64(total), 'f', 1, 64)
	}

	index := map[int64]int{}
	var rowLabels []string
	for i, t := range themes {
		index[t.ID] = i
		rowLabels = append(rowLabels, t.Name)
	}
	counts := make([][]int, len(themes))
	for i := range counts {
		counts[i] = make([]int, 12)
	}
	rowTotals := make([]int, len(themes))
	for _, tm := range f.Themes {
		i, ok := index[tm.ThemeID]
		if !ok || tm.Month < 1 || tm.Month > 12 {
			continue
		}
		counts[i][tm.Month-1] += tm.Count
		rowTotals[i] += tm.Count
	}
	// A contact with two rare themes counts twice in the other row, as it
	// counts once in each theme's row.
	rowLabels, counts, rowTotals = mergeRareRows(rowLabels, counts, rowTotals)
	r.ThemesByMonth = NewCrossTable(rowLabels, MonthLabels, counts, rowTotals, perMonth, total)
	return r
}

// OtherLabel names the row that gathers the values too few contacts carry to
// be shown by name.
const OtherLabel = "other / not shown"

// MergeRareRows applies the rule that a row label in any report or export is
// never a value that fewer than MinCell contacts carry: a small count could
// point at a person, and so could the label itself ("Elm Street 42 | <5").
// Rows below MinCell (empty ones too) are left out, and their contacts are
// counted in one OtherLabel row at the end, present when it counts anyone.
// Callers pass only labels that name a value of the office's own lists
// (regions, themes); the fixed rows of the domain (months, channels, age
// bands, genders, rating scores, answer times, "not given") are the same in
// every office and name nobody, so they keep their rows and their small
// cells read "<5".
func MergeRareRows(labels []string, counts []int) ([]string, []int) {
	rows := make([][]int, len(counts))
	for i, n := range counts {
		rows[i] = []int{n}
	}
	labels, _, counts = mergeRareRows(labels, rows, counts)
	return labels, counts
}

// mergeRareRows is MergeRareRows for rows of several cells with their
// totals: a row whose total is below MinCell is added, cell by cell, into the
// OtherLabel row.
func mergeRareRows(labels []string, rows [][]int, totals []int) ([]string, [][]int, []int) {
	var outLabels []string
	var outRows [][]int
	var outTotals []int
	var other []int
	otherTotal := 0
	for i, l := range labels {
		if totals[i] >= MinCell {
			outLabels, outRows, outTotals = append(outLabels, l), append(outRows, rows[i]), append(outTotals, totals[i])
			continue
		}
		if other == nil {
			other = make([]int, len(rows[i]))
		}
		for j, n := range rows[i] {
			other[j] += n
		}
		otherTotal += totals[i]
	}
	if otherTotal > 0 {
		outLabels, outRows, outTotals = append(outLabels, OtherLabel), append(outRows, other), append(outTotals, otherTotal)
	}
	return outLabels, outRows, outTotals
}

// regionTally labels the region counts (keyed by entry slug) with the names
// of the office's list, merges rare rows, and adds "not given". A value that
// is not an entry of the list is never a label: it is counted as other.
func regionTally(counts map[string]int, regions RegionList) Tally {
	var labels []string
	var n []int
	stray := 0
	for slug, c := range counts {
		if _, ok := regions.Entry(slug); !ok && slug != notGiven {
			stray += c
		}
	}
	for _, r := range regions {
		labels = append(labels, r.Name)
		n = append(n, counts[r.Slug])
	}
	labels, n = MergeRareRows(labels, n)
	if stray > 0 {
		if len(labels) > 0 && labels[len(labels)-1] == OtherLabel {
			n[len(n)-1] += stray
		} else {
			labels, n = append(labels, OtherLabel), append(n, stray)
		}
	}
	return NewTally(append(labels, notGiven), append(n, counts[notGiven]))
}

func orNotGiven(s string) string {
	if s == "" {
		return notGiven
	}
	return s
}

func tallyOf(labels []string, counts map[string]int) Tally {
	n := make([]int, len(labels))
	for i, l := range labels {
		n[i] = counts[l]
	}
	return NewTally(labels, n)
}

// bucketQuantile is the first-response bucket in which quantile q falls, or ""
// when fewer than MinCell contacts were answered.
func bucketQuantile(counts map[string]int, q float64) string {
	total := 0
	for _, n := range counts {
		total += n
	}
	if total < MinCell {
		return ""
	}
	seen := 0
	for _, b := range ResponseBuckets {
		seen += counts[b.Name]
		if float64(seen) >= q*float64(total) {
			return b.Name
		}
	}
	return ResponseBuckets[len(ResponseBuckets)-1].Name
}
