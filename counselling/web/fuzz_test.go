package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/counselling/push"
	"confidant/counselling/web"
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

// Whatever body a browser posts to the forms that take times, time zones,
// numbers, survey questions and push subscriptions, each posted by the
// person who may use it, the office answers with a redirect (accepted) or
// the form again with a reason (4xx), never an error of its own.
func FuzzOfficeForms(f *testing.F) {
	type form struct {
		path string
		by   string // who posts it
	}
	forms := []form{
		{"/admin/workday", "admin"},
		{"/admin/quality", "admin"},
		{"/admin/surveys", "admin"},
		{"/live/slots", "counsellor"},
		{"/live/groups", "supervisor"},
		{"/live/callback", "seeker"},
		{"/account/push", "seeker"},
	}
	f.Add(uint8(0), "time_zone=Europe%2FBerlin&promise_amount=2&promise_unit=working-days&opens_1=09%3A00&closes_1=17%3A00&holidays=2026-12-24%0A2026-12-31")
	f.Add(uint8(0), "time_zone=..%2F..%2Fetc%2Fpasswd&promise_amount=99999999999999999999&opens_1=25%3A00&closes_1=9%3A5&holidays=2026-02-30")
	f.Add(uint8(1), "window=20&threshold=30&sample=3")
	f.Add(uint8(1), "window=5&threshold=0&sample=6")
	f.Add(uint8(2), "moment=after-contact&kind=single&text_en=How%3F&text_de=Wie%3F&text_da=Hvordan%3F&text_nl=Hoe%3F&options_en=a%0Ab&options_de=a%0Ab&options_da=a%0Ab&options_nl=a%0Ab")
	f.Add(uint8(2), "moment=later&kind=scale&text_en=%FF")
	f.Add(uint8(3), "start=2026-03-29T02%3A30&minutes=30&kind=chat")
	f.Add(uint8(3), "start=2026-03-10T10%3A00&minutes=15&kind=video")
	f.Add(uint8(4), "theme=Pr%C3%BCfungen&rules=Freundlich+bleiben&starts_at=2026-10-25T02%3A30&ends_at=2026-10-25T03%3A30&max_size=8&moderator=x")
	f.Add(uint8(5), "counsellor=x&kind=chat&window_from=25%3A00&window_to=10%3A00")
	f.Add(uint8(6), "endpoint=http%3A%2F%2Fpush.example%2Fx&p256dh=AAAA&auth=AAAA")
	f.Add(uint8(6), "endpoint=https%3A%2F%2Fpush.example%2Fx&p256dh=BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM&auth=tBHItJI5svbpez7KI4CCXg")
	f.Add(uint8(5), "%%%&&==")
	keys, err := push.LoadOrCreateKeys(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	o := newOffice(f, func(c *web.Config) { c.PushKey = keys.Public })
	seeker := o.browser()
	seeker.register("Fuzzy Heron", "a long enough passphrase")
	by := map[string]*browser{
		"admin":      o.enrol(counselling.RoleAdmin, "Fuzz Admin").browser,
		"counsellor": o.enrol(counselling.RoleCounsellor, "Fuzz Counsellor").browser,
		"supervisor": o.enrol(counselling.RoleSupervisor, "Fuzz Supervisor").browser,
		"seeker":     seeker,
	}
	f.Fuzz(func(t *testing.T, pick uint8, body string) {
		fm := forms[int(pick)%len(forms)]
		b := by[fm.by]
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+fm.path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", o.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 500:
			t.Fatalf("POST %s as %s %q: %d\n%s", fm.path, fm.by, body, resp.StatusCode, page)
		case resp.StatusCode == http.StatusSeeOther:
		case resp.StatusCode < 400 || !strings.Contains(string(page), "<form"):
			t.Fatalf("POST %s as %s %q: %d without the form again", fm.path, fm.by, body, resp.StatusCode)
		}
	})
}
