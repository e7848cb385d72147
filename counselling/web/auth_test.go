package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling/web"
)

func TestRegisterSeeOwnDetailsLogOutAndBackIn(t *testing.T) {
	o := newOffice(t)
	o.addRegions("main", "Aalborg Øst", "Aarhus")
	b := o.browser()
	form := registration("Quiet Harbour", "the sea at night is calm")
	form.Set("region", "aalborg øst") // the visible name, as a script might post it
	if p := b.post("/register", form); p.status != http.StatusSeeOther || p.header.Get("Location") != "/threads" {
		t.Fatalf("register: %d %s", p.status, p.header.Get("Location"))
	}
	if p := b.get("/threads"); p.status != http.StatusOK || !strings.Contains(p.body, "My messages") {
		t.Fatalf("threads after registering: %d", p.status)
	}
	acct := b.get("/account")
	for _, want := range []string{"Quiet Harbour", "15 to 19", "Diverse", "Aalborg Øst", "Version 1"} {
		if !strings.Contains(acct.body, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	old := b.cookie()
	out := b.post("/logout", nil)
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/" {
		t.Fatalf("logout: %d %s", out.status, out.header.Get("Location"))
	}
	if !strings.Contains(out.header.Get("Clear-Site-Data"), `"cookies"`) {
		t.Error("logout does not send Clear-Site-Data")
	}
	if b.cookie() != nil {
		t.Error("cookie still in the browser after logout")
	}
	// Someone who copied the cookie before logout cannot use it.
	replay := o.browser()
	u, _ := url.Parse(o.srv.URL)
	replay.client.Jar.SetCookies(u, []*http.Cookie{old})
	if p := replay.get("/threads"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("old cookie after logout: %d %s", p.status, p.header.Get("Location"))
	}
	if n := o.db.Count(t, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatalf("%d sessions left after logout", n)
	}

	login := b.post("/login", url.Values{"nickname": {"QUIET HARBOUR"}, "password": {"the sea at night is calm"}})
	if login.status != http.StatusSeeOther || login.header.Get("Location") != "/threads" {
		t.Fatalf("login: %d %s", login.status, login.header.Get("Location"))
	}
	if b.cookie() == nil || b.cookie().Value == old.Value {
		t.Fatal("login did not issue a new session token")
	}
}

var nonceAttr = regexp.MustCompile(`nonce="[^"]*"|nonce-[A-Za-z0-9+/=]+`)

func TestUnknownNicknameAndWrongPasswordLookTheSame(t *testing.T) {
	o := newOffice(t)
	o.browser().register("Known Person", "a sentence to remember")
	wrong := o.browser().post("/login", url.Values{"nickname": {"Known Person"}, "password": {"not the right one"}})
	unknown := o.browser().post("/login", url.Values{"nickname": {"Known Persom"}, "password": {"not the right one"}})
	if wrong.status != unknown.status || wrong.status != http.StatusUnauthorized {
		t.Fatalf("statuses differ or are not 401: wrong %d, unknown %d", wrong.status, unknown.status)
	}
	strip := func(s string) string {
		s = nonceAttr.ReplaceAllString(s, "")
		return strings.NewReplacer("Known Persom", "NICK", "Known Person", "NICK").Replace(s)
	}
	if strip(wrong.body) != strip(unknown.body) {
		t.Fatal("the login page tells an unknown nickname from a wrong password")
	}
	if !strings.Contains(wrong.body, "do not match") {
		t.Fatal("failed login does not say what went wrong")
	}
}

func TestRepeatedFailuresSlowTheAccountButNeverLockIt(t *testing.T) {
	o := newOffice(t)
	o.browser().register("Slow Down", "my real password is long")
	b := o.browser()
	for range 4 {
		if p := b.post("/login", url.Values{"nickname": {"Slow Down"}, "password": {"guess guess guess"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", p.status)
		}
	}
	right := url.Values{"nickname": {"Slow Down"}, "password": {"my real password is long"}}
	if p := b.post("/login", right); p.status != http.StatusUnauthorized {
		t.Fatalf("right password during the pause: %d, want the same refusal", p.status)
	}
	o.db.Clock.Advance(time.Minute)
	if p := b.post("/login", right); p.status != http.StatusSeeOther {
		t.Fatalf("right password after a minute: %d, want 303", p.status)
	}
}

func TestTooManyAttemptsFromOneClient(t *testing.T) {
	o := newOffice(t, func(c *web.Config) { c.LoginsPerMinute = 3 })
	b := o.browser()
	var last page
	for range 4 {
		last = b.post("/login", url.Values{"nickname": {"nobody"}, "password": {"whatever it is"}})
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" {
		t.Fatalf("fourth attempt in a minute: %d, Retry-After %q", last.status, last.header.Get("Retry-After"))
	}
	o.db.Clock.Advance(time.Minute)
	if p := b.post("/login", url.Values{"nickname": {"nobody"}, "password": {"whatever it is"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("after a minute: %d, want an ordinary refusal", p.status)
	}
}

func TestBadRegistrationsShowTheFormAgainAndStoreNothing(t *testing.T) {
	o := newOffice(t)
	o.browser().register("Taken Name", "an existing password")
	base := func(mod func(url.Values)) string {
		f := registration("Fresh Name", "a fine long password")
		mod(f)
		return f.Encode()
	}
	for _, tc := range []struct {
		name   string
		body   string
		status int
		says   string
	}{
		{"short password", base(func(f url.Values) { f.Set("password", "short") }), 422, "at least 8"},
		{"long password", base(func(f url.Values) { f.Set("password", strings.Repeat("p", 129)) }), 422, "at most 128"},
		{"common password", base(func(f url.Values) { f.Set("password", "iloveyou") }), 422, "most common"},
		{"terms not accepted", base(func(f url.Values) { f.Del("accept_terms") }), 422, "accept the privacy terms"},
		{"nickname taken", base(func(f url.Values) { f.Set("nickname", "ＴＡＫＥＮ name") }), 422, "already taken"},
		{"nickname too short", base(func(f url.Values) { f.Set("nickname", "ab") }), 422, "at least 3"},
		{"invalid UTF-8", base(func(f url.Values) { f.Set("nickname", "bad\xff\xfename") }), 422, "could not be read"},
		{"unknown age band", base(func(f url.Values) { f.Set("age_band", "12") }), 422, "age bands"},
		{"100 KB body", base(func(f url.Values) { f.Set("region", strings.Repeat("r", 100_000)) }), 413, "too long"},
		{"malformed encoding", "nickname=%zz&password=x", 422, "could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := o.browser().postRaw("/register", tc.body)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			if !strings.Contains(p.body, `action="/register"`) {
				t.Fatal("the form is not shown again")
			}
			if !strings.Contains(p.body, tc.says) {
				t.Fatalf("page does not say %q", tc.says)
			}
			if strings.Contains(p.body, "a fine long password") {
				t.Fatal("the password is echoed back into the page")
			}
			if n := o.seekers(); n != 1 {
				t.Fatalf("%d accounts after a refused registration, want 1", n)
			}
		})
	}
}

func TestPayloadsInNicknameAreInert(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	b.register(`<script>alert(1)</script>`, "a fine long password")
	p := b.get("/account")
	if strings.Contains(p.body, "<script>alert(1)") {
		t.Fatal("nickname rendered as markup")
	}
	if !strings.Contains(p.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("nickname not shown escaped")
	}
}
