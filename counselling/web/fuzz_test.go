package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Whatever body a browser posts to the forms that take a help-seeker's text
// and details, the office answers with a redirect (accepted) or the form
// again with a reason (4xx), never an error of its own; and a refused form
// stores nothing.
func FuzzPostedForms(f *testing.F) {
	f.Add("theme=anxiety&subject=Pr%C3%BCfung&body=Ich+kann+nicht+schlafen", "email=a%40example.org&age_band=15-19&gender=female")
	f.Add("theme=&body=", "email=not-an-address")
	f.Add("theme=anxiety&body=%FF%FE", "age_band=%00&gender=robot")
	f.Add("body=a&body=b&theme=other&theme=family", "email=%E2%80%AEevil%40x.org")
	f.Add("%%%&&==", "region=nowhere")
	f.Add("theme=anxiety&body="+strings.Repeat("x", 21000), "email="+strings.Repeat("a", 300)+"%40x.org")
	o := newOffice(f)
	b := o.browser()
	b.register("Fuzzy Owl", "a long enough passphrase")
	post := func(t *testing.T, path, body string) int {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", o.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("POST %s %q: %d\n%s", path, body, resp.StatusCode, page)
		}
		if resp.StatusCode != http.StatusSeeOther && !strings.Contains(string(page), "<form") {
			t.Fatalf("POST %s %q: %d without the form again", path, body, resp.StatusCode)
		}
		return resp.StatusCode
	}
	f.Fuzz(func(t *testing.T, enquiry, details string) {
		before := o.db.Count(t, `SELECT COUNT(*) FROM messages`)
		if status := post(t, "/threads/new", enquiry); status != http.StatusSeeOther {
			if after := o.db.Count(t, `SELECT COUNT(*) FROM messages`); after != before {
				t.Fatalf("a refused enquiry (%d) stored a message", status)
			}
		}
		post(t, "/account", details)
	})
}
