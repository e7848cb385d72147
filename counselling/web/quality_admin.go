package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

var qualityFields = []string{"window", "threshold", "sample"}

func (s *Server) renderQualityAdmin(c echo.Context, status int, d templates.AdminQualityData) error {
	_, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	d.Installation = installation
	if d.Form.Values == nil {
		q, err := s.db.QualitySettings(c.Request().Context(), s.callerOf(c))
		if err != nil {
			return err
		}
		d.Form.Values = map[string]string{"window": strconv.Itoa(q.Window), "threshold": strconv.Itoa(q.ThresholdPercent),
			"sample": strconv.Itoa(q.Sample)}
	}
	return s.render(c, status, templates.AdminQuality(s.page(c, "Quality"), d))
}

func (s *Server) adminQuality(c echo.Context) error {
	msg := map[string]string{"sampling": "The sampling rule is saved."}[c.QueryParam("done")]
	return s.renderQualityAdmin(c, http.StatusOK, templates.AdminQualityData{Message: msg})
}

func (s *Server) saveQuality(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		var q counselling.QualitySettings
		if q, err = counselling.ParseQualitySettings(form.Get("window"), form.Get("threshold"), form.Get("sample")); err == nil {
			err = s.db.SaveQualitySettings(c.Request().Context(), s.callerOf(c), q)
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderQualityAdmin(c, errorStatus(err), templates.AdminQualityData{Form: formOf(form, err, qualityFields...)})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/quality?done=sampling")
}
