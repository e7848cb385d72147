package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling/web"
)

func TestSessionCookieAttributes(t *testing.T) {
	for _, tls := range []bool{false, true} {
		o := newOffice(t, func(c *web.Config) { c.TLS = tls })
		p := o.browser().post("/register", registration("Cookie Check", "a fine long password"))
		cookies := p.resp.Cookies()
		if len(cookies) != 1 {
			t.Fatalf("tls=%v: %d cookies set, want exactly one", tls, len(cookies))
		}
		c := cookies[0]
		raw := p.header.Get("Set-Cookie")
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("tls=%v: cookie %q lacks HttpOnly, SameSite=Lax or Path=/", tls, raw)
		}
		if strings.Contains(strings.ToLower(raw), "expires") || strings.Contains(strings.ToLower(raw), "max-age") {
			t.Errorf("tls=%v: cookie %q persists beyond the browser session", tls, raw)
		}
		if tls && (!c.Secure || !strings.HasPrefix(c.Name, "__Host-")) {
			t.Errorf("under TLS the cookie %q must be Secure with the __Host- prefix", raw)
		}
		if len(c.Value) < 22 {
			t.Errorf("token %q carries fewer than 128 bits", c.Value)
		}
		if tls && !strings.Contains(p.header.Get("Strict-Transport-Security"), "max-age=") {
			t.Error("no HSTS under TLS")
		}
	}
}

func TestIdleSessionEnds(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	b.register("Idle Reader", "a fine long password")
	o.db.Clock.Advance(29 * time.Minute)
	if p := b.get("/threads"); p.status != http.StatusOK {
		t.Fatalf("after 29 minutes: %d, want still logged in", p.status)
	}
	o.db.Clock.Advance(29 * time.Minute)
	if p := b.get("/threads"); p.status != http.StatusOK {
		t.Fatalf("29 minutes after the last request: %d, want still logged in", p.status)
	}
	o.db.Clock.Advance(31 * time.Minute)
	if p := b.get("/threads"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("after 31 idle minutes: %d %s, want sent to login", p.status, p.header.Get("Location"))
	}
	if n := o.db.Count(t, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatalf("expired session row kept: %d", n)
	}
}

var scriptNonce = regexp.MustCompile(`<script[^>]*nonce="([^"]+)"`)

func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	b.register("Header Check", "a fine long password")
	landing := b.get("/")
	css := regexp.MustCompile(`href="(/static/[^"]+\.css)"`).FindStringSubmatch(landing.body)
	if css == nil {
		t.Fatal("no stylesheet on the landing page")
	}
	for _, tc := range []struct {
		method, path string
		private      bool
	}{
		{"GET", "/", true},
		{"GET", "/register", true},
		{"GET", "/login", true},
		{"GET", "/threads", true},
		{"GET", "/account", true},
		{"GET", "/healthz", true},
		{"GET", "/no-such-page", true},
		{"POST", "/login", true},
		{"GET", css[1], false},
	} {
		var p page
		if tc.method == "GET" {
			p = b.get(tc.path)
		} else {
			p = b.post(tc.path, url.Values{"nickname": {"x"}})
		}
		h := p.header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self' 'nonce-", "frame-ancestors 'none'",
			"base-uri 'none'", "object-src 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s %s: CSP %q lacks %q", tc.method, tc.path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s %s: CSP allows inline or eval'd script", tc.method, tc.path)
		}
		for name, want := range map[string]string{
			"X-Content-Type-Options":     "nosniff",
			"Referrer-Policy":            "no-referrer",
			"Cross-Origin-Opener-Policy": "same-origin",
		} {
			if h.Get(name) != want {
				t.Errorf("%s %s: %s = %q, want %q", tc.method, tc.path, name, h.Get(name), want)
			}
		}
		if !strings.Contains(h.Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s %s: Permissions-Policy %q", tc.method, tc.path, h.Get("Permissions-Policy"))
		}
		if tc.private && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", tc.method, tc.path, h.Get("Cache-Control"))
		}
		if !tc.private && !strings.Contains(h.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: hashed asset not cached", tc.path)
		}
		if m := scriptNonce.FindStringSubmatch(p.body); m != nil && !strings.Contains(csp, "'nonce-"+m[1]+"'") {
			t.Errorf("%s %s: script nonce %q is not the one in the CSP", tc.method, tc.path, m[1])
		}
	}
	if a, b := scriptNonce.FindStringSubmatch(b.get("/").body), scriptNonce.FindStringSubmatch(b.get("/").body); a == nil || a[1] == b[1] {
		t.Error("the CSP nonce does not change per response")
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	for _, headers := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/register",
			strings.NewReader(registration("Forged Form", "a fine long password").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		p := b.do(req)
		if p.status != http.StatusForbidden {
			t.Errorf("cross-site POST with %v: %d, want 403", headers, p.status)
		}
		if !strings.Contains(p.body, "another website") {
			t.Errorf("the refusal does not explain itself")
		}
	}
	if n := o.seekers(); n != 0 {
		t.Fatalf("a forged form created %d accounts", n)
	}
}

