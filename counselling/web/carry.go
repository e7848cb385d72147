package web

import (
	"net/http"
	"strings"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// Text typed into a form is never lost because the session ended while the
// person wrote. A form that takes text, sent without a valid session, is
// answered with the login page, whose form carries the text back in hidden
// fields (in the page only: never stored on the server, never in a URL);
// for staff the second-factor page carries it on. Logging in through it
// lands the person on the original form with their text filled in, not yet
// sent.

// carriedForm is a form whose text survives the end of a session.
type carriedForm struct {
	kind   counselling.Kind
	fields []string
}

// carriedForms are the forms that take text, by route.
var carriedForms = map[string]carriedForm{
	"/threads/new":       {counselling.KindSeeker, []string{"theme", "subject", "body"}},
	"/threads/:id/reply": {counselling.KindSeeker, []string{"body"}},
	"/inbox/:id/reply":   {counselling.KindStaff, []string{"body"}},
	"/inbox/:id/note":    {counselling.KindStaff, []string{"body"}},
}

// carriedFields are every field a carried form may bring back, besides
// return_to, the path the form was sent to.
var carriedFields = []string{"theme", "subject", "body"}

// carryToLogin answers a form that takes text, sent without a session, with
// the login page carrying the text, and reports whether it did.
func (s *Server) carryToLogin(c echo.Context) (bool, error) {
	if c.Request().Method != http.MethodPost {
		return false, nil
	}
	cf, ok := carriedForms[c.Path()]
	if !ok {
		return false, nil
	}
	form, err := parseForm(c)
	if err != nil {
		// Too long or unreadable: nothing can be carried, so the login page
		// says why.
		return true, s.render(c, errorStatus(err), templates.Login(s.page(c, "Log in"), formOf(nil, err)))
	}
	carry := []templates.Carried{{Name: "return_to", Value: c.Request().URL.Path}}
	for _, name := range cf.fields {
		carry = append(carry, templates.Carried{Name: name, Value: strings.ToValidUTF8(form.Get(name), "\uFFFD")})
	}
	return true, s.render(c, http.StatusOK, templates.Login(s.page(c, "Log in"), templates.Form{Carry: carry}))
}

// carriedOf reads the text a login form carries, if any.
func carriedOf(form map[string][]string) []templates.Carried {
	to := first(form, "return_to")
	if to == "" {
		return nil
	}
	carry := []templates.Carried{{Name: "return_to", Value: to}}
	for _, name := range carriedFields {
		if v, ok := form[name]; ok && len(v) > 0 {
			carry = append(carry, templates.Carried{Name: name, Value: strings.ToValidUTF8(v[0], "\uFFFD")})
		}
	}
	return carry
}

// carriedTarget is where carried text goes back to: the route pattern of the
// form and the conversation's id, for a path of one of the carried forms.
func carriedTarget(path string) (route, id string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "threads" && parts[1] == "new":
		return "/threads/new", "", true
	case len(parts) == 3 && parts[0] == "threads" && parts[2] == "reply":
		return "/threads/:id/reply", parts[1], true
	case len(parts) == 3 && parts[0] == "inbox" && (parts[2] == "reply" || parts[2] == "note"):
		return "/inbox/:id/" + parts[2], parts[1], true
	}
	return "", "", false
}

// restoreCarried shows, once the person has logged in with the session of
// token, the form their carried text came from, filled in and not sent. It
// reports false when nothing was carried or the form is not theirs to fill,
// and the login goes on as usual.
func (s *Server) restoreCarried(c echo.Context, token string, carry []templates.Carried) (bool, error) {
	if len(carry) == 0 {
		return false, nil
	}
	if _, _, ok := carriedTarget(carry[0].Value); !ok {
		return false, nil
	}
	sess, err := s.db.Session(c.Request().Context(), token)
	if err != nil {
		return false, err
	}
	return s.restoreFor(c, sess, carry)
}

// restoreFor is restoreCarried for the session sess. While privacy terms
// wait to be accepted, the terms page carries the text on, so that a change
// of terms while the person was away does not cost them what they wrote.
func (s *Server) restoreFor(c echo.Context, sess *counselling.Session, carry []templates.Carried) (bool, error) {
	if len(carry) == 0 {
		return false, nil
	}
	route, id, ok := carriedTarget(carry[0].Value)
	if !ok || sess.Kind != carriedForms[route].kind || !sess.FullyAuthenticated() {
		return false, nil
	}
	c.Set(ctxSession, sess)
	if sess.TermsOutdated {
		return true, s.renderTerms(c, carry)
	}
	c.Set(ctxRestored, true)
	values := map[string]string{}
	for _, f := range carry[1:] {
		values[f.Name] = f.Value
	}
	f := templates.Form{Values: map[string]string{}}
	switch route {
	case "/threads/new":
		f.Values = values
		return true, s.renderNewThread(c, http.StatusOK, f)
	case "/threads/:id/reply":
		f.Values["body"] = values["body"]
		return true, s.renderSeekerThread(c, http.StatusOK, id, f)
	case "/inbox/:id/reply":
		f.Values["body"] = values["body"]
		return true, s.renderStaffThread(c, http.StatusOK, id, f)
	default:
		f.Values["note"] = values["body"]
		return true, s.renderStaffThread(c, http.StatusOK, id, f)
	}
}

const ctxRestored = "restored"

// sessionInfo is what the pages say about the caller's session: its idle
// time and the warning before it ends, for those logged in with an account of
// their own (a guest's session ends with the chat).
func (s *Server) sessionInfo(c echo.Context) templates.Session {
	restored, _ := c.Get(ctxRestored).(bool)
	info := templates.Session{Restored: restored}
	sess := sessionOf(c)
	if sess == nil || sess.Guest || !sess.FullyAuthenticated() {
		return info
	}
	info.Idle = s.cfg.Sessions.IdleFor(sess.Kind)
	info.Warn = counselling.SessionWarning(info.Idle)
	return info
}

// extendSession is "I'm still here". Like every request with a session it
// counts as activity (loadSession records it), so the session lasts its
// whole idle time again; the page's script reads only the status.
func (s *Server) extendSession(c echo.Context) error {
	if sessionOf(c) == nil {
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.NoContent(http.StatusNoContent)
}
