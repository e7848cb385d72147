//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// callback: a help-seeker whose enquiry the counsellor took asks them to
// call back, allows counsellors to contact them again, and waits on their
// own pages; the counsellor calls back from the call-back queue beside the
// live queue, the help-seeker's page rings, they accept, and the chat opens
// between the two, bypassing the queue.
func callback(t *testing.T, s *suite, parent context.Context, counsellor *browser) {
	t.Helper()
	caller := s.newBrowser(parent, "caller", "en-GB,en;q=0.9")
	caller.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Hopeful Wren"),
		chromedp.SendKeys(chromedp.CSS("#password"), "the morning comes again"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	caller.waitPath("/threads")
	caller.do(chromedp.Navigate(s.base+"/threads/new"), chromedp.WaitReady(chromedp.CSS("#body")),
		chromedp.SetValue(chromedp.CSS("#theme"), "family"),
		chromedp.SetValue(chromedp.CSS("#body"), "Could we talk when you have time?"),
		chromedp.Submit(chromedp.CSS("#body")))
	caller.waitPath("/threads/[a-z2-7]{26}")
	threadID := caller.location()[strings.LastIndex(caller.location(), "/")+1:]
	counsellor.do(chromedp.Navigate(s.base+"/inbox"), chromedp.WaitReady(chromedp.CSS("body")),
		chromedp.Click(chromedp.CSS(`form[action="/inbox/`+threadID+`/take"] button`)))
	counsellor.waitPath("/inbox/" + threadID)

	caller.visit("/live", "live-registered")
	caller.do(chromedp.Click(chromedp.CSS(`a[href="/live/callback"]`)))
	caller.waitPath("/live/callback")
	caller.check("callback-form")
	caller.do(chromedp.Click(chromedp.CSS("#kind-chat")), chromedp.Submit(chromedp.CSS("#counsellor")))
	caller.waitText("Your request is sent.")
	caller.check("callback-requested")
	caller.visit("/account", "account-contact")
	caller.do(chromedp.Click(chromedp.CSS(`form[action="/account/contact"] button`)))
	caller.waitText("You allowed this on")
	caller.check("account-contact-allowed")
	// The help-seeker is online while a page of theirs is open.
	caller.visit("/threads", "threads-waiting-for-callback")

	counsellor.visit("/live/queue", "live-queue-callback")
	counsellor.waitText("Hopeful Wren")
	// The help-seeker's page may still be connecting its socket: until it
	// is, the counsellor is told the help-seeker is not online.
	rung := false
	for try := 0; try < 10 && !rung; try++ {
		counsellor.do(chromedp.Click(chromedp.CSS(`form[action^="/live/callbacks/"] button`)))
		switch shown(counsellor, "Hopeful Wren wordt gebeld", "niet online") {
		case "niet online":
			time.Sleep(500 * time.Millisecond)
		case "Hopeful Wren wordt gebeld":
			rung = true
		default:
			t.Fatalf("calling back shows neither ringing nor offline; at %s", counsellor.location())
		}
	}
	if !rung {
		t.Fatal("the help-seeker's open page never counted as online")
	}
	counsellor.check("live-queue-ringing")

	caller.do(chromedp.WaitVisible(chromedp.CSS("#ring")))
	caller.waitText("Your counsellor is calling you back for a chat.")
	if focused := run(caller, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.textContent.trim() : ''`)); focused != "Accept" {
		t.Errorf("the ring puts the focus on %q, not on Accept", focused)
	}
	caller.check("ring")
	caller.do(chromedp.Click(chromedp.CSS("#ring-accept button")))
	caller.waitPath("/live/[a-z2-7]{26}")
	counsellor.waitPath("/live/[a-z2-7]{26}")
	if caller.location() != counsellor.location() {
		t.Fatalf("the help-seeker is at %s, the counsellor at %s", caller.location(), counsellor.location())
	}
	caller.waitText("You are chatting with Eva Berger.")
	caller.do(chromedp.SendKeys(chromedp.CSS("#message"), "Thank you for calling back."), chromedp.KeyEvent("\r"))
	counsellor.waitText("Thank you for calling back.")
	caller.check("callback-chat")
	caller.do(chromedp.Click(chromedp.CSS(`form.chat-end button`)))
	counsellor.waitText("Deze chat is beëindigd.")
}

// shown waits (at most 15 s) until the page, fully loaded, shows one of the
// texts, and returns it ("" if none).
func shown(b *browser, texts ...string) string {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === 'complete' && document.body ? document.body.innerText : ''`))
		cancel()
		for _, text := range texts {
			if err == nil && strings.Contains(got, text) {
				return text
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return ""
}
