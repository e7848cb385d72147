package vault

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File names inside the data folder.
const (
	KEKFile   = "master.key"
	IndexFile = "index.key"
)

// ErrKeyMissing is returned when a key file is missing beside an existing database.
var ErrKeyMissing = errors.New("key file missing")

// LoadOrCreate reads the key files in dir. When they do not exist and the database
// does not exist either, it generates them (mode 0600). When the database exists,
// a missing key file is an error: generating a new key would make every stored
// ciphertext unreadable.
func LoadOrCreate(dir string, databaseExists bool) (*Keyring, error) {
	kekPath := filepath.Join(dir, KEKFile)
	indexPath := filepath.Join(dir, IndexFile)
	_, kekErr := os.Stat(kekPath)
	_, indexErr := os.Stat(indexPath)
	if errors.Is(kekErr, fs.ErrNotExist) && errors.Is(indexErr, fs.ErrNotExist) && !databaseExists {
		if err := createKeyFiles(dir, rand.Reader); err != nil {
			return nil, err
		}
	}
	for _, p := range []string{kekPath, indexPath} {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is missing but %s holds data encrypted with it; restore the key file from your key backup: %w", p, dir, ErrKeyMissing)
		}
		if err != nil {
			return nil, fmt.Errorf("stat key file: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%s can be read by other users (mode %#o); run: chmod 600 %s", p, info.Mode().Perm(), p)
		}
	}
	kekID, kek, err := readKEKFile(kekPath)
	if err != nil {
		return nil, err
	}
	index, err := readKeyLine(indexPath, "index")
	if err != nil {
		return nil, err
	}
	return NewKeyring(kekID, kek, index, nil)
}

func createKeyFiles(dir string, random io.Reader) error {
	kek, kekID, err := randomKeyMaterial(random)
	if err != nil {
		return err
	}
	index, _, err := randomKeyMaterial(random)
	if err != nil {
		return err
	}
	if err := WriteKEKFile(filepath.Join(dir, KEKFile), kekID, kek); err != nil {
		return err
	}
	return WriteIndexFile(filepath.Join(dir, IndexFile), index)
}

// NewKEK draws a fresh key-encryption key, for rotation.
func NewKEK() (uint32, []byte, error) {
	raw, id, err := randomKeyMaterial(rand.Reader)
	return id, raw, err
}

// NewIndexKey draws a fresh blind-index key, for rotation.
func NewIndexKey() ([]byte, error) {
	raw, _, err := randomKeyMaterial(rand.Reader)
	return raw, err
}

// WriteIndexFile writes a blind-index key file atomically with mode 0600.
func WriteIndexFile(path string, index []byte) error {
	return writeSecretFile(path, "# Confidant blind-index key: finds nicknames without storing them. Keep it with master.key.\n"+
		"index "+base64.StdEncoding.EncodeToString(index)+"\n")
}

// A rotation replaces both key files. The new ones are first staged beside the
// current ones (with pendingSuffix); once the database depends on them they are
// installed, and the old ones are kept under retiredSuffix and the old key's
// fingerprint until the operator destroys them.
const (
	pendingSuffix = ".new"
	retiredSuffix = ".retired-"
)

// StageRotation writes the key files of a rotation beside the current ones.
// Nothing uses them until InstallRotation.
func StageRotation(dir string, kekID uint32, kek, index []byte) error {
	if err := WriteKEKFile(filepath.Join(dir, KEKFile+pendingSuffix), kekID, kek); err != nil {
		return err
	}
	return WriteIndexFile(filepath.Join(dir, IndexFile+pendingSuffix), index)
}

// RotationStaged reports whether staged key files wait in dir.
func RotationStaged(dir string) bool {
	for _, name := range []string{KEKFile, IndexFile} {
		if _, err := os.Stat(filepath.Join(dir, name+pendingSuffix)); err == nil {
			return true
		}
	}
	return false
}

// DiscardRotation removes staged key files that no database depends on: a
// rotation that stopped before its commit.
func DiscardRotation(dir string) error {
	for _, name := range []string{KEKFile, IndexFile} {
		if err := os.Remove(filepath.Join(dir, name+pendingSuffix)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove staged key file: %w", err)
		}
	}
	return nil
}

// RetiredFiles names the files an installed rotation keeps the old keys in;
// retiring is the fingerprint of the old key-encryption key.
func RetiredFiles(dir, retiring string) []string {
	return []string{
		filepath.Join(dir, KEKFile+retiredSuffix+retiring),
		filepath.Join(dir, IndexFile+retiredSuffix+retiring),
	}
}

// InstallRotation keeps the current key files as retired copies named after
// retiring (the fingerprint of the current key-encryption key) and moves the
// staged ones into their place. Every step leaves a whole key file under each
// usual name, so a crash at any point is finished by calling it again. The
// master key goes last: while its staged file exists, master.key is still the
// key the retired names refer to.
func InstallRotation(dir, retiring string) error {
	for _, name := range []string{IndexFile, KEKFile} {
		current := filepath.Join(dir, name)
		pending := current + pendingSuffix
		if _, err := os.Stat(pending); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.Link(current, current+retiredSuffix+retiring); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("keep retired key file: %w", err)
		}
		if err := os.Rename(pending, current); err != nil {
			return fmt.Errorf("install new key file: %w", err)
		}
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// WriteKEKFile writes a key-encryption key file atomically with mode 0600.
func WriteKEKFile(path string, id uint32, kek []byte) error {
	return writeSecretFile(path, "# Confidant key-encryption key. Keep it secret, and back it up apart from the database.\n"+
		"kek "+strconv.FormatUint(uint64(id), 16)+" "+base64.StdEncoding.EncodeToString(kek)+"\n")
}

func writeSecretFile(path, content string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close key file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("install key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	return nil
}

func readKEKFile(path string) (uint32, []byte, error) {
	fields, err := keyLine(path, "kek", 3)
	if err != nil {
		return 0, nil, err
	}
	id, err := strconv.ParseUint(fields[1], 16, 32)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: malformed key id", path)
	}
	raw, err := decodeKey(path, fields[2])
	return uint32(id), raw, err
}

func readKeyLine(path, kind string) ([]byte, error) {
	fields, err := keyLine(path, kind, 2)
	if err != nil {
		return nil, err
	}
	return decodeKey(path, fields[1])
}

func keyLine(path, kind string, n int) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == n && fields[0] == kind {
			return fields, nil
		}
	}
	return nil, fmt.Errorf("%s is not a Confidant %s key file", path, kind)
}

func decodeKey(path, s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != KeySize {
		return nil, fmt.Errorf("%s holds a malformed key", path)
	}
	return raw, nil
}

// Fingerprint is a short, non-secret name for the KEK, for messages to operators.
func (r *Keyring) Fingerprint() string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], r.kek.id)
	return fmt.Sprintf("%x", b)
}
