//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// accessibility proves in the browser what axe-core cannot see: a help-seeker
// registers, writes and reads using only the keyboard, with the focus always
// visible; every refused form opens on its error summary, whose links bring
// the whole field into view; every action confirms itself in a focused status
// message; two conversations have distinct titles that reveal nothing; every
// help-seeker page links to help from its footer; and the statistics page
// reads at 320 px without broken words, tiny or clipped chart text, or
// sideways scrolling.
func accessibility(t *testing.T, s *suite, parent context.Context, counsellor *browser) {
	t.Helper()
	keys := s.newBrowser(parent, "keys", "en-GB,en;q=0.9")

	// Refused registration, then a registration by keyboard alone.
	keys.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "ab"))
	keys.refused("register", `form[action$="/register"] button[type="submit"]`)

	keys.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")))
	keys.tabTo("register", "#nickname")
	keys.do(chromedp.KeyEvent("Patient Owl"))
	keys.tabTo("register", "#password")
	keys.do(chromedp.KeyEvent("owls keep watch at night"))
	keys.tabTo("register", "#accept_terms")
	keys.do(chromedp.KeyEvent(" "))
	keys.tabTo("register", `form[action$="/register"] button[type="submit"]`)
	keys.submit(chromedp.KeyEvent("\r"))
	keys.waitPath("/threads")
	keys.helpLink("threads")

	// A refused enquiry, then an enquiry written by keyboard alone.
	keys.do(chromedp.Navigate(s.base+"/threads/new"), chromedp.WaitReady(chromedp.CSS("#body")))
	keys.refused("new-thread", `form[action="/threads/new"] button[type="submit"]`)
	keys.do(chromedp.Navigate(s.base+"/threads"), chromedp.WaitReady(chromedp.CSS("body")))
	keys.tabTo("threads", `main a[href="/threads/new"]`)
	keys.submit(chromedp.KeyEvent("\r"))
	keys.waitPath("/threads/new")
	keys.helpLink("new-thread")
	keys.tabTo("new-thread", "#theme")
	keys.do(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	theme := run(keys, chromedp.Evaluate[string](`document.querySelector('#theme').selectedOptions[0].textContent.trim()`))
	if run(keys, chromedp.Evaluate[string](`document.querySelector('#theme').value`)) == "" {
		t.Fatal("the arrow keys choose no theme on the new enquiry")
	}
	keys.tabTo("new-thread", "#subject")
	keys.do(chromedp.KeyEvent("Owl subject one"))
	keys.tabTo("new-thread", "#body")
	keys.do(chromedp.KeyEvent("I lie awake and count the hours."))
	keys.tabTo("new-thread", `form[action="/threads/new"] button[type="submit"]`)
	keys.submit(chromedp.KeyEvent("\r"))
	keys.waitPath("/threads/[a-z2-7]{26}")
	keys.confirmed("thread-sent")
	keys.helpLink("thread")
	first := strings.TrimPrefix(keys.location(), s.base)
	firstTitle := run(keys, chromedp.Evaluate[string](`document.title`))

	// Reading it: from the list, by keyboard.
	keys.do(chromedp.Navigate(s.base+"/threads"), chromedp.WaitReady(chromedp.CSS("body")))
	keys.tabTo("threads", `main a[href="`+first+`"]`)
	keys.submit(chromedp.KeyEvent("\r"))
	keys.waitPath(first)
	if !strings.Contains(keys.bodyText(), "I lie awake and count the hours.") {
		t.Fatal("the enquiry written by keyboard does not show on its page")
	}

	// A refused reply, then a reply that confirms itself.
	keys.refused("reply", `form[action$="/reply"] button[type="submit"]`)
	keys.do(chromedp.SendKeys(chromedp.CSS("#body"), "Still awake."),
		chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`),
		chromedp.Click(chromedp.CSS(`form[action$="/reply"] button[type="submit"]`)))
	keys.waitNew()
	keys.waitText("Still awake.")
	keys.confirmed("reply-sent")

	// A second conversation: the two titles differ and name neither the
	// subject nor the theme.
	keys.do(chromedp.Navigate(s.base+"/threads/new"), chromedp.WaitReady(chromedp.CSS("#body")),
		chromedp.SetValue(chromedp.CSS("#theme"), "family"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Owl subject two"),
		chromedp.SendKeys(chromedp.CSS("#body"), "My brother does not talk to me."),
		chromedp.Submit(chromedp.CSS("#body")))
	keys.waitPath("/threads/[a-z2-7]{26}")
	second := strings.TrimPrefix(keys.location(), s.base)
	secondTitle := run(keys, chromedp.Evaluate[string](`document.title`))
	if second == first || firstTitle == secondTitle {
		t.Errorf("two conversations share the title %q", firstTitle)
	}
	for _, title := range []string{firstTitle, secondTitle} {
		for _, secret := range []string{"Owl subject", theme, "Family"} {
			if strings.Contains(strings.ToLower(title), strings.ToLower(secret)) {
				t.Errorf("the conversation title %q reveals %q", title, secret)
			}
		}
	}

	// Account: refused details and password, then saved ones, confirmed.
	keys.do(chromedp.Navigate(s.base+"/account"), chromedp.WaitReady(chromedp.CSS("#email")))
	keys.helpLink("account")
	keys.do(chromedp.SendKeys(chromedp.CSS("#email"), "not an address"))
	keys.refused("account-details", `form[action="/account"] button[type="submit"]`)
	keys.do(chromedp.Navigate(s.base+"/account"), chromedp.WaitReady(chromedp.CSS("#current_password")),
		chromedp.SendKeys(chromedp.CSS("#current_password"), "not my password"))
	keys.refused("account-password", `form[action="/account/password"] button[type="submit"]`)
	keys.do(chromedp.Navigate(s.base+"/account"), chromedp.WaitReady(chromedp.CSS("#age_band")),
		chromedp.SetValue(chromedp.CSS("#age_band"), "20-29"),
		chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`),
		chromedp.Click(chromedp.CSS(`form[action="/account"] button[type="submit"]`)))
	keys.waitNew()
	keys.waitPath("/account.*")
	keys.confirmed("account-saved")
	keys.do(chromedp.SendKeys(chromedp.CSS("#current_password"), "owls keep watch at night"),
		chromedp.SendKeys(chromedp.CSS("#new_password"), "owls keep watch all night"),
		chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`),
		chromedp.Click(chromedp.CSS(`form[action="/account/password"] button[type="submit"]`)))
	keys.waitNew()
	keys.waitPath("/account.*")
	keys.confirmed("password-saved")

	// Help, from every help-seeker page, passes axe.
	keys.visit("/help", "help")
	keys.helpLink("help")

	// Public forms refused: login and recovery.
	anon := s.newBrowser(parent, "anon", "en-GB,en;q=0.9")
	anon.do(chromedp.Navigate(s.base+"/login"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Patient Owl"),
		chromedp.SendKeys(chromedp.CSS("#password"), "wrong password here"))
	anon.refused("login", `form[action$="/login"] button[type="submit"]`)
	anon.do(chromedp.Navigate(s.base+"/recover"), chromedp.WaitReady(chromedp.CSS("main form")))
	anon.refused("recover", `main form button[type="submit"]`)

	// The counsellor: refused reply and note, then each confirmed.
	id := first[strings.LastIndex(first, "/")+1:]
	counsellor.do(chromedp.Navigate(s.base+"/inbox"), chromedp.WaitReady(chromedp.CSS("body")),
		chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`),
		chromedp.Click(chromedp.CSS(`form[action="/inbox/`+id+`/take"] button`)))
	counsellor.waitNew()
	counsellor.waitPath("/inbox/" + id)
	counsellor.confirmed("staff-take")
	counsellor.refused("staff-reply", `button[value="send"]`)
	counsellor.do(chromedp.Navigate(s.base+"/inbox/"+id), chromedp.WaitReady(chromedp.CSS("#note-body")))
	// The note form lets the browser refuse an empty note: the browser
	// says why and puts the cursor into the note box.
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action$="/note"] button[type="submit"]`)), chromedp.Sleep(300*time.Millisecond))
	if got := run(counsellor, chromedp.Evaluate[string](`document.activeElement.id`)); got != "note-body" {
		t.Errorf("counsellor staff-note: an empty note leaves the focus on %q, not the note box", got)
	}
	counsellor.do(chromedp.Navigate(s.base+"/inbox/"+id), chromedp.WaitReady(chromedp.CSS("textarea#body")),
		chromedp.SendKeys(chromedp.CSS("textarea#body"), "Night thoughts are heavy; tell me more."),
		chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`),
		chromedp.Click(chromedp.CSS(`button[value="send"]`)))
	counsellor.waitNew()
	counsellor.waitText("Night thoughts are heavy")
	counsellor.confirmed("staff-replied")
	counsellor.do(chromedp.SendKeys(chromedp.CSS("#note-body"), "Sleep, ask again Monday"),
		chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`),
		chromedp.Click(chromedp.CSS(`form[action$="/note"] button[type="submit"]`)))
	counsellor.waitNew()
	counsellor.waitText("Sleep, ask again Monday")
	counsellor.confirmed("staff-noted")

	// The help-seeker reads the answer, with the help link in its place.
	keys.do(chromedp.Navigate(s.base+first), chromedp.WaitReady(chromedp.CSS("body")))
	keys.waitText("Night thoughts are heavy")
	keys.helpLink("answer-read")

	// An admin: a refused invite, a refused and an accepted theme, and
	// the statistics page at 320 px.
	out, err := exec.Command(s.binary, "staff", "add", "--role", "admin", "--name", "Ada Lund", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	invite := regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out))
	admin := s.newBrowser(parent, "a11y-admin", "en-GB,en;q=0.9")
	admin.do(chromedp.Navigate(invite), chromedp.WaitVisible(chromedp.CSS("#totp-secret")),
		chromedp.SendKeys(chromedp.CSS("#password"), "short"),
		chromedp.SendKeys(chromedp.CSS("#totp_code"), "000000"))
	admin.refused("invite", `main form button[type="submit"]`)
	admin.enrol(invite, "keeping the office in order")
	admin.do(chromedp.Navigate(s.base+"/admin/themes"), chromedp.WaitReady(chromedp.CSS("#name")))
	admin.refused("admin-theme", `form[action="/admin/themes"] button[type="submit"]`)
	admin.do(chromedp.Navigate(s.base+"/admin/themes"), chromedp.WaitReady(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Sleep"),
		chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`),
		chromedp.Click(chromedp.CSS(`form[action="/admin/themes"] button[type="submit"]`)))
	admin.waitNew()
	admin.waitText("Sleep")
	admin.confirmed("admin-theme-added")

	admin.do(chromedp.EmulateViewport(320, 740),
		chromedp.Navigate(fmt.Sprintf("%s/admin/statistics?year=%d", s.base, time.Now().Year())),
		chromedp.WaitReady(chromedp.CSS(".chart")))
	problems := run(admin, chromedp.Evaluate[[]string](narrowStatistics))
	for _, p := range problems {
		t.Errorf("the statistics page at 320 px: %s", p)
	}
	admin.do(chromedp.EmulateViewport(1280, 800))
	admin.check("a11y-statistics")
}

