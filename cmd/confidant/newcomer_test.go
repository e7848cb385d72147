package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"serve", "-h"}, {"help"}} {
		var out, errOut bytes.Buffer
		if err := NewMain(&out, &errOut, func(string) string { return "" }).Run(context.Background(), args); err != nil {
			t.Fatalf("confidant %s fails: %v", strings.Join(args, " "), err)
		}
		if errOut.Len() > 0 {
			t.Errorf("confidant %s writes to stderr:\n%s", strings.Join(args, " "), errOut.String())
		}
		for _, want := range []string{"staff add", "backup FILE", "restore FILE", "keys rotate", "purge [--dry-run]", "seed", "version"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("confidant %s does not list %q:\n%s", strings.Join(args, " "), want, out.String())
			}
		}
		if args[0] != "help" && !strings.Contains(out.String(), "-addr") {
			t.Errorf("confidant %s does not show the server's flags:\n%s", strings.Join(args, " "), out.String())
		}
	}
}

// Each command's -h lists the flags that command uses, and only those: a
// server flag that staff add would ignore is not offered to it.
func TestEachCommandsHelpListsItsOwnFlags(t *testing.T) {
	serverOnly := []string{"-addr", "-logins-per-minute", "-tls-cert", "-tls-key", "-acme-domain", "-acme-directory", "-acme-email", "-smtp", "-http-redirect-addr", "-quick-exit-url", "-turn-addr", "-turn-relay-ip"}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"staff", "-h"}, []string{"staff add", "-data", "-base-url", "-role", "-name", "-office"}},
		{[]string{"staff", "add", "-h"}, []string{"staff add", "-data", "-base-url", "-role", "-name", "-office"}},
		{[]string{"keys", "-h"}, []string{"keys rotate", "-data"}},
		{[]string{"keys", "rotate", "--help"}, []string{"keys rotate", "-data"}},
		{[]string{"backup", "-h"}, []string{"backup FILE", "-data"}},
		{[]string{"restore", "-h"}, []string{"restore FILE", "-data"}},
		{[]string{"purge", "-h"}, []string{"purge", "-data", "-dry-run"}},
		{[]string{"seed", "-h"}, []string{"seed", "-data", "-threads", "-office"}},
	} {
		var out, errOut bytes.Buffer
		if err := NewMain(&out, &errOut, func(string) string { return "" }).Run(context.Background(), tc.args); err != nil {
			t.Errorf("confidant %s fails: %v", strings.Join(tc.args, " "), err)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(out.String(), want) {
				t.Errorf("confidant %s does not list %q:\n%s", strings.Join(tc.args, " "), want, out.String())
			}
		}
		for _, flag := range serverOnly {
			if strings.Contains(out.String(), flag) {
				t.Errorf("confidant %s offers %s, which it ignores:\n%s", strings.Join(tc.args, " "), flag, out.String())
			}
		}
	}
	_, err := runCmd(t, "backup", "--no-such-flag", "x.db")
	if err == nil || !strings.Contains(err.Error(), "backup -h") {
		t.Fatalf("an unknown flag does not point to the command's help: %v", err)
	}
}

// The README shows "confidant backup FILE --data DIR": flags may follow the
// file.
func TestFlagsMayFollowTheFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	office := start(t, dir)
	office.stop()
	file := filepath.Join(t.TempDir(), "x.db")
	out, err := runCmd(t, "backup", file, "--data", dir)
	if err != nil || !strings.Contains(out, "Backup written") {
		t.Fatalf("backup FILE --data DIR: %v\n%s", err, out)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	out, err = runCmd(t, "restore", file, "--data", restored)
	if err != nil || !strings.Contains(out, "Restored into "+restored) {
		t.Fatalf("restore FILE --data DIR: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(restored, "confidant.db")); err != nil {
		t.Fatalf("restore FILE --data DIR restored nothing into %s: %v", restored, err)
	}
	if _, err := runCmd(t, "staff", "--data", dir, "add", "--role", "counsellor", "--name", "Cora Berg"); err != nil {
		t.Fatalf("staff --data DIR add: %v", err)
	}
	t.Chdir(t.TempDir())
	if _, err := runCmd(t, "backup", "--data", dir, "--", "-odd.db"); err != nil {
		t.Fatalf("a file name after -- is a file name: %v", err)
	}
	if _, err := os.Stat("-odd.db"); err != nil {
		t.Fatalf("backup -- -odd.db wrote no -odd.db: %v", err)
	}
}

// An office told to listen on every interface has no address a browser can
// open in its links: they lead to the loopback address, and the log says to
// set --base-url.
func TestAWildcardAddressGivesLinksThatOpen(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0"} {
		t.Run(addr, func(t *testing.T) {
			dir := t.TempDir()
			office := start(t, dir, "--addr", addr)
			if !strings.HasPrefix(office.url, "http://127.0.0.1:") {
				t.Fatalf("the office's links lead to %s", office.url)
			}
			if !strings.Contains(office.stdout.String(), office.url+"/invite/") {
				t.Fatalf("the first-admin link does not lead to %s:\n%s", office.url, office.stdout.String())
			}
			if !strings.Contains(office.stderr.String(), "--base-url") {
				t.Fatalf("the log does not say to set --base-url:\n%s", office.stderr.String())
			}
			resp, err := http.Get(office.url + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			office.stop()
			out, err := runCmd(t, "staff", "add", "--data", dir, "--role", "counsellor", "--name", "Dora Berg")
			if err != nil || !strings.Contains(out, office.url+"/invite/") {
				t.Fatalf("staff add beside a wildcard office: %v\n%s", err, out)
			}
		})
	}
}

// A taken redirect port stops the start like a taken main port: before the
// data folder and the keys exist, with one line that names the flag.
func TestATakenRedirectPortStopsTheStart(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cert, key := selfSigned(t, t.TempDir())
	dir := filepath.Join(t.TempDir(), "data")
	// Were the port only logged as taken, the office would run: the deadline
	// turns that into a failure instead of a test that never ends.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = NewMain(io.Discard, io.Discard, func(string) string { return "" }).Run(ctx, []string{"serve",
		"--addr", "127.0.0.1:0", "--data", dir, "--tls-cert", cert, "--tls-key", key, "--http-redirect-addr", taken.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "--http-redirect-addr") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("start with a taken redirect port: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a start that could not listen left a data folder behind: %v", err)
	}
}

func TestStartOnATakenPortCreatesNoDataFolder(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := filepath.Join(t.TempDir(), "data")
	_, err = runCmd(t, "serve", "--addr", taken.Addr().String(), "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("start on a taken port: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a start that could not listen left a data folder behind: %v", err)
	}
}

func TestStaffAddLinksToTheAddressTheOfficeServedOn(t *testing.T) {
	dir := t.TempDir()
	office := start(t, dir)
	if strings.HasSuffix(office.url, ":8080") {
		t.Fatal("the test office should not run on the default port")
	}
	office.stop()
	out, err := runCmd(t, "staff", "add", "--data", dir, "--role", "counsellor", "--name", "Anna Berg")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, office.url+"/invite/") {
		t.Fatalf("the invite does not lead to the office at %s:\n%s", office.url, out)
	}
	if !strings.Contains(out, "valid 72 hours") {
		t.Fatalf("the invite does not say how long it works:\n%s", out)
	}
	out, err = runCmd(t, "staff", "add", "--data", dir, "--role", "counsellor", "--name", "Ben Berg", "--base-url", "https://office.example")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "https://office.example/invite/") {
		t.Fatalf("--base-url does not win over the recorded address:\n%s", out)
	}
}
