package vault

import (
	"bytes"
	"errors"
	"testing"
)

func TestSecretRoundTripAndRotation(t *testing.T) {
	k1, k2 := NewDataKey(), NewDataKey()
	ring := mustKeyring(t, k1)
	aad := []byte("users/totp/u1")
	ct, err := ring.SealSecret([]byte("TOTPSEED"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ring.OpenSecret(ct, aad); err != nil || string(got) != "TOTPSEED" {
		t.Fatalf("OpenSecret=%q, %v", got, err)
	}
	rotating := mustKeyring(t, k2, k1)
	if got, err := rotating.OpenSecret(ct, aad); err != nil || string(got) != "TOTPSEED" {
		t.Errorf("secret under the old key during rotation: %q, %v", got, err)
	}
	resealed, _ := rotating.SealSecret([]byte("TOTPSEED"), aad)
	if got, err := mustKeyring(t, k2).OpenSecret(resealed, aad); err != nil || string(got) != "TOTPSEED" {
		t.Errorf("resealed secret under the new key alone: %q, %v", got, err)
	}
	tests := []struct {
		name string
		ring *Keyring
		ct   []byte
		aad  []byte
		want error
	}{
		{"other context", ring, ct, []byte("users/totp/u2"), ErrDecrypt},
		{"tampered", ring, flip(ct, len(ct)-1), aad, ErrDecrypt},
		{"unknown key", mustKeyring(t, k2), ct, aad, ErrUnknownKey},
		{"wrapped data key", ring, ring.Wrap("u1", NewDataKey()), aad, ErrDecrypt},
	}
	for _, tt := range tests {
		if _, err := tt.ring.OpenSecret(tt.ct, tt.aad); !errors.Is(err, tt.want) {
			t.Errorf("%s: OpenSecret err=%v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestSecretKeyIsNotTheWrappingKey checks that the HKDF-derived secret key
// differs from the master key itself: a wrapped data key does not open as
// a secret even with the same bytes and context.
func TestSecretKeyIsNotTheWrappingKey(t *testing.T) {
	ring := mustKeyring(t, NewDataKey())
	w := ring.Wrap("s", NewDataKey())
	box := bytes.Clone(w)
	box[0] = boxV1
	if _, err := ring.OpenSecret(box, wrapAAD("s", ring.ActiveKeyID())); !errors.Is(err, ErrDecrypt) {
		t.Errorf("wrapped key opened as a secret: err=%v", err)
	}
}
