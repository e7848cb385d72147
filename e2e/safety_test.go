//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// safety: a help-seeker notes the recovery code shown once after
// registration; the warning before the session ends offers "I'm still here",
// which keeps the session; a long message sent after the session has ended
// is carried through the login page back into its form, not sent, and goes
// out only when sent again; a new password is set with the recovery code,
// and a new code is shown.
func safety(t *testing.T, s *suite, parent context.Context) {
	t.Helper()
	b := s.newBrowser(parent, "night-writer", "en-GB,en;q=0.9")
	b.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Night Writer"),
		chromedp.SendKeys(chromedp.CSS("#password"), "the lamp burns late"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	b.waitPath("/threads")
	b.check("recovery-code")
	code := strings.TrimSpace(b.text("#recovery-code"))
	if !regexp.MustCompile(`^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$`).MatchString(code) {
		t.Fatalf("the recovery code shown after registration is %q", code)
	}

	// The warning, shown as the page's script shows it before the end, and
	// "I'm still here".
	b.visit("/threads/new", "enquiry-form")
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('session-warning').hidden = false`))
	b.check("session-warning")
	b.do(chromedp.Click(chromedp.CSS("#session-warning button")))
	hidden := false
	for range 50 {
		if hidden = run(b, chromedp.Evaluate[bool](`document.getElementById('session-warning').hidden`)); hidden {
			break
		}
		b.do(chromedp.Sleep(100e6))
	}
	if !hidden {
		t.Fatal("I'm still here did not keep the session: the warning stayed")
	}

	// The session ends while the person writes: the browser's session token
	// no longer names a session, as after the idle time.
	text := "I have been writing this for a long time, and I do not want to lose it."
	b.do(chromedp.SetValue(chromedp.CSS("#theme"), "loneliness"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Late"),
		chromedp.SendKeys(chromedp.CSS("#body"), text),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "confidant",
				Value: "ended-session-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", URL: s.base, Path: "/"})
			return err
		}),
		chromedp.Submit(chromedp.CSS("#body")))
	b.waitText("You were logged out because nothing happened")
	b.check("login-carrying-text")
	b.do(chromedp.SendKeys(chromedp.CSS("#nickname"), "Night Writer"),
		chromedp.SendKeys(chromedp.CSS("#password"), "the lamp burns late"),
		chromedp.Submit(chromedp.CSS("#password")))
	b.waitText("Your text is back in the form")
	b.check("enquiry-restored")
	if got := run(b, chromedp.Evaluate[string](`document.getElementById('body').value`)); got != text {
		t.Fatalf("after the login the form holds %q", got)
	}
	if got := run(b, chromedp.Evaluate[string](`document.getElementById('subject').value + ' ' + document.getElementById('theme').value`)); got != "Late loneliness" {
		t.Fatalf("after the login subject and theme are %q", got)
	}
	list := run(b, chromedp.Evaluate[string](`fetch('/threads').then(r => r.text())`, chromedp.EvalAwaitPromise))
	if !strings.Contains(list, "My messages") || strings.Contains(list, "Late") {
		t.Fatal("the carried enquiry was sent before the person sent it")
	}
	b.do(chromedp.Submit(chromedp.CSS("#body")))
	b.waitPath("/threads/[a-z2-7]{26}")
	b.waitText(text)

	// A new password with the recovery code, from another device.
	r := s.newBrowser(parent, "recoverer", "en-GB,en;q=0.9")
	r.visit("/login", "login-with-recovery-link")
	r.do(chromedp.Click(chromedp.CSS(`a[href="/recover"]`)))
	r.waitPath("/recover")
	r.check("recover")
	r.do(chromedp.SendKeys(chromedp.CSS("#nickname"), "Night Writer"),
		chromedp.SendKeys(chromedp.CSS("#recovery_code"), strings.ToLower(code)),
		chromedp.SendKeys(chromedp.CSS("#new_password"), "a new lamp for the night"),
		chromedp.Submit(chromedp.CSS("#new_password")))
	r.waitPath("/threads")
	next := strings.TrimSpace(r.text("#recovery-code"))
	if next == code || len(next) != len(code) {
		t.Fatalf("after the recovery the code shown is %q (the old one was %q)", next, code)
	}
	r.check("recovered")

	// A supervisor's page of help-seekers' accounts: blocks, and deletion at
	// a person's request.
	out, err := exec.Command(s.binary, "staff", "add", "--role", "supervisor", "--name", "Sara Lind", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	sup := s.newBrowser(parent, "supervisor", "en-GB,en;q=0.9")
	sup.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "supervising with care")
	sup.do(chromedp.Click(chromedp.CSS(`a[href="/inbox/accounts"]`)))
	sup.waitPath("/inbox/accounts")
	sup.check("seeker-accounts")
}
