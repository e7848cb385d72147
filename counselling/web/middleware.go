package web

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"confidant/counselling"
	"confidant/static"
	"confidant/templates"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

const (
	ctxNonce   = "csp-nonce"
	ctxSession = "session"
)

// recoverPanics turns a panic into an internal error; the stack goes to the log
// without the request's contents.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic", "route", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic in %s", c.Path())
			}
		}()
		return next(c)
	}
}

// logRequests writes one line per request: method, route pattern, status and
// duration. Never the URL (it may hold a token), never the client's address.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := s.routeOf(c)
		d := time.Since(start)
		s.log.Info("request", "method", c.Request().Method, "route", route,
			"status", c.Response().Status, "duration", d.Round(time.Microsecond))
		if s.cfg.ObserveRequest != nil {
			s.cfg.ObserveRequest(route, c.Request().Method, c.Response().Status, d)
		}
		return nil
	}
}

// RouteUnmatched names a request that matched no route.
const RouteUnmatched = "-"

// routeOf is the route pattern a request matched, such as /threads/:id. For a
// path that matched no route echo may give a partial pattern or a catch-all,
// so only a registered pattern is taken; anything else is RouteUnmatched, and
// a path someone typed never reaches a log line or a metric label.
func (s *Server) routeOf(c echo.Context) string {
	route := c.Path()
	if route == "/*" || !s.patterns[route] {
		return RouteUnmatched
	}
	return route
}

func newNonce() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// securityHeaders sets the headers every response carries: a CSP with a fresh
// nonce and no inline script, framing and sniffing off, no referrer, isolation,
// a restrictive permissions policy, no caching of pages, and HSTS under TLS.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		nonce := newNonce()
		c.Set(ctxNonce, nonce)
		h := c.Response().Header()
		h.Set("Content-Security-Policy", strings.Join([]string{
			"default-src 'none'",
			"script-src 'self' 'nonce-" + nonce + "'",
			"style-src 'self'",
			"img-src 'self' data:",
			"font-src 'self'",
			"connect-src 'self'",
			"manifest-src 'self'",
			"form-action 'self'",
			"frame-ancestors 'none'",
			"base-uri 'none'",
			"object-src 'none'",
		}, "; "))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", s.permissionsPolicy(c))
		if !strings.HasPrefix(c.Request().URL.Path, static.Prefix) {
			h.Set("Cache-Control", "no-store")
		}
		if s.cfg.TLS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// crossOrigin refuses state-changing requests sent by other sites, using the
// browser's Sec-Fetch-Site and Origin headers. http.CrossOriginProtection
// compares only the host of an Origin, so a page served over https could post
// to the same host over plain http (or the other way round); an Origin must
// also name this office's scheme.
func (s *Server) crossOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if err := s.cop.Check(r); err != nil || !s.originMatches(r) {
			return errCrossOrigin
		}
		return next(c)
	}
}

// originMatches reports whether the Origin of an unsafe request, when it has
// one, is this office: the scheme it is served with (or, behind a proxy, the
// scheme of its base URL) and the host the request was sent to.
func (s *Server) originMatches(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	// A browser that sends Sec-Fetch-Site has said whether the request comes
	// from this very origin, scheme included, and CrossOriginProtection has
	// accepted only "same-origin" or "none". Such a browser sends "Origin: null"
	// for a form on a page whose Referrer-Policy is no-referrer, as ours is, so
	// the Origin is judged only where Sec-Fetch-Site is missing.
	if r.Header.Get("Sec-Fetch-Site") != "" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && s.sameOffice(u, r)
}

// sameOffice reports whether an origin is this office: the scheme it is
// served with (or, behind a proxy, the scheme of its base URL) and the host
// the request was sent to.
func (s *Server) sameOffice(u *url.URL, r *http.Request) bool {
	if u.Host != r.Host {
		return false
	}
	scheme := "http"
	if r.TLS != nil || s.cfg.TLS {
		scheme = "https"
	}
	if u.Scheme == scheme {
		return true
	}
	base, err := url.Parse(s.cfg.BaseURL)
	return err == nil && s.cfg.BaseURL != "" && base.Scheme == u.Scheme && base.Host == u.Host
}

// tooLargeBody stands in for a body whose declared length is over the limit.
type tooLargeBody struct{ limit int64 }

