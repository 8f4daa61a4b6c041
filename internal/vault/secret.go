package vault

import "fmt"

// SealSecret seals a small server-side secret that belongs to no survivor
// (a TOTP seed) under a key derived from the active master key with HKDF;
// the output names the master key, so a rotation can re-seal it. aad binds
// it to its place, as for fields.
func (k *Keyring) SealSecret(plaintext, aad []byte) ([]byte, error) {
	out := appendHeader([]byte{boxV1}, k.active.id)
	return k.active.secret.Seal(out, nil, plaintext, aad), nil
}

// OpenSecret opens what SealSecret sealed, under whichever held master key
// it names. It returns ErrUnknownKey or ErrDecrypt as Unwrap does.
func (k *Keyring) OpenSecret(ciphertext, aad []byte) ([]byte, error) {
	id, body, ok := parseHeader(ciphertext, boxV1)
	if !ok {
		return nil, ErrDecrypt
	}
	mk, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: secret sealed by %s", ErrUnknownKey, id)
	}
	p, err := mk.secret.Open(nil, nil, body, aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return p, nil
}
