package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"serve", "-h"}, {"help"}} {
		var out, errOut bytes.Buffer
		err := NewMain(&out, &errOut, func(string) string { return "" }).Run(context.Background(), args)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%v: %v", args, err)
		}
		text := out.String() + errOut.String()
		for _, want := range []string{"staff add", "backup FILE", "restore FILE", "keys rotate", "purge [--dry-run]", "version"} {
			if !strings.Contains(text, want) {
				t.Errorf("confidant %s does not list %q:\n%s", strings.Join(args, " "), want, text)
			}
		}
	}
	var errOut bytes.Buffer
	NewMain(io.Discard, &errOut, func(string) string { return "" }).Run(context.Background(), []string{"-h"})
	if !strings.Contains(errOut.String(), "-addr") {
		t.Errorf("confidant -h no longer shows the flags:\n%s", errOut.String())
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
