package web

import (
	"net/http"
	"strings"

	"confidant/counselling/redact"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// fragment shows a supervisor a thread as a training fragment: who wrote
// is reduced to the role, and names, dates, times, ages, places and contact
// details are replaced by placeholders.
func (s *Server) fragment(c echo.Context) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	if !caller.Supervises() {
		return errNotFound
	}
	id := c.Param("id")
	t, err := s.thread(c, caller, id)
	if err != nil {
		return err
	}
	nickname, region, err := s.db.SeekerIdentity(ctx, caller, id)
	if err != nil {
		return err
	}
	names := []string{nickname, t.Counsellor}
	for _, m := range t.Messages {
		names = append(names, m.Author)
	}
	for _, n := range t.Notes {
		names = append(names, n.Author)
	}
	var texts []string
	for _, m := range t.Messages {
		texts = append(texts, m.Body)
	}
	rd := redact.New(texts, names, []string{region})
	var parts []templates.FragmentPart
	for _, m := range t.Messages {
		role := "Counsellor"
		if m.FromSeeker {
			role = "Help-seeker"
		}
		parts = append(parts, templates.FragmentPart{Role: role, Text: rd.Redact(m.Body)})
	}
	if c.QueryParam("download") == "1" {
		tctx := templates.WithLanguage(ctx, langOf(c))
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(templates.T(tctx, p.Role) + ":\n" + templates.Redacted(tctx, p.Text) + "\n\n")
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="training-fragment.txt"`)
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
	}
	return s.render(c, http.StatusOK, templates.Fragment(s.page(c, "Training fragment"), id, parts))
}
