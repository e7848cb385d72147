package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

func TestServesTLSWithHSTSHostCookieAndRedirect(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, t.TempDir())
	redirectAddr := "127.0.0.1:" + strings.Split(freeAddr(t), ":")[1]
	office := start(t, dir, "--tls-cert", cert, "--tls-key", key, "--http-redirect-addr", redirectAddr)
	if !strings.HasPrefix(office.url, "https://") {
		t.Fatalf("served at %s", office.url)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}}
	if _, err := (&http.Client{Transport: transport}).Get(office.url + "/healthz"); err == nil {
		t.Fatal("TLS 1.1 was accepted")
	}
	c := client()
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, body := postForm(t, c, office.url, "/register", url.Values{"nickname": {"Secure Line"}, "password": {"over tls only please"}, "accept_terms": {"y"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register over TLS: %d %s", resp.StatusCode, body)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=63072000") {
		t.Fatalf("HSTS: %q", hsts)
	}
	cookie := resp.Header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "__Host-") || !strings.Contains(cookie, "Secure") || !strings.Contains(cookie, "HttpOnly") {
		t.Fatalf("cookie under TLS: %q", cookie)
	}
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var r *http.Response
	var err error
	for range 50 {
		if r, err = plain.Get("http://" + redirectAddr + "/login?x=1"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != office.url+"/login?x=1" {
		t.Fatalf("plain HTTP: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The plain-HTTP redirect leads to the office's own host whatever the
// request-target: one without a path (an opaque "http:.evil.example/") must
// not become https://office.example.evil.example/.
func TestRedirectStaysOnTheOfficesHost(t *testing.T) {
	for _, target := range []string{"http:.evil.example/x", "//evil.example/x", "/threads?x=1"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatal(err)
		}
		req.URL = u
		redirectToHTTPS("https://office.example.org").ServeHTTP(rec, req)
		loc := rec.Header().Get("Location")
		if !strings.HasPrefix(loc, "https://office.example.org/") {
			t.Errorf("request-target %q redirects to %q", target, loc)
		}
	}
}
