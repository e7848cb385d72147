//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling"

	"github.com/chromedp/chromedp"
)

// officeClock writes a moment as the office's forms take it: on the clock
// of its time zone, which the suite's office leaves at its default.
func officeClock(t *testing.T, at time.Time) string {
	t.Helper()
	loc, err := time.LoadLocation(counselling.DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return at.In(loc).Format(counselling.SlotStartLayout)
}

// videoAppointment: a counsellor in Berlin publishes a video slot on their
// own clock, two minutes ahead, and both sides read that time with the
// office's zone; the calendar file holds the same moment in UTC. A
// help-seeker books it and opens it, and their page says the call starts as
// soon as the counsellor is here; the counsellor opens it, and the call
// connects on both sides with nobody offering or accepting it; the chat
// still carries text beside it. The help-seeker hangs up and ends the chat.
func videoAppointment(t *testing.T, s *suite, parent context.Context) {
	t.Helper()
	out, err := exec.Command(s.binary, "staff", "add", "--role", "counsellor", "--name", "Lea Sommer", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	counsellor := s.newBrowser(parent, "video-counsellor", "de-DE,de;q=0.9")
	counsellor.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "seeing people at their time")

	counsellor.visit("/live/slots", "slots-office-time")
	if !strings.Contains(counsellor.bodyText(), "Europe/Berlin") {
		t.Fatal("the slot form does not name the office's time zone")
	}
	now := time.Now()
	typed := officeClock(t, now.Add(2*time.Minute))
	counsellor.do(chromedp.SetValue(chromedp.CSS("#start"), typed),
		chromedp.SetValue(chromedp.CSS("#minutes"), "30"),
		chromedp.SetValue(chromedp.CSS("#kind"), "video"),
		chromedp.Click(chromedp.CSS(`form[action="/live/slots"] button[type="submit"]`)))
	counsellor.waitPath("/live/slots")
	shown := strings.Replace(typed, "T", " ", 1) + " (Europe/Berlin)"
	counsellor.waitText(shown)
	counsellor.check("slots-video-published")

	seeker := s.newBrowser(parent, "video-booker", "en-GB,en;q=0.9")
	seeker.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Seen Sparrow"),
		chromedp.SendKeys(chromedp.CSS("#password"), "a face to talk to"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	seeker.waitPath("/threads")
	seeker.visit("/live", "live-video-slot")
	seeker.waitText("with Lea Sommer")
	if !strings.Contains(seeker.bodyText(), shown) {
		t.Fatalf("the help-seeker does not read the slot at %s", shown)
	}
	seeker.do(chromedp.Click(chromedp.CSS(`form[action$="/book"] button`)))
	seeker.waitPath("/live")
	seeker.waitText("It opens straight into the video call, with your camera and microphone.")
	seeker.check("live-video-booked")

	counsellor.visit("/live/slots", "slots-video-booked")
	slot := run(counsellor, chromedp.Evaluate[string](`document.querySelector('[data-slot][data-status="booked"]').dataset.slot`))
	ics := run(counsellor, chromedp.Evaluate[string](`fetch('/live/slots/`+slot+`/calendar.ics').then(r => r.text())`, chromedp.EvalAwaitPromise))
	loc, _ := time.LoadLocation(counselling.DefaultTimeZone)
	start, _ := time.ParseInLocation(counselling.SlotStartLayout, typed, loc)
	if want := "DTSTART:" + start.UTC().Format("20060102T150405Z"); !strings.Contains(ics, want) {
		t.Fatalf("the calendar file does not hold %s:\n%s", want, ics)
	}

	seeker.do(chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)))
	seeker.waitPath("/live/[a-z2-7]{26}")
	chat := strings.TrimPrefix(seeker.location(), s.base)
	seeker.waitText("The call starts as soon as the other person is here.")
	seeker.check("video-appointment-waiting")
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)))
	counsellor.waitPath(chat)
	seeker.waitText("The call is connected.")
	counsellor.waitText("Der Anruf ist verbunden.")
	for _, b := range []*browser{counsellor, seeker} {
		if hidden := run(b, chromedp.Evaluate[bool](`document.getElementById('call-media').hidden`)); hidden {
			t.Fatalf("%s's page shows no call", b.name)
		}
	}
	seeker.check("video-appointment-call")
	counsellor.check("video-appointment-call-counsellor")
	counsellor.do(chromedp.SendKeys(chromedp.CSS("#message"), "Can you hear me? Here is the chat, too."), chromedp.KeyEvent("\r"))
	seeker.waitText("Here is the chat, too.")
	seeker.do(chromedp.Click(chromedp.CSS("#call-hangup")))
	counsellor.waitText("Der Anruf ist beendet.")
	seeker.do(chromedp.Click(chromedp.CSS(`form.chat-end button`)))
	counsellor.waitText("Dieser Chat ist beendet.")
	for _, b := range []*browser{counsellor, seeker} {
		b.do(chromedp.Navigate("about:blank"))
	}
}
