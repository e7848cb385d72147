package templates

import (
	"context"
	"strconv"

	"confidant/counselling"
)

// StatTable is one table of the year report, as the page and the CSV show it:
// both are made from the same StatTables, so their numbers cannot differ.
type StatTable struct {
	ID     string
	Title  string
	Header []string
	Rows   [][]string
}

// StatTables lays out a year report as tables.
// Titles, headers and labels are in the language of ctx, for the page and the
// CSV alike.
func StatTables(ctx context.Context, r counselling.YearReport) []StatTable {
	var out []StatTable
	months := make([]string, len(counselling.MonthLabels))
	for i, m := range counselling.MonthLabels {
		months[i] = T(ctx, m)
	}
	themes := StatTable{ID: "themes", Title: T(ctx, "Contacts per theme per month"), Header: append(append([]string{T(ctx, "Theme")}, months...), T(ctx, "Year"))}
	for i, label := range r.ThemesByMonth.RowLabels {
		row := []string{T(ctx, label)}
		for _, c := range r.ThemesByMonth.Cells[i] {
			row = append(row, c.String())
		}
		themes.Rows = append(themes.Rows, append(row, r.ThemesByMonth.RowTotals[i].String()))
	}
	total := []string{T(ctx, "All contacts")}
	for _, c := range r.ThemesByMonth.ColTotals {
		total = append(total, c.String())
	}
	themes.Rows = append(themes.Rows, append(total, r.ThemesByMonth.Total.String()))
	out = append(out, themes)
	out = append(out, tallyTable(ctx, "months", "Contacts per month", "Month", r.PerMonth, nil))
	out = append(out, tallyTable(ctx, "channels", "Contacts by channel", "Channel", r.Channels, nil))
	out = append(out, tallyTable(ctx, "ages", "Contacts by age", "Age", r.AgeBands, AgeBandLabel))
	out = append(out, tallyTable(ctx, "genders", "Contacts by gender", "Gender", r.Genders, GenderLabel))
	out = append(out, tallyTable(ctx, "regions", "Contacts by region", "Region", r.Regions, nil))
	out = append(out, tallyTable(ctx, "response", "Time to the first answer", "Answered within", r.FirstResponse, ResponseLabel))
	out = append(out, StatTable{ID: "summary", Title: T(ctx, "First answer and messages"), Header: []string{T(ctx, "Measure"), T(ctx, "Value")}, Rows: [][]string{
		{T(ctx, "Median time to the first answer"), orHidden(ctx, T(ctx, ResponseLabel(r.ResponseMedian)))},
		{T(ctx, "90% answered within"), orHidden(ctx, T(ctx, ResponseLabel(r.ResponseP90)))},
		{T(ctx, "Messages per contact from help-seekers"), orHidden(ctx, r.SeekerPerContact)},
		{T(ctx, "Messages per contact from counsellors"), orHidden(ctx, r.StaffPerContact)},
	}})
	out = append(out, tallyTable(ctx, "chat-wait", "Waiting time before a chat began", "Waited", r.ChatWait, WaitLabel))
	out = append(out, tallyTable(ctx, "chat-duration", "Chat duration", "Duration", r.ChatDuration, DurationLabel))
	out = append(out, groupSizeTable(ctx, r.GroupSizes))
	out = append(out, tallyTable(ctx, "ratings", "Ratings", "Rating", r.Ratings, nil))
	out = append(out, tallyTable(ctx, "staff-ratings", "Ratings by counsellors", "Rating", r.StaffRatings, nil))
	out = append(out, surveyTables(ctx, r.Surveys)...)
	views := StatTable{ID: "views", Title: T(ctx, "Page views per month (whole installation)"), Header: []string{T(ctx, "Month"), T(ctx, "Page views")}}
	for i, n := range r.PageViews {
		views.Rows = append(views.Rows, []string{months[i], strconv.Itoa(n)})
	}
	return append(out, views)
}

func tallyTable(ctx context.Context, id, title, what string, t counselling.Tally, label func(string) string) StatTable {
	st := StatTable{ID: id, Title: T(ctx, title), Header: []string{T(ctx, what), T(ctx, "Contacts")}}
	for i, l := range t.Labels {
		if label != nil && label(l) != "" {
			l = label(l)
		}
		st.Rows = append(st.Rows, []string{T(ctx, l), t.Cells[i].String()})
	}
	st.Rows = append(st.Rows, []string{T(ctx, "Total"), t.Total.String()})
	return st
}

func orHidden(ctx context.Context, s string) string {
	if s == "" {
		return T(ctx, "too few to show")
	}
	return s
}

var responseLabels = map[string]string{
	"under-1h": "1 hour", "1-4h": "4 hours", "4-24h": "24 hours", "1-2d": "2 days", "2-7d": "7 days", "over-7d": "more than 7 days",
}

// ResponseLabel reads a first-response bucket.
func ResponseLabel(b string) string { return responseLabels[b] }

var waitLabels = map[string]string{
	"under-1m": "less than 1 minute", "1-5m": "1 to 5 minutes", "5-15m": "5 to 15 minutes", "15-60m": "15 to 60 minutes", "over-1h": "more than 1 hour",
}

// WaitLabel reads a chat's waiting-time bucket.
func WaitLabel(b string) string { return waitLabels[b] }

var durationLabels = map[string]string{
	"under-10m": "less than 10 minutes", "10-30m": "10 to 30 minutes", "30-60m": "30 to 60 minutes", "over-1h": "more than 1 hour",
}

// DurationLabel reads a chat's duration bucket.
func DurationLabel(b string) string { return durationLabels[b] }

// ChartRow is one row of a chart: a label, the value as the table shows it
// ("<5" where suppressed), and the bar's length in hundredths of the longest
// bar (0 for a suppressed count, which gets no bar).
type ChartRow struct {
	Label  string
	Value  string
	Length int
}

// chartRows makes the rows of a chart from labels and their counts.
func chartRows(labels []string, cells []counselling.Cell) []ChartRow {
	maxN := 1
	for _, c := range cells {
		if !c.Hidden && c.N > maxN {
			maxN = c.N
		}
	}
	rows := make([]ChartRow, 0, len(cells))
	for i, c := range cells {
		length := 0
		if !c.Hidden {
			length = c.N * 100 / maxN
		}
		rows = append(rows, ChartRow{Label: labels[i], Value: c.String(), Length: length})
	}
	return rows
}

// ThemeRows is the year's contacts per theme, one row each.
func ThemeRows(r counselling.YearReport) []ChartRow {
	return chartRows(r.ThemesByMonth.RowLabels, r.ThemesByMonth.RowTotals)
}

// MonthRows is the year's contacts per month, one row each.
func MonthRows(r counselling.YearReport) []ChartRow {
	return chartRows(counselling.MonthLabels[:len(r.PerMonth.Cells)], r.PerMonth.Cells)
}

func itoa(n int) string { return strconv.Itoa(n) }
