package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/passwd"
	"confidant/counselling/web"
	"confidant/store/storetest"
)

// syncBuffer is a log sink that tests read after requests ran on other goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type office struct {
	t   testing.TB
	srv *httptest.Server
	web *web.Server
	db  *storetest.DB
	log *syncBuffer
}

type option func(*web.Config)

func newOffice(t testing.TB, opts ...option) *office {
	t.Helper()
	return newOfficeOn(t, storetest.MustOpenDB(t), opts...)
}

// newOfficeOn is newOffice on a store the test opened itself.
func newOfficeOn(t testing.TB, db *storetest.DB, opts ...option) *office {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	cfg := web.Config{Clock: db.Clock, Logger: logger, LoginsPerMinute: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	hasher := passwd.New(passwd.DefaultParams, 0, 5*time.Second)
	server := web.New(cfg, db.DB, hasher)
	srv := httptest.NewUnstartedServer(server)
	if cfg.TLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return &office{t: t, srv: srv, web: server, db: db, log: logs}
}

// browser is a client with its own cookie jar that does not follow redirects.
type browser struct {
	o      *office
	client *http.Client
}

func (o *office) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := o.srv.Client()
	client := &http.Client{Transport: c.Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{o: o, client: client}
}

type page struct {
	status int
	header http.Header
	body   string
	resp   *http.Response
}

func (b *browser) do(req *http.Request) page {
	b.o.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.o.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(body), resp: resp}
}

func (b *browser) get(path string) page {
	b.o.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, b.o.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form as a same-origin browser would.
func (b *browser) post(path string, form url.Values) page {
	b.o.t.Helper()
	return b.postRaw(path, form.Encode())
}

func (b *browser) postRaw(path, body string) page {
	b.o.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, b.o.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.o.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse(b.o.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		return c
	}
	return nil
}

func registration(nick, password string) url.Values {
	return url.Values{"nickname": {nick}, "password": {password}, "accept_terms": {"yes"},
		"age_band": {"15-19"}, "gender": {"diverse"}}
}

func (b *browser) register(nick, password string) {
	b.o.t.Helper()
	p := b.post("/register", registration(nick, password))
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/threads" {
		b.o.t.Fatalf("register %q: status %d, location %q\n%s", nick, p.status, p.header.Get("Location"), p.body)
	}
}

// addRegions puts entries on an office's region list, as an admin of the
// office (one invited for the purpose) would.
func (o *office) addRegions(officeSlug string, names ...string) {
	o.t.Helper()
	ctx := context.Background()
	officeID := o.officeID(officeSlug)
	if _, err := o.db.CreateStaff(ctx, counselling.NewStaff{OfficeID: officeID, Role: counselling.RoleAdmin, Name: "Region Keeper"}); err != nil {
		o.t.Fatal(err)
	}
	admin := counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: officeID}
	staff, err := o.db.Staff(ctx, officeID)
	if err != nil {
		o.t.Fatal(err)
	}
	for _, m := range staff {
		if m.Name == "Region Keeper" {
			admin.AccountID = m.ID
		}
	}
	for _, name := range names {
		if err := o.db.AddRegion(context.Background(), admin, name); err != nil {
			o.t.Fatal(err)
		}
	}
}

func (o *office) seekers() int {
	return o.db.Count(o.t, `SELECT count(*) FROM accounts WHERE kind = 'seeker'`)
}
