//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling/twofactor"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// deskBox is where the reply box and the conversation stand on the screen.
type deskBox struct {
	Top, Bottom, Screen float64
	ConversationBottom  float64
	Left, ConvLeft      float64
}

// desk: the counsellor's working day at the desk: the conversation page's
// layout, snippets, a supervisor reassigning a conversation, and a second
// admin approving a new admin.
func desk(t *testing.T, s *suite, parent context.Context, counsellor, admin *browser) {
	t.Helper()
	threadID := deskLayout(t, s, parent, counsellor)
	deskSnippets(t, s, counsellor, admin, threadID)
	deskAssignments(t, s, parent, threadID)
	deskSecondAdmin(t, s, parent, admin)
}

// deskLayout: a help-seeker writes a long enquiry and the counsellor takes it.
// At 1280 px the counsellor's reply box is on the first screen beside the long
// conversation; at 360 px the page is one column, the reply box below the
// conversation; one skip link puts the keyboard in the reply box.
func deskLayout(t *testing.T, s *suite, parent context.Context, counsellor *browser) string {
	t.Helper()
	writer := s.newBrowser(parent, "writer", "en-GB,en;q=0.9")
	writer.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Quiet Heron"),
		chromedp.SendKeys(chromedp.CSS("#password"), "the river is wide today"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	writer.waitPath("/threads")
	var long []string
	for i := 0; i < 14; i++ {
		long = append(long, "Every evening the same worry comes back and I cannot put it down.")
	}
	writer.do(chromedp.Navigate(s.base+"/threads/new"), chromedp.WaitReady(chromedp.CSS("#body")),
		chromedp.SetValue(chromedp.CSS("#theme"), "family"),
		chromedp.SetValue(chromedp.CSS("#body"), strings.Join(long, "\n\n")),
		chromedp.Submit(chromedp.CSS("#body")))
	writer.waitPath("/threads/[a-z2-7]{26}")
	threadID := writer.location()[strings.LastIndex(writer.location(), "/")+1:]

	counsellor.do(chromedp.Navigate(s.base+"/inbox"), chromedp.WaitReady(chromedp.CSS("body")),
		chromedp.Click(chromedp.CSS(`form[action="/inbox/`+threadID+`/take"] button`)))
	counsellor.waitPath("/inbox/" + threadID)
	counsellor.check("desk")

	counsellor.do(chromedp.EmulateViewport(1280, 800), chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("#body")))
	const measure = `(() => {
		const r = document.querySelector('#body').getBoundingClientRect();
		const c = document.querySelector('.desk-conversation').getBoundingClientRect();
		return {Top: r.top, Bottom: r.bottom, Screen: window.innerHeight, ConversationBottom: c.bottom, Left: r.left, ConvLeft: c.left};
	})()`
	box := run(counsellor, chromedp.Evaluate[deskBox](measure))
	if box.Top < 0 || box.Bottom > box.Screen {
		t.Errorf("at 1280 px the reply box is at %.0f–%.0f px, not within the first screen of %.0f px", box.Top, box.Bottom, box.Screen)
	}
	if box.ConversationBottom <= box.Screen {
		t.Errorf("the long conversation ends at %.0f px: too short to show that the reply box stands beside it", box.ConversationBottom)
	}
	counsellor.do(chromedp.EmulateViewport(360, 740), chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("#body")))
	box = run(counsellor, chromedp.Evaluate[deskBox](measure))
	if box.Top < box.ConversationBottom || box.Left-box.ConvLeft > 30 {
		t.Errorf("at 360 px the reply box (top %.0f, left %.0f) is not below the conversation (bottom %.0f, left %.0f)", box.Top, box.Left, box.ConversationBottom, box.ConvLeft)
	}

	// The first Tab reaches the skip link; Enter puts the caret in the reply box.
	counsellor.do(chromedp.EmulateViewport(1280, 800), chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("#body")),
		chromedp.KeyEvent("\t"))
	if got := run(counsellor, chromedp.Evaluate[string](`document.activeElement.textContent.trim()`)); got != "Naar het antwoordveld" {
		t.Errorf("the first Tab reaches %q, not the skip link to the reply form", got)
	}
	counsellor.do(chromedp.KeyEvent("\r"))
	if got := run(counsellor, chromedp.Evaluate[string](`document.activeElement.id`)); got != "body" {
		t.Errorf("the skip link leads the keyboard to %q, not the reply box", got)
	}
	return threadID
}

