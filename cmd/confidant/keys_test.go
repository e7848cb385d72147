package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
	"confidant/store"
)

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := NewMain(&out, io.Discard, func(string) string { return "" }).Run(context.Background(), args)
	return out.String(), err
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBackupDuringWritesRestoresConsistently(t *testing.T) {
	dir := t.TempDir()
	office := start(t, dir)
	c := client()
	resp, _ := postForm(t, c, office.url, "/register", url.Values{"nickname": {"Busy Writer"}, "password": {"writing all the time"}, "accept_terms": {"y"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			resp, _ := postForm(t, c, office.url, "/threads/new", url.Values{"theme": {"other"}, "body": {fmt.Sprintf("message %d", i)}})
			if resp.StatusCode == http.StatusOK {
				written.Add(1)
			}
		}
	})
	for written.Load() < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	backup := filepath.Join(t.TempDir(), "office.backup")
	out, err := runCmd(t, "backup", "--data", dir, backup)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup while writing: %v", err)
	}
	if !strings.Contains(out, "checked") {
		t.Fatalf("backup output: %q", out)
	}
	if info, _ := os.Stat(backup); info.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v, want 0600", info.Mode().Perm())
	}
	office.stop()

	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := runCmd(t, "restore", "--data", restored, backup); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, "restore", "--data", restored, backup); err == nil {
		t.Fatal("restore into a folder with a database succeeded")
	}
	for _, f := range []string{vault.KEKFile, vault.IndexFile} {
		copyFile(t, filepath.Join(dir, f), filepath.Join(restored, f))
	}
	db, err := openStore(context.Background(), restored, counselling.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	threads, messages, facts := countRows(t, db)
	if threads < 20 || threads != messages || threads != facts {
		t.Fatalf("restored backup: %d threads, %d messages, %d facts; want at least 20 and all equal", threads, messages, facts)
	}
	creds, err := db.Credentials(context.Background(), "busy writer")
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.SeekerThreads(context.Background(), counselling.Caller{AccountID: creds.AccountID, Kind: counselling.KindSeeker, OfficeID: creds.OfficeID})
	if err != nil || len(list) != threads {
		t.Fatalf("restored threads do not decrypt: %d, %v", len(list), err)
	}
}

func countRows(t *testing.T, db *store.DB) (threads, messages, facts int) {
	t.Helper()
	raw := rawDB(t, db.Path())
	raw.QueryRow(`SELECT count(*) FROM threads`).Scan(&threads)
	raw.QueryRow(`SELECT count(*) FROM messages`).Scan(&messages)
	raw.QueryRow(`SELECT count(*) FROM contact_facts`).Scan(&facts)
	return
}

func TestKeyRotation(t *testing.T) {
	dir := t.TempDir()
	office := start(t, dir)
	c := client()
	postForm(t, c, office.url, "/register", url.Values{"nickname": {"Key Keeper"}, "password": {"keys under the mat"}, "accept_terms": {"y"}})
	resp, _ := postForm(t, c, office.url, "/threads/new", url.Values{"theme": {"family"}, "subject": {"Before rotation"}, "body": {"written under the old key"}})
	threadURL := resp.Request.URL.String()
	old := filepath.Join(t.TempDir(), "before.backup")
	if _, err := runCmd(t, "backup", "--data", dir, old); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, "keys", "rotate", "--data", dir); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("rotation beside a running office: %v", err)
	}
	office.stop()

	before, _ := os.ReadFile(filepath.Join(dir, vault.KEKFile))
	out, err := runCmd(t, "keys", "rotate", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, vault.KEKFile))
	if bytes.Equal(before, after) {
		t.Fatal("master.key did not change")
	}
	retired, _ := filepath.Glob(filepath.Join(dir, vault.KEKFile+".retired-*"))
	if len(retired) != 1 || !strings.Contains(out, "shred") {
		t.Fatalf("the old key is not kept aside with instructions: %v\n%s", retired, out)
	}

	again := start(t, dir)
	c = client()
	resp, _ = postForm(t, c, again.url, "/login", url.Values{"nickname": {"Key Keeper"}, "password": {"keys under the mat"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login after rotation: %d", resp.StatusCode)
	}
	page, err := c.Get(strings.Replace(threadURL, office.url, again.url, 1))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), "written under the old key") {
		t.Fatal("the thread does not read after rotation")
	}
	again.stop()

	// The backup from before the rotation, with only the new key: refused.
	restored := filepath.Join(t.TempDir(), "old")
	if _, err := runCmd(t, "restore", "--data", restored, old); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(dir, vault.KEKFile), filepath.Join(restored, vault.KEKFile))
	copyFile(t, filepath.Join(dir, vault.IndexFile), filepath.Join(restored, vault.IndexFile))
	if _, err := openStore(context.Background(), restored, counselling.SystemClock{}); !store.IsWrongKey(err) {
		t.Fatalf("an old backup opened with the new key alone: %v", err)
	}
	// With the retired key it still opens, until that key is destroyed.
	copyFile(t, retired[0], filepath.Join(restored, vault.KEKFile))
	db, err := openStore(context.Background(), restored, counselling.SystemClock{})
	if err != nil {
		t.Fatalf("the old backup with its own key: %v", err)
	}
	db.Close()
}

func TestInterruptedRotationFinishesAtNextStart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, ring, err := openStoreKeys(ctx, dir, counselling.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	id, kek, _ := vault.NewKEK()
	next, _ := ring.WithKEK(id, kek)
	if err := vault.WriteKEKFile(filepath.Join(dir, vault.KEKFile+".new"), id, kek); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RotateKEK(ctx, next); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Stopped here: the database needs the new key, master.key is the old one.
	db, ring, err = openStoreKeys(ctx, dir, counselling.SystemClock{})
	if err != nil {
		t.Fatalf("start after an interrupted rotation: %v", err)
	}
	db.Close()
	if ring.KEKID() != id {
		t.Fatal("the new key was not installed")
	}
}
