package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/counselling/web"
)

// A form sent from the https origin of the same host to an office served over
// plain http comes from another origin and is refused, in both directions.
func TestCrossOriginSchemeMustMatch(t *testing.T) {
	for _, tc := range []struct {
		tls    bool
		scheme string
	}{{false, "https"}, {true, "http"}} {
		o := newOffice(t, func(c *web.Config) { c.TLS = tc.tls })
		host := o.srv.Listener.Addr().String()
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/register",
			strings.NewReader(registration("Scheme Swapper", "a fine long password").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", tc.scheme+"://"+host)
		req.Header.Set("Accept-Language", "de")
		p := o.browser().do(req)
		if p.status != http.StatusForbidden {
			t.Errorf("Origin %s://… on a TLS=%v office: %d, want 403", tc.scheme, tc.tls, p.status)
		}
		if n := o.seekers(); n != 0 {
			t.Errorf("Origin %s://… on a TLS=%v office created %d accounts", tc.scheme, tc.tls, n)
		}
		// The right origin still works.
		b := o.browser()
		req, _ = http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/register",
			strings.NewReader(registration("Scheme Keeper", "a fine long password").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", o.srv.URL)
		if p := b.do(req); p.status != http.StatusSeeOther {
			t.Errorf("a same-origin form on a TLS=%v office: %d, want 303", tc.tls, p.status)
		}
	}
}

// A browser says where a request comes from in Sec-Fetch-Site; with our
// Referrer-Policy (no-referrer) the same browser sends "Origin: null" for a
// form of our own page, which must still go through, while the same header
// from another site or another scheme is refused.
func TestBrowsersSameOriginFormWithNullOrigin(t *testing.T) {
	o := newOffice(t)
	for _, tc := range []struct {
		site, origin string
		want         int
	}{
		{"same-origin", "null", http.StatusSeeOther},
		{"same-site", "null", http.StatusForbidden},
		{"cross-site", "https://evil.example", http.StatusForbidden},
	} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.srv.URL+"/register",
			strings.NewReader(registration("Null Origin "+tc.site, "a fine long password").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", tc.site)
		req.Header.Set("Origin", tc.origin)
		if p := o.browser().do(req); p.status != tc.want {
			t.Errorf("Sec-Fetch-Site %s, Origin %s: %d, want %d", tc.site, tc.origin, p.status, tc.want)
		}
	}
	if n := o.seekers(); n != 1 {
		t.Errorf("%d accounts were created, want the one from our own page", n)
	}
}

// HEAD on a page answers what GET answers, with the same headers and no body.
func TestHeadAnswersLikeGet(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	for _, path := range []string{"/", "/o/main", "/register", "/login", "/healthz", "/threads", "/no-such-page"} {
		get := b.get(path)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodHead, o.srv.URL+path, nil)
		head := b.do(req)
		if head.status != get.status {
			t.Errorf("HEAD %s: %d, GET answers %d", path, head.status, get.status)
		}
		if head.body != "" {
			t.Errorf("HEAD %s sent a body", path)
		}
		for _, h := range []string{"Content-Type", "Content-Security-Policy", "Location", "Content-Language"} {
			if (head.header.Get(h) == "") != (get.header.Get(h) == "") {
				t.Errorf("HEAD %s: header %s %q, GET has %q", path, h, head.header.Get(h), get.header.Get(h))
			}
		}
	}
}

// HEAD changes nothing: a thread with an unread reply stays unread for the
// help-seeker and for its counsellor, and only a GET marks it read.
func TestHeadLeavesAThreadUnread(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Head Counsellor")
	seeker := o.browser()
	seeker.register("Head Seeker", "a fine long password")
	id := seeker.write("family", "A question", "Something on my mind.")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"An answer."}}, "/inbox/"+id)
	seeker.mustPost("/threads/"+id+"/reply", url.Values{"body": {"Thank you."}}, "/threads/"+id)
	unread := func() (seekerUnread, counsellorUnread int) {
		seekerUnread = o.db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND seeker_unread = 1`, id)
		counsellorUnread = o.db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND counsellor_unread = 1`, id)
		return
	}
	if s, k := unread(); s != 1 || k != 1 {
		t.Fatalf("before: help-seeker unread %d, counsellor unread %d, want both", s, k)
	}
	for _, h := range []struct {
		b    *browser
		path string
	}{{seeker, "/threads/" + id}, {c.browser, "/inbox/" + id}} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodHead, o.srv.URL+h.path, nil)
		if p := h.b.do(req); p.status != http.StatusOK {
			t.Fatalf("HEAD %s: %d", h.path, p.status)
		}
	}
	if s, k := unread(); s != 1 || k != 1 {
		t.Fatalf("after HEAD: help-seeker unread %d, counsellor unread %d; HEAD marked the thread read", s, k)
	}
	seeker.get("/threads/" + id)
	c.get("/inbox/" + id)
	if s, k := unread(); s != 0 || k != 0 {
		t.Fatalf("after GET: help-seeker unread %d, counsellor unread %d, want none", s, k)
	}
}