func TestQuickExitOnEveryHelpSeekerPage(t *testing.T) {
	o := newOffice(t, func(c *web.Config) { c.QuickExitURL = "https://weather.example/" })
	b := o.browser()
	check := func(path string, p page) {
		if !strings.Contains(p.body, `id="quick-exit"`) || !strings.Contains(p.body, `href="https://weather.example/"`) {
			t.Errorf("%s has no quick-exit link to the configured site", path)
		}
	}
	for _, path := range []string{"/", "/register", "/login", "/no-such-page"} {
		check(path, b.get(path))
	}
	b.register("Exit Ready", "a fine long password")
	for _, path := range []string{"/threads", "/account"} {
		check(path, b.get(path))
	}
}

func TestHealthz(t *testing.T) {
	p := newOffice(t).browser().get("/healthz")
	if p.status != http.StatusOK || p.body != "ok" {
		t.Fatalf("healthz: %d %q", p.status, p.body)
	}
}

func TestLogsHoldNoPersonalData(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	b.register("Secret Sparrow", "sparrow sings at dawn")
	b.post("/account", url.Values{"email": {"sparrow@example.org"}})
	b.post("/logout", nil)
	b.post("/login", url.Values{"nickname": {"Secret Sparrow"}, "password": {"wrong wrong wrong"}})
	b.post("/login", url.Values{"nickname": {"Secret Sparrow"}, "password": {"sparrow sings at dawn"}})
	b.get("/no-such-page?nick=Secret+Sparrow")
	token := b.cookie().Value
	logs := o.log.String()
	if !strings.Contains(logs, "route=/login") {
		t.Fatalf("the log shows no requests at all:\n%s", logs)
	}
	for _, secret := range []string{"127.0.0.1", "Secret Sparrow", "Secret+Sparrow", "sparrow", "dawn", "wrong wrong", token} {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(secret)) {
			t.Errorf("the log contains %q:\n%s", secret, logs)
		}
	}
}

func TestPageViewsCountedByRouteWithoutVisitors(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	b.get("/")
	b.get("/?from=somewhere")
	b.get("/register")
	b.get("/no-such-page")
	b.get("/healthz")
	b.register("Visit Counter", "a fine long password")
	b.get("/threads")
	// A thread page is counted by its pattern, never by its id.
	id := b.write("other", "", "hello")
	b.get("/threads/" + id)
	o.db.Clock.Advance(24 * time.Hour)
	b.get("/")
	if err := o.srv.Config.Handler.(*web.Server).FlushVisits(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		day, route string
		views      int
	}{
		{"2026-03-02", "/", 2}, {"2026-03-02", "/register", 1}, {"2026-03-02", "/threads", 1},
		{"2026-03-02", "/threads/:id", 1}, {"2026-03-03", "/", 1},
	} {
		if n := o.db.Count(t, `SELECT coalesce(sum(views), 0) FROM page_views WHERE day = ? AND route = ?`, want.day, want.route); n != want.views {
			t.Errorf("%s %s: %d views, want %d", want.day, want.route, n, want.views)
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM page_views WHERE route LIKE '%healthz%' OR route LIKE '%no-such%' OR route LIKE '%`+id+`%'`); n != 0 {
		t.Fatal("health checks, errors or raw ids were counted")
	}
}
