package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"confidant/templates"
)

// errorPage checks that an answer is the office's own page in lang: the
// html element names the language, and the title (when given) and the
// message read as their translations of the English ids.
func errorPage(t *testing.T, what string, status int, header http.Header, body string, wantStatus int, lang, title, message string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: %d, want %d", what, status, wantStatus)
	}
	if !strings.HasPrefix(header.Get("Content-Type"), "text/html") {
		t.Errorf("%s: answered with %q, not a page", what, header.Get("Content-Type"))
		return
	}
	d := parse(t, body)
	if html := d.all("html", nil); len(html) != 1 || attr(html[0], "lang") != lang {
		t.Errorf("%s: the page is not in %s", what, lang)
	}
	if want := templates.Translate(lang, title, nil, nil); title != "" && (!strings.HasPrefix(d.title(), want) || (lang != "en" && want == title)) {
		t.Errorf("%s: title %q, want %q", what, d.title(), want)
	}
	want := templates.Translate(lang, message, nil, nil)
	if lang != "en" && want == message {
		t.Errorf("%s: %q has no %s translation", what, message, lang)
	}
	found := false
	for _, p := range d.all("p", nil) {
		found = found || textOf(p) == want
	}
	if !found {
		t.Errorf("%s: the page does not say %q", what, want)
	}
}

func TestTooLongIsRefusedInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	host := o.srv.Listener.Addr().String()
	const tooLong = "What you sent was too long, so nothing was saved. Please shorten it and try again."

	// A body that really is too long.
	body := "nickname=" + strings.Repeat("a", 70<<10)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/register", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", o.srv.URL)
	req.Header.Set("Accept-Language", "de-DE,de;q=0.9")
	p := o.browser().do(req)
	errorPage(t, "a 70 KiB form", p.status, p.header, p.body, http.StatusRequestEntityTooLarge, "de", "", tooLong)

	// A body that declares 99 GB and sends ten bytes is refused at once.
	raw := fmt.Sprintf("POST /register?lang=nl HTTP/1.1\r\nHost: %s\r\nOrigin: http://%s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 99000000000\r\n\r\nnickname=a", host, host)
	resp := sendRaw(t, host, raw, 5*time.Second)
	if resp.elapsed > 2*time.Second {
		t.Errorf("a declared 99 GB body was held for %s before the answer", resp.elapsed)
	}
	errorPage(t, "a declared 99 GB body", resp.status, resp.header, resp.body, http.StatusRequestEntityTooLarge, "nl", "", tooLong)
	if !strings.Contains(resp.body, `action="/register?lang=nl"`) {
		t.Error("a declared 99 GB body: the form is not shown again")
	}
	if o.seekers() != 0 {
		t.Fatal("a refused body created an account")
	}
}

func TestCrossSiteRefusalInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	for lang, header := range map[string]string{"da": "da-DK,da;q=0.9", "de": "de"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/register",
			strings.NewReader(registration("Forged Form", "a fine long password").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Accept-Language", header)
		p := o.browser().do(req)
		errorPage(t, "a cross-site form in "+lang, p.status, p.header, p.body, http.StatusForbidden, lang, "Not allowed",
			"This form was sent from another website, so it was refused. Please open Confidant directly and try again.")
	}
	// ?lang= chooses as well.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/login?lang=nl", strings.NewReader("nickname=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://elsewhere.example")
	p := o.browser().do(req)
	errorPage(t, "a cross-site form with ?lang=nl", p.status, p.header, p.body, http.StatusForbidden, "nl", "Not allowed",
		"This form was sent from another website, so it was refused. Please open Confidant directly and try again.")
}

func TestOversizedAndMalformedCookiesGetTheOfficesPage(t *testing.T) {
	o := newOffice(t)
	host := o.srv.Listener.Addr().String()
	big := "Cookie: other=" + strings.Repeat("x", 40<<10)
	resp := sendRaw(t, host, rawGet(host, "/", big, "Accept-Language: de"), 5*time.Second)
	errorPage(t, "a 40 KiB cookie", resp.status, resp.header, resp.body, http.StatusRequestHeaderFieldsTooLarge, "de", "Too many cookies",
		"Your browser sent more cookies than this site accepts. Please delete the cookies of this site and try again.")
	for _, cookie := range []string{
		"Cookie: confidant=\"<script>\"",
		"Cookie: confidant=abc; confidant=def",
		"Cookie: confidant=" + strings.Repeat("A", 500),
	} {
		resp := sendRaw(t, host, rawGet(host, "/?lang=da", cookie), 5*time.Second)
		errorPage(t, cookie, resp.status, resp.header, resp.body, http.StatusBadRequest, "da", "What was sent could not be read",
			"Your browser sent a cookie that this site did not set, so the request was refused. The cookie has been removed; please try again.")
		if !strings.Contains(resp.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("%s: the bad cookie is not removed", cookie)
		}
	}
	// Someone logged in with an ordinary cookie is not affected.
	b := o.browser()
	b.register("Cookie Keeper", "a fine long password")
	if p := b.get("/threads"); p.status != http.StatusOK {
		t.Fatalf("a logged-in help-seeker: %d", p.status)
	}
}

// Errors the router raises are pages in the reader's language too.
func TestRoutingErrorsInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, o.srv.URL+"/no-such-page", nil)
	req.Header.Set("Accept-Language", "nl")
	p := o.browser().do(req)
	errorPage(t, "an unknown page", p.status, p.header, p.body, http.StatusNotFound, "nl", "Page not found",
		"We could not find that page. It may have been deleted, or you may not be allowed to see it.")
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodDelete, o.srv.URL+"/login", nil)
	req.Header.Set("Accept-Language", "de")
	p = o.browser().do(req)
	if p.status != http.StatusMethodNotAllowed && p.status != http.StatusForbidden {
		t.Errorf("DELETE /login: %d", p.status)
	}
	if !strings.Contains(p.body, `<html lang="de">`) {
		t.Errorf("DELETE /login: the refusal is not in German")
	}
}
