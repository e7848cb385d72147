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

// adminContext is what every admin page needs: the admin's office and whether
// they administer the installation.
func (s *Server) adminContext(c echo.Context) (*counselling.Office, bool, error) {
	ctx := c.Request().Context()
	office, err := s.db.Office(ctx, sessionOf(c).OfficeID)
	if err != nil {
		return nil, false, err
	}
	main, err := s.defaultOffice(c)
	if err != nil {
		return nil, false, err
	}
	return office, s.callerOf(c).InstallationAdmin(main.ID), nil
}

func (s *Server) renderAdmin(c echo.Context, status int, d templates.AdminData) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	staff, err := s.db.Staff(c.Request().Context(), office.ID)
	if err != nil {
		return err
	}
	d.Office, d.Installation, d.Staff, d.Self = office, installation, staff, sessionOf(c).AccountID
	return s.render(c, status, templates.Admin(s.page(c, "Administration"), d))
}

var adminMessages = map[string]string{
	"trainee":  "The trainee setting was saved.",
	"role":     "The role was changed.",
	"disabled": "Saved. A disabled staff member's sessions end at once.",
}

func (s *Server) admin(c echo.Context) error {
	return s.renderAdmin(c, http.StatusOK, templates.AdminData{Message: adminMessages[c.QueryParam("done")]})
}

// adminFormError shows a refused admin change on the staff page.
func (s *Server) adminFormError(c echo.Context, err error) error {
	switch counselling.ErrorCode(err) {
	case counselling.EInvalid, counselling.ETooLarge:
		return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(nil, err)})
	}
	return err
}

func (s *Server) inviteStaff(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := parseForm(c)
	if err != nil {
		return s.adminFormError(c, err)
	}
	email := form.Get("email")
	if email != "" && !counselling.ValidEmail(email) {
		err := counselling.FieldError("email", "This does not look like an email address.")
		return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(form, err, "name", "email")})
	}
	caller := s.callerOf(c)
	token, err := s.db.InviteStaff(ctx, caller, counselling.NewStaff{OfficeID: caller.OfficeID, Role: counselling.Role(form.Get("role")), Name: form.Get("name")})
	if err != nil {
		if counselling.ErrorCode(err) != counselling.EInvalid {
			return err
		}
		return s.renderAdmin(c, errorStatus(err), templates.AdminData{Form: formOf(form, err, "name", "email")})
	}
	link := s.cfg.BaseURL + "/invite/" + token
	msg := "The invitation was created. Give the link to the person; it works once."
	if email != "" && s.cfg.SendInvite != nil {
		if err := s.cfg.SendInvite(ctx, email, link); err != nil {
			s.log.Warn("invite mail", "event", "could not be sent")
			msg = "The invitation was created, but the mail could not be sent. Give the link to the person yourself."
		} else {
			msg = "The invitation was created and mailed. You can also give the link yourself; it works once."
		}
	}
	return s.renderAdmin(c, http.StatusOK, templates.AdminData{InviteURL: link, Message: msg})
}

// staffAction runs an admin change to one staff member from a posted form.
func (s *Server) staffAction(done string, act func(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := parseForm(c)
		if err == nil {
			err = act(c, s.callerOf(c), c.Param("id"), form)
		}
		if err != nil {
			return s.adminFormError(c, err)
		}
		return c.Redirect(http.StatusSeeOther, "/admin?done="+done)
	}
}

func (s *Server) setTrainee(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error {
	return s.db.SetTrainee(c.Request().Context(), caller, id, first(form, "trainee") == "1")
}

func (s *Server) setRole(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error {
	return s.db.SetRole(c.Request().Context(), caller, id, counselling.Role(first(form, "role")))
}

func (s *Server) setDisabled(c echo.Context, caller counselling.Caller, id string, form map[string][]string) error {
	return s.db.SetDisabled(c.Request().Context(), caller, id, first(form, "disabled") == "1")
}

func (s *Server) renderThemes(c echo.Context, status int, f templates.Form) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	themes, err := s.db.AllThemes(c.Request().Context(), office.ID)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.AdminThemes(s.page(c, "Themes"), templates.AdminThemesData{
		Office: office, Installation: installation, Themes: themes, Form: f}))
}

func (s *Server) adminThemes(c echo.Context) error {
	return s.renderThemes(c, http.StatusOK, templates.Form{})
}