// narrowStatistics lists what a reader of the statistics page at its current
// width would stumble over: a table cell whose words break across lines, a
// chart text under 10 px or outside its chart, the page scrolling sideways.
const narrowStatistics = `(() => {
	const out = [];
	const root = document.documentElement;
	if (root.scrollWidth > window.innerWidth + 1) {
		out.push('the page scrolls sideways: ' + root.scrollWidth + ' px wide in ' + window.innerWidth);
	}
	for (const cell of document.querySelectorAll('td, th')) {
		const words = cell.textContent.trim().split(/\s+/).filter(Boolean);
		if (!words.length) continue;
		const range = document.createRange();
		range.selectNodeContents(cell);
		const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
		if (lines.size > words.length) {
			out.push('the cell "' + cell.textContent.trim() + '" breaks inside a word (' + lines.size + ' lines for ' + words.length + ' words)');
		}
	}
	const charts = document.querySelectorAll('.chart');
	if (!charts.length) out.push('no chart on the page');
	for (const chart of charts) {
		const box = chart.getBoundingClientRect();
		const walk = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			const text = n.textContent.trim();
			if (!text) continue;
			const size = parseFloat(getComputedStyle(n.parentElement).fontSize);
			if (size < 10) out.push('the chart text "' + text + '" is ' + size + ' px');
			const range = document.createRange();
			range.selectNodeContents(n);
			for (const r of range.getClientRects()) {
				if (r.width === 0) continue;
				if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
					out.push('the chart text "' + text + '" stands outside its chart');
					break;
				}
			}
		}
	}
	return out;
})()`

