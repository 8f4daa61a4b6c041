package vault

import (
	"bytes"
	"errors"
	"testing"

	"github.com/haven-care/haven"
)

func mustKeyring(t testing.TB, keys ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(keys[0], keys[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestWrapUnwrap(t *testing.T) {
	master := NewDataKey()
	ring := mustKeyring(t, master)
	dk := NewDataKey()
	wrapped := ring.Wrap("survivor-1", dk)
	if bytes.Contains(wrapped, dk) || bytes.Contains(wrapped, master) {
		t.Fatal("wrapped key holds key material in the clear")
	}
	if got, want := len(wrapped), 1+1+16+12+KeySize+16; got != want {
		t.Errorf("len(wrapped)=%d, want %d", got, want)
	}
	if wrapped[0] != 1 || WrappedBy(wrapped) != KeyID(master) || ring.ActiveKeyID() != KeyID(master) {
		t.Errorf("version=%d WrappedBy=%q ActiveKeyID=%q, want 1 and %q", wrapped[0], WrappedBy(wrapped), ring.ActiveKeyID(), KeyID(master))
	}
	got, err := ring.Unwrap("survivor-1", wrapped)
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("Unwrap=%x, %v, want %x", got, err, dk)
	}
}

func TestUnwrapRefuses(t *testing.T) {
	master, other := NewDataKey(), NewDataKey()
	ring := mustKeyring(t, master)
	wrapped := ring.Wrap("survivor-1", NewDataKey())
	// A wrapping by another key that claims to be by master: the header
	// names a held key but the key does not match.
	forged := mustKeyring(t, other).Wrap("survivor-1", NewDataKey())
	copy(forged[2:18], KeyID(master))
	tests := []struct {
		name    string
		subject string
		w       []byte
		want    error
	}{
		{"other subject", "survivor-2", wrapped, ErrDecrypt},
		{"wrong master key", "survivor-1", forged, ErrDecrypt},
		{"unknown master key", "survivor-1", mustKeyring(t, other).Wrap("survivor-1", NewDataKey()), ErrUnknownKey},
		{"version 2", "survivor-1", flipTo(wrapped, 0, 2), ErrDecrypt},
		{"key ID length", "survivor-1", flipTo(wrapped, 1, 200), ErrDecrypt},
		{"truncated", "survivor-1", wrapped[:len(wrapped)-1], ErrDecrypt},
		{"header only", "survivor-1", wrapped[:18], ErrDecrypt},
		{"empty", "survivor-1", nil, ErrDecrypt},
	}
	for i := 2 + 16; i < len(wrapped); i++ {
		tests = append(tests, struct {
			name    string
			subject string
			w       []byte
			want    error
		}{"flipped body byte", "survivor-1", flip(wrapped, i), ErrDecrypt})
	}
	for _, tt := range tests {
		if got, err := ring.Unwrap(tt.subject, tt.w); !errors.Is(err, tt.want) {
			t.Errorf("%s: Unwrap=%x, %v, want %v", tt.name, got, err, tt.want)
		}
	}
}

func flipTo(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

// TestRotation follows "haven keys rotate": a keyring with the new key
// active and the old one held re-wraps every data key; afterwards the new
// key alone opens everything and the field ciphertexts never changed.
func TestRotation(t *testing.T) {
	oldKey, newKey := NewDataKey(), NewDataKey()
	dk := NewDataKey()
	wrapped := mustKeyring(t, oldKey).Wrap("survivor-1", dk)
	aad := AAD("survivors", "name", "survivor-1")
	field, err := Seal(dk, []byte("CANARY-NAME"), aad)
	if err != nil {
		t.Fatal(err)
	}
	rotating := mustKeyring(t, newKey, oldKey)
	if got, err := rotating.Unwrap("survivor-1", wrapped); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("old wrapping under the rotating keyring: %x, %v", got, err)
	}
	rewrapped, err := rotating.Rewrap("survivor-1", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := WrappedBy(rewrapped), KeyID(newKey); got != want {
		t.Errorf("WrappedBy(rewrapped)=%s, want %s", got, want)
	}
	newOnly := mustKeyring(t, newKey)
	if _, err := newOnly.Unwrap("survivor-1", wrapped); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old wrapping without the old key: err=%v, want ErrUnknownKey", err)
	}
	got, err := newOnly.Unwrap("survivor-1", rewrapped)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := Open(got, field, aad); err != nil || string(plain) != "CANARY-NAME" {
		t.Errorf("field sealed before rotation: Open=%q, %v", plain, err)
	}
	if _, err := rotating.Rewrap("survivor-2", wrapped); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Rewrap as another subject: err=%v, want ErrDecrypt", err)
	}
}

func TestNewKeyringRefusesBadKeys(t *testing.T) {
	for _, keys := range [][][]byte{{nil}, {make([]byte, 16)}, {NewDataKey(), make([]byte, 33)}} {
		_, err := NewKeyring(keys[0], keys[1:]...)
		if haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("NewKeyring(%d keys, first %d bytes): err=%v, want Invalid", len(keys), len(keys[0]), err)
		}
	}
}

func TestWrapPanicsOnBadDataKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Wrap of a 16-byte key did not panic")
		}
	}()
	mustKeyring(t, NewDataKey()).Wrap("s", make([]byte, 16))
}

func TestKeyID(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	// printf '\x07%.0s' $(seq 32) | sha256sum | cut -c1-16
	if got, want := KeyID(key), "4bb06f8e4e3a7715"; got != want {
		t.Errorf("KeyID=%s, want %s", got, want)
	}
}