func (b tooLargeBody) Read([]byte) (int, error) { return 0, &http.MaxBytesError{Limit: b.limit} }

func (b tooLargeBody) Close() error { return nil }

// MaxHeaderBytes is the header size the HTTP server reads before it answers
// with its own plain-text refusal. It is well above what checkCookies
// accepts, so that oversized cookies are refused with the office's own page.
const MaxHeaderBytes = 256 << 10

// maxCookieBytes bounds the Cookie header: Confidant sets one short cookie,
// and browsers keep at most 4 KiB per cookie.
const maxCookieBytes = 8 << 10

// checkCookies refuses requests whose cookies are too large or whose session
// cookie cannot be one Confidant set (sent twice, or not a token), and
// removes the session cookie so that the next request works again.
func (s *Server) checkCookies(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		size := 0
		for _, line := range r.Header.Values("Cookie") {
			size += len(line)
		}
		if size > maxCookieBytes {
			s.clearSessionCookie(c)
			return echo.NewHTTPError(http.StatusRequestHeaderFieldsTooLarge).SetInternal(errCookiesTooLarge)
		}
		// The header is read here rather than with Request.Cookies, which
		// silently drops values it cannot parse.
		seen := 0
		for _, line := range r.Header.Values("Cookie") {
			for part := range strings.SplitSeq(line, ";") {
				name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
				if name != s.cookieName() {
					continue
				}
				seen++
				if !validToken(value) {
					seen = 2
				}
			}
		}
		if seen > 1 {
			s.clearSessionCookie(c)
			return echo.NewHTTPError(http.StatusBadRequest).SetInternal(errMalformedCookie)
		}
		return next(c)
	}
}

// validToken reports whether v has the shape of a session token: up to 128
// characters of the URL-safe base64 alphabet.
func validToken(v string) bool {
	if len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

var (
	errCookiesTooLarge = counselling.Errorf(counselling.ETooLarge,
		"Your browser sent more cookies than this site accepts. Please delete the cookies of this site and try again.")
	errMalformedCookie = counselling.Errorf(counselling.EInvalid,
		"Your browser sent a cookie that this site did not set, so the request was refused. The cookie has been removed; please try again.")
)

var errCrossOrigin = counselling.Errorf(counselling.EForbidden,
	"This form was sent from another website, so it was refused. Please open Confidant directly and try again.")

// limitBody caps request bodies by route. A body that declares itself too
// long is not read at all: the handler finds it too long at once (and shows
// its form again), so that a client cannot hold a connection by announcing
// more than it sends.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit, ok := bodyLimits[c.Path()]
		if !ok {
			limit = formLimit
		}
		r := c.Request()
		if r.ContentLength > limit {
			// A copy, so that the server still sees the unread body and
			// closes the connection instead of reading on.
			r = r.WithContext(r.Context())
			r.Body = tooLargeBody{limit}
			c.SetRequest(r)
		} else {
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		}
		return next(c)
	}
}

// limitClient slows down login and registration attempts from one client. The
// client is known only by a keyed hash of its address held in memory; the key
// changes daily and the address itself is never kept.
func (s *Server) limitClient(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if wait, ok := s.limiter.allow(c.Request()); !ok {
			c.Response().Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
			return errTooManyAttempts
		}
		return next(c)
	}
}

var errTooManyAttempts = counselling.Errorf(counselling.ETooMany,
	"There were many attempts from your connection. Please wait a minute and try again.")

func (s *Server) render(c echo.Context, status int, page templ.Component) error {
	ctx := templ.WithNonce(c.Request().Context(), nonceOf(c))
	ctx = templates.WithLanguage(ctx, langOf(c))
	ctx = templates.WithSession(ctx, s.sessionInfo(c))
	ctx = templates.WithRegister(ctx, registerOf(c))
	if inURL, _ := c.Get(ctxLangURL).(bool); inURL {
		ctx = templates.WithURLLanguage(ctx)
	}
	if inURL, _ := c.Get(ctxEasyURL).(bool); inURL {
		ctx = templates.WithURLEasy(ctx)
	}
	if slug, _ := c.Get(ctxOfficeURL).(string); slug != "" && sessionOf(c) == nil {
		ctx = templates.WithURLOffice(ctx, slug)
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return page.Render(ctx, c.Response())
}

func nonceOf(c echo.Context) string {
	n, _ := c.Get(ctxNonce).(string)
	return n
}
