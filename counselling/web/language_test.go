package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"confidant/counselling/mail"
	"confidant/counselling/mail/mailtest"
	"confidant/counselling/web"
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

func TestLanguageLinksStayOnTheSite(t *testing.T) {
	o := newOffice(t)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, o.srv.URL+"/x", nil)
	req.URL.Path = "//elsewhere.example/page"
	p := o.browser().do(req)
	if strings.Contains(p.body, `href="//elsewhere.example`) {
		t.Fatal("a language link leads to another site")
	}
}
