package vault

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzOpen feeds arbitrary bytes to every function that parses a sealed
// or wrapped value. None may panic; each must refuse with its documented
// error, and Unwrap must never return a key of the wrong size.
func FuzzOpen(f *testing.F) {
	dk := make([]byte, KeySize) // fixed, so the committed corpus stays meaningful
	ring, err := NewKeyring(dk)
	if err != nil {
		f.Fatal(err)
	}
	ct, _ := Seal(dk, []byte("seed"), AAD("t", "c", "r"))
	box, _ := ring.SealSecret([]byte("seed"), nil)
	for _, seed := range [][]byte{ct, ring.Wrap("s", dk), box, {}, {1}, {1, 16}, {1, 255}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := Open(dk, b, AAD("t", "c", "r")); err != nil && !errors.Is(err, ErrDecrypt) {
			t.Errorf("Open err=%v, want ErrDecrypt", err)
		} else if err == nil && string(p) != "seed" {
			t.Errorf("Open accepted forged input: %q", p)
		}
		if k, err := ring.Unwrap("s", b); err == nil && len(k) != KeySize {
			t.Errorf("Unwrap returned a %d-byte key", len(k))
		} else if err != nil && !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrUnknownKey) {
			t.Errorf("Unwrap err=%v", err)
		}
		if _, err := ring.OpenSecret(b, nil); err != nil && !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrUnknownKey) {
			t.Errorf("OpenSecret err=%v", err)
		}
		WrappedBy(b)
	})
}

// FuzzNormalize checks that normalising is idempotent, so a stored index
// value computed from normalised input matches one from raw input.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"  José  GARCÍA ", "Straße", "ＪＯＳＥ", "ﬁ ǅ ΐ", "\u0345\u0307"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if utf8.ValidString(s) && Normalize(n) != n {
			t.Errorf("Normalize(%q)=%q, but Normalize of that is %q", s, n, Normalize(n))
		}
	})
}
