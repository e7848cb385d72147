//go:build e2e

// Package e2e drives the real office in a real browser (Debian's chromium,
// headless, through chromedp) through the whole journey of a help-seeker, a
// counsellor and an admin, and runs axe-core on every page it visits. Run it
// with `make e2e`, which installs what it needs.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling/twofactor"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// violation is one axe finding, reduced to what a report needs.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

type suite struct {
	t        *testing.T
	base     string
	binary   string
	data     string
	axe      string
	shots    string
	pages    int
	findings int
}

// browser is one person's browser: its own cookies, its own language.
type browser struct {
	s    *suite
	ctx  context.Context
	name string
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startOffice builds and starts the real binary and returns the first-admin link.
func (s *suite) startOffice() string {
	t := s.t
	port := freePort(t)
	s.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	// The call relay needs a real port: browsers are told it in their
	// turn: URLs.
	cmd := exec.Command(s.binary, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data", s.data,
		"--quick-exit-url", s.base+"/healthz", "--turn-addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--turn-relay-ip", "127.0.0.1",
		// Every browser of the suite comes from 127.0.0.1, like the users of
		// an office behind one shared address.
		"--logins-per-minute", "1000")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	links := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`(http://\S+/invite/\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				links <- m[1]
			}
		}
	}()
	select {
	case link := <-links:
		return link
	case <-time.After(30 * time.Second):
		t.Fatal("the office printed no first-admin link within 30 s")
	}
	return ""
}

func (s *suite) newBrowser(parent context.Context, name, lang string) *browser {
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	s.t.Cleanup(cancel)
	b := &browser{s: s, ctx: ctx, name: name}
	// The first action on a context opens its tab, which lives as long as
	// the context it ran on: so it runs on the browser's own context, without
	// a timeout of its own.
	err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return err
	}))
	if err != nil {
		s.t.Fatalf("open %s's browser: %v", name, err)
	}
	return b
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.s.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.s.t.Fatalf("%s: %v", b.name, err)
	}
}

func run[T any](b *browser, a chromedp.Action[T]) T {
	b.s.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.s.t.Fatalf("%s: %v", b.name, err)
	}
	return v
}

// check runs axe-core on the page for WCAG 2.0, 2.1 and 2.2 A and AA, and takes
// screenshots at phone and desktop size.
func (b *browser) check(step string) {
	s := b.s
	s.t.Helper()
	s.pages++
	found := run(b, chromedp.Evaluate[[]violation](s.axe+`;
		axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))`,
		chromedp.EvalAwaitPromise))
	for _, v := range found {
		s.findings++
		s.t.Errorf("%s %s: axe %s (%s): %s at %v", b.name, step, v.ID, v.Impact, v.Help, v.Nodes)
	}
	for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
		b.do(chromedp.EmulateViewport(size[0], size[1]))
		png := run(b, chromedp.FullScreenshot(100))
		name := fmt.Sprintf("%02d-%s-%s-%dx%d.png", s.pages, b.name, step, size[0], size[1])
		if err := os.WriteFile(filepath.Join(s.shots, name), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
		// At phone width nothing may scroll sideways.
		if size[0] == 360 {
			wide := run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if wide {
				s.t.Errorf("%s %s: the page scrolls sideways at 360 px", b.name, step)
			}
		}
	}
}

func (b *browser) visit(path, step string) {
	b.do(chromedp.Navigate(b.s.base+path), chromedp.WaitReady(chromedp.CSS("body")))
	b.check(step)
}

func (b *browser) location() string { return run(b, chromedp.Location()) }

func (b *browser) text(sel string) string { return run(b, chromedp.Text(chromedp.CSS(sel))) }

// waitText waits (at most 15 s) until the page shows text, as after a form
// was sent and the next page has loaded.
func (b *browser) waitText(text string) {
	b.s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === 'complete' && document.body ? document.body.innerText : ''`))
		cancel()
		if err == nil && strings.Contains(got, text) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.s.t.Fatalf("%s: the page never showed %q; it is at %s", b.name, text, b.location())
}

