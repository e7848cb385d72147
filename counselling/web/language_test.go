package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"confidant/counselling/mail"
	"confidant/counselling/mail/mailtest"
	"confidant/counselling/web"

	"golang.org/x/net/html"
)

func (b *browser) getLang(path, acceptLanguage string) page {
	b.o.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, b.o.srv.URL+path, nil)
	req.Header.Set("Accept-Language", acceptLanguage)
	return b.do(req)
}

func TestLanguageFromBrowserURLAndAccount(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	for lang, want := range map[string]string{"de-DE,de;q=0.9": "Schreib jemandem, der zuhört", "da": "Skriv til nogen, der lytter",
		"nl-BE": "Schrijf naar iemand die luistert", "fr": "Write to someone who listens"} {
		p := b.getLang("/", lang)
		if !strings.Contains(p.body, want) {
			t.Errorf("Accept-Language %s: the landing page is not in that language", lang)
		}
	}
	// A visitor's choice travels in the links.
	p := b.getLang("/?lang=nl", "de")
	if !strings.Contains(p.body, `<html lang="nl">`) || !strings.Contains(p.body, `href="/register?lang=nl"`) || !strings.Contains(p.body, `action="/login?lang=nl"`) && !strings.Contains(p.body, `href="/login?lang=nl"`) {
		t.Fatal("the chosen language is not carried in the page's links")
	}
	if len(p.resp.Cookies()) != 0 {
		t.Fatal("choosing a language set a cookie")
	}
	// Registering from a Dutch page: the account keeps Dutch, whatever the browser says later.
	form := registration("Taal Kiezer", "a fine long password")
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/register?lang=nl", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", o.srv.URL)
	if p := b.do(req); p.status != http.StatusSeeOther {
		t.Fatalf("register: %d", p.status)
	}
	if p := b.getLang("/threads", "en"); !strings.Contains(p.body, "Mijn berichten") {
		t.Fatal("the account's language is not remembered")
	}
	b.getLang("/account?lang=da", "en")
	if p := b.getLang("/threads", "en"); !strings.Contains(p.body, "Mine beskeder") {
		t.Fatal("a language chosen while logged in is not remembered")
	}
}

func TestNotificationInTheRecipientsLanguage(t *testing.T) {
	smtp := mailtest.Start(t)
	o := newOffice(t, func(c *web.Config) { c.MailEnabled = true })
	sender, _ := mail.ParseURL(smtp.URL(), "Confidant <no-reply@localhost>")
	w := mail.NewWorker(o.db, sender, o.srv.URL, translate, slog.New(slog.NewTextHandler(io.Discard, nil)))
	b := o.browser()
	form := registration("Dansk Skriver", "a fine long password")
	form.Set("email", "dansk@example.org")
	b.mustPost("/register?lang=da", form, "/threads")
	b.write("family", "", "Hej")
	w.RunOnce(context.Background())
	mails := smtp.Mails()
	if len(mails) != 1 || !strings.Contains(mails[0].Data, "inden for 2 hverdage") {
		t.Fatalf("the confirmation is not in Danish: %+v", mails)
	}
}

// cleanSitePath reports whether href is a path on this site that every
// browser reads the same way: it starts with one slash, holds only unreserved
// characters, sub-delimiters and percent-escapes, and no escape decodes to a
// control character or a backslash.
func cleanSitePath(href string) bool {
	if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") {
		return false
	}
	for i := 0; i < len(href); i++ {
		c := href[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0:
		case c == '%' && i+2 < len(href):
			b, err := strconv.ParseUint(href[i+1:i+3], 16, 8)
			if err != nil || b < 0x20 || b == 0x7f || b == '\\' {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	base, _ := url.Parse("http://office.example/")
	u, err := base.Parse(href)
	return err == nil && u.Host == "office.example"
}

func TestLanguageLinksStayOnTheSite(t *testing.T) {
	o := newOffice(t)
	host := strings.TrimPrefix(o.srv.URL, "http://")
	for _, target := range []string{
		"//elsewhere.example/page",
		"/%09/evil.example", "/%0A/evil.example", "/%0D/evil.example", "/%0d%0a/evil.example",
		"/%5C/evil.example", "/%5c%5cevil.example", `/\evil.example`, `/\/evil.example`, `/\%09/evil.example`,
		"/%2F/evil.example", "/%2F%2Fevil.example", "/./%09/evil.example", "/%E2%80%AE/evil.example",
		"/o/%09evil.example", "/o/%5C%5Cevil.example", "/o/%2F%2Fevil.example", "/o/main%0A",
		"/static/%09/evil.example", "/threads/%09%2F%2Fevil.example",
	} {
		resp := sendRaw(t, host, rawGet(host, target, "Accept-Language: de"), 5*time.Second)
		links := parse(t, resp.body).all("a", func(n *html.Node) bool { return attr(n, "hreflang") != "" })
		if len(links) != 3 && resp.status != http.StatusSeeOther {
			t.Errorf("GET %s: %d, %d language links, want 3", target, resp.status, len(links))
		}
		for _, a := range links {
			if href := attr(a, "href"); !cleanSitePath(href) {
				t.Errorf("GET %s: the language link %q can lead off the site", target, href)
			}
		}
	}
	// A page reached by a clean path keeps it in its language links.
	p := o.browser().get("/o/main")
	for _, a := range parse(t, p.body).all("a", func(n *html.Node) bool { return attr(n, "hreflang") == "de" }) {
		if got := attr(a, "href"); got != "/o/main?lang=de" {
			t.Errorf("the German link of /o/main leads to %q", got)
		}
	}
}
