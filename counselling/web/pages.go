package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// page builds the frame every page shares.
func (s *Server) page(c echo.Context, title string) templates.Page {
	p := templates.Page{
		Title:        title,
		Lang:         langOf(c),
		SwitchPath:   switchPath(c),
		CSSURL:       s.assets.URL("app.css"),
		JSURL:        s.assets.URL("app.js"),
		QuickExitURL: s.cfg.QuickExitURL,
		MailEnabled:  s.cfg.MailEnabled,
	}
	p.EasyOffered, _ = c.Get(ctxEasyOffered).(bool)
	p.Easy = registerOf(c).Easy
	if sess := sessionOf(c); sess != nil {
		p.User = &templates.User{Staff: sess.Kind == counselling.KindStaff, Role: string(sess.Role), Guest: sess.Guest}
		if sess.Kind == counselling.KindSeeker && !sess.Guest && s.cfg.Relay != nil {
			p.GroupCalls = s.invitesFor(c.Request().Context(), sess.AccountID)
		}
		p.Reach = s.reachFrame(c, sess)
		p.NewFlags = s.newFlags(c, sess)
	}
	return p
}

func (s *Server) healthz(c echo.Context) error {
	if err := s.db.Ping(c.Request().Context()); err != nil {
		return counselling.Errorf(counselling.EUnavailable, "The database is not available.")
	}
	return c.String(http.StatusOK, "ok")
}

func (s *Server) serveStatic(c echo.Context) error {
	asset, ok := s.assets.ByURL(c.Request().URL.Path)
	if !ok {
		return errNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, asset.ContentType, asset.Body)
}

func (s *Server) defaultOffice(c echo.Context) (*counselling.Office, error) {
	return s.db.OfficeBySlug(c.Request().Context(), counselling.DefaultOfficeSlug)
}

func (s *Server) landing(c echo.Context) error {
	office, err := s.visitorOffice(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Landing(s.page(c, "Welcome"), office, "/register"))
}

// officeLanding is the start page of one office, at /o/{slug}.
func (s *Server) officeLanding(c echo.Context) error {
	office, err := s.db.OfficeBySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	c.Set(ctxOfficeURL, office.Slug)
	return s.render(c, http.StatusOK, templates.Landing(s.page(c, office.Name), office, "/register"))
}