// focusVisible names the focused element when it has neither an outline nor
// a box shadow, and is empty when the focus can be seen.
const focusVisible = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return 'nothing is focused';
	const c = getComputedStyle(e);
	if ((c.outlineStyle !== 'none' && parseFloat(c.outlineWidth) > 0) || c.boxShadow !== 'none') return '';
	return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
})()`

// tabTo presses Tab (at most 80 times) until the element sel has the focus,
// and fails when it never does or when the focus is ever invisible on the
// way.
func (b *browser) tabTo(step, sel string) {
	b.s.t.Helper()
	for i := 0; i < 80; i++ {
		b.do(chromedp.KeyEvent(kb.Tab))
		if hidden := run(b, chromedp.Evaluate[string](focusVisible)); hidden != "" {
			b.s.t.Errorf("%s %s: after %d Tabs the focus is not visible on %s", b.name, step, i+1, hidden)
		}
		if run(b, chromedp.Evaluate[bool](`document.activeElement.matches(`+jsString(sel)+`)`)) {
			return
		}
	}
	b.s.t.Fatalf("%s %s: Tab never reaches %s", b.name, step, sel)
}

// submit does what sends a form or follows a link, and waits until the
// next page has loaded (a new document, not the one that sent it).
func (b *browser) submit(actions ...chromedp.Action[chromedp.Void]) {
	b.s.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`window.a11yOld = true`))
	b.do(actions...)
	b.waitNew()
}

// waitNew waits (at most 15 s) until a page other than the one marked
// a11yOld has loaded.
func (b *browser) waitNew() {
	b.s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && !window.a11yOld`))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.s.t.Fatalf("%s: no new page loaded; still at %s", b.name, b.location())
}

