package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

// The ACME flags: a repeatable domain whose variable lists names
// comma-separated, replaced (not extended) by the flag; names a directory
// would refuse are refused at start with a message that says what to give.
func TestACMEConfiguration(t *testing.T) {
	env := map[string]string{"CONFIDANT_ACME_DOMAIN": "office.example.org, help.example.org"}
	m := NewMain(io.Discard, io.Discard, func(k string) string { return env[k] })
	fs, cfg := m.serveFlags()
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.ACMEDomains, " "); got != "office.example.org help.example.org" || cfg.ACMEDirectory != letsEncrypt {
		t.Fatalf("from the environment: domains %q, directory %q", got, cfg.ACMEDirectory)
	}
	if err := cfg.validate(); err != nil {
		t.Fatalf("a valid ACME configuration was refused: %v", err)
	}
	fs, cfg = m.serveFlags()
	if err := fs.Parse([]string{"--acme-domain", "a.example.org", "--acme-domain", "b.example.org"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.ACMEDomains, " "); got != "a.example.org b.example.org" {
		t.Fatalf("flags win over the environment and repeat: %q", got)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--acme-domain", "localhost"}, "single-label"},
		{[]string{"--acme-domain", "192.0.2.7"}, "IP address"},
		{[]string{"--acme-domain", "*.example.org"}, "not a host name"},
		{[]string{"--acme-domain", "office.example.org", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "exclude each other"},
		{[]string{"--acme-domain", "office.example.org", "--acme-directory", "http://acme.example.org/dir"}, "https://"},
		{[]string{"--http-redirect-addr", "127.0.0.1:80"}, "--acme-domain"},
	} {
		fs, cfg := NewMain(io.Discard, io.Discard, func(string) string { return "" }).serveFlags()
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
	if got := acmeBaseURL("office.example.org", "0.0.0.0:443"); got != "https://office.example.org" {
		t.Errorf("base URL on 443: %q", got)
	}
	if got := acmeBaseURL("office.example.org", "127.0.0.1:8443"); got != "https://office.example.org:8443" {
		t.Errorf("base URL on 8443: %q", got)
	}
}

// The operator hears in time when renewal keeps failing, and hears nothing
// while a certificate is fresh.
func TestCertificateRenewalWarning(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		left    time.Duration
		cert    bool
		warning string
	}{
		{"fresh", 60 * 24 * time.Hour, true, ""},
		{"renewal due, not yet overdue", 25 * 24 * time.Hour, true, ""},
		{"renewal overdue", 19 * 24 * time.Hour, true, "renewal keeps failing"},
		{"expired", -time.Hour, true, "renewal keeps failing"},
		{"none obtained", 0, false, "no certificate from the ACME directory"},
	} {
		var log bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&log, nil))
		var asked *tls.ClientHelloInfo
		get := func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			asked = hello
			if !tc.cert {
				return nil, errors.New("acme: directory unreachable")
			}
			return &tls.Certificate{Leaf: &x509.Certificate{NotAfter: now.Add(tc.left)}}, nil
		}
		ok := checkCertificate("office.example.org", get, now, logger)
		if ok != tc.cert {
			t.Errorf("%s: reported a certificate: %v", tc.name, ok)
		}
		if asked.ServerName != "office.example.org" || len(asked.SignatureSchemes) == 0 {
			t.Errorf("%s: asked for %+v, want the ECDSA certificate of the domain", tc.name, asked)
		}
		got := log.String()
		if tc.warning == "" && got != "" || tc.warning != "" && !strings.Contains(got, tc.warning) {
			t.Errorf("%s: log %q, want %q", tc.name, got, tc.warning)
		}
	}

	// The watcher checks at once, and stops with the office.
	ctx, cancel := context.WithCancel(context.Background())
	checked := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		watchCertificates(ctx, []string{"office.example.org"}, func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			select {
			case checked <- struct{}{}:
			default:
			}
			return &tls.Certificate{Leaf: &x509.Certificate{NotAfter: time.Now().Add(time.Hour)}}, nil
		}, counselling.SystemClock{}, slog.New(slog.NewTextHandler(&lockedBuffer{}, nil)), time.Hour)
		close(done)
	}()
	select {
	case <-checked:
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher did not check at start")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher did not stop")
	}
}

// `confidant version` names the version, the commit (marked when the tree
// had changes) and the Go version from the build information.
func TestVersionLine(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261123034853-038b57d47294"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "038b57d47294419188f90fc225dcdefcb6372392"}, {Key: "vcs.modified", Value: "false"}}}
	if got := versionLine(info, true); got != "confidant v0.0.0-20261123034853-038b57d47294 commit 038b57d47294419188f90fc225dcdefcb6372392 go1.26.8" {
		t.Errorf("clean build: %q", got)
	}
	info.Settings[1].Value = "true"
	if got := versionLine(info, true); !strings.Contains(got, "038b57d47294419188f90fc225dcdefcb6372392 (modified)") {
		t.Errorf("build from a changed tree: %q", got)
	}
	if got := versionLine(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true); got != "confidant (devel) commit unknown go1.26.8" {
		t.Errorf("build without VCS information: %q", got)
	}
	old := version
	version = "1.4.0"
	defer func() { version = old }()
	if got := versionLine(info, true); !strings.HasPrefix(got, "confidant 1.4.0 commit ") {
		t.Errorf("version set at link time: %q", got)
	}
}
