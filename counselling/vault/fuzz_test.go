package vault_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confidant/counselling/vault"
)

// A sealed value opens only with its key at its own place (table, column,
// row): any other bytes, including any change to a real ciphertext, are
// refused without a panic and without revealing anything.
func FuzzOpen(f *testing.F) {
	key, _, err := mustKeyring(f).NewDataKey("acct")
	if err != nil {
		f.Fatal(err)
	}
	sealed, _ := key.Seal([]byte("I have not slept for days."), here)
	f.Add(sealed, []byte("I have not slept for days."), "row-1", 0, byte(0))
	f.Add([]byte{}, []byte{}, "", 0, byte(1))
	f.Add([]byte{1, 0, 0, 0, 7}, []byte("x"), "row-2", 3, byte(0x80))
	f.Fuzz(func(t *testing.T, raw, plain []byte, row string, flip int, mask byte) {
		if _, err := key.Open(raw, vault.Location{Table: "messages", Column: "body", Row: row}); err == nil && !bytes.Equal(raw, sealed) {
			t.Fatalf("bytes that were never sealed opened: %x", raw)
		}
		loc := vault.Location{Table: "messages", Column: "body", Row: row}
		ct, err := key.Seal(plain, loc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := key.Open(ct, loc)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip of %q: %q, %v", plain, got, err)
		}
		if _, err := key.Open(ct, vault.Location{Table: "messages", Column: "body", Row: row + "x"}); err == nil {
			t.Fatal("a ciphertext opened at another row")
		}
		if mask != 0 && len(ct) > 0 {
			i := (flip%len(ct) + len(ct)) % len(ct)
			ct[i] ^= mask
			if _, err := key.Open(ct, loc); err == nil {
				t.Fatalf("a ciphertext with byte %d changed opened", i)
			}
		}
	})
}

// Whatever the key files hold, the office either reads two keys of the right
// size or refuses to start with a message that names the file and never
// quotes what is in it.
func FuzzKeyFiles(f *testing.F) {
	good := "# Confidant key-encryption key\nkek 00000007 " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)) + "\n"
	index := "index " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)) + "\n"
	f.Add(good, index)
	f.Add("kek zz "+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)), index)
	f.Add("kek 1 c2hvcnQ=", "index c2hvcnQ=")
	f.Add("", "")
	f.Add(strings.Repeat("kek 1 2 3\n", 100), "index\n")
	f.Fuzz(func(t *testing.T, kekFile, indexFile string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, vault.KEKFile), []byte(kekFile), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, vault.IndexFile), []byte(indexFile), 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := vault.LoadOrCreate(dir, true)
		if err != nil {
			msg := err.Error()
			for _, field := range strings.Fields(kekFile + " " + indexFile) {
				if len(field) >= 16 && strings.Contains(msg, field) {
					t.Fatalf("the refusal quotes the key file: %s", msg)
				}
			}
			return
		}
		// What was accepted works: a data key made with it opens again.
		key, wrapped, err := r.NewDataKey("acct")
		if err != nil {
			t.Fatal(err)
		}
		again, err := r.UnwrapDataKey("acct", wrapped)
		if err != nil || again.ID() != key.ID() {
			t.Fatalf("a data key made with accepted key files does not unwrap: %v", err)
		}
	})
}
