package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

const (
	ctxLang        = "lang"
	ctxLangURL     = "lang-in-url"
	ctxRegister    = "register"
	ctxEasyOffered = "easy-offered"
	ctxEasyURL     = "easy-in-url"
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
		if err := s.chooseRegister(c, lang); err != nil {
			return err
		}
		return next(c)
	}
}

// chooseRegister decides the form of the language: "Sie" where the office
// chose it for German, easy language where the office offers it and the
// reader asked for it (?easy=1, remembered with a help-seeker's account like
// the language, carried in the URLs for visitors and guests).
func (s *Server) chooseRegister(c echo.Context, lang string) error {
	ctx := c.Request().Context()
	sess := sessionOf(c)
	settings, err := s.officeSpeech(c, sess)
	if err != nil {
		return err
	}
	staff := sess != nil && sess.Kind == counselling.KindStaff
	var wantsEasy, easyInURL bool
	if settings.EasyLanguage && !staff {
		param := c.QueryParam("easy")
		wantsEasy, easyInURL = param == "1", param == "1"
		if sess != nil && !sess.Guest {
			remembered, err := s.db.EasyLanguage(ctx, sess.AccountID)
			if err != nil {
				return err
			}
			if (param == "1" || param == "0") && wantsEasy != remembered {
				if err := s.db.SetEasyLanguage(ctx, sess.AccountID, wantsEasy); err != nil {
					return err
				}
			} else if param == "" {
				wantsEasy = remembered
			}
			easyInURL = false
		}
	}
	c.Set(ctxRegister, settings.RegisterFor(lang, wantsEasy, staff))
	c.Set(ctxEasyOffered, settings.EasyLanguage && !staff)
	c.Set(ctxEasyURL, easyInURL)
	return nil
}

// keepEasy is where a login or a new account leads: a visitor who read the
// pages in easy language goes on reading them so, and the account they now
// use remembers the choice (chooseRegister stores it on that first page).
func keepEasy(c echo.Context, path string) string {
	if inURL, _ := c.Get(ctxEasyURL).(bool); inURL {
		return path + "?easy=1"
	}
	return path
}

func registerOf(c echo.Context) counselling.Register {
	r, _ := c.Get(ctxRegister).(counselling.Register)
	return r
}

// speechCache holds the language settings by office, so that choosing the
// form of a page costs no read; an admin's change replaces the entry.
type speechCache struct {
	byOffice      sync.Map // office id → counselling.LanguageSettings
	defaultOffice atomic.Int64
}

// officeSpeech returns the language settings of the office the request
// belongs to: the session's, else the default office's.
func (s *Server) officeSpeech(c echo.Context, sess *counselling.Session) (counselling.LanguageSettings, error) {
	ctx := c.Request().Context()
	var id int64
	if sess != nil {
		id = sess.OfficeID
	} else if id = s.speech.defaultOffice.Load(); id == 0 {
		office, err := s.db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
		if err != nil {
			return counselling.LanguageSettings{}, err
		}
		id = office.ID
		s.speech.defaultOffice.Store(id)
	}
	if v, ok := s.speech.byOffice.Load(id); ok {
		return v.(counselling.LanguageSettings), nil
	}
	settings, err := s.db.OfficeLanguage(ctx, id)
	if err != nil {
		return settings, err
	}
	s.speech.byOffice.Store(id, settings)
	return settings, nil
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