func (s *Server) themeAction(act func(c echo.Context, caller counselling.Caller, id int64, form map[string][]string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := parseForm(c)
		if err == nil {
			var id int64
			if p := c.Param("id"); p != "" {
				if id, err = strconv.ParseInt(p, 10, 64); err != nil {
					return echo.ErrNotFound
				}
			}
			err = act(c, s.callerOf(c), id, form)
		}
		if err != nil {
			switch counselling.ErrorCode(err) {
			case counselling.EInvalid, counselling.ETooLarge:
				return s.renderThemes(c, errorStatus(err), formOf(form, err, "name"))
			}
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/admin/themes")
	}
}

func (s *Server) addTheme(c echo.Context, caller counselling.Caller, _ int64, form map[string][]string) error {
	return s.db.AddTheme(c.Request().Context(), caller, first(form, "name"))
}

func (s *Server) renameTheme(c echo.Context, caller counselling.Caller, id int64, form map[string][]string) error {
	return s.db.RenameTheme(c.Request().Context(), caller, id, first(form, "name"))
}

func (s *Server) retireTheme(c echo.Context, caller counselling.Caller, id int64, _ map[string][]string) error {
	return s.db.RetireTheme(c.Request().Context(), caller, id)
}

func settingsForm(o *counselling.Office) templates.Form {
	v := map[string]string{
		"name": o.Name, "answer_time": o.AnswerTime,
		"retain_mail_months":      strconv.Itoa(o.Retention.MailMonths),
		"inactive_account_months": strconv.Itoa(o.Retention.InactiveAccountMonths),
		"chat_transcript_months":  strconv.Itoa(o.Retention.ChatTranscriptMonths),
	}
	if o.CollectRegion {
		v["collect_region"] = "1"
	}
	if o.Retention.WipeMailYearEnd {
		v["wipe_mail_year_end"] = "1"
	}
	return templates.Form{Values: v}
}

var settingsFields = []string{"name", "answer_time", "collect_region", "retain_mail_months", "wipe_mail_year_end", "inactive_account_months", "chat_transcript_months"}

func (s *Server) renderSettings(c echo.Context, status int, d templates.AdminSettingsData) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	d.Office, d.Installation = office, installation
	if d.Form.Values == nil {
		d.Form = settingsForm(office)
	}
	if d.Terms.Values == nil {
		d.Terms = templates.Form{Values: map[string]string{"terms_text": office.TermsText}}
	}
	return s.render(c, status, templates.AdminSettings(s.page(c, "Office settings"), d))
}

func (s *Server) adminSettings(c echo.Context) error {
	msg := map[string]string{"settings": "The settings are saved.", "terms": "The new privacy terms are published."}[c.QueryParam("done")]
	return s.renderSettings(c, http.StatusOK, templates.AdminSettingsData{Message: msg})
}

func (s *Server) saveSettings(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		num := func(name string) int { n, _ := strconv.Atoi(form.Get(name)); return n }
		err = s.db.UpdateOffice(c.Request().Context(), s.callerOf(c), counselling.OfficeSettings{
			Name: form.Get("name"), AnswerTime: form.Get("answer_time"), CollectRegion: form.Get("collect_region") != "",
			Retention: counselling.RetentionRules{MailMonths: num("retain_mail_months"), WipeMailYearEnd: form.Get("wipe_mail_year_end") != "",
				InactiveAccountMonths: num("inactive_account_months"), ChatTranscriptMonths: num("chat_transcript_months")},
		})
	}
	if err != nil {
		switch counselling.ErrorCode(err) {
		case counselling.EInvalid, counselling.ETooLarge:
			return s.renderSettings(c, errorStatus(err), templates.AdminSettingsData{Form: formOf(form, err, settingsFields...)})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?done=settings")
}

func (s *Server) publishTerms(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		_, err = s.db.PublishTermsBy(c.Request().Context(), s.callerOf(c), form.Get("terms_text"))
	}
	if err != nil {
		switch counselling.ErrorCode(err) {
		case counselling.EInvalid, counselling.ETooLarge:
			return s.renderSettings(c, errorStatus(err), templates.AdminSettingsData{Terms: formOf(form, err, "terms_text")})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?done=terms")
}

func (s *Server) adminAudit(c echo.Context) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	entries, err := s.db.AuditLog(c.Request().Context(), office.ID, 500)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.AdminAudit(s.page(c, "Audit log"), installation, entries))
}

func (s *Server) renderOffices(c echo.Context, status int, d templates.AdminOfficesData) error {
	_, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	if !installation {
		return echo.ErrNotFound
	}
	if d.Offices, err = s.db.Offices(c.Request().Context()); err != nil {
		return err
	}
	return s.render(c, status, templates.AdminOffices(s.page(c, "Offices"), d))
}

func (s *Server) adminOffices(c echo.Context) error {
	return s.renderOffices(c, http.StatusOK, templates.AdminOfficesData{})
}

func (s *Server) createOffice(c echo.Context) error {
	if _, installation, err := s.adminContext(c); err != nil || !installation {
		return orElse(err, echo.ErrNotFound)
	}
	form, err := parseForm(c)
	var token string
	if err == nil {
		_, token, err = s.db.CreateOfficeBy(c.Request().Context(), s.callerOf(c), form.Get("slug"), form.Get("office_name"), form.Get("admin_name"))
	}
	if err != nil {
		switch counselling.ErrorCode(err) {
		case counselling.EInvalid, counselling.ETooLarge:
			return s.renderOffices(c, errorStatus(err), templates.AdminOfficesData{Form: formOf(form, err, "slug", "office_name", "admin_name")})
		}
		return err
	}
	return s.renderOffices(c, http.StatusOK, templates.AdminOfficesData{InviteURL: s.cfg.BaseURL + "/invite/" + token})
}

// orElse is err, or otherwise when err is nil.
func orElse(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

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
