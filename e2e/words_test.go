//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// easyBack is the link back from a page in Leichte Sprache: every page in
// easy language has it at its foot.
const easyBack = "Zurück zur Alltags-Sprache"

// easyLanguage: the admin offers the help-seeker pages in easy language; a
// German visitor follows the link at the bottom of the start page, reads the
// start, registration, live-chat, login and help pages in Leichte Sprache
// (the choice travelling in the links, as a visitor has no cookie), opens an
// account there and keeps easy language with it on their messages, a new
// message, its page, the live-chat page and their account, then goes back
// to standard language. The admin then chooses "Sie" for German, and a
// German visitor is addressed so, until the admin chooses "du" again.
func easyLanguage(t *testing.T, s *suite, parent context.Context, admin *browser) {
	t.Helper()
	admin.visit("/admin/settings", "admin-settings-speech")
	admin.do(chromedp.Click(chromedp.CSS("#easy_language")), chromedp.Submit(chromedp.CSS("#easy_language")))
	admin.waitPath(`/admin/settings\?done=language`)
	reader := s.newBrowser(parent, "easy", "de-DE,de;q=0.9")
	reader.visit("/", "landing-offers-easy")
	reader.do(chromedp.Click(chromedp.CSS(`p.easy-language a`)))
	reader.waitText(easyBack)
	reader.check("easy-landing")
	if page := reader.bodyText(); !strings.Contains(page, "Niemand weiß, wer du bist") || !strings.Contains(page, "Du kannst uns schreiben.") {
		t.Fatalf("the start page is not in Leichte Sprache:\n%s", page)
	}
	for _, page := range []string{"login", "live", "help"} {
		reader.do(chromedp.Navigate(s.base + "/" + page + "?easy=1"))
		reader.waitText(easyBack)
		reader.check("easy-" + page)
	}
	// Registration from the start page's button, in easy language; the
	// account keeps the choice, so the pages after it need no ?easy=1.
	reader.do(chromedp.Navigate(s.base+"/?easy=1"), chromedp.WaitReady(chromedp.CSS("body")))
	reader.do(chromedp.Click(chromedp.CSS(`main a.button`)))
	reader.waitPath(`/register\?easy=1`)
	reader.waitText(easyBack)
	reader.check("easy-register")
	reader.do(chromedp.SendKeys(chromedp.CSS("#nickname"), "Leise Lerche"),
		chromedp.SendKeys(chromedp.CSS("#password"), "einfach gesagt ist gut"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	reader.waitPath(`/threads(\?easy=1)?`)
	reader.waitText(easyBack)
	reader.check("easy-threads")
	reader.visit("/threads/new", "easy-new-thread")
	if !strings.Contains(reader.bodyText(), easyBack) {
		t.Fatal("the help-seeker's new-message page is not in easy language: the account did not keep the choice")
	}
	reader.do(chromedp.SetValue(chromedp.CSS("#theme"), "loneliness"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Allein"),
		chromedp.SendKeys(chromedp.CSS("#body"), "Ich bin oft allein."),
		chromedp.Submit(chromedp.CSS("#body")))
	reader.waitPath("/threads/[a-z2-7]{26}")
	reader.waitText(easyBack)
	reader.check("easy-thread")
	for _, page := range []string{"live", "account"} {
		reader.visit("/"+page, "easy-seeker-"+page)
		if !strings.Contains(reader.bodyText(), easyBack) {
			t.Fatalf("the help-seeker's page /%s is not in easy language", page)
		}
	}
	reader.do(chromedp.Click(chromedp.CSS(`p.easy-language a`)))
	reader.waitText("Leichte Sprache")
	if strings.Contains(reader.bodyText(), easyBack) {
		t.Fatal("the link back does not end easy language")
	}

	// Formal German: the office chooses "Sie", and a German visitor reads it.
	admin.visit("/admin/settings", "admin-settings-sie")
	admin.do(chromedp.Click(chromedp.CSS("#german_address_sie")), chromedp.Submit(chromedp.CSS("#german_address_sie")))
	admin.waitPath(`/admin/settings\?done=language`)
	formal := s.newBrowser(parent, "formal", "de-DE,de;q=0.9")
	formal.visit("/", "formal-landing")
	if page := formal.bodyText(); !strings.Contains(page, "Sind Sie gerade in Gefahr?") {
		t.Fatalf("the start page of an office that chose Sie does not say Sie:\n%s", page)
	}
	formal.visit("/register", "formal-register")
	admin.visit("/admin/settings", "admin-settings-du")
	admin.do(chromedp.Click(chromedp.CSS("#german_address_du")), chromedp.Submit(chromedp.CSS("#german_address_du")))
	admin.waitPath(`/admin/settings\?done=language`)
}
