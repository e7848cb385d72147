package push_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"confidant/counselling"
	"confidant/counselling/push"
)

// Subscription keys as a browser hands them over.
const (
	p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
	auth   = "tBHItJI5svbpez7KI4CCXg"
)

// received is what a push service got.
type received struct {
	method, path string
	header       http.Header
	body         []byte
}

// pushService is a push service on 127.0.0.1 that answers with status.
type pushService struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
}

func startPushService(t *testing.T) *pushService {
	p := &pushService{status: http.StatusCreated}
	p.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.got = append(p.got, received{r.Method, r.URL.Path, r.Header.Clone(), body})
		status := p.status
		p.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *pushService) requests() []received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]received(nil), p.got...)
}

func keys(t *testing.T) push.Keys {
	t.Helper()
	k, err := push.LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeysAreMadeOnceAndKeptPrivate(t *testing.T) {
	dir := t.TempDir()
	first, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, push.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %#o, want 0600", push.KeyFile, info.Mode().Perm())
	}
	if raw, _ := base64.RawURLEncoding.DecodeString(first.Public); len(raw) != 65 || raw[0] != 4 {
		t.Errorf("public key %q is no uncompressed P-256 point", first.Public)
	}
	again, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("a second start made new keys: every device would have to opt in again")
	}
	os.Chmod(filepath.Join(dir, push.KeyFile), 0o644)
	if _, err := push.LoadOrCreateKeys(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key file others can read is accepted: %v", err)
	}
}

// TestPushCarriesNothing delivers to a local push service: one POST with an
// empty body, signed with the office's VAPID key for that service's origin.
func TestPushCarriesNothing(t *testing.T) {
	svc := startPushService(t)
	k := keys(t)
	sender := push.NewSender(k, "https://office.example", "", svc.Client())
	sub := counselling.PushSubscription{Endpoint: svc.URL + "/wpush/v2/device-7", P256dh: p256dh, Auth: auth}
	if err := sender.Push(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	got := svc.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	r := got[0]
	if r.method != http.MethodPost || r.path != "/wpush/v2/device-7" {
		t.Errorf("%s %s, want POST to the endpoint", r.method, r.path)
	}
	if len(r.body) != 0 || r.header.Get("Content-Encoding") != "" {
		t.Errorf("the push carries %d bytes (Content-Encoding %q): it must carry nothing", len(r.body), r.header.Get("Content-Encoding"))
	}
	if r.header.Get("TTL") == "" || r.header.Get("TTL") == "0" {
		t.Errorf("TTL %q: an offline device would never hear of it", r.header.Get("TTL"))
	}
	authz := r.header.Get("Authorization")
	if !strings.HasPrefix(authz, "vapid t=") || !strings.HasSuffix(authz, ", k="+k.Public) {
		t.Fatalf("Authorization %q is no VAPID signature with the office's key", authz)
	}
	jwt := strings.TrimSuffix(strings.TrimPrefix(authz, "vapid t="), ", k="+k.Public)
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", jwt)
	}
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Aud, Sub string
	}
	json.Unmarshal(claims, &c)
	if c.Aud != svc.URL || c.Sub != "https://office.example" {
		t.Errorf("claims %s: want the push service's origin and the office's URL", claims)
	}
}

func TestGoneSubscriptions(t *testing.T) {
	svc := startPushService(t)
	sender := push.NewSender(keys(t), "http://127.0.0.1:8080", "no-reply@localhost", svc.Client())
	sub := counselling.PushSubscription{Endpoint: svc.URL + "/device", P256dh: p256dh, Auth: auth}
	for status, gone := range map[int]bool{http.StatusGone: true, http.StatusNotFound: true, http.StatusTooManyRequests: false, http.StatusInternalServerError: false} {
		svc.mu.Lock()
		svc.status = status
		svc.mu.Unlock()
		err := sender.Push(context.Background(), sub)
		if errors.Is(err, counselling.ErrPushGone) != gone || err == nil {
			t.Errorf("status %d: %v, want gone %v", status, err, gone)
		}
		if err != nil && strings.Contains(err.Error(), "/device") {
			t.Errorf("the error names the endpoint: %v", err)
		}
	}
}

// TestPushesReachOnlyPublicAddresses: an endpoint comes from a browser, so
// from anyone with an account; the office must not be made to send requests
// into its own network.
func TestPushesReachOnlyPublicAddresses(t *testing.T) {
	svc := startPushService(t)
	sender := push.NewSender(keys(t), "https://office.example", "", nil)
	err := sender.Push(context.Background(), counselling.PushSubscription{Endpoint: svc.URL + "/device", P256dh: p256dh, Auth: auth})
	if err == nil || len(svc.requests()) != 0 {
		t.Fatalf("a push went to a loopback address: %v, %d requests", err, len(svc.requests()))
	}
	// Without TLS nothing but the address check stands between the office
	// and a service in its own network.
	var reached sync.Mutex
	hits := 0
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Lock()
		hits++
		reached.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer plain.Close()
	err = sender.Push(context.Background(), counselling.PushSubscription{Endpoint: plain.URL + "/device", P256dh: p256dh, Auth: auth})
	reached.Lock()
	defer reached.Unlock()
	if err == nil || hits != 0 {
		t.Fatalf("a push went to a plain-HTTP service on a loopback address: %v, %d requests", err, hits)
	}
	for addr, want := range map[string]bool{
		"142.250.185.106": true, "2a00:1450:4001:82b::200a": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.9": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fd00::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "224.0.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "240.0.0.1": false,
	} {
		if got := push.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}
