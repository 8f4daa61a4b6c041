// Package vault is Haven's envelope encryption. Each survivor's identifying
// and sensitive fields are sealed with AES-256-GCM under that survivor's own
// data key; the data key is stored only wrapped by a master key that lives
// outside the database. Destroying a wrapped data key makes every copy of
// the survivor's fields unreadable, old backups included (crypto-shredding).
// Exact-match lookups use a keyed blind index (HMAC-SHA-256) instead of
// plaintext.
//
// Only the standard library's crypto packages are used, not tink-go: they
// add no dependency, they are the Go project's own FIPS 140-3 module, and
// Haven needs only AES-GCM, HMAC-SHA-256 and HKDF. AES-GCM is built with
// cipher.NewGCMWithRandomNonce, the form that module approves.
//
// Zeroing keys is best effort. Callers clear data keys with the built-in
// clear once done, and Rewrap clears the key it unwraps, but the Go runtime
// may have copied the bytes (garbage collection, stack growth) and the AES
// key schedules inside a Keyring cannot be reached. The defence that holds
// is keeping keys out of the database, logs and backups; see docs/vault.md.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
)

// KeySize is the size in bytes of every key, master or data: AES-256.
const KeySize = 32

// Format versions: the first byte of every wrapped key, sealed field and
// sealed secret. A new format gets a new byte; old ones stay readable.
const (
	wrapV1 byte = 1
	sealV1 byte = 1
	boxV1  byte = 1
)

// ErrDecrypt is returned for any ciphertext or wrapped key that does not
// open: tampered, truncated, moved to another record, column or survivor,
// or sealed under another key. It deliberately does not say which.
var ErrDecrypt = errors.New("vault: ciphertext does not open under this key and context")

// ErrUnknownKey is returned when a wrapped key or secret names a master key
// that the keyring does not hold, typically an old key retired too early
// or a keyring loaded with the wrong key. The message carries the key ID,
// never key material.
var ErrUnknownKey = errors.New("vault: sealed by a master key that is not loaded")

// masterKey is one master key, reduced to what it is used for: its ID, an
// AEAD for wrapping data keys and an AEAD for server-side secrets. The raw
// key bytes are not kept.
type masterKey struct {
	id     string
	wrap   cipher.AEAD
	secret cipher.AEAD
}

// KeyID returns the ID of a master key: the first 8 bytes of its SHA-256, in
// hex. It is stored beside every wrapping so that the right key is chosen
// during a rotation. Revealing it reveals nothing useful about a 256-bit
// random key.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

func newMasterKey(key []byte) (*masterKey, error) {
	if len(key) != KeySize {
		return nil, haven.Errorf(haven.Invalid, "a master key is %d bytes, this one is %d", KeySize, len(key))
	}
	wrap, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	sk, err := hkdf.Key(sha256.New, key, nil, "haven/secretbox/v1", KeySize)
	if err != nil {
		return nil, err
	}
	defer clear(sk)
	secret, err := newAEAD(sk)
	if err != nil {
		return nil, err
	}
	return &masterKey{id: KeyID(key), wrap: wrap, secret: secret}, nil
}

// newAEAD returns AES-256-GCM under key with a random 96-bit nonce that Seal
// prepends to its output and Open reads back.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("vault: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

// NewDataKey returns a fresh random key of KeySize bytes. It panics only if
// the operating system's random source fails, which crypto/rand treats as
// unrecoverable.
func NewDataKey() []byte {
	dk := make([]byte, KeySize)
	if _, err := rand.Read(dk); err != nil {
		panic(fmt.Sprintf("vault: crypto/rand: %v", err))
	}
	return dk
}
