package web

import (
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
	facts, err := s.db.YearFacts(ctx, s.callerOf(c), year)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	themes, err := s.db.AllThemes(ctx, office.ID)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	regions, err := s.db.Regions(ctx, office.ID)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	report := counselling.BuildYearReport(year, facts, themes, regions)
	sizes, err := s.db.GroupSizes(ctx, office.ID, year)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	report.GroupSizes = counselling.GroupSizeTally(sizes)
	questions, err := s.db.SurveyQuestionsOf(ctx, office.ID)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	answers, err := s.db.SurveyCounts(ctx, office.ID, year)
	if err != nil {
		return nil, false, counselling.YearReport{}, err
	}
	report.Surveys = counselling.BuildSurveyTables(questions, answers)
	return office, installation, report, nil
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
	var w spreadsheet
	for _, t := range templates.StatTables(templates.WithLanguage(c.Request().Context(), langOf(c)), report) {
		w.row("# " + t.Title)
		w.row(t.Header...)
		for _, r := range t.Rows {
			w.row(r...)
		}
		w.row()
	}
	return w.send(c, fmt.Sprintf("statistics-%s-%d.csv", office.Slug, report.Year))
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
	ctx := c.Request().Context()
	facts, err := s.db.FactRows(ctx, s.callerOf(c), year)
	if err != nil {
		return err
	}
	regions, err := s.db.Regions(ctx, office.ID)
	if err != nil {
		return err
	}
	rows, dropped := counselling.Anonymize(counselling.NameRegions(facts, regions), k)
	var w spreadsheet
	w.row(fmt.Sprintf("# Confidant research dataset, %s, %d: %d contacts, k = %d; %d contacts left out because they could not be coarsened enough",
		office.Slug, year, len(rows), k, dropped))
	w.row("period", "channel", "age_band", "gender", "region", "themes", "first_response", "seeker_messages", "staff_messages", "closed", "rating")
	for _, r := range rows {
		rating := ""
		if r.Rating > 0 {
			rating = strconv.Itoa(r.Rating)
		}
		w.row(r.Period, r.Channel, r.AgeBand, r.Gender, r.Region, r.Themes, r.FirstResponse, r.SeekerMessages, r.StaffMessages,
			strconv.FormatBool(r.Closed), rating)
	}
	return w.send(c, fmt.Sprintf("research-%s-%d.csv", office.Slug, year))
}
