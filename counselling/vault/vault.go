// Package vault owns every use of cipher code in Confidant: the key-encryption
// key (KEK) kept in a file outside the database, the per-account data keys that the
// KEK wraps, AES-256-GCM sealing of personal fields and message text, and the keyed
// blind index used to look nicknames up without storing them in clear.
//
// Envelope encryption keeps deletion honest: everything a help-seeker wrote is
// sealed under their own data key, and the data key exists only wrapped by the KEK
// in their account row. Deleting that row destroys the only copy of the key, so
// ciphertext left behind in free pages, the WAL or an old backup can no longer be
// opened once the KEK it was wrapped with has been rotated away.
//
// Every ciphertext starts with a one-byte format version and a four-byte key id and
// is sealed with associated data naming its table, column and row. A ciphertext
// copied to another row or column therefore fails to open instead of showing one
// person's words in another person's record.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// KeySize is the size of every symmetric key in bytes (AES-256, HMAC-SHA256).
const KeySize = 32

// formatV1 marks AES-256-GCM with a 12-byte random nonce.
const formatV1 = 1

const headerSize = 1 + 4 // version + key id

// ErrOpen is returned for any ciphertext that cannot be opened: a wrong key, a
// flipped bit, a ciphertext moved to another record or an unknown format. The
// causes are deliberately not told apart.
var ErrOpen = errors.New("vault: ciphertext cannot be opened")

// Location names the place a ciphertext belongs to. It is bound into the
// ciphertext as associated data.
type Location struct {
	Table  string
	Column string
	Row    string
}

func (l Location) associatedData(header []byte) []byte {
	ad := make([]byte, 0, len(header)+len(l.Table)+len(l.Column)+len(l.Row)+24)
	ad = append(ad, "confidant/v1\x00"...)
	ad = append(ad, header...)
	for _, part := range []string{l.Table, l.Column, l.Row} {
		ad = binary.AppendUvarint(ad, uint64(len(part)))
		ad = append(ad, part...)
	}
	return ad
}

// Key is one AES-256-GCM key with its id.
type Key struct {
	id   uint32
	aead cipher.AEAD
	rand io.Reader
}

func newKey(id uint32, raw []byte, random io.Reader) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("vault: key must be %d bytes, got %d", KeySize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("vault: new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("vault: new gcm: %w", err)
	}
	return &Key{id: id, aead: aead, rand: random}, nil
}

// ID is the key id written into every ciphertext sealed with this key.
func (k *Key) ID() uint32 { return k.id }

// Seal encrypts plaintext for loc. Two seals of the same plaintext differ because
// every seal draws a fresh random nonce.
func (k *Key) Seal(plaintext []byte, loc Location) ([]byte, error) {
	nonceSize := k.aead.NonceSize()
	out := make([]byte, headerSize+nonceSize, headerSize+nonceSize+len(plaintext)+k.aead.Overhead())
	out[0] = formatV1
	binary.BigEndian.PutUint32(out[1:headerSize], k.id)
	if _, err := io.ReadFull(k.rand, out[headerSize:]); err != nil {
		return nil, fmt.Errorf("vault: read nonce: %w", err)
	}
	nonce := out[headerSize:]
	return k.aead.Seal(out, nonce, plaintext, loc.associatedData(out[:headerSize])), nil
}

// SealString is Seal for text.
func (k *Key) SealString(plaintext string, loc Location) ([]byte, error) {
	return k.Seal([]byte(plaintext), loc)
}

