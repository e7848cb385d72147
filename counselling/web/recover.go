package web

import (
	"net/http"

	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// The recovery pages: a new password with the recovery code, or with a link
// mailed to the address on file. Every failure reads the same whether or not
// the nickname or the address exists.

func (s *Server) renderRecover(c echo.Context, status int, f templates.Form) error {
	return s.render(c, status, templates.Recover(s.page(c, "Forgot your password?"), f))
}

func (s *Server) recoverForm(c echo.Context) error {
	return s.renderRecover(c, http.StatusOK, templates.Form{})
}

func (s *Server) recoverAccount(c echo.Context) error {
	form, err := parseForm(c)
	var token string
	if err == nil {
		token, err = s.auth.Recover(c.Request().Context(), s.limiter.client(c.Request()),
			form.Get("nickname"), form.Get("recovery_code"), form.Get("new_password"))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderRecover(c, errorStatus(err), formOf(form, err, "nickname"))
	}
	s.startSession(c, token)
	return c.Redirect(http.StatusSeeOther, keepEasy(c, "/threads"))
}

func (s *Server) renderResetRequest(c echo.Context, status int, f templates.Form, sent bool) error {
	return s.render(c, status, templates.ResetRequest(s.page(c, "Get a link by email"), f, sent))
}

func (s *Server) resetRequestForm(c echo.Context) error {
	if !s.cfg.MailEnabled {
		return errNotFound
	}
	return s.renderResetRequest(c, http.StatusOK, templates.Form{}, false)
}

// requestReset answers the same whether or not the nickname exists and the
// address belongs to it: only the mailbox of the right address learns more.
func (s *Server) requestReset(c echo.Context) error {
	if !s.cfg.MailEnabled {
		return errNotFound
	}
	form, err := parseForm(c)
	if err == nil {
		err = s.auth.RequestResetLink(c.Request().Context(), s.limiter.client(c.Request()), form.Get("nickname"), form.Get("email"))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderResetRequest(c, errorStatus(err), formOf(form, err, "nickname", "email"), false)
	}
	s.notified()
	return s.renderResetRequest(c, http.StatusOK, templates.Form{}, true)
}

func (s *Server) renderReset(c echo.Context, status int, f templates.Form) error {
	return s.render(c, status, templates.ResetPassword(s.page(c, "Choose a new password"), c.Param("token"), f))
}

func (s *Server) resetForm(c echo.Context) error {
	if err := s.db.CheckResetLink(c.Request().Context(), c.Param("token")); err != nil {
		return err
	}
	return s.renderReset(c, http.StatusOK, templates.Form{})
}

func (s *Server) resetPassword(c echo.Context) error {
	form, err := parseForm(c)
	var token string
	if err == nil {
		token, err = s.auth.ResetPassword(c.Request().Context(), c.Param("token"), form.Get("new_password"))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderReset(c, errorStatus(err), formOf(form, err))
	}
	s.startSession(c, token)
	return c.Redirect(http.StatusSeeOther, keepEasy(c, "/threads"))
}

// recoveryCode is the recovery code that waits to be shown to the caller,
// once; HEAD changes nothing and shows nothing.
func (s *Server) recoveryCode(c echo.Context) (string, error) {
	if isHead(c.Request()) {
		return "", nil
	}
	return s.db.TakeRecoveryCode(c.Request().Context(), sessionOf(c).AccountID)
}
