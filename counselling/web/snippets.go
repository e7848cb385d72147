package web

import (
	"net/http"
	"net/url"
	"unicode/utf8"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// snippets is the page where a counsellor keeps their own snippets, or an
// admin (admin true) the office's.
func (s *Server) snippets(admin bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		msg := ""
		switch c.QueryParam("done") {
		case "added":
			msg = "The snippet was added."
		case "deleted":
			msg = "The snippet was deleted."
		}
		f := templates.Form{Values: map[string]string{"lang": langOf(c)}}
		return s.renderSnippets(c, http.StatusOK, admin, templates.SnippetsData{Form: f, Message: msg})
	}
}

func (s *Server) renderSnippets(c echo.Context, status int, admin bool, d templates.SnippetsData) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	d.Admin = admin
	title := "My snippets"
	if admin {
		_, installation, err := s.adminContext(c)
		if err != nil {
			return err
		}
		d.Installation = installation
		title = "Snippets of the office"
	}
	var err error
	if d.Kept, err = s.db.KeptSnippets(ctx, caller); err != nil {
		return err
	}
	if !admin {
		usable, err := s.db.InsertableSnippets(ctx, caller, langOf(c))
		if err != nil {
			return err
		}
		for _, sn := range usable {
			if sn.OfficeWide {
				d.Shared = append(d.Shared, sn)
			}
		}
	}
	return s.render(c, status, templates.Snippets(s.page(c, title), d))
}

// addSnippet stores a snippet from the form; a problem shows the form again
// with what was typed and the reason, and nothing is stored.
func (s *Server) addSnippet(admin bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := parseForm(c)
		if err == nil {
			err = s.db.AddSnippet(c.Request().Context(), s.callerOf(c), counselling.Snippet{
				Title: form.Get("title"), Body: form.Get("body"), Lang: form.Get("lang")})
		}
		if err != nil {
			if !showsForm(err) {
				return err
			}
			return s.renderSnippets(c, errorStatus(err), admin, templates.SnippetsData{Form: formOf(form, err, "title", "body", "lang")})
		}
		return c.Redirect(http.StatusSeeOther, snippetsPath(admin)+"?done=added")
	}
}

func (s *Server) deleteSnippet(admin bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.db.DeleteSnippet(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, snippetsPath(admin)+"?done=deleted")
	}
}

func snippetsPath(admin bool) string {
	if admin {
		return "/admin/snippets"
	}
	return "/inbox/snippets"
}

// staffReplyForm takes the reply form: "Insert snippet" (without JavaScript)
// shows the form again with the snippet inserted; the other buttons send or
// save the reply.
func (s *Server) staffReplyForm(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil && form.Get("action") == "snippet" {
		return s.insertSnippet(c, form)
	}
	return s.threadAction(s.staffReply)(c)
}

// insertSnippet puts the chosen snippet after what the counsellor typed and
// shows the form again, nothing sent or saved; a snippet that is gone, or a
// reply that would grow too long, leaves the text as it was, with the reason.
func (s *Server) insertSnippet(c echo.Context, form url.Values) error {
	id := c.Param("id")
	body := form.Get("body")
	sn, err := s.db.InsertableSnippet(c.Request().Context(), s.callerOf(c), form.Get("snippet"))
	if counselling.ErrorCode(err) == counselling.ENotFound {
		err = counselling.FieldError("snippet", "Please choose a snippet from the list.")
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderStaffThreadSaying(c, errorStatus(err), id, formOf(form, err, "body"), "")
	}
	text := counselling.InsertSnippet(body, sn.Body)
	if utf8.RuneCountInString(text) > counselling.BodyMaxRunes {
		err := counselling.FieldError("body", "With the snippet your reply would be too long. Please shorten it first.")
		return s.renderStaffThreadSaying(c, errorStatus(err), id, formOf(form, err, "body"), "")
	}
	f := templates.Form{Values: map[string]string{"body": text, "snippet": sn.ID}}
	return s.renderStaffThreadSaying(c, http.StatusOK, id, f, "The snippet is at the end of your reply. Nothing is sent yet.")
}
