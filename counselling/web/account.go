package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

var profileFields = []string{"email", "age_band", "gender", "region"}

func (s *Server) renderAccount(c echo.Context, status int, d templates.AccountData) error {
	ctx := c.Request().Context()
	a, err := s.db.Account(ctx, sessionOf(c).AccountID)
	if err != nil {
		return err
	}
	office, err := s.db.Office(ctx, a.OfficeID)
	if err != nil {
		return err
	}
	regions, err := s.db.Regions(ctx, office.ID)
	if err != nil {
		return err
	}
	d.Account, d.RegionName, d.Regions = a, regions.Name(a.Profile.Region), regionOptions(regions)
	if s.cfg.PushKey != "" {
		if d.PushDevices, err = s.db.PushDevices(ctx, a.ID); err != nil {
			return err
		}
		d.PushKey, d.PushWorker, d.PushJSURL = s.cfg.PushKey, pushWorkerPath, s.assets.URL("push.js")
	}
	if d.Contact, err = s.db.ContactConsent(ctx, s.callerOf(c)); err != nil {
		return err
	}
	if d.Profile.Values == nil {
		d.Profile.Values = map[string]string{"email": a.Profile.Email, "age_band": a.Profile.AgeBand,
			"gender": a.Profile.Gender, "region": a.Profile.Region}
	}
	return s.render(c, status, templates.Account(s.page(c, "My account"), d))
}

// regionOptions are the office's active regions as select options: the
// entry's slug is what the form sends.
func regionOptions(regions counselling.RegionList) []templates.Option {
	var out []templates.Option
	for _, r := range regions.Active() {
		out = append(out, templates.Option{Value: r.Slug, Label: r.Name})
	}
	return out
}

var accountSaved = map[string]string{
	"details":  "Your details are saved.",
	"password": "Your password is changed. Other devices were logged out.",
	// Changing the password also ends notifications on every device; the
	// page says so beside the form.
	"push-on":      "Notifications are on for this device.",
	"push-off":     "Notifications are off for this device.",
	"push-off-all": "Notifications are off on all your devices.",
	"contact":      "Your choice about being contacted again is saved.",
}

func (s *Server) account(c echo.Context) error {
	code := c.QueryParam("saved")
	if code == "" {
		code = s.confirmation(c)
	}
	return s.renderAccount(c, http.StatusOK, templates.AccountData{Saved: accountSaved[code]})
}

func (s *Server) updateAccount(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := parseForm(c)
	if err == nil {
		var current *counselling.Account
		if current, err = s.db.Account(ctx, sessionOf(c).AccountID); err == nil {
			p := counselling.Profile{Email: form.Get("email"), AgeBand: form.Get("age_band"), Gender: form.Get("gender"), Region: form.Get("region")}
			err = s.db.UpdateProfile(ctx, current.ID, p)
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderAccount(c, errorStatus(err), templates.AccountData{Profile: formOf(form, err, profileFields...)})
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/account", "details"))
}

func (s *Server) changePassword(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		err = s.auth.ChangePassword(c.Request().Context(), s.limiter.client(c.Request()), sessionOf(c), form.Get("current_password"), form.Get("new_password"))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderAccount(c, errorStatus(err), templates.AccountData{Password: formOf(form, err)})
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/account", "password"))
}

func (s *Server) export(c echo.Context) error {
	data, err := s.db.Export(c.Request().Context(), sessionOf(c).AccountID)
	if err != nil {
		return err
	}
	// The export speaks its reader's language, as the pages do; its keys and
	// coded values stay the same in every language. Theme names an office
	// gave its own themes are not in the catalogue and stay as they are.
	lang := langOf(c)
	data.Explanation = templates.Translate(lang, data.Explanation, nil, nil)
	for i := range data.Threads {
		data.Threads[i].Theme = templates.Translate(lang, data.Threads[i].Theme, nil, nil)
	}
	// In a group chat the person was known only by their number there.
	for i := range data.GroupChats {
		data.GroupChats[i].Pseudonym = templates.Translate(lang, counselling.GroupPseudonym,
			map[string]any{"No": strconv.Itoa(data.GroupChats[i].ParticipantNo)}, nil)
	}
	body, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="confidant-my-data.json"`)
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", body)
}

func (s *Server) renderDelete(c echo.Context, status int, f templates.Form) error {
	threads, err := s.db.SeekerThreads(c.Request().Context(), s.callerOf(c))
	if err != nil {
		return err
	}
	return s.render(c, status, templates.DeleteAccount(s.page(c, "Delete my account"), f, len(threads)))
}

func (s *Server) deleteForm(c echo.Context) error {
	return s.renderDelete(c, http.StatusOK, templates.Form{})
}

func (s *Server) deleteAccount(c echo.Context) error {
	ctx := c.Request().Context()
	sess := sessionOf(c)
	form, err := parseForm(c)
	if err == nil {
		err = s.auth.CheckPassword(ctx, s.limiter.client(c.Request()), sess.AccountID, form.Get("password"), "password")
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderDelete(c, errorStatus(err), formOf(nil, err))
	}
	if _, err := s.db.DeleteAccount(ctx, sess.AccountID); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	c.Response().Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	return c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) termsForm(c echo.Context) error {
	return s.renderTerms(c, nil)
}

// renderTerms shows the changed privacy terms to accept, carrying on the
// text the person typed before their session ended, if any.
func (s *Server) renderTerms(c echo.Context, carry []templates.Carried) error {
	text, textLang, version, err := s.termsFor(c, sessionOf(c).OfficeID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Terms(s.page(c, "Privacy terms"), text, textLang, version, carry))
}

func (s *Server) acceptTerms(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	carry := carriedOf(form)
	if form.Get("accept_terms") == "" {
		return s.renderTerms(c, carry)
	}
	sess := sessionOf(c)
	if err := s.db.AcceptTerms(c.Request().Context(), sess.AccountID, langOf(c)); err != nil {
		return err
	}
	accepted := *sess
	accepted.TermsOutdated = false
	if restored, err := s.restoreFor(c, &accepted, carry); restored || err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/threads")
}
