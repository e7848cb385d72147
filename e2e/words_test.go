//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// easyLanguage: the admin offers the help-seeker pages in easy language; a
// German visitor follows the link at the bottom of the start page, reads the
// start, registration, live-chat and login pages in Leichte Sprache (the
// choice travelling in the links, as a visitor has no cookie), and goes back
// to standard language.
func easyLanguage(t *testing.T, s *suite, parent context.Context, admin *browser) {
	t.Helper()
	admin.visit("/admin/settings", "admin-settings-speech")
	admin.do(chromedp.Click(chromedp.CSS("#easy_language")), chromedp.Submit(chromedp.CSS("#easy_language")))
	admin.waitPath(`/admin/settings\?done=language`)
	reader := s.newBrowser(parent, "easy", "de-DE,de;q=0.9")
	reader.visit("/", "landing-offers-easy")
	reader.do(chromedp.Click(chromedp.CSS(`p.easy-language a`)))
	reader.waitText("Zurück zur Alltags-Sprache")
	reader.check("easy-landing")
	if page := reader.bodyText(); !strings.Contains(page, "Niemand weiß, wer du bist") || !strings.Contains(page, "Du kannst uns schreiben.") {
		t.Fatalf("the start page is not in Leichte Sprache:\n%s", page)
	}
	reader.do(chromedp.Click(chromedp.CSS(`main a.button`)))
	reader.waitPath(`/register\?easy=1`)
	reader.waitText("Zurück zur Alltags-Sprache")
	reader.check("easy-register")
	for _, page := range []string{"login", "live"} {
		reader.do(chromedp.Navigate(s.base + "/" + page + "?easy=1"))
		reader.waitText("Zurück zur Alltags-Sprache")
		reader.check("easy-" + page)
	}
	reader.do(chromedp.Click(chromedp.CSS(`p.easy-language a`)))
	reader.waitText("Leichte Sprache")
	if strings.Contains(reader.bodyText(), "Zurück zur Alltags-Sprache") {
		t.Fatal("the link back does not end easy language")
	}
}
