package templates

import (
	"context"
	"fmt"
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
	out = append(out, tallyTable(ctx, "ratings", "Ratings", "Rating", r.Ratings, nil))
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

// Bar is one bar of a chart.
type Bar struct {
	X, Y, W, H int
	Label      string
	Value      string
}

// Chart geometry.
const (
	chartW  = 640
	chartH  = 260
	chartL  = 40
	chartB  = 40
	chartTp = 10
)

// ThemeBars draws the year's contacts per theme as bars; hidden counts get no
// bar, only their "<5".
func ThemeBars(r counselling.YearReport) []Bar {
	n := len(r.ThemesByMonth.RowLabels)
	if n == 0 {
		return nil
	}
	maxN := 1
	for _, c := range r.ThemesByMonth.RowTotals {
		if !c.Hidden && c.N > maxN {
			maxN = c.N
		}
	}
	slot := (chartW - chartL) / n
	var bars []Bar
	for i, c := range r.ThemesByMonth.RowTotals {
		h := 0
		if !c.Hidden {
			h = c.N * (chartH - chartB - chartTp) / maxN
		}
		bars = append(bars, Bar{X: chartL + i*slot + slot/6, Y: chartH - chartB - h, W: slot * 2 / 3, H: h,
			Label: r.ThemesByMonth.RowLabels[i], Value: c.String()})
	}
	return bars
}

// MonthLine draws the contacts per month as a polyline; hidden months sit on
// the axis and are labelled "<5".
func MonthLine(r counselling.YearReport) (points string, dots []Bar) {
	maxN := 1
	for _, c := range r.PerMonth.Cells {
		if !c.Hidden && c.N > maxN {
			maxN = c.N
		}
	}
	step := (chartW - chartL) / 12
	for i, c := range r.PerMonth.Cells {
		v := 0
		if !c.Hidden {
			v = c.N
		}
		x := chartL + i*step + step/2
		y := chartH - chartB - v*(chartH-chartB-chartTp)/maxN
		points += fmt.Sprintf("%d,%d ", x, y)
		dots = append(dots, Bar{X: x, Y: y, Label: counselling.MonthLabels[i], Value: c.String()})
	}
	return points, dots
}

func itoa(n int) string { return strconv.Itoa(n) }
