package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling/mail"
	"confidant/counselling/mail/mailtest"
	"confidant/counselling/web"
)

var recoveryCodeOnPage = regexp.MustCompile(`id="recovery-code">([0-9A-Z-]{24})<`)

// registerWithCode registers and returns the recovery code /threads shows
// once.
func (b *browser) registerWithCode(form url.Values) string {
	b.o.t.Helper()
	b.mustPost("/register", form, "/threads")
	m := recoveryCodeOnPage.FindStringSubmatch(b.get("/threads").body)
	if m == nil {
		b.o.t.Fatal("no recovery code on /threads after registration")
	}
	return m[1]
}

func recovery(nick, code, password string) url.Values {
	return url.Values{"nickname": {nick}, "recovery_code": {code}, "new_password": {password}}
}

func TestTheRecoveryCodeIsShownOnceAndWorksOnce(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	if p := seeker.get("/register"); !strings.Contains(p.body, "recovery code") || !strings.Contains(p.body, "new account") {
		t.Fatal("the registration page does not say how a lost password is recovered, and that without it a new account is needed")
	}
	code := seeker.registerWithCode(registration("Lost Lantern", "a lantern in the fog"))
	if strings.Contains(seeker.get("/threads").body, code) || strings.Contains(seeker.get("/threads").body, `id="recovery-code"`) {
		t.Fatal("the recovery code is shown a second time")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM accounts WHERE recovery_pending IS NOT NULL`); n != 0 {
		t.Fatalf("%d shown codes are still kept", n)
	}
	other := o.browser() // a second device, logged in as well
	other.mustPost("/login", url.Values{"nickname": {"Lost Lantern"}, "password": {"a lantern in the fog"}}, "/threads")

	if p := o.browser().get("/login"); !strings.Contains(p.body, `href="/recover"`) {
		t.Fatal("the login page does not lead to /recover")
	}
	// A wrong code and an unknown nickname get the same answer.
	stranger := o.browser()
	wrong := stranger.post("/recover", recovery("Lost Lantern", "7KQ2-M9XD-4HPA-W3RN-8TFC", "a brand new password"))
	unknown := stranger.post("/recover", recovery("Nobody Here", code, "a brand new password"))
	if wrong.status != http.StatusUnauthorized || unknown.status != wrong.status ||
		!strings.Contains(wrong.body, "recovery code do not match") || !strings.Contains(unknown.body, "recovery code do not match") {
		t.Fatalf("wrong code %d, unknown nickname %d: not the same refusal", wrong.status, unknown.status)
	}
	if stranger.cookie() != nil {
		t.Fatal("a failed recovery logged someone in")
	}
	// A new password that breaks the rules is refused and the code kept.
	if p := o.browser().post("/recover", recovery("Lost Lantern", code, "short")); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "at least 8 characters") {
		t.Fatalf("a short new password: %d", p.status)
	}

	owner := o.browser()
	p := owner.post("/recover", recovery("lost lantern", strings.ToLower(strings.ReplaceAll(code, "-", " ")), "the lantern is lit again"))
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/threads" {
		t.Fatalf("recovery with the right code: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	m := recoveryCodeOnPage.FindStringSubmatch(owner.get("/threads").body)
	if m == nil || m[1] == code {
		t.Fatal("no new recovery code is shown after a recovery")
	}
	next := m[1]
	if p := other.get("/threads"); p.status != http.StatusSeeOther {
		t.Fatalf("the other device is still logged in after the recovery: %d", p.status)
	}
	if p := o.browser().post("/login", url.Values{"nickname": {"Lost Lantern"}, "password": {"a lantern in the fog"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("the old password still works: %d", p.status)
	}
	o.browser().mustPost("/login", url.Values{"nickname": {"Lost Lantern"}, "password": {"the lantern is lit again"}}, "/threads")
	// The used code works no more; the new one does.
	if p := o.browser().post("/recover", recovery("Lost Lantern", code, "yet another password")); p.status != http.StatusUnauthorized {
		t.Fatalf("a used recovery code works again: %d", p.status)
	}
	o.db.Clock.Advance(2 * time.Minute) // past the wait the failures above earned
	o.browser().mustPost("/recover", recovery("Lost Lantern", next, "yet another password"), "/threads")
}

func TestRecoveryCountsAgainstGuessingLikeALogin(t *testing.T) {
	o := newOffice(t)
	code := o.browser().registerWithCode(registration("Guarded Gate", "the gate stays shut"))
	guesser := o.browser()
	for range 3 {
		if p := guesser.post("/recover", recovery("Guarded Gate", "7KQ2-M9XD-4HPA-W3RN-8TFC", "a brand new password")); p.status != http.StatusUnauthorized {
			t.Fatalf("a wrong code: %d", p.status)
		}
	}
	if n := o.db.Count(t, `SELECT failed_logins FROM accounts WHERE kind = 'seeker'`); n != 3 {
		t.Fatalf("the account counts %d failures, want 3: wrong codes must count like wrong passwords", n)
	}
	// The same client must now wait: even the right code is refused.
	if p := guesser.post("/recover", recovery("Guarded Gate", code, "a brand new password")); p.status != http.StatusUnauthorized {
		t.Fatalf("the right code right after three wrong ones: %d, want the same refusal", p.status)
	}
	o.db.Clock.Advance(2 * time.Minute)
	guesser.mustPost("/recover", recovery("Guarded Gate", code, "a brand new password"), "/threads")
}

func TestResetLinkByMail(t *testing.T) {
	smtp := mailtest.Start(t)
	o := newOffice(t, func(c *web.Config) { c.MailEnabled = true })
	sender, _ := mail.ParseURL(smtp.URL(), "Confidant <no-reply@localhost>")
	w := mail.NewWorker(o.db, sender, o.srv.URL, translate, slog.New(slog.NewTextHandler(io.Discard, nil)))
	form := registration("Mailed Moth", "moths like the light")
	form.Set("email", "moth@example.org")
	o.browser().mustPost("/register", form, "/threads")
	o.browser().mustPost("/register", registration("Quiet Owl", "owls say nothing"), "/threads")
	w.RunOnce(context.Background())

	ask := func(nick, email string) page {
		t.Helper()
		p := o.browser().post("/recover/mail", url.Values{"nickname": {nick}, "email": {email}})
		if p.status != http.StatusOK {
			t.Fatalf("asking for a link for %q/%q: %d", nick, email, p.status)
		}
		return p
	}
	// The same answer whether or not the nickname exists, has an address,
	// or gave this one; only the right pair gets a mail.
	var answers []string
	for i, pair := range [][2]string{{"Nobody Here", "moth@example.org"}, {"Quiet Owl", "moth@example.org"}, {"Mailed Moth", "other@example.org"}, {"Mailed Moth", " MOTH@example.org "}} {
		if i == 3 {
			if sent, _ := w.RunOnce(context.Background()); sent != 0 {
				t.Fatalf("%d reset mails sent for pairs that do not match an account", sent)
			}
		}
		p := ask(pair[0], pair[1])
		i := strings.Index(p.body, `id="reset-sent"`)
		if i < 0 {
			t.Fatalf("%v: no answer on the page", pair)
		}
		answers = append(answers, p.body[i:i+300])
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("the answers differ:\n%s\n%s", answers[0], a)
		}
	}
	if sent, _ := w.RunOnce(context.Background()); sent != 1 {
		t.Fatalf("%d reset mails sent, want 1", sent)
	}
	mails := smtp.Mails()
	last := mails[len(mails)-1]
	body := strings.ReplaceAll(strings.ReplaceAll(last.Data, "=\r\n", ""), "=3D", "=")
	m := regexp.MustCompile(regexp.QuoteMeta(o.srv.URL) + `/recover/([A-Za-z0-9_-]{43})`).FindStringSubmatch(body)
	if m == nil || last.To[0] != "moth@example.org" {
		t.Fatalf("no reset link in the mail to the address:\n%s", last.Data)
	}
	token := m[1]
	for _, secret := range []string{"Mailed Moth", "counsel"} {
		if strings.Contains(strings.ToLower(body), strings.ToLower(secret)) {
			t.Errorf("the reset mail says %q", secret)
		}
	}
	// The outbox and the database keep no usable token.
	if n := o.db.Count(t, `SELECT count(*) FROM outbox WHERE link IS NOT NULL`) + o.db.Holding(t, "outbox", "recipient", token); n != 0 {
		t.Fatalf("%d outbox rows still hold the link after sending", n)
	}
	if n := o.db.Holding(t, "password_resets", "token_hash", token); n != 0 {
		t.Fatal("the reset token is stored in clear")
	}
	// Asking again at once sends nothing more.
	ask("Mailed Moth", "moth@example.org")
	if sent, _ := w.RunOnce(context.Background()); sent != 0 {
		t.Fatalf("a second link went out at once: %d", sent)
	}

	user := o.browser()
	if p := user.get("/recover/" + token); p.status != http.StatusOK || !strings.Contains(p.body, `name="new_password"`) {
		t.Fatalf("the reset link's page: %d", p.status)
	}
	if p := user.post("/recover/"+token, url.Values{"new_password": {"short"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a short password through the link: %d", p.status)
	}
	user.mustPost("/recover/"+token, url.Values{"new_password": {"moths find the light again"}}, "/threads")
	if !recoveryCodeOnPage.MatchString(user.get("/threads").body) {
		t.Fatal("no new recovery code after a reset by link")
	}
	o.browser().mustPost("/login", url.Values{"nickname": {"Mailed Moth"}, "password": {"moths find the light again"}}, "/threads")
	// Single use.
	if p := o.browser().post("/recover/"+token, url.Values{"new_password": {"someone else's password"}}); p.status != http.StatusNotFound ||
		!strings.Contains(p.body, "does not work any more") {
		t.Fatalf("a used link: %d", p.status)
	}
	if p := o.browser().get("/recover/" + token); p.status != http.StatusNotFound {
		t.Fatalf("a used link's page: %d", p.status)
	}

	// A link expires after 30 minutes.
	o.db.Clock.Advance(10 * time.Minute)
	ask("Mailed Moth", "moth@example.org")
	w.RunOnce(context.Background())
	mails = smtp.Mails()
	body = strings.ReplaceAll(strings.ReplaceAll(mails[len(mails)-1].Data, "=\r\n", ""), "=3D", "=")
	m = regexp.MustCompile(`/recover/([A-Za-z0-9_-]{43})`).FindStringSubmatch(body)
	if m == nil || m[1] == token {
		t.Fatal("no second link")
	}
	o.db.Clock.Advance(30 * time.Minute)
	if p := o.browser().post("/recover/"+m[1], url.Values{"new_password": {"too late for this one"}}); p.status != http.StatusNotFound {
		t.Fatalf("an expired link: %d", p.status)
	}
	o.browser().mustPost("/login", url.Values{"nickname": {"Mailed Moth"}, "password": {"moths find the light again"}}, "/threads")
}

func TestResetLinksNeedMail(t *testing.T) {
	o := newOffice(t)
	if p := o.browser().get("/recover"); p.status != http.StatusOK || strings.Contains(p.body, "/recover/mail") {
		t.Fatalf("/recover without mail: %d, offers mail: %v", p.status, strings.Contains(p.body, "/recover/mail"))
	}
	if p := o.browser().post("/recover/mail", url.Values{"nickname": {"x"}, "email": {"a@example.org"}}); p.status != http.StatusNotFound {
		t.Fatalf("asking for a link without mail: %d", p.status)
	}
}
