package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
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

func TestSealOpenRoundTripAndBinding(t *testing.T) {
	dk := NewDataKey()
	ct, err := Seal(dk, []byte("CANARY-NAME"), AAD("survivors", "name", "rec-1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(dk, ct, AAD("survivors", "name", "rec-1"))
	if err != nil || string(got) != "CANARY-NAME" {
		t.Fatalf("Open=%q,%v", got, err)
	}
	tests := []struct {
		name string
		key  []byte
		ct   []byte
		aad  []byte
	}{
		{"other record", dk, ct, AAD("survivors", "name", "rec-2")},
		{"other column", dk, ct, AAD("survivors", "notes", "rec-1")},
		{"other table", dk, ct, AAD("contacts", "name", "rec-1")},
		{"ambiguous concatenation", dk, ct, AAD("survivorsn", "ame", "rec-1")},
		{"other key", NewDataKey(), ct, AAD("survivors", "name", "rec-1")},
		{"tampered", dk, flip(ct, len(ct)-1), AAD("survivors", "name", "rec-1")},
		{"truncated", dk, ct[:10], AAD("survivors", "name", "rec-1")},
		{"bad version", dk, flip(ct, 0), AAD("survivors", "name", "rec-1")},
	}
	for _, tt := range tests {
		if _, err := Open(tt.key, tt.ct, tt.aad); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: Open err=%v, want ErrDecrypt", tt.name, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestWrapUnwrapAndRotation(t *testing.T) {
	oldKey, newKey := NewDataKey(), NewDataKey()
	oldRing := mustKeyring(t, oldKey)
	dk := NewDataKey()
	wrapped := oldRing.Wrap("survivor-1", dk)
	if bytes.Contains(wrapped, dk) {
		t.Fatal("wrapped key holds the data key in the clear")
	}
	if _, err := oldRing.Unwrap("survivor-2", wrapped); !errors.Is(err, ErrDecrypt) {
		t.Errorf("unwrap as another subject err=%v, want ErrDecrypt", err)
	}
	rotating := mustKeyring(t, newKey, oldKey)
	got, err := rotating.Unwrap("survivor-1", wrapped)
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("old wrapping under the rotating ring: %v", err)
	}
	rewrapped, err := rotating.Rewrap("survivor-1", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if WrappedBy(rewrapped) != rotating.ActiveKeyID() || WrappedBy(wrapped) == rotating.ActiveKeyID() {
		t.Errorf("WrappedBy=%s, want the new key %s", WrappedBy(rewrapped), rotating.ActiveKeyID())
	}
	newOnly := mustKeyring(t, newKey)
	if got, err := newOnly.Unwrap("survivor-1", rewrapped); err != nil || !bytes.Equal(got, dk) {
		t.Errorf("after rotation, the new key alone: %v", err)
	}
	if _, err := newOnly.Unwrap("survivor-1", wrapped); err == nil {
		t.Error("the old wrapping opened without the old key")
	}
}

func TestSecretBox(t *testing.T) {
	k1, k2 := NewDataKey(), NewDataKey()
	ring := mustKeyring(t, k1)
	ct, _ := ring.SealSecret([]byte("TOTPSEED"), []byte("users/totp/u1"))
	if got, err := ring.OpenSecret(ct, []byte("users/totp/u1")); err != nil || string(got) != "TOTPSEED" {
		t.Fatalf("OpenSecret=%q,%v", got, err)
	}
	if _, err := ring.OpenSecret(ct, []byte("users/totp/u2")); err == nil {
		t.Error("secret opened in another context")
	}
	if got, err := mustKeyring(t, k2, k1).OpenSecret(ct, []byte("users/totp/u1")); err != nil || string(got) != "TOTPSEED" {
		t.Errorf("secret under the old key during rotation: %v", err)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "master.key")
	key, err := CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode=%v, want 0600", fi.Mode().Perm())
	}
	if _, err := CreateKeyFile(path); err == nil {
		t.Error("CreateKeyFile overwrote an existing key")
	}
	got, err := LoadKeyFile(path)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("LoadKeyFile=%v", err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadKeyFile(path); haven.ErrorKind(err) != haven.Invalid || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("world-readable key err=%v", err)
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("c2hvcnQ=\n"), 0o600)
	if _, err := LoadKeyFile(short); err == nil || strings.Contains(err.Error(), "c2hvcnQ") {
		t.Errorf("short key err=%v, want an error that does not echo the key", err)
	}
	if _, err := LoadKeyFile(filepath.Join(dir, "missing.key")); haven.ErrorKind(err) != haven.Invalid {
		t.Errorf("missing key err=%v", err)
	}
}

func TestBlindIndex(t *testing.T) {
	ik := NewDataKey()
	a := BlindIndex(ik, "name+dob", "  José  GARCÍA ", "1990-01-02")
	b := BlindIndex(ik, "name+dob", "josé garcía", "1990-01-02")
	if !bytes.Equal(a, b) {
		t.Error("equivalent spellings give different index values")
	}
	for name, other := range map[string][]byte{
		"other name":    BlindIndex(ik, "name+dob", "jose garcia", "1990-01-02"),
		"other purpose": BlindIndex(ik, "alias", "josé garcía", "1990-01-02"),
		"other key":     BlindIndex(NewDataKey(), "name+dob", "josé garcía", "1990-01-02"),
		"shifted parts": BlindIndex(ik, "name+dob", "josé garcía1990-01-02", ""),
	} {
		if bytes.Equal(a, other) {
			t.Errorf("%s: same index value", name)
		}
	}
}

func FuzzOpen(f *testing.F) {
	dk := NewDataKey()
	ct, _ := Seal(dk, []byte("seed"), AAD("t", "c", "r"))
	f.Add(ct)
	f.Add([]byte{})
	f.Add([]byte{1})
	ring, _ := NewKeyring(dk)
	f.Add(ring.Wrap("s", dk))
	f.Fuzz(func(t *testing.T, b []byte) {
		Open(dk, b, AAD("t", "c", "r"))
		ring.Unwrap("s", b)
		ring.OpenSecret(b, nil)
		WrappedBy(b)
	})
}

func BenchmarkSealOpenRecord(b *testing.B) {
	dk := NewDataKey()
	fields := make([][]byte, 10)
	for i := range fields {
		fields[i] = bytes.Repeat([]byte{'x'}, 200) // ~2 KB record in 10 fields
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, f := range fields {
			aad := AAD("survivors", string(rune('a'+i)), "01a2199b-9801-7181-b46e-20401d3df28c")
			ct, _ := Seal(dk, f, aad)
			if _, err := Open(dk, ct, aad); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWrapUnwrap(b *testing.B) {
	ring, _ := NewKeyring(NewDataKey())
	dk := NewDataKey()
	for b.Loop() {
		w := ring.Wrap("survivor", dk)
		if _, err := ring.Unwrap("survivor", w); err != nil {
			b.Fatal(err)
		}
	}
}
