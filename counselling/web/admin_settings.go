package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

func settingsForm(o *counselling.Office) templates.Form {
	v := map[string]string{
		"name": o.Name, "emergency_number": o.EmergencyNumber,
		"retain_mail_months":      strconv.Itoa(o.Retention.MailMonths),
		"inactive_account_months": strconv.Itoa(o.Retention.InactiveAccountMonths),
		"chat_transcript_months":  strconv.Itoa(o.Retention.ChatTranscriptMonths),
	}
	if o.Retention.WipeMailYearEnd {
		v["wipe_mail_year_end"] = "1"
	}
	return templates.Form{Values: v}
}

var settingsFields = []string{"name", "answer_time", "emergency_number", "retain_mail_months", "wipe_mail_year_end", "inactive_account_months", "chat_transcript_months"}

func (s *Server) renderSettings(c echo.Context, status int, d templates.AdminSettingsData) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	d.Office, d.Installation = office, installation
	if d.Speech, err = s.db.OfficeLanguage(c.Request().Context(), office.ID); err != nil {
		return err
	}
	if d.Form.Values == nil {
		d.Form = settingsForm(office)
	}
	if d.CallbackForm.Values == nil {
		hours, err := s.db.CallbackExpiryHours(c.Request().Context(), office.ID)
		if err != nil {
			return err
		}
		d.CallbackForm = templates.Form{Values: map[string]string{"callback_expiry_hours": strconv.Itoa(hours)}}
	}
	terms, err := s.db.Terms(c.Request().Context(), office.ID)
	if err != nil {
		return err
	}
	d.TermsLang = terms.Lang
	for _, l := range templates.Languages {
		if _, ok := terms.Texts[l.Value]; ok {
			d.TermsLanguages = append(d.TermsLanguages, l.Value)
		}
	}
	if d.Limit.Values == nil {
		limit, err := s.db.OpenEnquiryLimit(c.Request().Context(), office.ID)
		if err != nil {
			return err
		}
		d.Limit = templates.Form{Values: map[string]string{"open_enquiry_limit": strconv.Itoa(limit)}}
	}
	if d.Terms.Values == nil {
		d.Terms = templates.Form{Values: map[string]string{"terms_text": terms.Texts[terms.Lang], "terms_lang": terms.Lang}}
	}
	return s.render(c, status, templates.AdminSettings(s.page(c, "Office settings"), d))
}

func (s *Server) adminSettings(c echo.Context) error {
	msg := map[string]string{"settings": "The settings are saved.", "terms": "The new privacy terms are published.",
		"translation": "The translation of the privacy terms is published.", "callback": "The call-back setting is saved.",
		"limit":    "The limit on open enquiries is saved.",
		"language": "How the pages speak is saved."}[c.QueryParam("done")]
	return s.renderSettings(c, http.StatusOK, templates.AdminSettingsData{Message: msg})
}

func (s *Server) saveSettings(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		num := func(name string) int { n, _ := strconv.Atoi(form.Get(name)); return n }
		err = s.db.UpdateOffice(c.Request().Context(), s.callerOf(c), counselling.OfficeSettings{
			Name: form.Get("name"), EmergencyNumber: form.Get("emergency_number"),
			Retention: counselling.RetentionRules{MailMonths: num("retain_mail_months"), WipeMailYearEnd: form.Get("wipe_mail_year_end") != "",
				InactiveAccountMonths: num("inactive_account_months"), ChatTranscriptMonths: num("chat_transcript_months")},
		})
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSettings(c, errorStatus(err), templates.AdminSettingsData{Form: formOf(form, err, settingsFields...)})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?done=settings")
}

// publishTerms publishes the privacy terms in a language: as a new version,
// which everyone accepts again, or as the translation of the current one.
func (s *Server) publishTerms(c echo.Context) error {
	form, err := parseForm(c)
	done := "terms"
	if err == nil {
		lang, text := form.Get("terms_lang"), form.Get("terms_text")
		if lang == "" {
			// A form without a language writes in the language of the
			// current version, as before terms had languages.
			var terms counselling.Terms
			if terms, err = s.db.Terms(c.Request().Context(), sessionOf(c).OfficeID); err != nil {
				return err
			}
			lang = terms.Lang
		}
		switch {
		case !templates.Supported(lang):
			err = counselling.FieldError("terms_lang", "Please choose the language of the text.")
		case form.Get("terms_kind") == "translation":
			done = "translation"
			err = s.db.TranslateTermsBy(c.Request().Context(), s.callerOf(c), lang, text)
		default:
			_, err = s.db.PublishTermsBy(c.Request().Context(), s.callerOf(c), lang, text)
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSettings(c, errorStatus(err), templates.AdminSettingsData{Terms: formOf(form, err, "terms_text", "terms_lang")})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?done="+done)
}

// saveLanguageSettings saves how the pages of the admin's office speak.
func (s *Server) saveLanguageSettings(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	settings := counselling.LanguageSettings{FormalGerman: form.Get("german_address") == "sie", EasyLanguage: form.Get("easy_language") != ""}
	if err := s.db.SetOfficeLanguage(c.Request().Context(), s.callerOf(c), settings); err != nil {
		return err
	}
	s.speech.byOffice.Delete(sessionOf(c).OfficeID)
	return c.Redirect(http.StatusSeeOther, "/admin/settings?done=language")
}
