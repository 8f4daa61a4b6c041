package vault

import "encoding/binary"

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
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1, 1+len(plaintext)+aead.Overhead())
	out[0] = sealV1
	return aead.Seal(out, nil, plaintext, aad), nil
}

// Open decrypts what Seal produced under the same data key and aad. Any
// other key, context, version or a changed byte gives ErrDecrypt; a key of
// the wrong size gives another error.
func Open(dk, ciphertext, aad []byte) ([]byte, error) {
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) < 1+aead.Overhead() || ciphertext[0] != sealV1 {
		return nil, ErrDecrypt
	}
	p, err := aead.Open(nil, nil, ciphertext[1:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return p, nil
}
