package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/counselling/twofactor"
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
			return c.Redirect(http.StatusSeeOther, "/login")
		case sess.Kind != counselling.KindStaff:
			return echo.ErrNotFound
		case !sess.SecondFactor:
			return c.Redirect(http.StatusSeeOther, "/login/totp")
		}
		return next(c)
	}
}

// requireCounsellor narrows requireStaff to those who answer threads.
func (s *Server) requireCounsellor(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireStaff(func(c echo.Context) error {
		if !s.callerOf(c).Counsels() {
			return echo.ErrNotFound
		}
		return next(c)
	})
}

// requireAdmin narrows requireStaff to admins.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireStaff(func(c echo.Context) error {
		if sessionOf(c).Role != counselling.RoleAdmin {
			return echo.ErrNotFound
		}
		return next(c)
	})
}

func (s *Server) renderInvite(c echo.Context, status int, f templates.Form) error {
	token := c.Param("token")
	inv, err := s.db.OpenInvite(c.Request().Context(), token, twofactor.NewSecret)
	if err != nil {
		return err
	}
	qr, err := twofactor.QRCode("Confidant", inv.Name, inv.Secret)
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
	ctx := c.Request().Context()
	form, err := parseForm(c)
	if err != nil {
		return s.renderInvite(c, errorStatus(err), formOf(nil, err))
	}
	inv, err := s.db.OpenInvite(ctx, c.Param("token"), twofactor.NewSecret)
	if err != nil {
		return err
	}
	password := form.Get("password")
	problems := counselling.Problems{}
	if err := counselling.ValidatePassword(password); err != nil {
		problems.Add("password", counselling.ErrorMessage(err))
	}
	step, ok := twofactor.Check(inv.Secret, form.Get("totp_code"), s.cfg.Clock.Now(), 0)
	if !ok {
		problems.Add("totp_code", "This code is not right. Enter the 6-digit code your app shows now.")
	}
	if err := problems.Err(); err != nil {
		return s.renderInvite(c, errorStatus(err), formOf(form, err))
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	token, err := s.db.CompleteInvite(ctx, c.Param("token"), hash, step)
	if err != nil {
		return err
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
	ctx := c.Request().Context()
	sess := sessionOf(c)
	if sess == nil || sess.Kind != counselling.KindStaff {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	form, err := parseForm(c)
	if err != nil {
		return s.render(c, errorStatus(err), templates.SecondFactor(s.page(c, "Enter your code"), formOf(nil, err)))
	}
	secret, last, err := s.db.SecondFactor(ctx, sess.AccountID)
	if err != nil {
		return err
	}
	step, ok := twofactor.Check(secret, form.Get("code"), s.cfg.Clock.Now(), last)
	if ok {
		err = s.db.PassSecondFactor(ctx, sess, step)
	}
	if !ok || counselling.ErrorCode(err) == counselling.EInvalid {
		ended, ferr := s.db.FailSecondFactor(ctx, sess)
		if ferr != nil {
			return ferr
		}
		if ended {
			s.clearSessionCookie(c)
			return s.render(c, http.StatusUnauthorized, templates.Login(s.page(c, "Log in"), templates.Form{
				Message: "Too many wrong codes. Please log in again."}))
		}
		f := templates.Form{Errors: map[string]string{"code": "This code is not right. Enter the current 6-digit code from your authenticator app."}}
		return s.render(c, http.StatusUnauthorized, templates.SecondFactor(s.page(c, "Enter your code"), f))
	}
	if err != nil {
		return err
	}
	if sess.Role == counselling.RoleAdmin {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	return c.Redirect(http.StatusSeeOther, "/inbox")
}
