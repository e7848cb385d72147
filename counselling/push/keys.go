package push

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFile is the file in the data folder that holds the office's VAPID key,
// which signs every notification so that push services accept it only from
// this office.
const KeyFile = "vapid.key"

// Keys is the office's VAPID key pair, each half base64url-encoded as the Web
// Push standard and browsers expect them.
type Keys struct {
	Private string
	// Public is the application server key a browser subscribes with.
	Public string
}

// LoadOrCreateKeys reads the VAPID key from dir, and generates it (mode 0600)
// on first start. Losing it is no loss of data: every device would have to
// opt in again, as push services refuse notifications signed by another key.
func LoadOrCreateKeys(dir string) (Keys, error) {
	path := filepath.Join(dir, KeyFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKey(path); err != nil {
			return Keys{}, err
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return Keys{}, fmt.Errorf("read %s: %w", KeyFile, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return Keys{}, fmt.Errorf("stat %s: %w", KeyFile, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return Keys{}, fmt.Errorf("%s can be read by other users (mode %#o); run: chmod 600 %s", path, info.Mode().Perm(), path)
	}
	return parseKey(bytes.TrimSpace(raw))
}

func parseKey(encoded []byte) (Keys, error) {
	d, err := base64.RawURLEncoding.DecodeString(string(encoded))
	if err != nil {
		return Keys{}, fmt.Errorf("%s is not a VAPID key: %w", KeyFile, err)
	}
	private, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return Keys{}, fmt.Errorf("%s is not a VAPID key: %w", KeyFile, err)
	}
	return Keys{
		Private: string(encoded),
		Public:  base64.RawURLEncoding.EncodeToString(private.PublicKey().Bytes()),
	}, nil
}

func createKey(path string) error {
	private, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate VAPID key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", KeyFile, err)
	}
	_, err = f.WriteString(base64.RawURLEncoding.EncodeToString(private.Bytes()) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", KeyFile, err)
	}
	return nil
}
