//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// surveys: the admin writes a question asked before a live chat and one
// asked after any contact, each in all four languages; a visitor answers the
// first as they start a chat as a guest; the counsellor accepts the chat and
// ends it; on the chat's page the guest sends the rating without a score
// (refused on the form itself, with the focus on its error summary), then
// rates the chat and answers the survey after it; the year report shows both
// questions' tables.
func surveys(t *testing.T, s *suite, parent context.Context, counsellor, admin *browser) {
	t.Helper()
	admin.visit("/admin/surveys", "admin-surveys")
	write := func(moment, kind, text, options string) {
		actions := []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("#moment-" + moment + "-choice")),
			chromedp.Click(chromedp.CSS("#kind-" + kind))}
		for _, lang := range []string{"en", "de", "da", "nl"} {
			actions = append(actions, chromedp.SetValue(chromedp.CSS("#text_"+lang), text+" ("+lang+")"))
			if options != "" {
				actions = append(actions, chromedp.SendKeys(chromedp.CSS("#options_"+lang), options))
			}
		}
		admin.do(actions...)
		admin.submit(chromedp.Click(chromedp.CSS(`form[action="/admin/surveys"] button[type="submit"]`)))
		admin.waitText("Undersøgelsen er gemt.") // the admin reads Danish
	}
	write("before-chat", "single", "How did you find us?", "School\nFriends\nOnline")
	write("after-contact", "scale", "How do you feel now?", "")
	admin.confirmed("survey-saved")
	admin.check("admin-surveys-saved")

	guest := s.newBrowser(parent, "guest", "en-GB,en;q=0.9")
	guest.visit("/live", "live-survey")
	guest.do(chromedp.SetValue(chromedp.CSS("#theme"), "family"),
		chromedp.Click(chromedp.CSS(`#live-start fieldset.survey-question input[value="2"]`)))
	guest.submit(chromedp.Click(chromedp.CSS(`#live-start button[type="submit"]:not([name])`)))
	guest.waitPath(`/live/[a-z2-7]{26}`)
	chat := lastID.FindStringSubmatch(guest.location())
	if chat == nil {
		t.Fatalf("the guest's chat did not start; at %s", guest.location())
	}
	counsellor.post("/live/"+chat[1]+"/accept", nil)
	counsellor.post("/live/"+chat[1]+"/end", nil)
	guest.waitFor("#chat-after:not([hidden])")
	guest.waitText("How was this conversation for you?")
	guest.check("guest-chat-ended")
	guest.refused("guest-rating", `#chat-after .rating button[type="submit"]`)
	guest.do(chromedp.Click(chromedp.CSS("#score-4")))
	guest.submit(chromedp.Click(chromedp.CSS(`.rating button[type="submit"]`)))
	guest.waitText("You rated this conversation 4 of 5")
	guest.check("guest-rated")
	guest.do(chromedp.Click(chromedp.CSS(`.survey fieldset.survey-question input[value="5"]`)))
	guest.submit(chromedp.Click(chromedp.CSS(`.survey button[type="submit"]`)))
	guest.waitText("Thank you for answering the survey.")
	guest.confirmed("guest-survey")
	guest.check("guest-survey-answered")

	admin.visit("/admin/statistics", "statistics-surveys")
	if page := admin.bodyText(); !strings.Contains(page, "Undersøgelse: How did you find us? (da)") || !strings.Contains(page, "Undersøgelse: How do you feel now? (da)") {
		t.Fatalf("the year report shows no survey tables:\n%s", page)
	}
}
