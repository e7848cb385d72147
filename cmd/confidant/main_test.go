package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling/vault"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is the real program serving on a free loopback port.
type running struct {
	url    string
	stdout *lockedBuffer
	stderr *lockedBuffer
	stop   func() error
}

func start(t *testing.T, dir string, extra ...string) *running {
	t.Helper()
	return startEnv(t, dir, func(string) string { return "" }, extra...)
}

// startEnv is start with the given environment. The office's TURN relay
// listens on a free port unless extra says otherwise, so that tests running
// side by side never compete for the default port.
func startEnv(t *testing.T, dir string, getenv func(string) string, extra ...string) *running {
	t.Helper()
	ready := make(chan string, 1)
	r := &running{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	m := NewMain(r.stdout, r.stderr, getenv)
	m.Ready = ready
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}
	if getenv("CONFIDANT_TURN_ADDR") == "" {
		args = append(args, "--turn-addr", "127.0.0.1:0")
	}
	args = append(args, extra...)
	go func() { done <- m.Run(ctx, args) }()
	select {
	case r.url = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve ended before it was ready: %v\n%s", err, r.stderr.String())
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("serve not ready within 20 s")
	}
	var once sync.Once
	var stopErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(20 * time.Second):
				t.Error("serve did not stop within 20 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { r.stop() })
	return r
}

func client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func postForm(t *testing.T, c *http.Client, base, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestOfficeEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	office := start(t, dir)

	if !regexp.MustCompile(`(?m)^.*` + regexp.QuoteMeta(office.url) + `/invite/[A-Za-z0-9_-]{40,}$`).MatchString(office.stdout.String()) {
		t.Fatalf("no first-admin link printed:\n%s", office.stdout.String())
	}
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode: %v %v, want 0700", info.Mode().Perm(), err)
	}

	resp, err := http.Get(office.url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	c := client()
	resp, body := postForm(t, c, office.url, "/register", url.Values{
		"nickname": {"Lantern Keeper"}, "password": {"lights in the fog"}, "email": {"lantern.keeper@example.org"},
		"age_band": {"20-29"}, "accept_terms": {"yes"},
	})
	if resp.StatusCode != 200 || !strings.Contains(body, "My messages") {
		t.Fatalf("register then follow to /threads: %d", resp.StatusCode)
	}
	for _, suffix := range []string{"", "-wal"} {
		raw, err := os.ReadFile(filepath.Join(dir, "confidant.db"+suffix))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"Lantern Keeper", "lantern keeper", "lantern.keeper@example.org"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("confidant.db%s holds %q in clear", suffix, secret)
			}
		}
	}

	if err := office.stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	logs := office.stderr.String()
	if !strings.Contains(logs, "shutting down") {
		t.Fatalf("no orderly shutdown in the log:\n%s", logs)
	}
	// The office says where it listens and which address its links use;
	// beyond that line, no address of anyone appears.
	open := regexp.MustCompile(`(?m)^.*msg="office open".*$`).FindString(logs)
	if !strings.Contains(open, "addr="+strings.TrimPrefix(office.url, "http://")) || !strings.Contains(open, "base_url="+office.url) {
		t.Fatalf("the office-open line does not say where it listens:\n%s", logs)
	}
	for _, secret := range []string{"127.0.0.1", "Lantern", "lantern", "fog", "example.org"} {
		if strings.Contains(strings.Replace(logs, open, "", 1), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}

	// The same data folder opens again and the account still logs in.
	again := start(t, dir)
	resp, _ = postForm(t, client(), again.url, "/login", url.Values{"nickname": {"lantern keeper"}, "password": {"lights in the fog"}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/threads" {
		t.Fatalf("login after restart: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	again.stop()
}

func TestRefusesToStartWithoutItsKeys(t *testing.T) {
	dir := t.TempDir()
	first := start(t, dir)
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	run := func() error {
		var out, errs bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return NewMain(&out, &errs, func(string) string { return "" }).Run(ctx, []string{"--addr", "127.0.0.1:0", "--turn-addr", "127.0.0.1:0", "--data", dir})
	}

	keyPath := filepath.Join(dir, vault.KEKFile)
	saved, _ := os.ReadFile(keyPath)
	os.Remove(keyPath)
	if err := run(); err == nil || !strings.Contains(err.Error(), "master.key is missing") {
		t.Fatalf("start without master.key: %v", err)
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Fatal("a new master.key was generated beside an existing database")
	}

	other := t.TempDir()
	if _, err := vault.LoadOrCreate(other, false); err != nil {
		t.Fatal(err)
	}
	foreign, _ := os.ReadFile(filepath.Join(other, vault.KEKFile))
	os.WriteFile(keyPath, foreign, 0o600)
	if err := run(); err == nil || !strings.Contains(err.Error(), "do not belong to this database") {
		t.Fatalf("start with another installation's key: %v", err)
	}

	os.WriteFile(keyPath, saved, 0o600)
	ok := start(t, dir)
	ok.stop()
}

func TestConfigFromEnvironmentFlagsWin(t *testing.T) {
	env := map[string]string{"CONFIDANT_ADDR": "127.0.0.1:9999", "CONFIDANT_DATA": "/tmp/from-env"}
	m := NewMain(io.Discard, io.Discard, func(k string) string { return env[k] })
	fs, cfg := m.serveFlags()
	if err := fs.Parse([]string{"--data", "/tmp/from-flag"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9999" || cfg.Data != "/tmp/from-flag" {
		t.Fatalf("addr %q (want from env), data %q (want from flag)", cfg.Addr, cfg.Data)
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := NewMain(&out, io.Discard, os.Getenv).Run(context.Background(), []string{"version"}); err != nil || !strings.HasPrefix(out.String(), "confidant ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := NewMain(io.Discard, io.Discard, os.Getenv).Run(context.Background(), []string{"frobnicate"}); err == nil {
		t.Fatal("an unknown command succeeded")
	}
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
