package web

import (
	"net/http"

	"confidant/counselling"

	"github.com/labstack/echo/v4"
)

func (s *Server) cookieName() string {
	if s.cfg.TLS {
		return "__Host-confidant"
	}
	return "confidant"
}

// setSessionCookie sets the only cookie Confidant ever sets: a session cookie
// (no Expires, no Max-Age) that scripts cannot read and other sites do not send.
func (s *Server) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name:     s.cookieName(),
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.cfg.TLS,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name:     s.cookieName(),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.cfg.TLS,
		SameSite: http.SameSiteLaxMode,
	})
}

// loadSession finds the caller's session, ends it when it has expired, and
// records activity at most once a minute.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cookie, err := c.Cookie(s.cookieName())
		if err != nil || cookie.Value == "" {
			return next(c)
		}
		ctx := c.Request().Context()
		sess, err := s.db.Session(ctx, cookie.Value)
		switch {
		case counselling.ErrorCode(err) == counselling.ENotFound:
			s.clearSessionCookie(c)
			return next(c)
		case err != nil:
			return err
		}
		now := s.cfg.Clock.Now()
		if s.cfg.Sessions.Expired(sess, now) {
			if err := s.db.DeleteSession(ctx, sess.TokenHash); err != nil {
				return err
			}
			s.clearSessionCookie(c)
			return next(c)
		}
		if s.cfg.Sessions.NeedsTouch(sess, now) {
			if err := s.db.TouchSession(ctx, sess); err != nil {
				return err
			}
		}
		c.Set(ctxSession, sess)
		return next(c)
	}
}

func sessionOf(c echo.Context) *counselling.Session {
	sess, _ := c.Get(ctxSession).(*counselling.Session)
	return sess
}

// requireSeeker lets only logged-in help-seekers through. Anonymous visitors are
// sent to the login page; staff get not-found, as the pages are not theirs.
func (s *Server) requireSeeker(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := sessionOf(c)
		if sess == nil {
			if carried, err := s.carryToLogin(c); carried {
				return err
			}
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		if sess.Kind != counselling.KindSeeker {
			return errNotFound
		}
		if !counselling.MayUseAccountPages(counselling.CallerOf(sess)) {
			return counselling.ErrGuestOnlyChats
		}
		if sess.TermsOutdated && !beforeTerms[c.Path()] {
			return c.Redirect(http.StatusSeeOther, "/terms")
		}
		return next(c)
	}
}

// beforeTerms are the pages a help-seeker may use before accepting changed
// privacy terms: the terms themselves, and leaving with their data.
var beforeTerms = map[string]bool{"/terms": true, "/account/export": true, "/account/delete": true}