// waitPath waits (at most 15 s) until the browser is at a path matching re
// and the page has loaded.
func (b *browser) waitPath(re string) {
	b.s.t.Helper()
	pattern := regexp.MustCompile("^" + regexp.QuoteMeta(b.s.base) + re + "$")
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState + ' ' + location.href`))
		cancel()
		if err == nil && strings.HasPrefix(state, "complete ") && pattern.MatchString(strings.TrimPrefix(state, "complete ")) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.s.t.Fatalf("%s: never reached %s; at %s", b.name, re, b.location())
}

func (b *browser) bodyText() string {
	return run(b, chromedp.Evaluate[string](`document.body.innerText`))
}

// enrol accepts an invite as a new staff member would: reads the key off the
// page, computes the code like an authenticator app, sets a password.
func (b *browser) enrol(link, password string) {
	b.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#totp-secret")))
	b.check("invite")
	secret := strings.TrimSpace(b.text("#totp-secret"))
	code, err := twofactor.Code(secret, time.Now())
	if err != nil {
		b.s.t.Fatal(err)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.SendKeys(chromedp.CSS("#totp_code"), code),
		chromedp.Submit(chromedp.CSS("#totp_code")))
	b.waitPath("/(inbox|admin)")
}

// clockTime is a time of today as a chat shows it: hours and minutes.
var clockTime = regexp.MustCompile(`^\d{1,2}[:.]\d{2}$`)

func TestBrowserJourney(t *testing.T) {
	started := time.Now()
	root, _ := filepath.Abs("..")
	s := &suite{t: t, data: t.TempDir(), shots: filepath.Join(root, "e2e-screenshots")}
	os.RemoveAll(s.shots)
	os.MkdirAll(s.shots, 0o755)
	axe, err := os.ReadFile(filepath.Join(root, "e2e", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed (run make e2e): %v", err)
	}
	s.axe = string(axe)
	s.binary = filepath.Join(t.TempDir(), "confidant")
	build := exec.Command("go", "build", "-o", s.binary, "./cmd/confidant")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	adminLink := s.startOffice()

	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true), chromedp.UserDataDir(t.TempDir()),
		// Calls use a fake camera and microphone, allowed without asking.
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true))...)
	defer cancel()
	first, cancelFirst := chromedp.NewContext(alloc)
	defer cancelFirst()
	if err := chromedp.Do(first); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	// A help-seeker with a German browser registers and writes.
	seeker := s.newBrowser(first, "seeker", "de-DE,de;q=0.9")
	seeker.visit("/", "landing")
	seeker.visit("/login", "login")
	seeker.visit("/register", "register")
	seeker.do(chromedp.SendKeys(chromedp.CSS("#nickname"), "Stille Möwe"),
		chromedp.SendKeys(chromedp.CSS("#password"), "am Meer ist es ruhig"),
		chromedp.SetValue(chromedp.CSS("#age_band"), "15-19"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	seeker.waitPath("/threads")
	seeker.check("threads")
	if !strings.Contains(seeker.bodyText(), "Meine Nachrichten") {
		t.Fatal("a German browser does not get German pages")
	}
	seeker.visit("/threads/new", "new-thread")
	seeker.do(chromedp.SetValue(chromedp.CSS("#theme"), "anxiety"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Prüfungsangst"),
		chromedp.SendKeys(chromedp.CSS("#body"), "Vor jeder Prüfung kann ich nicht schlafen."),
		chromedp.Submit(chromedp.CSS("#body")))
	seeker.waitPath("/threads/[a-z2-7]{26}")
	seeker.check("thread-sent")
	threadPath := strings.TrimPrefix(seeker.location(), s.base)

	// A counsellor accepts an invite, takes the thread, replies, notes, tags.
	out, err := exec.Command(s.binary, "staff", "add", "--role", "counsellor", "--name", "Eva Berger", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	invite := regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out))
	counsellor := s.newBrowser(first, "counsellor", "nl-NL,nl;q=0.9")
	counsellor.enrol(invite, "listening is my job")
	counsellor.check("inbox")
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action$="/take"] button`)))
	counsellor.waitPath("/inbox/[a-z2-7]{26}")
	counsellor.check("staff-thread")
	counsellor.do(chromedp.SendKeys(chromedp.CSS("textarea#body"), "Danke, dass du schreibst. Lass uns zusammen überlegen."),
		chromedp.Click(chromedp.CSS(`button[value="send"]`)))
	counsellor.waitText("Lass uns zusammen überlegen.")
	counsellor.do(chromedp.SendKeys(chromedp.CSS("#note-body"), "Prüfungsangst, nächste Woche nachfragen"),
		chromedp.Submit(chromedp.CSS("#note-body")))
	counsellor.waitText("nächste Woche nachfragen")
	counsellor.do(chromedp.Click(chromedp.CSS("#theme-school-work")), chromedp.Submit(chromedp.CSS("#theme-school-work")))
	time.Sleep(300 * time.Millisecond)
	counsellor.do(chromedp.WaitVisible(chromedp.CSS("#note-body")))
	counsellor.check("staff-thread-answered")
	if !strings.Contains(counsellor.bodyText(), "Privénotities") {
		t.Fatal("the counsellor's page is not in the counsellor's language (Dutch)")
	}
	if page := counsellor.bodyText(); !strings.Contains(page, "nächste Woche nachfragen") || !strings.Contains(page, "Lass uns zusammen") {
		t.Fatal("the counsellor's reply or note is missing")
	}

	// The help-seeker reads the reply, takes their data, and leaves.
	seeker.visit(threadPath, "reply-read")
	if !strings.Contains(seeker.bodyText(), "Lass uns zusammen überlegen") || strings.Contains(seeker.bodyText(), "nachfragen") {
		t.Fatal("the help-seeker does not see the reply, or sees the note")
	}
	export := run(seeker, chromedp.Evaluate[string](`fetch('/account/export').then(r => r.text())`, chromedp.EvalAwaitPromise))
	var data struct {
		Nickname string `json:"nickname"`
		Threads  []struct {
			Messages []struct{ Body string } `json:"messages"`
		} `json:"threads"`
	}
	if err := json.Unmarshal([]byte(export), &data); err != nil || data.Nickname != "Stille Möwe" || len(data.Threads) != 1 || len(data.Threads[0].Messages) != 2 {
		t.Fatalf("export: %v %+v", err, data)
	}
	seeker.visit("/account", "account")
	seeker.visit("/account/delete", "delete")
	seeker.do(chromedp.SendKeys(chromedp.CSS("#password"), "am Meer ist es ruhig"), chromedp.Submit(chromedp.CSS("#password")))
	seeker.waitPath("/")
	if loc := seeker.location(); loc != s.base+"/" {
		t.Fatalf("after deleting: %s", loc)
	}
	seeker.do(chromedp.Navigate(s.base+"/threads"), chromedp.WaitReady(chromedp.CSS("body")))
	if !strings.HasSuffix(seeker.location(), "/login") {
		t.Fatal("still logged in after deleting the account")
	}

	// Quick exit: three presses of Escape leave the site.
	seeker.do(chromedp.Navigate(s.base+"/"), chromedp.WaitReady(chromedp.CSS("#quick-exit")),
		chromedp.KeyEvent("\x1b"), chromedp.KeyEvent("\x1b"), chromedp.KeyEvent("\x1b"), chromedp.Sleep(500*time.Millisecond))
	if !strings.HasSuffix(seeker.location(), "/healthz") {
		t.Fatalf("Escape three times did not leave: %s", seeker.location())
	}

	// Live chat: the counsellor switches available, a guest without an
	// account starts a chat, the counsellor accepts it, they write, the guest
	// ends it.
	counsellor.visit("/inbox/settings", "counsellor-settings-themes")
	counsellor.visit("/live/queue", "live-queue-away")
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action="/live/availability"] button`)))
	counsellor.waitPath("/live/queue")
	counsellor.waitText("U bent beschikbaar voor de livechat.")
	counsellor.check("live-queue-available")
	guest := s.newBrowser(first, "guest", "en-GB,en;q=0.9")
	guest.visit("/live", "live")
	if page := guest.bodyText(); !strings.Contains(page, "A counsellor is available now.") || strings.Contains(page, "needs JavaScript") {
		t.Fatalf("/live does not say that a counsellor is available:\n%s", page)
	}
	guest.do(chromedp.SetValue(chromedp.CSS("#theme"), "loneliness"), chromedp.Click(chromedp.CSS(`#live-start button[type="submit"]`)))
	guest.waitPath("/live/[a-z2-7]{26}")
	guest.waitText("You are number 1 in the queue")
	guest.check("chat-waiting")
	guest.do(chromedp.SendKeys(chromedp.CSS("#message"), "Everyone is asleep and I feel alone."), chromedp.KeyEvent("\r"))
	guest.waitText("Delivered")
	counsellor.visit("/live/queue", "live-queue-waiting")
	counsellor.waitText("Everyone is asleep and I feel alone.")
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)))
	counsellor.waitPath("/live/[a-z2-7]{26}")
	counsellor.waitText("Everyone is asleep and I feel alone.")
	guest.waitText("You are chatting with Eva Berger.")
	counsellor.do(chromedp.SendKeys(chromedp.CSS("#message"), "I am glad you wrote. What is keeping you awake?"), chromedp.KeyEvent("\r"))
	guest.waitText("What is keeping you awake?")
	// The message that was on the counsellor's page when it opened and the
	// one that came after show their time in the same form, on the
	// reader's clock rather than in UTC.
	counsellor.do(chromedp.WaitReady(chromedp.CSS(`#chat-log li:nth-of-type(2) time`)))
	times := run(counsellor, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#chat-log time')).map(t => t.textContent)`))
	if len(times) != 2 || !clockTime.MatchString(times[0]) || !clockTime.MatchString(times[1]) {
		t.Errorf("the chat's times are not both on the reader's clock: %q", times)
	}
	if focused := run(guest, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ''`)); focused != "message" {
		t.Errorf("a new message moved the guest's focus to %q", focused)
	}
	guest.check("chat-running")
	counsellor.check("chat-counsellor")
	readAlong(t, s, first, counsellor, guest)
	videoCall(t, counsellor, guest)
	guest.do(chromedp.Click(chromedp.CSS(`form.chat-end button`)))
	guest.waitText("The chat has ended")
	guest.check("chat-ended")
	counsellor.waitText("Deze chat is beëindigd.")
	endedTranscript(t, s, first, counsellor)
	appointment(t, s, first, counsellor)
	videoAppointment(t, s, first)
	groupChat(t, s, first, counsellor)
	groupCall(t, s, first, counsellor)
	pushSettings(t, s, first)
	callback(t, s, first, counsellor)
	workday(t, s, first, counsellor)
	safety(t, s, first)

	// The admin enrols through the first-admin link and reads the statistics.
	admin := s.newBrowser(first, "admin", "da-DK,da;q=0.9")
	admin.enrol(adminLink, "administering carefully")
	admin.check("admin")
	for _, page := range []string{"themes", "settings", "audit", "offices"} {
		admin.visit("/admin/"+page, "admin-"+page)
	}
	// The admin starts a region list; from then on registration offers it
	// as a choice (an office without a list does not ask).
	admin.visit("/admin/regions", "admin-regions-empty")
	admin.do(chromedp.SendKeys(chromedp.CSS("#name"), "Nordjylland"), chromedp.Submit(chromedp.CSS("#name")))
	admin.waitText("nordjylland")
	admin.check("admin-regions")
	newcomer := s.newBrowser(first, "newcomer", "da-DK,da;q=0.9")
	newcomer.visit("/register", "register-with-regions")
	if got := run(newcomer, chromedp.Evaluate[string](`[...document.querySelectorAll('#region option')].map(o => o.value).join(',')`)); got != ",nordjylland" {
		t.Fatalf("the registration form offers regions %q, want the office's list", got)
	}
	admin.visit("/inbox/settings", "notifications")
	easyLanguage(t, s, first, admin)
	admin.visit(fmt.Sprintf("/admin/statistics?year=%d", time.Now().Year()), "statistics")
	if !strings.Contains(admin.bodyText(), "Kontakter pr. emne pr. måned") {
		t.Fatal("the statistics page shows no theme table in the admin's language (Danish)")
	}
	desk(t, s, first, counsellor, admin)
	quality(t, s, first, counsellor, admin)
	surveys(t, s, first, counsellor, admin)
	accessibility(t, s, first, counsellor)
	t.Logf("pages checked: %d, axe violations: %d, screenshots in %s, took %v", s.pages, s.findings, s.shots, time.Since(started).Round(time.Second))
}
