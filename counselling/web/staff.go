package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/counselling/auth"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// requireStaff lets through staff who passed both factors. Staff half-way
// through login go to the code page; anonymous visitors to the login page;
// help-seekers get not-found.
func (s *Server) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := sessionOf(c)
		switch {
		case sess == nil:
			if carried, err := s.carryToLogin(c); carried {
				return err
			}
			return c.Redirect(http.StatusSeeOther, "/login")
		case sess.Kind != counselling.KindStaff:
			return errNotFound
		case !sess.FullyAuthenticated():
			return c.Redirect(http.StatusSeeOther, "/login/totp")
		}
		return next(c)
	}
}

// requireCounsellor narrows requireStaff to those who answer threads.
func (s *Server) requireCounsellor(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireStaff(func(c echo.Context) error {
		if !s.callerOf(c).Counsels() {
			return errNotFound
		}
		return next(c)
	})
}

// requireAdmin narrows requireStaff to those who administer an office, by the
// domain's rule (counselling.Administers, through administers). The store
// applies the same rule again to every admin action; this first gate only
// spares the others the admin pages.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireStaff(func(c echo.Context) error {
		scope, err := s.administers(c)
		if err != nil {
			return err
		}
		if scope.None() {
			return errNotFound
		}
		return next(c)
	})
}

// administers is what the caller administers by the domain's rule
// (counselling.Administers): the web layer's one way of asking, for the gate
// of the admin pages and for whether they offer the creation of offices.
func (s *Server) administers(c echo.Context) (counselling.AdminScope, error) {
	main, err := s.defaultOffice(c)
	if err != nil {
		return counselling.AdminScope{}, err
	}
	return counselling.Administers(s.callerOf(c), main.ID), nil
}

func (s *Server) renderInvite(c echo.Context, status int, f templates.Form) error {
	token := c.Param("token")
	inv, qr, err := s.auth.OpenInvite(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.Invite(s.page(c, "Accept your invitation"), templates.InviteData{
		Token: token, Name: inv.Name, Role: string(inv.Role), Secret: inv.Secret, QRCode: qr, Form: f,
	}))
}

func (s *Server) inviteForm(c echo.Context) error {
	return s.renderInvite(c, http.StatusOK, templates.Form{})
}

func (s *Server) acceptInvite(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return s.renderInvite(c, errorStatus(err), formOf(nil, err))
	}
	token, err := s.auth.AcceptInvite(c.Request().Context(), c.Param("token"), form.Get("password"), form.Get("totp_code"))
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderInvite(c, errorStatus(err), formOf(form, err))
	}
	if token == "" {
		// An admin made by another admin waits for a second admin's approval.
		return s.render(c, http.StatusOK, templates.ErrorPage(s.page(c, "Waiting for approval"), http.StatusOK,
			"Your account is set up. Another admin of this office must approve it before you can log in; you can log in once they have."))
	}
	s.startSession(c, token)
	return c.Redirect(http.StatusSeeOther, "/inbox")
}

func (s *Server) secondFactorForm(c echo.Context) error {
	sess := sessionOf(c)
	if sess == nil || sess.Kind != counselling.KindStaff {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return s.render(c, http.StatusOK, templates.SecondFactor(s.page(c, "Enter your code"), templates.Form{}))
}

func (s *Server) secondFactor(c echo.Context) error {
	sess := sessionOf(c)
	if sess == nil || sess.Kind != counselling.KindStaff {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	form, err := parseForm(c)
	if err != nil {
		return s.render(c, errorStatus(err), templates.SecondFactor(s.page(c, "Enter your code"), formOf(nil, err)))
	}
	carry := carriedOf(form)
	token, err := s.auth.SecondFactor(c.Request().Context(), sess, form.Get("code"))
	switch {
	case err == auth.ErrTooManyCodes || err == auth.ErrCodesStopped:
		// The half-finished login has ended.
		s.clearSessionCookie(c)
		f := formOf(nil, err)
		f.Carry = carry
		return s.render(c, errorStatus(err), templates.Login(s.page(c, "Log in"), f))
	case err == auth.ErrWrongCode:
		f := formOf(nil, err)
		f.Carry = carry
		return s.render(c, http.StatusUnauthorized, templates.SecondFactor(s.page(c, "Enter your code"), f))
	case err != nil:
		return err
	}
	s.setSessionCookie(c, token)
	if restored, err := s.restoreCarried(c, token, carry); restored || err != nil {
		return err
	}
	if sess.Role == counselling.RoleAdmin {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	return c.Redirect(http.StatusSeeOther, "/inbox")
}
