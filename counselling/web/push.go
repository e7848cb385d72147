package web

import (
	"net/http"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// pushWorker serves the service worker that shows device notifications. It is
// served from the root, so that its scope may be the whole office, and with a
// policy that lets it load and fetch nothing: it shows a fixed text and never
// asks the office for content, whether the device is locked or not.
func (s *Server) pushWorker(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", s.assets.Body(pushWorkerFile))
}

// pushWorkerFile is the service worker's file in static/, and pushWorkerPath
// where it is served.
const (
	pushWorkerFile = "push-worker.js"
	pushWorkerPath = "/push-worker.js"
)

// subscribePush lets this device receive notifications: the page's script
// subscribed with the browser's push service and filled in the form.
func (s *Server) subscribePush(c echo.Context) error {
	if s.cfg.PushKey == "" {
		return errNotFound
	}
	form, err := parseForm(c)
	if err == nil {
		err = s.db.AddPushSubscription(c.Request().Context(), sessionOf(c).AccountID, counselling.PushSubscription{
			Endpoint: form.Get("endpoint"), P256dh: form.Get("p256dh"), Auth: form.Get("auth")})
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderAccount(c, errorStatus(err), templates.AccountData{PushError: counselling.ErrorMessage(err)})
	}
	return c.Redirect(http.StatusSeeOther, "/account?saved=push-on")
}

// unsubscribePush stops notifications to this device, named by the endpoint
// the page's script read from the browser.
func (s *Server) unsubscribePush(c echo.Context) error {
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	if _, err := s.db.RemovePushSubscription(c.Request().Context(), sessionOf(c).AccountID, form.Get("endpoint")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?saved=push-off")
}

// unsubscribePushEverywhere stops notifications to every device; it needs no
// script, so it works from any browser.
func (s *Server) unsubscribePushEverywhere(c echo.Context) error {
	if err := s.db.RemovePushSubscriptions(c.Request().Context(), sessionOf(c).AccountID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?saved=push-off-all")
}
