package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

func (s *Server) renderThemes(c echo.Context, status int, f templates.Form) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	themes, err := s.db.AllThemes(c.Request().Context(), office.ID)
	if err != nil {
		return err
	}
	d := templates.AdminThemesData{Office: office, Installation: installation, Themes: themes, Form: f}
	if status == http.StatusOK && s.confirmation(c) == "list" {
		d.Message = "The list is saved."
	}
	return s.render(c, status, templates.AdminThemes(s.page(c, "Themes"), d))
}

func (s *Server) adminThemes(c echo.Context) error {
	return s.renderThemes(c, http.StatusOK, templates.Form{})
}

// listAction runs an admin change to one of the lists an office keeps (themes,
// regions) from a posted form: the list's page at path when it is done, the
// list's page with the form and its reason when it is refused.
func (s *Server) listAction(path string, render func(c echo.Context, status int, f templates.Form) error,
	act func(c echo.Context, caller counselling.Caller, id int64, form map[string][]string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := parseForm(c)
		if err == nil {
			var id int64
			if p := c.Param("id"); p != "" {
				if id, err = strconv.ParseInt(p, 10, 64); err != nil {
					return errNotFound
				}
			}
			err = act(c, s.callerOf(c), id, form)
		}
		if err != nil {
			if !showsForm(err) {
				return err
			}
			return render(c, errorStatus(err), formOf(form, err, "name"))
		}
		return c.Redirect(http.StatusSeeOther, s.confirm(c, path, "list"))
	}
}

func (s *Server) addTheme(c echo.Context, caller counselling.Caller, _ int64, form map[string][]string) error {
	return s.db.AddTheme(c.Request().Context(), caller, first(form, "name"))
}

func (s *Server) renameTheme(c echo.Context, caller counselling.Caller, id int64, form map[string][]string) error {
	return s.db.RenameTheme(c.Request().Context(), caller, id, first(form, "name"))
}

func (s *Server) retireTheme(c echo.Context, caller counselling.Caller, id int64, _ map[string][]string) error {
	return s.db.RetireTheme(c.Request().Context(), caller, id)
}
