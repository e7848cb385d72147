package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"confidant/counselling"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// letsEncrypt is the ACME directory an office uses unless told otherwise.
const letsEncrypt = autocert.DefaultACMEDirectory

// acmeCacheDir is the folder inside --data that keeps the ACME account key and
// the certificates (folder 0700, files 0600), so that they survive restarts.
const acmeCacheDir = "acme"

// serverTLS is the TLS configuration every HTTPS listener starts from: what
// Mozilla's "intermediate" profile recommends, as far as Go implements it.
// TLS 1.2 offers only ECDHE key exchange with AEAD ciphers (no CBC, so nothing
// for LUCKY13 and its kin to work on); TLS 1.3 chooses among its own suites,
// which are all AEAD. ALPN offers HTTP/2 before HTTP/1.1. Browsers open their
// WebSockets (live chat) over HTTP/1.1: the server does not announce HTTP/2's
// extended CONNECT, so they never try them over HTTP/2.
func serverTLS() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		NextProtos: []string{"h2", "http/1.1"},
	}
}

// httpsSetup is how the office serves HTTPS: the listener's configuration,
// and with ACME the manager that obtains and renews its certificates.
type httpsSetup struct {
	config *tls.Config
	acme   *autocert.Manager
}

// newHTTPS builds the HTTPS configuration the flags ask for: nil without
// TLS, a fixed certificate from --tls-cert and --tls-key, or certificates
// from the ACME directory for the --acme-domain names. Nothing here touches
// the data folder yet: an ACME office writes its cache there on its first
// handshake.
func newHTTPS(cfg *Config) (*httpsSetup, error) {
	switch {
	case cfg.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		c := serverTLS()
		c.Certificates = []tls.Certificate{cert}
		return &httpsSetup{config: c}, nil
	case len(cfg.ACMEDomains) > 0:
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			Cache:      autocert.DirCache(filepath.Join(cfg.Data, acmeCacheDir)),
			HostPolicy: autocert.HostWhitelist(cfg.ACMEDomains...),
			Email:      cfg.ACMEEmail,
			// The directory is trusted through the system's roots
			// (SSL_CERT_FILE and SSL_CERT_DIR are honoured).
			Client: &acme.Client{DirectoryURL: cfg.ACMEDirectory, UserAgent: "confidant"},
		}
		c := serverTLS()
		c.GetCertificate = m.GetCertificate
		// TLS-ALPN-01 challenges arrive on the HTTPS port itself.
		c.NextProtos = append(c.NextProtos, acme.ALPNProto)
		return &httpsSetup{config: c, acme: m}, nil
	}
	return nil, nil
}

// redirectHandler answers on --http-redirect-addr: every request goes to
// HTTPS, except that with ACME the directory's HTTP-01 challenges are
// answered there.
func (h *httpsSetup) redirectHandler(baseURL string) http.Handler {
	if h.acme != nil {
		return h.acme.HTTPHandler(redirectToHTTPS(baseURL))
	}
	return redirectToHTTPS(baseURL)
}

// Renewal is attempted from 30 days before a certificate expires (autocert's
// default). warnBefore is when the operator hears that it keeps failing: ten
// days of failed attempts later, with three weeks left to fix it.
const (
	warnBefore         = 20 * 24 * time.Hour
	certificateRecheck = 6 * time.Hour
)

// certificateLeft is how long a certificate has left, and whether that is
// short enough for its renewal to be overdue: renewal starts well before this,
// so a certificate this close to its end means renewal keeps failing.
func certificateLeft(leaf *x509.Certificate, now time.Time) (left time.Duration, overdue bool) {
	left = leaf.NotAfter.Sub(now)
	return left, left < warnBefore
}

// ecdsaHello asks for the certificate a modern browser would be served, so
// that checking a certificate never makes the manager obtain a second, RSA,
// one.
var ecdsaHello = tls.ClientHelloInfo{
	CipherSuites:      []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
	SupportedCurves:   []tls.CurveID{tls.CurveP256},
	SignatureSchemes:  []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
	SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12},
}

// watchCertificates checks each domain's certificate at start and every few
// hours, and warns in the log while one is missing or its renewal is overdue.
// get is the manager's GetCertificate: it serves the cached certificate, and
// obtains one when there is none.
func watchCertificates(ctx context.Context, domains []string, get func(*tls.ClientHelloInfo) (*tls.Certificate, error),
	clock counselling.Clock, logger *slog.Logger, every time.Duration) {
	for {
		wait := every
		for _, domain := range domains {
			if !checkCertificate(domain, get, clock.Now(), logger) {
				// Without a certificate the name serves nothing: try again soon.
				wait = min(every, time.Minute)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// checkCertificate logs one domain's certificate state when it needs the
// operator: no certificate, or one whose renewal is overdue; it reports
// whether the domain has a certificate. The domain is the office's own
// public name, no personal data.
func checkCertificate(domain string, get func(*tls.ClientHelloInfo) (*tls.Certificate, error), now time.Time, logger *slog.Logger) bool {
	hello := ecdsaHello
	hello.ServerName = domain
	cert, err := get(&hello)
	if err != nil {
		logger.Error("no certificate from the ACME directory; HTTPS does not work for this name until one is obtained",
			"domain", domain, "error", err.Error())
		return false
	}
	leaf := cert.Leaf
	if leaf == nil && len(cert.Certificate) > 0 {
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			logger.Error("certificate unreadable", "domain", domain, "error", err.Error())
			return false
		}
	}
	if leaf == nil {
		return false
	}
	if left, overdue := certificateLeft(leaf, now); overdue {
		logger.Warn("certificate renewal keeps failing; check that the ACME directory is reachable and the name points here",
			"domain", domain, "expires", leaf.NotAfter.UTC().Format(time.RFC3339), "days_left", int(left.Hours()/24))
	}
	return true
}
