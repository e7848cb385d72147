//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// appointment: the counsellor publishes a slot starting two minutes ahead
// (an appointment opens from five minutes before its time, so it can be
// opened at once), a registered help-seeker books it from /live, both see
// the booking on their pages, and both open it into one chat with no queue
// in between.
func appointment(t *testing.T, s *suite, parent context.Context, counsellor *browser) {
	t.Helper()
	seeker := s.newBrowser(parent, "booker", "en-GB,en;q=0.9")
	seeker.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Quiet Booker"),
		chromedp.SendKeys(chromedp.CSS("#password"), "a time of my own"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	seeker.waitPath("/threads")

	counsellor.visit("/live/slots", "slots-empty")
	start := officeClock(t, time.Now().Add(2*time.Minute))
	counsellor.do(chromedp.SetValue(chromedp.CSS("#start"), start),
		chromedp.SetValue(chromedp.CSS("#minutes"), "30"),
		chromedp.SetValue(chromedp.CSS("#kind"), "chat"),
		chromedp.Click(chromedp.CSS(`form[action="/live/slots"] button[type="submit"]`)))
	counsellor.waitPath("/live/slots")
	counsellor.waitText("Vrij")
	counsellor.check("slots-published")

	seeker.visit("/live", "live-appointments")
	seeker.waitText("with Eva Berger")
	seeker.do(chromedp.Click(chromedp.CSS(`form[action$="/book"] button`)))
	seeker.waitPath("/live")
	seeker.waitText("Booked. You can open it here from 5 minutes before it begins.")
	seeker.check("live-booked")
	if !strings.Contains(seeker.bodyText(), "No appointments are free") {
		t.Fatal("the booked slot is still offered to book")
	}

	counsellor.visit("/live/slots", "slots-booked")
	counsellor.waitText("Geboekt door een hulpzoekende")

	seeker.do(chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)))
	seeker.waitPath("/live/[a-z2-7]{26}")
	chat := strings.TrimPrefix(seeker.location(), s.base)
	seeker.waitText("You are chatting with Eva Berger.")
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)))
	counsellor.waitPath(chat)
	counsellor.do(chromedp.WaitVisible(chromedp.CSS("#message")),
		chromedp.SendKeys(chromedp.CSS("#message"), "Welcome to our appointment."), chromedp.KeyEvent("\r"))
	seeker.waitText("Welcome to our appointment.")
	seeker.check("appointment-chat")
	seeker.do(chromedp.Click(chromedp.CSS(`form.chat-end button`)))
	counsellor.waitText("Deze chat is beëindigd.")
	// The help-seeker's tab is done: it leaves, so that it costs the later
	// steps nothing.
	seeker.do(chromedp.Navigate("about:blank"))
}
