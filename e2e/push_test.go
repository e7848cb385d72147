//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pushSettings: a help-seeker's account page explains, before anything is
// turned on, what device notifications reveal to the browser maker's push
// service; with JavaScript it offers to turn them on for this device. The
// service worker registers for the whole office under the strict policy and
// carries the page's translated text in its address. (Subscribing itself
// would reach the browser maker's push service, another host, so the suite
// stops before it; delivery is tested against a local push service in
// counselling/web.)
func pushSettings(t *testing.T, s *suite, parent context.Context) {
	t.Helper()
	seeker := s.newBrowser(parent, "notified", "de-DE,de;q=0.9")
	seeker.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Leises Licht"),
		chromedp.SendKeys(chromedp.CSS("#password"), "eine Kerze im Fenster"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	seeker.waitPath("/threads")
	seeker.do(chromedp.Navigate(s.base+"/account"), chromedp.WaitVisible(chromedp.CSS("#push-on button")))
	page := seeker.bodyText()
	for _, want := range []string{"Benachrichtigungen auf diesem Gerät", "aber nicht, was darin steht oder wer sie geschickt hat",
		"Benachrichtigungen auf diesem Gerät einschalten"} {
		if !strings.Contains(page, want) {
			t.Errorf("the account page lacks %q", want)
		}
	}
	seeker.check("account-push")
	worker := run(seeker, chromedp.Evaluate[string](`navigator.serviceWorker.register('/push-worker.js?title=' +
		encodeURIComponent(document.querySelector('[data-push]').dataset.title), {scope: '/'})
		.then(() => navigator.serviceWorker.ready)
		.then(r => r.scope + ' ' + decodeURIComponent(r.active.scriptURL))`, chromedp.EvalAwaitPromise))
	if want := s.base + "/ " + s.base + "/push-worker.js?title=Etwas Neues wartet auf dich"; worker != want {
		t.Errorf("service worker %q, want %q", worker, want)
	}
}
