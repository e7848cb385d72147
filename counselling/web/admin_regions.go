package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

func (s *Server) renderRegions(c echo.Context, status int, f templates.Form) error {
	office, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	regions, err := s.db.Regions(c.Request().Context(), office.ID)
	if err != nil {
		return err
	}
	d := templates.AdminRegionsData{Office: office, Installation: installation, Regions: regions, Form: f}
	if status == http.StatusOK && s.confirmation(c) == "list" {
		d.Message = "The list is saved."
	}
	return s.render(c, status, templates.AdminRegions(s.page(c, "Regions"), d))
}

func (s *Server) adminRegions(c echo.Context) error {
	return s.renderRegions(c, http.StatusOK, templates.Form{})
}

func (s *Server) addRegion(c echo.Context, caller counselling.Caller, _ int64, form map[string][]string) error {
	return s.db.AddRegion(c.Request().Context(), caller, first(form, "name"))
}

func (s *Server) renameRegion(c echo.Context, caller counselling.Caller, id int64, form map[string][]string) error {
	return s.db.RenameRegion(c.Request().Context(), caller, id, first(form, "name"))
}

func (s *Server) retireRegion(c echo.Context, caller counselling.Caller, id int64, _ map[string][]string) error {
	return s.db.RetireRegion(c.Request().Context(), caller, id)
}
