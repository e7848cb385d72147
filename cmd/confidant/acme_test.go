package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pebbleVersion is the release of Let's Encrypt's ACME test server the tests
// run against, installed through the module proxy.
const pebbleVersion = "v2.10.1"

// acmeTestName is the office's name in these tests: ACME directories refuse
// single-label names such as localhost.
const acmeTestName = "office.example.org"

// pebble is a running Pebble: its directory URL, the CA file that makes its
// own HTTPS endpoint trusted, and the root it issues certificates under.
type pebble struct {
	dir    string
	caFile string
	mgmt   string
	cmd    *exec.Cmd
}

// goTool runs the go command with the environment of this test, without
// flags from the environment that would change what it builds.
func goTool(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// startPebble installs Pebble (once per machine, kept in the user's cache
// folder) and starts it on free loopback ports, with challenge validation
// switched off: the test name does not point at this machine.
func startPebble(t *testing.T) *pebble {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "confidant-tests", "pebble-"+pebbleVersion)
	if _, err := os.Stat(filepath.Join(bin, "pebble")); err != nil {
		cmd := exec.Command("go", "install", "github.com/letsencrypt/pebble/v2/cmd/pebble@"+pebbleVersion)
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOBIN="+bin, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("install pebble: %v\n%s", err, out)
		}
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(goTool(t, t.TempDir(), "mod", "download", "-json", "github.com/letsencrypt/pebble/v2@"+pebbleVersion), &mod); err != nil {
		t.Fatal(err)
	}
	certs := filepath.Join(mod.Dir, "test", "certs")
	p := &pebble{caFile: filepath.Join(certs, "pebble.minica.pem")}
	listen, mgmt := freeAddr(t), freeAddr(t)
	p.dir, p.mgmt = "https://"+listen+"/dir", "https://"+mgmt
	conf := map[string]any{"pebble": map[string]any{
		"listenAddress":           listen,
		"managementListenAddress": mgmt,
		"certificate":             filepath.Join(certs, "localhost", "cert.pem"),
		"privateKey":              filepath.Join(certs, "localhost", "key.pem"),
		"httpPort":                5002,
		"tlsPort":                 5001,
		"keyAlgorithm":            "ecdsa",
		"profiles":                map[string]any{"default": map[string]any{"description": "test", "validityPeriod": 7776000}},
	}}
	confFile := filepath.Join(t.TempDir(), "pebble.json")
	b, _ := json.Marshal(conf)
	if err := os.WriteFile(confFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(filepath.Join(bin, "pebble"), "-config", confFile)
	p.cmd.Env = append(os.Environ(), "PEBBLE_VA_ALWAYS_VALID=1", "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	client := p.client(t)
	for i := 0; ; i++ {
		resp, err := client.Get(p.dir)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if i == 100 {
			t.Fatalf("pebble did not answer: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *pebble) stop() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

// client trusts Pebble's own HTTPS endpoint.
func (p *pebble) client(t *testing.T) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// roots is the pool of the CA Pebble issues certificates under.
func (p *pebble) roots(t *testing.T) *x509.CertPool {
	t.Helper()
	resp, err := p.client(t).Get(p.mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	pem, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("pebble's root: %s", pem)
	}
	return pool
}

// buildBinary builds the confidant binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "confidant")
	goTool(t, ".", "build", "-o", bin, ".")
	return bin
}

// process is the real binary running as a separate process.
type process struct {
	cmd *exec.Cmd
	log chan string
}

// runOffice starts the binary with args and the environment env, and waits
// for its "office open" line.
func runOffice(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, log: make(chan string, 1000)}
	opened := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		var once bool
		for sc.Scan() {
			line := sc.Text()
			select {
			case p.log <- line:
			default:
			}
			if !once && strings.Contains(line, "office open") {
				once = true
				close(opened)
			}
		}
	}()
	t.Cleanup(p.kill)
	select {
	case <-opened:
	case <-time.After(30 * time.Second):
		t.Fatalf("the office did not open: %s", p.drain())
	}
	return p
}

func (p *process) kill() {
	if p.cmd.ProcessState == nil && p.cmd.Process != nil {
		p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	}
}

// drain returns the log lines seen so far.
func (p *process) drain() string {
	var lines []string
	for {
		select {
		case l := <-p.log:
			lines = append(lines, l)
		default:
			return strings.Join(lines, "\n")
		}
	}
}

// handshake connects to addr as a browser that asks for acmeTestName and
// trusts roots.
func handshake(addr string, roots *x509.CertPool, conf *tls.Config) (*tls.ConnectionState, error) {
	c := conf.Clone()
	c.ServerName, c.RootCAs = acmeTestName, roots
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 30 * time.Second}, "tcp", addr, c)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	st := conn.ConnectionState()
	return &st, nil
}

// An office given a domain obtains its certificate from the ACME directory
// on its own, serves HTTPS and HTTP/2 with it under Mozilla's intermediate
// profile, keeps it in the data folder, and serves it again after a restart
// while the directory is down.
func TestObtainsCertificateFromACMEDirectory(t *testing.T) {
	pb := startPebble(t)
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	addr, redirectAddr := freeAddr(t), freeAddr(t)
	env := []string{"SSL_CERT_FILE=" + pb.caFile}
	args := []string{"serve", "--data", data, "--addr", addr, "--turn-addr", "off", "--http-redirect-addr", redirectAddr,
		"--acme-domain", acmeTestName, "--acme-directory", pb.dir, "--acme-email", "operator@example.org"}
	office := runOffice(t, bin, env, args...)
	roots := pb.roots(t)

	st, err := handshake(addr, roots, &tls.Config{NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatalf("no HTTPS with a certificate from the ACME directory: %v\n%s", err, office.drain())
	}
	if st.NegotiatedProtocol != "h2" {
		t.Errorf("ALPN chose %q, want h2", st.NegotiatedProtocol)
	}
	serial := st.PeerCertificates[0].SerialNumber.String()

	// A browser speaks HTTP/2 with the office.
	h2 := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{ServerName: acmeTestName, RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	resp, err := h2.Get("https://" + acmeTestName + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Proto != "HTTP/2.0" || string(body) != "ok" {
		t.Errorf("GET /healthz over HTTP/2: %s %q", resp.Proto, body)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("no HSTS under ACME certificates: %q", hsts)
	}

	// Obsolete protocols and CBC suites find no way in.
	cbc := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
	if _, err := handshake(addr, roots, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: cbc}); err == nil {
		t.Error("a TLS 1.2 client offering only CBC (and RSA key exchange) suites was served")
	}
	if _, err := handshake(addr, roots, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("TLS 1.1 was served")
	}
	if _, err := handshake(addr, roots, &tls.Config{MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}); err != nil {
		t.Errorf("a TLS 1.2 client with an ECDHE AEAD suite was refused: %v", err)
	}

	// The plain-HTTP listener redirects, and leaves the directory's
	// challenge path to the ACME manager.
	plain := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = plain.Get("http://" + redirectAddr + "/threads")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://"+acmeTestName) {
		t.Errorf("plain HTTP: %d → %q", resp.StatusCode, loc)
	}
	resp, err = plain.Get("http://" + redirectAddr + "/.well-known/acme-challenge/unknown-token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusMovedPermanently {
		t.Error("the HTTP-01 challenge path is redirected instead of answered")
	}

	// The certificate and the account key are in the data folder, for the
	// service alone.
	cache := filepath.Join(data, acmeCacheDir)
	entries, err := os.ReadDir(cache)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no ACME cache in the data folder: %v", err)
	}
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
	if info, _ := os.Stat(cache); info.Mode().Perm() != 0o700 {
		t.Errorf("%s has mode %v, want 0700", cache, info.Mode().Perm())
	}

	// The outside check, when `make tlscheck` asks for it.
	if testssl := os.Getenv("CONFIDANT_TESTSSL"); testssl != "" {
		runTestSSL(t, testssl, addr)
	}

	// The directory goes down and the office restarts: it serves the
	// certificate it holds.
	office.kill()
	pb.stop()
	office = runOffice(t, bin, env, args...)
	st, err = handshake(addr, roots, &tls.Config{})
	if err != nil {
		t.Fatalf("after a restart with the ACME directory down: %v\n%s", err, office.drain())
	}
	if got := st.PeerCertificates[0].SerialNumber.String(); got != serial {
		t.Errorf("after the restart the office serves certificate %s, want the one it held (%s)", got, serial)
	}
	if logs := office.drain(); strings.Contains(logs, "renewal keeps failing") || strings.Contains(logs, "level=ERROR") {
		t.Errorf("a fresh certificate raised an alarm:\n%s", logs)
	}
}

// runTestSSL runs testssl.sh against the office at addr and writes its
// output to CONFIDANT_TESTSSL_OUT; it fails on an obsolete cipher or a
// vulnerability testssl.sh reports.
func runTestSSL(t *testing.T, testssl, addr string) {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testssl, "--quiet", "--color", "0", "--warnings", "off", "--sneaky",
		"--ip", "127.0.0.1", "-p", "-s", "-f", "-S", "-U", acmeTestName+":"+port)
	out, err := cmd.CombinedOutput()
	if outFile := os.Getenv("CONFIDANT_TESTSSL_OUT"); outFile != "" {
		os.WriteFile(outFile, out, 0o644)
	}
	if ctx.Err() != nil {
		t.Fatalf("testssl.sh did not finish: %v", err)
	}
	text := string(out)
	for _, want := range []string{"Obsolete CBC ciphers (AES, ARIA etc.)", "h2"} {
		if !strings.Contains(text, want) {
			t.Errorf("testssl.sh output lacks %q:\n%s", want, text)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.Contains(line, "Obsolete CBC ciphers") && !strings.Contains(line, "not offered"):
			t.Errorf("testssl.sh: %s", line)
		case strings.Contains(line, "VULNERABLE"):
			t.Errorf("testssl.sh: %s", line)
		}
	}
}