// waitFor waits (at most 15 s) until a loaded page has an element sel.
func (b *browser) waitFor(sel string) {
	b.s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && !!document.querySelector(`+jsString(sel)+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.s.t.Fatalf("%s: the page never showed %s; it is at %s", b.name, sel, b.location())
}

// fieldInView tells where a field and its label stand after a summary link
// was followed, on a phone-sized screen.
type fieldInView struct {
	Field, Label          string
	FieldTop, FieldBottom float64
	LabelTop, LabelBottom float64
	Screen                float64
	Focused               bool
}

// refused submits the form of button as it stands (the caller left it
// invalid) on a phone-sized screen, and asserts that the page opens with the
// focus on the error summary, and that its last link brings the whole field,
// label included, into view with the cursor in it.
func (b *browser) refused(step, button string) {
	t := b.s.t
	t.Helper()
	b.do(chromedp.EmulateViewport(360, 740))
	b.submit(chromedp.Click(chromedp.CSS(button)))
	b.waitFor(".error-summary[tabindex]")
	if !run(b, chromedp.Evaluate[bool](`document.activeElement === document.querySelector('.error-summary[tabindex]')`)) {
		t.Errorf("%s %s: a refused form does not put the focus on its error summary but on %s", b.name, step,
			run(b, chromedp.Evaluate[string](`document.activeElement.tagName + '#' + document.activeElement.id`)))
	}
	if hidden := run(b, chromedp.Evaluate[string](focusVisible)); hidden != "" {
		t.Errorf("%s %s: the focused error summary is not visibly focused: %s", b.name, step, hidden)
	}
	if !run(b, chromedp.Evaluate[bool](`!!document.querySelector('.error-summary li:last-child a[href^="#"]')`)) {
		if step != "login" {
			t.Errorf("%s %s: the error summary links to no field", b.name, step)
		}
		b.do(chromedp.EmulateViewport(1280, 800))
		return
	}
	b.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`),
		chromedp.Click(chromedp.CSS(".error-summary li:last-child a")), chromedp.Sleep(300*time.Millisecond))
	v := run(b, chromedp.Evaluate[fieldInView](`(() => {
		const link = document.querySelector('.error-summary li:last-child a');
		const field = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
		const label = field && (field.labels && field.labels[0] || field.closest('fieldset') && field.closest('fieldset').querySelector('legend'));
		if (!field || !label) return {Field: field ? field.id : '', Label: ''};
		const f = field.getBoundingClientRect(), l = label.getBoundingClientRect();
		return {Field: field.id, Label: label.textContent.trim(), FieldTop: f.top, FieldBottom: f.bottom, LabelTop: l.top, LabelBottom: l.bottom,
			Screen: window.innerHeight, Focused: document.activeElement === field};
	})()`))
	switch {
	case v.Field == "" || v.Label == "":
		t.Errorf("%s %s: the summary's link leads to no labelled field (%q)", b.name, step, v.Field)
	case v.FieldTop < -1 || v.FieldBottom > v.Screen+1 || v.LabelTop < -1 || v.LabelBottom > v.Screen+1:
		t.Errorf("%s %s: after the summary link the field %s (%.0f–%.0f px) or its label (%.0f–%.0f px) is outside the %.0f px screen",
			b.name, step, v.Field, v.FieldTop, v.FieldBottom, v.LabelTop, v.LabelBottom, v.Screen)
	case !v.Focused:
		t.Errorf("%s %s: the summary link does not put the cursor into %s", b.name, step, v.Field)
	}
	b.do(chromedp.EmulateViewport(1280, 800))
}

// confirmed asserts that the page an action led to says what it achieved in
// a status message that has the focus.
func (b *browser) confirmed(step string) {
	t := b.s.t
	t.Helper()
	b.waitFor("body")
	got := run(b, chromedp.Evaluate[string](`(() => {
		const e = document.activeElement;
		return e && e.getAttribute('role') === 'status' ? e.textContent.trim() : '';
	})()`))
	if got == "" {
		t.Errorf("%s %s: the action confirms nothing in a focused status message (focus on %s)", b.name, step,
			run(b, chromedp.Evaluate[string](`document.activeElement.tagName + '#' + document.activeElement.id + ' ' + document.activeElement.className`)))
	}
}

// helpLink asserts that a help-seeker's page has the help link in its footer,
// pointing at /help.
func (b *browser) helpLink(step string) {
	b.s.t.Helper()
	got := run(b, chromedp.Evaluate[string](`(() => {
		const a = document.querySelector('footer #help-link');
		return a ? new URL(a.href).pathname : '';
	})()`))
	if got != "/help" {
		b.s.t.Errorf("%s %s: the footer's help link leads to %q, not /help", b.name, step, got)
	}
}
