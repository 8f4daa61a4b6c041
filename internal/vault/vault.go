// Package vault is Haven's envelope encryption. Each survivor's identifying
// and sensitive fields are sealed with AES-256-GCM under that survivor's own
// data key; the data key is stored only wrapped by a master key that lives
// outside the database. Destroying a data key makes every copy of the
// survivor's fields unreadable (crypto-shredding). Exact-match lookups use a
// keyed blind index (HMAC-SHA-256) instead of plaintext.
//
// The standard library's crypto/aes and crypto/cipher are used rather than
// tink-go: they are the Go project's own FIPS 140-3 validated module, add no
// dependency, and Haven needs only AES-GCM, HMAC and HKDF, which they cover.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/haven-care/haven"
)

// KeySize is the size of every key: AES-256.
const KeySize = 32

// Format versions: the first byte of every wrapped key and ciphertext.
const (
	wrapV1 byte = 1
	sealV1 byte = 1
	boxV1  byte = 1
)

// ErrDecrypt is returned for any ciphertext that does not open: tampered,
// moved to another record or column, or under a key that is gone.
var ErrDecrypt = errors.New("vault: ciphertext does not open under this key and context")

// masterKey is one master key and its ID, the first 8 bytes of its SHA-256
// in hex, which wrapped keys carry so that rotation knows which key to use.
type masterKey struct {
	id     string
	aead   cipher.AEAD
	secret []byte // HKDF-derived key for server-side secrets (TOTP seeds)
}

func newMasterKey(key []byte) (*masterKey, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("master key must be %d bytes, not %d", KeySize, len(key))
	}
	sum := sha256.Sum256(key)
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	box, err := hkdf.Key(sha256.New, key, nil, "haven/secretbox/v1", KeySize)
	if err != nil {
		return nil, err
	}
	return &masterKey{id: hex.EncodeToString(sum[:8]), aead: aead, secret: box}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Keyring holds the master keys: the active one wraps, any one unwraps
// (so a rotation can proceed while old wrappings remain).
type Keyring struct {
	active *masterKey
	byID   map[string]*masterKey
}

// NewKeyring returns a keyring whose active key is active; older keys may
// follow, for unwrapping during a rotation.
func NewKeyring(active []byte, older ...[]byte) (*Keyring, error) {
	k := &Keyring{byID: map[string]*masterKey{}}
	for i, raw := range append([][]byte{active}, older...) {
		mk, err := newMasterKey(raw)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			k.active = mk
		}
		k.byID[mk.id] = mk
	}
	return k, nil
}

// ActiveKeyID names the key that new wrappings use.
func (k *Keyring) ActiveKeyID() string { return k.active.id }

// NewDataKey returns a fresh random data key.
func NewDataKey() []byte {
	dk := make([]byte, KeySize)
	if _, err := rand.Read(dk); err != nil {
		panic(fmt.Sprintf("vault: crypto/rand: %v", err))
	}
	return dk
}

// Wrap seals a data key for subjectID under the active master key. The
// associated data binds the wrapping to the subject and the key ID, so a
// wrapped key copied to another survivor's row does not unwrap.
func (k *Keyring) Wrap(subjectID string, dk []byte) []byte {
	mk := k.active
	out := []byte{wrapV1, byte(len(mk.id))}
	out = append(out, mk.id...)
	return sealAppend(mk.aead, out, dk, wrapAAD(subjectID, mk.id))
}

// Unwrap opens a wrapped data key of subjectID.
func (k *Keyring) Unwrap(subjectID string, wrapped []byte) ([]byte, error) {
	if len(wrapped) < 2 || wrapped[0] != wrapV1 || len(wrapped) < 2+int(wrapped[1]) {
		return nil, ErrDecrypt
	}
	id := string(wrapped[2 : 2+wrapped[1]])
	mk, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("vault: data key wrapped by unknown master key %s", id)
	}
	return openAt(mk.aead, wrapped[2+wrapped[1]:], wrapAAD(subjectID, id))
}

