package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

var registerFields = []string{"nickname", "email", "age_band", "gender", "region", "accept_terms", "office"}

// registerOffice is the office a registration is for: the one named by the
// office field or parameter (a slug), else the installation's first office.
func (s *Server) registerOffice(c echo.Context, slug string) (*counselling.Office, error) {
	if slug != "" {
		office, err := s.db.OfficeBySlug(c.Request().Context(), slug)
		if err == nil {
			c.Set(ctxOfficeURL, office.Slug)
			return office, nil
		}
		if counselling.ErrorCode(err) != counselling.ENotFound {
			return nil, err
		}
	}
	return s.defaultOffice(c)
}

func (s *Server) renderRegister(c echo.Context, status int, f templates.Form) error {
	slug := f.Value("office")
	if slug == "" {
		slug = c.QueryParam("office")
	}
	office, err := s.registerOffice(c, slug)
	if err != nil {
		return err
	}
	offices, err := s.db.Offices(c.Request().Context())
	if err != nil {
		return err
	}
	var choices []templates.Option
	if len(offices) > 1 && c.QueryParam("office") == "" {
		for _, o := range offices {
			choices = append(choices, templates.Option{Value: o.Slug, Label: o.Name})
		}
	}
	regions, err := s.db.Regions(c.Request().Context(), office.ID)
	if err != nil {
		return err
	}
	termsText, termsLang, termsVersion, err := s.termsFor(c, office.ID)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.Register(s.page(c, "Create an account"), templates.RegisterData{
		Office:       office.Slug,
		Offices:      choices,
		Form:         f,
		AgeBands:     templates.AgeBandOptions(),
		Genders:      templates.GenderOptions(),
		Regions:      regionOptions(regions),
		TermsText:    termsText,
		TermsVersion: termsVersion,
		TermsLang:    termsLang,
	}))
}

func (s *Server) registerForm(c echo.Context) error {
	return s.renderRegister(c, http.StatusOK, templates.Form{})
}

func (s *Server) register(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return s.renderRegister(c, errorStatus(err), formOf(nil, err))
	}
	office, err := s.registerOffice(c, form.Get("office"))
	if err != nil {
		return err
	}
	reg := counselling.Registration{
		OfficeID:    office.ID,
		Lang:        langOf(c),
		Nickname:    form.Get("nickname"),
		Password:    form.Get("password"),
		AcceptTerms: form.Get("accept_terms") != "",
		Profile: counselling.Profile{
			Email:   form.Get("email"),
			AgeBand: form.Get("age_band"),
			Gender:  form.Get("gender"),
			Region:  form.Get("region"),
		},
	}
	token, err := s.auth.Register(c.Request().Context(), reg)
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderRegister(c, errorStatus(err), formOf(form, err, registerFields...))
	}
	s.startSession(c, token)
	return c.Redirect(http.StatusSeeOther, keepEasy(c, "/threads"))
}

func (s *Server) loginForm(c echo.Context) error {
	return s.render(c, http.StatusOK, templates.Login(s.page(c, "Log in"), templates.Form{}))
}

func (s *Server) login(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return s.render(c, errorStatus(err), templates.Login(s.page(c, "Log in"), formOf(nil, err)))
	}
	carry := carriedOf(form)
	token, creds, err := s.auth.Login(c.Request().Context(), s.limiter.client(c.Request()), form.Get("nickname"), form.Get("password"))
	if err != nil {
		if !showsForm(err) {
			return err
		}
		f := formOf(form, err, "nickname")
		f.Carry = carry
		return s.render(c, errorStatus(err), templates.Login(s.page(c, "Log in"), f))
	}
	s.startSession(c, token)
	if creds.Kind == counselling.KindStaff {
		if len(carry) > 0 {
			// The second factor carries the text on; it is never kept here.
			return s.render(c, http.StatusOK, templates.SecondFactor(s.page(c, "Enter your code"), templates.Form{Carry: carry}))
		}
		return c.Redirect(http.StatusSeeOther, "/login/totp")
	}
	if restored, err := s.restoreCarried(c, token, carry); restored || err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, keepEasy(c, "/threads"))
}

// startSession ends the session the browser came with, if any, and sets the
// cookie of the new one: a login never keeps an old token alive.
func (s *Server) startSession(c echo.Context, token string) {
	if old := sessionOf(c); old != nil {
		if err := s.db.DeleteSession(c.Request().Context(), old.TokenHash); err != nil {
			s.log.Error("end previous session", "error", err.Error())
		}
	}
	s.setSessionCookie(c, token)
}

func (s *Server) logout(c echo.Context) error {
	if sess := sessionOf(c); sess != nil {
		if err := s.db.DeleteSession(c.Request().Context(), sess.TokenHash); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	c.Response().Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	return c.Redirect(http.StatusSeeOther, "/")
}
