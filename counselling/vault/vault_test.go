package vault_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confidant/counselling/vault"
)

func mustKeyring(t testing.TB) *vault.Keyring {
	t.Helper()
	kek, index := make([]byte, 32), make([]byte, 32)
	rand.Read(kek)
	rand.Read(index)
	r, err := vault.NewKeyring(7, kek, index, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var here = vault.Location{Table: "messages", Column: "body", Row: "row-1"}

func TestSealOpenRoundTrip(t *testing.T) {
	key, _, err := mustKeyring(t).NewDataKey("acct")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := key.SealString("I cannot sleep since it happened", here)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("sleep")) {
		t.Fatal("ciphertext contains plaintext")
	}
	got, err := key.OpenString(ct, here)
	if err != nil || got != "I cannot sleep since it happened" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if id, ok := vault.KeyID(ct); !ok || id != key.ID() {
		t.Fatalf("key id in ciphertext = %d, want %d", id, key.ID())
	}
}

func TestTwoSealsDiffer(t *testing.T) {
	key, _, _ := mustKeyring(t).NewDataKey("acct")
	a, _ := key.SealString("same words", here)
	b, _ := key.SealString("same words", here)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one plaintext are equal: nonces repeat")
	}
}

func TestTamperedOrMovedCiphertextFails(t *testing.T) {
	key, _, _ := mustKeyring(t).NewDataKey("acct")
	ct, _ := key.SealString("secret", here)
	for i := range ct {
		flipped := bytes.Clone(ct)
		flipped[i] ^= 0x01
		if _, err := key.Open(flipped, here); !errors.Is(err, vault.ErrOpen) {
			t.Fatalf("bit flip at byte %d opened: %v", i, err)
		}
	}
	for _, elsewhere := range []vault.Location{
		{Table: "messages", Column: "body", Row: "row-2"},
		{Table: "messages", Column: "subject", Row: "row-1"},
		{Table: "notes", Column: "body", Row: "row-1"},
	} {
		if _, err := key.Open(ct, elsewhere); !errors.Is(err, vault.ErrOpen) {
			t.Errorf("ciphertext moved to %+v opened", elsewhere)
		}
	}
	if _, err := key.Open(ct[:10], here); !errors.Is(err, vault.ErrOpen) {
		t.Error("truncated ciphertext opened")
	}
}

func TestDataKeyOnlyOpensWithItsKEKAndOwner(t *testing.T) {
	ring := mustKeyring(t)
	_, wrapped, _ := ring.NewDataKey("alice")
	if _, err := ring.UnwrapDataKey("bob", wrapped); err == nil {
		t.Fatal("alice's wrapped key unwrapped as bob's")
	}
	if _, err := mustKeyring(t).UnwrapDataKey("alice", wrapped); err == nil {
		t.Fatal("wrapped key opened with another KEK")
	}
	key, err := ring.UnwrapDataKey("alice", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := ring.NewDataKey("bob")
	ct, _ := key.SealString("hello", here)
	if _, err := other.Open(ct, here); err == nil {
		t.Fatal("bob's key opened alice's ciphertext")
	}
}

func TestRewrapKeepsDataReadable(t *testing.T) {
	old := mustKeyring(t)
	key, wrapped, _ := old.NewDataKey("alice")
	ct, _ := key.SealString("still here", here)
	id, kek, err := vault.NewKEK()
	if err != nil {
		t.Fatal(err)
	}
	index, err := vault.NewIndexKey()
	if err != nil {
		t.Fatal(err)
	}
	next, _ := vault.NewKeyring(id, kek, index, nil)
	rewrapped, err := next.Rewrap(old, "alice", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	key2, err := next.UnwrapDataKey("alice", rewrapped)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := key2.OpenString(ct, here); err != nil || got != "still here" {
		t.Fatalf("after rewrap: %q, %v", got, err)
	}
	if _, err := old.UnwrapDataKey("alice", rewrapped); err == nil {
		t.Fatal("old KEK opens the rewrapped key")
	}
}

func TestBlindIndexIsKeyedAndDomainSeparated(t *testing.T) {
	a, b := mustKeyring(t), mustKeyring(t)
	if !bytes.Equal(a.BlindIndex("nickname", "anna"), a.BlindIndex("nickname", "anna")) {
		t.Fatal("blind index not deterministic")
	}
	if bytes.Equal(a.BlindIndex("nickname", "anna"), b.BlindIndex("nickname", "anna")) {
		t.Fatal("blind index does not depend on the key")
	}
	if bytes.Equal(a.BlindIndex("nickname", "anna"), a.BlindIndex("email", "anna")) {
		t.Fatal("blind index domains collide")
	}
}

func TestKeyFilesCreatedPrivateAndRequiredForExistingDatabase(t *testing.T) {
	dir := t.TempDir()
	ring, err := vault.LoadOrCreate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{vault.KEKFile, vault.IndexFile} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", name, info.Mode().Perm())
		}
	}
	again, err := vault.LoadOrCreate(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if ring.KEKID() != again.KEKID() {
		t.Fatal("reloading the key file gave another key")
	}

	os.Remove(filepath.Join(dir, vault.KEKFile))
	_, err = vault.LoadOrCreate(dir, true)
	if !errors.Is(err, vault.ErrKeyMissing) || !strings.Contains(err.Error(), "master.key") {
		t.Fatalf("missing key with a database: %v, want a clear ErrKeyMissing", err)
	}

	os.WriteFile(filepath.Join(dir, vault.KEKFile), []byte("kek 1 bm90IGEga2V5\n"), 0o600)
	if _, err := vault.LoadOrCreate(dir, true); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("malformed key file: %v", err)
	}
	os.Chmod(filepath.Join(dir, vault.IndexFile), 0o644)
	if _, err := vault.LoadOrCreate(dir, true); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: %v", err)
	}
}

// BenchmarkSealOpen2KiB measures sealing and opening one 2 KiB message.
func BenchmarkSealOpen2KiB(b *testing.B) {
	key, _, _ := mustKeyring(b).NewDataKey("acct")
	msg := bytes.Repeat([]byte("x"), 2048)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		ct, err := key.Seal(msg, here)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := key.Open(ct, here); err != nil {
			b.Fatal(err)
		}
	}
}