// Open decrypts a ciphertext made by Seal for the same loc.
func (k *Key) Open(ciphertext []byte, loc Location) ([]byte, error) {
	nonceSize := k.aead.NonceSize()
	if len(ciphertext) < headerSize+nonceSize+k.aead.Overhead() || ciphertext[0] != formatV1 {
		return nil, ErrOpen
	}
	if binary.BigEndian.Uint32(ciphertext[1:headerSize]) != k.id {
		return nil, ErrOpen
	}
	nonce := ciphertext[headerSize : headerSize+nonceSize]
	plain, err := k.aead.Open(nil, nonce, ciphertext[headerSize+nonceSize:], loc.associatedData(ciphertext[:headerSize]))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// OpenString is Open for text. A nil ciphertext opens to the empty string, so
// optional fields can be stored as NULL.
func (k *Key) OpenString(ciphertext []byte, loc Location) (string, error) {
	if ciphertext == nil {
		return "", nil
	}
	plain, err := k.Open(ciphertext, loc)
	return string(plain), err
}

// KeyID reads the key id of a ciphertext without opening it.
func KeyID(ciphertext []byte) (uint32, bool) {
	if len(ciphertext) < headerSize || ciphertext[0] != formatV1 {
		return 0, false
	}
	return binary.BigEndian.Uint32(ciphertext[1:headerSize]), true
}

func randomKeyMaterial(random io.Reader) ([]byte, uint32, error) {
	raw := make([]byte, KeySize+4)
	if _, err := io.ReadFull(random, raw); err != nil {
		return nil, 0, fmt.Errorf("vault: read random key: %w", err)
	}
	return raw[:KeySize], binary.BigEndian.Uint32(raw[KeySize:]), nil
}

// Keyring holds the key-encryption key and the blind-index key.
type Keyring struct {
	kek   *Key
	index []byte
	rand  io.Reader
}

// NewKeyring builds a keyring from raw key material; random may be nil for
// crypto/rand.
func NewKeyring(kekID uint32, kek, index []byte, random io.Reader) (*Keyring, error) {
	if random == nil {
		random = rand.Reader
	}
	k, err := newKey(kekID, kek, random)
	if err != nil {
		return nil, err
	}
	if len(index) != KeySize {
		return nil, fmt.Errorf("vault: index key must be %d bytes", KeySize)
	}
	return &Keyring{kek: k, index: append([]byte(nil), index...), rand: random}, nil
}

// KEKID is the id of the key-encryption key in use.
func (r *Keyring) KEKID() uint32 { return r.kek.id }

func dataKeyLocation(owner string) Location {
	return Location{Table: "data_keys", Column: "wrapped", Row: owner}
}

// NewDataKey makes a fresh random data key for owner (an account id) and returns
// it with its wrapped form, the only form that may be stored.
func (r *Keyring) NewDataKey(owner string) (*Key, []byte, error) {
	raw, _, err := randomKeyMaterial(r.rand)
	if err != nil {
		return nil, nil, err
	}
	defer clear(raw)
	wrapped, err := r.kek.Seal(raw, dataKeyLocation(owner))
	if err != nil {
		return nil, nil, err
	}
	key, err := newKey(dataKeyID(raw), raw, r.rand)
	if err != nil {
		return nil, nil, err
	}
	return key, wrapped, nil
}

// UnwrapDataKey opens a wrapped data key of owner.
func (r *Keyring) UnwrapDataKey(owner string, wrapped []byte) (*Key, error) {
	raw, err := r.kek.Open(wrapped, dataKeyLocation(owner))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key: %w", err)
	}
	defer clear(raw)
	if len(raw) != KeySize {
		return nil, ErrOpen
	}
	return newKey(dataKeyID(raw), raw, r.rand)
}

// dataKeyID derives a stable id from the key material, so that the id need not be
// stored beside the wrapped key. It reveals nothing usable about the key.
func dataKeyID(raw []byte) uint32 {
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte("confidant data key id"))
	return binary.BigEndian.Uint32(mac.Sum(nil))
}

// Rewrap opens a data key wrapped by the old keyring and wraps it with this one.
// The data sealed under the data key is not touched.
func (r *Keyring) Rewrap(old *Keyring, owner string, wrapped []byte) ([]byte, error) {
	raw, err := old.kek.Open(wrapped, dataKeyLocation(owner))
	if err != nil {
		return nil, fmt.Errorf("rewrap data key: %w", err)
	}
	defer clear(raw)
	return r.kek.Seal(raw, dataKeyLocation(owner))
}

// SealSystem seals a value under the KEK itself. It is meant for small
// installation secrets that belong to no account, such as the canary that proves
// the key file matches the database.
func (r *Keyring) SealSystem(plaintext []byte, loc Location) ([]byte, error) {
	return r.kek.Seal(plaintext, loc)
}

// OpenSystem opens what SealSystem sealed.
func (r *Keyring) OpenSystem(ciphertext []byte, loc Location) ([]byte, error) {
	return r.kek.Open(ciphertext, loc)
}

// BlindIndex is a keyed HMAC-SHA256 of value in a domain (such as "nickname"),
// used to find and to keep unique a value that is only stored encrypted.
func (r *Keyring) BlindIndex(domain, value string) []byte {
	mac := hmac.New(sha256.New, r.index)
	mac.Write([]byte(domain))
	mac.Write([]byte{0})
	mac.Write([]byte(value))
	return mac.Sum(nil)
}