// scripts switches the page's own scripts off or on again, as a browser with
// JavaScript disabled runs none.
func scripts(b *browser, on bool) {
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

// domHTML is the markup of the first element matching selector, read through
// the DOM domain (no script runs in the page for it); "" when there is none.
func domHTML(b *browser, selector string) string {
	html := ""
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		doc, err := cdp.Call(ctx, t, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil || doc.Root == nil {
			return err
		}
		n, err := cdp.Call(ctx, t, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: selector})
		if err != nil || n.NodeID == 0 {
			return nil
		}
		out, err := cdp.Call(ctx, t, dom.GetOuterHTML, dom.GetOuterHTMLParams{NodeID: n.NodeID})
		if err != nil {
			return nil // the page changed under the query: asked again
		}
		html = out.OuterHTML
		return nil
	}))
	return html
}

// domHas waits (at most 15 s) until the element's markup holds text.
func domHas(b *browser, selector, text string) bool {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(domHTML(b, selector), text) {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

// deskSnippets: the counsellor keeps a snippet of their own, the admin one
// for the office in the counsellor's language (Dutch). With JavaScript off,
// the counsellor types a reply, picks the office's snippet and presses
// "Insert snippet": the page comes back with the snippet after the text
// typed, nothing sent. With JavaScript on, their own snippet goes in at the
// cursor without the page reloading.
func deskSnippets(t *testing.T, s *suite, counsellor, admin *browser, threadID string) {
	t.Helper()
	counsellor.visit("/inbox/snippets", "snippets")
	counsellor.do(chromedp.SendKeys(chromedp.CSS("#title"), "Begroeting"),
		chromedp.SetValue(chromedp.CSS("#body"), "Fijn dat je schrijft. "),
		chromedp.Submit(chromedp.CSS("#title")))
	counsellor.waitPath(`/inbox/snippets\?done=added`)
	counsellor.check("snippets-added")
	admin.visit("/admin/snippets", "admin-snippets")
	admin.do(chromedp.SendKeys(chromedp.CSS("#title"), "Antwoordtijd"), chromedp.SetValue(chromedp.CSS("#lang"), "nl"),
		chromedp.SetValue(chromedp.CSS("#body"), "We antwoorden binnen twee werkdagen."),
		chromedp.Submit(chromedp.CSS("#title")))
	admin.waitPath(`/admin/snippets\?done=added`)
	admin.check("admin-snippets-added")

	const pick = `(title => { const s = document.querySelector('#snippet');
		s.value = [...s.options].find(o => o.textContent.includes(title)).value; return s.value; })`
	scripts(counsellor, false)
	counsellor.do(chromedp.Navigate(s.base+"/inbox/"+threadID), chromedp.WaitReady(chromedp.CSS("#body")),
		chromedp.SendKeys(chromedp.CSS("#body"), "Hallo,\nik heb je bericht gelezen."))
	run(counsellor, chromedp.Evaluate[string](pick+`('Antwoordtijd')`))
	// The button is pressed as a person would, and the form goes with it; a
	// click action would wait for its node on a page that is gone.
	run(counsellor, chromedp.Evaluate[bool](`document.querySelector('#snippet-insert').click(); true`))
	// The page that comes back runs no script, so it is read through the DOM
	// domain, which needs none.
	if !domHas(counsellor, "main", "Het tekstblok staat aan het eind van je antwoord.") {
		t.Fatal("without JavaScript, inserting a snippet does not bring the form back saying so")
	}
	want := "Hallo,\nik heb je bericht gelezen.\n\nWe antwoorden binnen twee werkdagen.</textarea>"
	if !domHas(counsellor, "textarea#body", want) {
		t.Errorf("without JavaScript the reply does not hold the text typed and the snippet after it: %s", domHTML(counsellor, "textarea#body"))
	}
	scripts(counsellor, true)

	counsellor.do(chromedp.Navigate(s.base+"/inbox/"+threadID), chromedp.WaitReady(chromedp.CSS("#snippet-insert")),
		chromedp.SendKeys(chromedp.CSS("#body"), "tot snel."))
	run(counsellor, chromedp.Evaluate[string](`(() => { const a = document.querySelector('#body'); a.setSelectionRange(0, 0); return a.value; })()`))
	run(counsellor, chromedp.Evaluate[string](pick+`('Begroeting')`))
	run(counsellor, chromedp.Evaluate[bool](`document.querySelector('#snippet-insert').click(); true`))
	if got := run(counsellor, chromedp.Evaluate[string](`document.querySelector('#body').value`)); got != "Fijn dat je schrijft. tot snel." {
		t.Errorf("with JavaScript the reply holds %q after inserting at the cursor", got)
	}
	if strings.Contains(counsellor.bodyText(), "Het tekstblok staat aan het eind") || counsellor.location() != s.base+"/inbox/"+threadID {
		t.Error("with JavaScript inserting a snippet sent the form")
	}
}

// deskAssignments: a supervisor gives the conversation the counsellor holds
// back to the open queue from the list of the office's open conversations.
func deskAssignments(t *testing.T, s *suite, parent context.Context, threadID string) {
	t.Helper()
	out, err := exec.Command(s.binary, "staff", "add", "--role", "supervisor", "--name", "Rita Vogt", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	sup := s.newBrowser(parent, "desk-supervisor", "en-GB,en;q=0.9")
	sup.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "supervising the desk")
	sup.do(chromedp.Navigate(s.base+"/inbox/"+threadID), chromedp.WaitReady(chromedp.CSS("body")))
	sup.waitPath("/inbox/assignments#c-" + threadID)
	sup.check("assignments")
	if !strings.Contains(sup.bodyText(), "held by Eva Berger") {
		t.Fatal("the assignments do not show who holds the conversation")
	}
	sup.do(chromedp.SetValue(chromedp.CSS("#to-"+threadID), ""), chromedp.Click(chromedp.CSS(`form[action="/inbox/`+threadID+`/reassign"] button`)))
	sup.waitText("The conversation was reassigned.")
	sup.check("assignments-reassigned")
	if !strings.Contains(sup.bodyText(), "in the open queue") {
		t.Fatal("the reassigned conversation is not shown in the open queue")
	}
}

// deskSecondAdmin: the admin invites a second admin, who enrols and is told
// to wait; once the first admin approves them, they log in.
func deskSecondAdmin(t *testing.T, s *suite, parent context.Context, admin *browser) {
	t.Helper()
	admin.do(chromedp.Navigate(s.base+"/admin"), chromedp.WaitReady(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Nora Nielsen"), chromedp.SetValue(chromedp.CSS("#role"), "admin"),
		chromedp.Submit(chromedp.CSS("#name")))
	admin.do(chromedp.WaitVisible(chromedp.CSS("#invite-url")))
	link := strings.TrimSpace(admin.text("#invite-url"))
	second := s.newBrowser(parent, "second-admin", "en-GB,en;q=0.9")
	second.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#totp-secret")))
	secret := strings.TrimSpace(second.text("#totp-secret"))
	code, err := twofactor.Code(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	second.do(chromedp.SendKeys(chromedp.CSS("#password"), "two admins are safer"),
		chromedp.SendKeys(chromedp.CSS("#totp_code"), code),
		chromedp.Submit(chromedp.CSS("#totp_code")))
	second.waitText("Another admin of this office must approve it")
	second.check("admin-waiting")
	admin.do(chromedp.Navigate(s.base+"/admin"), chromedp.WaitReady(chromedp.CSS("body")))
	admin.check("admin-approval")
	admin.do(chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)))
	admin.waitPath(`/admin\?done=approved`)
	if strings.Contains(admin.bodyText(), "venter på godkendelse") {
		t.Fatal("the approved admin still waits")
	}
}
