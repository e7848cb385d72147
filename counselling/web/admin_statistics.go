package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// reportYear reads ?year=, defaulting to the current year.
func (s *Server) reportYear(c echo.Context) (int, error) {
	y := c.QueryParam("year")
	if y == "" {
		return s.cfg.Clock.Now().UTC().Year(), nil
	}
	year, err := strconv.Atoi(y)
	if err != nil || year < 2000 || year > 2100 {
		return 0, counselling.Errorf(counselling.EInvalid, "Please give a year between 2000 and 2100.")
	}
	return year, nil
}

func (s *Server) yearReport(c echo.Context) (*counselling.Office, bool, counselling.YearReport, error) {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	year, err := s.reportYear(c)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	ctx := c.Request().Context()
	facts, err := s.db.YearFacts(ctx, office.ID, year)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	themes, err := s.db.AllThemes(ctx, office.ID)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	return office, installation, counselling.BuildYearReport(year, facts, themes), nil
}

func (s *Server) statistics(c echo.Context) error {
	office, installation, report, err := s.yearReport(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Statistics(s.page(c, "Statistics"), templates.StatisticsData{
		Office: office, Installation: installation, Report: report, Tables: templates.StatTables(templates.WithLanguage(c.Request().Context(), langOf(c)), report)}))
}

func (s *Server) statisticsCSV(c echo.Context) error {
	office, _, report, err := s.yearReport(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, t := range templates.StatTables(templates.WithLanguage(c.Request().Context(), langOf(c)), report) {
		w.Write([]string{"# " + t.Title})
		w.Write(t.Header)
		w.WriteAll(t.Rows)
		w.Write(nil)
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="statistics-%s-%d.csv"`, office.Slug, report.Year))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (s *Server) researchCSV(c echo.Context) error {
	office, _, err := s.adminContext(c)
	if err != nil {
		return err
	}
	year, err := s.reportYear(c)
	if err != nil {
		return err
	}
	k := counselling.MinK
	if v := c.QueryParam("k"); v != "" {
		if k, err = strconv.Atoi(v); err != nil || k < counselling.MinK || k > 1000 {
			return counselling.Errorf(counselling.EInvalid, "k must be a whole number from 5 to 1000.")
		}
	}
	facts, err := s.db.FactRows(c.Request().Context(), office.ID, year)
	if err != nil {
		return err
	}
	rows, dropped := counselling.Anonymize(facts, k)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{fmt.Sprintf("# Confidant research dataset, %s, %d: %d contacts, k = %d; %d contacts left out because they could not be coarsened enough",
		office.Slug, year, len(rows), k, dropped)})
	w.Write([]string{"period", "channel", "age_band", "gender", "region", "themes", "first_response", "seeker_messages", "staff_messages", "closed", "rating"})
	for _, r := range rows {
		rating := ""
		if r.Rating > 0 {
			rating = strconv.Itoa(r.Rating)
		}
		w.Write([]string{r.Period, r.Channel, r.AgeBand, r.Gender, r.Region, r.Themes, r.FirstResponse, r.SeekerMessages, r.StaffMessages,
			strconv.FormatBool(r.Closed), rating})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="research-%s-%d.csv"`, office.Slug, year))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
