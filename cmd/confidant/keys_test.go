package main

import (
	"bytes"
	"context"
	"database/sql"
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
	// One account writes many enquiries here, beyond what an office allows
	// open at once.
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE offices SET open_enquiry_limit = 1000000`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
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

	oldKeys := keysIn(t, dir)
	before, _ := os.ReadFile(filepath.Join(dir, vault.KEKFile))
	beforeIndex, _ := os.ReadFile(filepath.Join(dir, vault.IndexFile))
	out, err := runCmd(t, "keys", "rotate", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, vault.KEKFile))
	if bytes.Equal(before, after) {
		t.Fatal("master.key did not change")
	}
	afterIndex, _ := os.ReadFile(filepath.Join(dir, vault.IndexFile))
	if bytes.Equal(beforeIndex, afterIndex) {
		t.Fatal("index.key did not change")
	}
	retired, _ := filepath.Glob(filepath.Join(dir, vault.KEKFile+".retired-*"))
	retiredIndex, _ := filepath.Glob(filepath.Join(dir, vault.IndexFile+".retired-*"))
	if len(retired) != 1 || len(retiredIndex) != 1 || !strings.Contains(out, "shred") ||
		!strings.Contains(out, retired[0]) || !strings.Contains(out, retiredIndex[0]) {
		t.Fatalf("the old keys are not kept aside with instructions: %v %v\n%s", retired, retiredIndex, out)
	}
	if got, _ := os.ReadFile(retiredIndex[0]); !bytes.Equal(got, beforeIndex) {
		t.Fatal("the retired index key is not the old one")
	}
	for _, f := range append(retired, retiredIndex...) {
		if info, _ := os.Stat(f); info.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", f, info.Mode().Perm())
		}
	}
	newKeys := keysIn(t, dir)
	// The database keeps no index under the old key: a nickname guessed with
	// the old index key finds nothing.
	if n := nicknameIndexed(t, filepath.Join(dir, store.FileName), oldKeys, "Key Keeper"); n != 0 {
		t.Fatal("the database still holds the nickname's index under the retired index key")
	}
	if n := nicknameIndexed(t, filepath.Join(dir, store.FileName), newKeys, "Key Keeper"); n != 1 {
		t.Fatal("the nickname is not indexed under the new index key")
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
	// Once the retired keys are shredded, today's index key cannot confirm
	// from the old backup that the nickname had an account; the retired one
	// could.
	if n := nicknameIndexed(t, filepath.Join(restored, store.FileName), newKeys, "Key Keeper"); n != 0 {
		t.Fatal("the new index key confirms a nickname from a backup taken before the rotation")
	}
	if n := nicknameIndexed(t, filepath.Join(restored, store.FileName), oldKeys, "Key Keeper"); n != 1 {
		t.Fatal("the old backup does not hold the nickname under its own index key")
	}
	copyFile(t, filepath.Join(dir, vault.KEKFile), filepath.Join(restored, vault.KEKFile))
	copyFile(t, filepath.Join(dir, vault.IndexFile), filepath.Join(restored, vault.IndexFile))
	if _, err := openStore(context.Background(), restored, counselling.SystemClock{}); !store.IsWrongKey(err) {
		t.Fatalf("an old backup opened with the new key alone: %v", err)
	}
	// With the retired keys it still opens, until they are destroyed.
	copyFile(t, retired[0], filepath.Join(restored, vault.KEKFile))
	copyFile(t, retiredIndex[0], filepath.Join(restored, vault.IndexFile))
	db, err := openStore(context.Background(), restored, counselling.SystemClock{})
	if err != nil {
		t.Fatalf("the old backup with its own key: %v", err)
	}
	db.Close()
}

// keysIn reads the key files of a data folder.
func keysIn(t *testing.T, dir string) *vault.Keyring {
	t.Helper()
	keys, err := vault.LoadOrCreate(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// nicknameIndexed counts the accounts in the database file whose nickname
// index is the one keys compute for nickname: what someone holding the file and
// an index key learns from a guess.
func nicknameIndexed(t *testing.T, dbPath string, keys *vault.Keyring, nickname string) int {
	t.Helper()
	normalized, err := counselling.NormalizeNickname(nickname)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rawDB(t, dbPath).QueryRow(`SELECT count(*) FROM accounts WHERE nickname_index = ?`,
		keys.BlindIndex("nickname", normalized)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInterruptedRotationFinishesAtNextStart(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// crash does what the rotation did on disk before it stopped.
		crash     func(t *testing.T, dir string, db *store.DB, next *vault.Keyring, old string)
		committed bool
	}{
		{"before the commit", func(t *testing.T, dir string, db *store.DB, next *vault.Keyring, old string) {}, false},
		{"after the commit", func(t *testing.T, dir string, db *store.DB, next *vault.Keyring, old string) {
			if _, err := db.RotateKeys(ctx, next); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"after installing the index key", func(t *testing.T, dir string, db *store.DB, next *vault.Keyring, old string) {
			if _, err := db.RotateKeys(ctx, next); err != nil {
				t.Fatal(err)
			}
			index := filepath.Join(dir, vault.IndexFile)
			if err := os.Link(index, vault.RetiredFiles(dir, old)[1]); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(index+".new", index); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, ring, err := openStoreKeys(ctx, dir, "", counselling.SystemClock{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateSeeker(ctx, counselling.Registration{OfficeID: 1, Nickname: "Half Way", Lang: "en"}, "hash"); err != nil {
				t.Fatal(err)
			}
			oldID := ring.KEKID()
			id, kek, _ := vault.NewKEK()
			index, _ := vault.NewIndexKey()
			next, _ := vault.NewKeyring(id, kek, index, nil)
			if err := vault.StageRotation(dir, id, kek, index); err != nil {
				t.Fatal(err)
			}
			tc.crash(t, dir, db, next, ring.Fingerprint())
			db.Close()

			db, ring, err = openStoreKeys(ctx, dir, "", counselling.SystemClock{})
			if err != nil {
				t.Fatalf("start after an interrupted rotation: %v", err)
			}
			defer db.Close()
			want := oldID
			if tc.committed {
				want = id
			}
			if ring.KEKID() != want {
				t.Fatalf("key %x in use after the start, want %x", ring.KEKID(), want)
			}
			if vault.RotationStaged(dir) {
				t.Fatal("staged key files are left behind")
			}
			if _, err := db.Credentials(ctx, "half way"); err != nil {
				t.Fatalf("the nickname is not found after the start: %v", err)
			}
			if tc.committed {
				for _, f := range vault.RetiredFiles(dir, fmt.Sprintf("%08x", oldID)) {
					if _, err := os.Stat(f); err != nil {
						t.Fatalf("the retired key is not kept: %v", err)
					}
				}
			}
		})
	}
}
