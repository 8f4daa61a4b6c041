package vault

import (
	"fmt"
	"slices"
)

// Keyring holds the master keys. The active key wraps; every key it holds
// unwraps, so that a rotation can re-wrap keys one by one while older
// wrappings stay readable. A Keyring is immutable and safe for concurrent
// use.
//
// The blind-index key is not part of the Keyring: it is a random key stored
// wrapped like a data key, so that rotating the master key re-wraps it and
// leaves every index value unchanged (see BlindIndex).
type Keyring struct {
	active *masterKey
	byID   map[string]*masterKey
}

// NewKeyring returns a keyring whose active key is active; older keys may
// follow, for unwrapping what they wrapped until a rotation has re-wrapped
// it. Each key must be KeySize bytes; the keyring keeps no copy of them, so
// the caller may clear them afterwards.
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

// ActiveKeyID returns the ID of the master key that new wrappings use.
func (k *Keyring) ActiveKeyID() string { return k.active.id }

// KeyIDs returns the IDs of every master key the keyring holds, the active
// one first, then the others in sorted order.
func (k *Keyring) KeyIDs() []string {
	ids := []string{k.active.id}
	for id := range k.byID {
		if id != k.active.id {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids[1:])
	return ids
}

// Wrap seals data key dk of subjectID (a survivor ID, or the name of a
// stored key such as the blind-index key) under the active master key. The
// associated data binds the wrapping to the subject and to the master key
// ID, so a wrapped key copied to another survivor's row does not unwrap.
// It panics if dk is not KeySize bytes: data keys come from NewDataKey or
// Unwrap, so anything else is a programming error.
func (k *Keyring) Wrap(subjectID string, dk []byte) []byte {
	if len(dk) != KeySize {
		panic(fmt.Sprintf("vault: Wrap of a %d-byte data key, want %d", len(dk), KeySize))
	}
	out := appendHeader([]byte{wrapV1}, k.active.id)
	return k.active.wrap.Seal(out, nil, dk, wrapAAD(subjectID, k.active.id))
}

// Unwrap opens a data key that Wrap sealed for subjectID, under whichever
// held master key wrapped it. It returns ErrUnknownKey if that master key is
// not held and ErrDecrypt if the wrapping does not open for this subject.
// The caller should clear the key when done with it.
func (k *Keyring) Unwrap(subjectID string, wrapped []byte) ([]byte, error) {
	id, body, ok := parseHeader(wrapped, wrapV1)
	if !ok {
		return nil, ErrDecrypt
	}
	mk, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: data key of %s wrapped by %s", ErrUnknownKey, subjectID, id)
	}
	dk, err := mk.wrap.Open(nil, nil, body, wrapAAD(subjectID, id))
	if err != nil || len(dk) != KeySize {
		return nil, ErrDecrypt
	}
	return dk, nil
}

// Rewrap re-wraps a wrapped data key of subjectID under the active master
// key, without touching the data it protects; it backs "haven keys
// rotate". The unwrapped key is cleared before Rewrap returns.
func (k *Keyring) Rewrap(subjectID string, wrapped []byte) ([]byte, error) {
	dk, err := k.Unwrap(subjectID, wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	return k.Wrap(subjectID, dk), nil
}

// WrappedBy returns the ID of the master key that wrapped w, or "" if w is
// not a wrapped key. Stores keep it in a column so that a rotation can tell
// which keys are still to do.
func WrappedBy(w []byte) string {
	id, _, _ := parseHeader(w, wrapV1)
	return id
}

// wrapAAD is the associated data of a wrapped key: the subject and the
// master key ID, in the same unambiguous encoding as field AAD.
func wrapAAD(subjectID, keyID string) []byte { return AAD("vault.datakey", keyID, subjectID) }

// appendHeader appends a key ID, length-prefixed, after a version byte.
func appendHeader(dst []byte, keyID string) []byte {
	dst = append(dst, byte(len(keyID)))
	return append(dst, keyID...)
}

// parseHeader splits version || len || keyID || body, reporting whether
// the version is want and the lengths fit.
func parseHeader(b []byte, want byte) (keyID string, body []byte, ok bool) {
	if len(b) < 2 || b[0] != want || len(b) < 2+int(b[1]) {
		return "", nil, false
	}
	n := 2 + int(b[1])
	return string(b[2:n]), b[n:], true
}
