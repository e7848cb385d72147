package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"confidant/templates"

	"github.com/labstack/echo/v4"
)

const (
	ctxLang    = "lang"
	ctxLangURL = "lang-in-url"
)

// chooseLanguage decides the language of the response: a ?lang= choice
// first; for someone logged in, the language their account remembers (a
// choice made while logged in is remembered there); otherwise the browser's
// Accept-Language. A visitor's choice is carried in the URLs of the pages, as
// there is no cookie to keep it in.
func (s *Server) chooseLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, fromURL := c.QueryParam("lang"), false
		if templates.Supported(lang) {
			fromURL = true
		} else {
			lang = ""
		}
		// Only ?lang= travels in links; Accept-Language is read again on
		// each request.
		if sess := sessionOf(c); sess != nil {
			switch {
			case fromURL && lang != sess.Lang:
				if err := s.db.SetLanguage(c.Request().Context(), sess.AccountID, lang); err != nil {
					return err
				}
				sess.Lang, fromURL = lang, false
			case fromURL:
				fromURL = false
			case templates.Supported(sess.Lang):
				lang = sess.Lang
			}
		}
		if lang == "" {
			lang = templates.Negotiate(c.Request().Header.Get("Accept-Language"))
		}
		c.Set(ctxLang, lang)
		c.Set(ctxLangURL, fromURL)
		c.Response().Header().Set("Content-Language", lang)
		return next(c)
	}
}

// requestLanguage is the language a request asks for by itself, without an
// account: ?lang= or else Accept-Language.
func requestLanguage(r *http.Request) string {
	if lang := r.URL.Query().Get("lang"); templates.Supported(lang) {
		return lang
	}
	return templates.Negotiate(r.Header.Get("Accept-Language"))
}

func langOf(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return "en"
}

// switchPath is where the language links of a page lead: for a GET, the
// route that matched with its parameters escaped again; the start page after
// a form, or when no route matched. The link is built, never copied from the
// request, because browsers drop tabs and line breaks and read backslashes as
// slashes, so a request path such as "/%09/elsewhere.example" copied into a
// link would lead to another site.
func switchPath(c echo.Context) string {
	route := c.Path()
	if c.Request().Method != http.MethodGet || !strings.HasPrefix(route, "/") || strings.Contains(route, "*") {
		return "/"
	}
	segments := strings.Split(route, "/")
	for i, seg := range segments {
		if !strings.HasPrefix(seg, ":") {
			continue
		}
		v := c.Param(seg[1:])
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		if v == "" || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || r == '\\' }) {
			return "/"
		}
		segments[i] = url.PathEscape(v)
	}
	return strings.Join(segments, "/")
}
