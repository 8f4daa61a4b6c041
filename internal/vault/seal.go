package vault

import (
	"crypto/cipher"
	"encoding/binary"
)

// AAD encodes the context a field ciphertext is bound to — table, column and
// record ID — with each part length-prefixed (4 bytes, big-endian), so that
// no two different contexts encode alike ("ab","c" differs from "a","bc").
// A ciphertext moved to another row, column or table then fails to open.
func AAD(table, column, recordID string) []byte {
	b := make([]byte, 0, 12+len(table)+len(column)+len(recordID))
	for _, s := range []string{table, column, recordID} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// Seal encrypts plaintext under data key dk (KeySize bytes), bound to aad
// (see AAD). The output is a version byte, a random 96-bit nonce, the
// ciphertext and a 16-byte tag: 29 bytes more than plaintext. Random nonces
// are safe up to 2^32 messages per key; one survivor's key seals a few
// fields per edit, many orders of magnitude below that.
func Seal(dk, plaintext, aad []byte) ([]byte, error) {
	s, err := NewSealer(dk)
	if err != nil {
		return nil, err
	}
	return s.Seal(plaintext, aad), nil
}

// Open decrypts what Seal produced under the same data key and aad. Any
// other key, context, version or a changed byte gives ErrDecrypt; a key of
// the wrong size gives another error.
func Open(dk, ciphertext, aad []byte) ([]byte, error) {
	s, err := NewSealer(dk)
	if err != nil {
		return nil, err
	}
	return s.Open(ciphertext, aad)
}

// Sealer seals and opens the fields of one record under its data key,
// expanding the AES key once for all of them rather than once per field.
// It is what Seal and Open use, and is safe for concurrent use.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a Sealer for data key dk (KeySize bytes).
func NewSealer(dk []byte) (*Sealer, error) {
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead}, nil
}

// Seal is Seal under the Sealer's data key.
func (s *Sealer) Seal(plaintext, aad []byte) []byte {
	out := make([]byte, 1, 1+len(plaintext)+s.aead.Overhead())
	out[0] = sealV1
	return s.aead.Seal(out, nil, plaintext, aad)
}

// Open is Open under the Sealer's data key.
func (s *Sealer) Open(ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < 1+s.aead.Overhead() || ciphertext[0] != sealV1 {
		return nil, ErrDecrypt
	}
	p, err := s.aead.Open(nil, nil, ciphertext[1:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return p, nil
}
