package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// statusOf is the one map from error codes to HTTP statuses.
var statusOf = map[counselling.Code]int{
	counselling.EInvalid:      http.StatusUnprocessableEntity,
	counselling.ENotFound:     http.StatusNotFound,
	counselling.EConflict:     http.StatusConflict,
	counselling.EUnauthorized: http.StatusUnauthorized,
	counselling.EForbidden:    http.StatusForbidden,
	counselling.ETooMany:      http.StatusTooManyRequests,
	counselling.ETooLarge:     http.StatusRequestEntityTooLarge,
	counselling.EUnavailable:  http.StatusServiceUnavailable,
	counselling.EInternal:     http.StatusInternalServerError,
}

// showsForm is the one rule for a refused form: a problem with what was
// sent (invalid or too long, taken or changed by someone else first, wrong
// credentials, too many attempts, busy for a moment) shows the form again
// with the reason and the person's input; anything else (an object that is
// missing or not theirs, a fault of ours) shows the error page.
func showsForm(err error) bool {
	switch counselling.ErrorCode(err) {
	case counselling.EInvalid, counselling.ETooLarge, counselling.EConflict, counselling.EUnauthorized,
		counselling.ETooMany, counselling.EUnavailable:
		return true
	}
	return false
}

func errorStatus(err error) int {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	if st, ok := statusOf[counselling.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

var titles = map[int]string{
	http.StatusBadRequest:                  "What was sent could not be read",
	http.StatusUnauthorized:                "Please log in",
	http.StatusForbidden:                   "Not allowed",
	http.StatusNotFound:                    "Page not found",
	http.StatusMethodNotAllowed:            "Not possible here",
	http.StatusRequestEntityTooLarge:       "Too long",
	http.StatusRequestHeaderFieldsTooLarge: "Too many cookies",
	http.StatusTooManyRequests:             "Please wait a moment",
	http.StatusServiceUnavailable:          "Busy right now",
}

func userMessage(err error, status int) string {
	var ce *counselling.Error
	if errors.As(err, &ce) {
		return counselling.ErrorMessage(err)
	}
	switch status {
	case http.StatusNotFound:
		return errNotFound.Message
	case http.StatusMethodNotAllowed:
		return "This address cannot be used that way."
	case http.StatusRequestEntityTooLarge:
		return errTooLarge.Message
	}
	if status < 500 {
		return "What was sent could not be read. Please go back and try again."
	}
	return counselling.ErrorMessage(err)
}

// handleError is the one error handler: users get a friendly page, and the log
// gets the cause of server faults, never the request's contents.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := errorStatus(err)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "status", status, "error", err.Error())
	}
	if status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
		c.Response().Header().Set("Retry-After", "5")
	}
	title, ok := titles[status]
	if !ok {
		title = "Something went wrong"
	}
	// A request refused before the language was chosen (a cross-site form,
	// an oversized cookie) is still answered in the reader's language.
	if _, chosen := c.Get(ctxLang).(string); !chosen {
		lang := requestLanguage(c.Request())
		c.Set(ctxLang, lang)
		c.Response().Header().Set("Content-Language", lang)
	}
	if err := s.render(c, status, templates.ErrorPage(s.page(c, title), status, userMessage(err, status))); err != nil {
		s.log.Error("render error page", "error", err.Error())
	}
}

var (
	// errNotFound is what a handler answers for a page that does not exist
	// or that the caller may not see: the same answer either way.
	errNotFound = counselling.Errorf(counselling.ENotFound,
		"We could not find that page. It may have been deleted, or you may not be allowed to see it.")
	errTooLarge = counselling.Errorf(counselling.ETooLarge,
		"What you sent was too long, so nothing was saved. Please shorten it and try again.")
	errMalformedForm = counselling.Errorf(counselling.EInvalid,
		"The form could not be read, so nothing was saved. Please try again.")
)

// parseForm reads a posted form within the body limit.
func parseForm(c echo.Context) (url.Values, error) {
	r := c.Request()
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errTooLarge
		}
		return nil, errMalformedForm
	}
	return r.PostForm, nil
}

// formOf builds the form to show again after a problem, with the submitted
// values (never passwords) made safe to print.
func formOf(values url.Values, err error, fields ...string) templates.Form {
	f := templates.Form{Values: map[string]string{}, Errors: counselling.ErrorFields(err)}
	for _, name := range fields {
		f.Values[name] = strings.ToValidUTF8(values.Get(name), "\uFFFD")
	}
	if msg := f.Errors["form"]; msg != "" {
		f.Message = msg
		f.Errors = without(f.Errors, "form")
	} else if len(f.Errors) == 0 && err != nil {
		f.Message = counselling.ErrorMessage(err)
	}
	return f
}

func without(m map[string]string, key string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