// Rewrap re-wraps a data key under the active master key without touching
// the data it protects; it backs "haven keys rotate".
func (k *Keyring) Rewrap(subjectID string, wrapped []byte) ([]byte, error) {
	dk, err := k.Unwrap(subjectID, wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	return k.Wrap(subjectID, dk), nil
}

// WrappedBy returns the ID of the master key that wrapped w.
func WrappedBy(w []byte) string {
	if len(w) < 2 || len(w) < 2+int(w[1]) {
		return ""
	}
	return string(w[2 : 2+w[1]])
}

func wrapAAD(subjectID, keyID string) []byte { return AAD("vault.datakey", keyID, subjectID) }

// AAD encodes the context a ciphertext is bound to — table, column and
// record ID — unambiguously (each part length-prefixed), so that a
// ciphertext moved to another row or column fails to open.
func AAD(table, column, recordID string) []byte {
	b := make([]byte, 0, 12+len(table)+len(column)+len(recordID))
	for _, s := range []string{table, column, recordID} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// Seal encrypts plaintext under data key dk bound to aad. A random 96-bit
// nonce per message keeps the collision risk negligible for far more
// messages than one survivor's record will ever see (NIST's 2^32 bound).
func Seal(dk, plaintext, aad []byte) ([]byte, error) {
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	return sealAppend(aead, []byte{sealV1}, plaintext, aad), nil
}

// Open decrypts a ciphertext made by Seal with the same key and aad.
func Open(dk, ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < 1 || ciphertext[0] != sealV1 {
		return nil, ErrDecrypt
	}
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	return openAt(aead, ciphertext[1:], aad)
}

func sealAppend(aead cipher.AEAD, dst, plaintext, aad []byte) []byte {
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("vault: crypto/rand: %v", err))
	}
	dst = append(dst, nonce...)
	return aead.Seal(dst, nonce, plaintext, aad)
}

func openAt(aead cipher.AEAD, b, aad []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(b) < n+aead.Overhead() {
		return nil, ErrDecrypt
	}
	p, err := aead.Open(nil, b[:n], b[n:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return p, nil
}

// SealSecret seals a small server-side secret (a TOTP seed) under a key
// derived from the active master key; the output names that key.
func (k *Keyring) SealSecret(plaintext, aad []byte) ([]byte, error) {
	aead, err := newAEAD(k.active.secret)
	if err != nil {
		return nil, err
	}
	out := []byte{boxV1, byte(len(k.active.id))}
	out = append(out, k.active.id...)
	return sealAppend(aead, out, plaintext, aad), nil
}

// OpenSecret opens what SealSecret sealed, under whichever known master
// key it names.
func (k *Keyring) OpenSecret(ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < 2 || ciphertext[0] != boxV1 || len(ciphertext) < 2+int(ciphertext[1]) {
		return nil, ErrDecrypt
	}
	mk, ok := k.byID[string(ciphertext[2:2+ciphertext[1]])]
	if !ok {
		return nil, ErrDecrypt
	}
	aead, err := newAEAD(mk.secret)
	if err != nil {
		return nil, err
	}
	return openAt(aead, ciphertext[2+ciphertext[1]:], aad)
}

// LoadKeyFile reads a master key file: 32 random bytes, base64-encoded on
// one line. A file that group or others can read is refused.
func LoadKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot read master key file %s: %v", path, errors.Unwrap(err))
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, haven.Errorf(haven.Invalid, "master key file %s is readable by others (mode %v): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot read master key file %s: %v", path, errors.Unwrap(err))
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "master key file %s: %v", path, err)
	}
	return key, nil
}

// ParseKey decodes a base64 master key (as in HAVEN_MASTER_KEY).
func ParseKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(trimSpace(s))
	if err != nil {
		return nil, errors.New("not base64")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("a master key is %d bytes, this one is %d", KeySize, len(key))
	}
	return key, nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r' || s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}

// CreateKeyFile writes a new random master key to path with 0600
// permissions (its directory 0700), refusing to overwrite one.
func CreateKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot create key directory: %v", errors.Unwrap(err))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot create master key file %s: %v", path, errors.Unwrap(err))
	}
	key := NewDataKey()
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, haven.Errorf(haven.Invalid, "cannot write master key file %s: %v", path, err)
	}
	return key, nil
}
