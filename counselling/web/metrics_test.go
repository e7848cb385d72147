package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/metrics"
	"confidant/counselling/web"
)

// withMetrics serves the office's metrics on a listener of their own, as
// --metrics-addr does, and returns a function that scrapes them.
func withMetrics(t *testing.T) (option, func() string, **office) {
	var o *office
	m := metrics.New(lazyBacklog{&o}, func() int64 { return o.web.LiveConnections() }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	scrape := func() string {
		t.Helper()
		srv := httptest.NewServer(m.Handler())
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("metrics: %d\n%s", resp.StatusCode, body)
		}
		return string(body)
	}
	return func(c *web.Config) { c.ObserveRequest = m.ObserveRequest }, scrape, &o
}

// lazyBacklog reads the backlog of an office made after the metrics.
type lazyBacklog struct{ o **office }

func (l lazyBacklog) Backlog(ctx context.Context) (counselling.Backlog, error) {
	return (*l.o).db.Backlog(ctx)
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// sample is one line of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  string
}

func samples(t *testing.T, text string) []sample {
	t.Helper()
	var out []sample
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample line: %q", line)
		}
		s := sample{name: m[1], labels: map[string]string{}, value: m[3]}
		for _, p := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[p[1]] = p[2]
		}
		out = append(out, s)
	}
	return out
}

func find(all []sample, name string, labels map[string]string) (sample, bool) {
next:
	for _, s := range all {
		if s.name != name {
			continue
		}
		for k, v := range labels {
			if s.labels[k] != v {
				continue next
			}
		}
		return s, true
	}
	return sample{}, false
}

// TestMetricsLabelsNameNobody fills an office with distinctive people and
// words, visits their pages by id and by made-up paths, and then reads every
// label value of every metric: none may carry an id, a nickname, a name, an
// email address, an IP address, a token or a path someone typed. The counts
// themselves must be there, or the test would pass on an empty page.
func TestMetricsLabelsNameNobody(t *testing.T) {
	withM, scrape, op := withMetrics(t)
	o := newOffice(t, withM, func(c *web.Config) { c.MailEnabled = true })
	*op = o

	seeker := o.browser()
	form := registration("Quokka Marmalade", "a long and winding password")
	form.Set("email", "quokka.marmalade@example.org")
	seeker.mustPost("/register", form, "/threads")
	id := seeker.write("anxiety", "Zanzibar lighthouse", "Nobody knows about the lighthouse in Zanzibar.")
	counsellor := o.enrol(counselling.RoleCounsellor, "Theodora Fennimore")
	counsellor.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	counsellor.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Tell me about Zanzibar."}}, "/inbox/"+id)
	second := seeker.write("anxiety", "Second", "Still waiting.")
	if p := seeker.get("/threads/" + id); p.status != http.StatusOK {
		t.Fatalf("thread page: %d", p.status)
	}
	seeker.get("/threads/" + second)
	seeker.get("/quokka.marmalade@example.org")
	seeker.get("/threads/Quokka-Marmalade/zanzibar")
	seeker.get("/static/" + id + ".js")
	guest, chat := startGuestChat(t, o, "anxiety")
	g := guest.dial(chat, 0)
	g.state(counselling.ChatWaiting)

	text := scrape()
	all := samples(t, text)
	forbidden := []string{id, second, chat, "quokka", "marmalade", "theodora", "fennimore", "zanzibar", "example.org", "127.0.0.1", "guest"}
	if c := seeker.cookie(); c != nil {
		forbidden = append(forbidden, c.Value)
	}
	routes := map[string]bool{}
	for _, s := range all {
		for k, v := range s.labels {
			for _, f := range forbidden {
				if strings.Contains(strings.ToLower(v), strings.ToLower(f)) {
					t.Errorf("%s label %s=%q carries %q", s.name, k, v, f)
				}
			}
			if k == "route" {
				routes[v] = true
			}
		}
	}
	for r := range routes {
		if r != web.RouteUnmatched && !strings.HasPrefix(r, "/") {
			t.Errorf("route label %q is no route pattern", r)
		}
	}

	for _, want := range []struct {
		name   string
		labels map[string]string
	}{
		{"confidant_http_requests_total", map[string]string{"route": "/threads/:id", "method": "GET", "status": "200"}},
		{"confidant_http_requests_total", map[string]string{"route": "/inbox/:id/reply", "method": "POST", "status": "303"}},
		{"confidant_http_requests_total", map[string]string{"route": web.RouteUnmatched, "method": "GET", "status": "404"}},
		{"confidant_http_request_duration_seconds_count", map[string]string{"route": "/threads/:id", "method": "GET", "status": "200"}},
		{"go_goroutines", nil},
	} {
		if _, ok := find(all, want.name, want.labels); !ok {
			t.Errorf("no %s %v in\n%s", want.name, want.labels, text)
		}
	}
	if s, ok := find(all, "confidant_http_requests_total", map[string]string{"route": "/threads/:id", "method": "GET", "status": "200"}); !ok || s.value != "2" {
		t.Errorf("thread page views counted %q, want 2 (both threads under one pattern)", s.value)
	}
	for name, want := range map[string]string{
		"confidant_mail_queue_threads": "1", // the second enquiry; the first was taken
		"confidant_live_queue_chats":   "1",
		"confidant_live_connections":   "1",
	} {
		if s, ok := find(all, name, nil); !ok || s.value != want {
			t.Errorf("%s = %q, want %s", name, s.value, want)
		}
	}
	// The received confirmations and the reply notice wait in the outbox:
	// the help-seeker gave an address and no worker runs here.
	if s, ok := find(all, "confidant_outbox_backlog", map[string]string{"channel": "mail"}); !ok || s.value != "3" {
		t.Errorf("mail backlog %q, want 3", s.value)
	}

	g.close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if s, _ := find(samples(t, scrape()), "confidant_live_connections", nil); s.value == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed chat socket is still counted as open")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
