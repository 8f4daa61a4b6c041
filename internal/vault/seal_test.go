package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	dk := NewDataKey()
	aad := AAD("survivors", "name", "rec-1")
	for _, plain := range []string{"", "CANARY-NAME", "José García — 山田 — عائشة", strings.Repeat("x", 2048)} {
		ct, err := Seal(dk, []byte(plain), aad)
		if err != nil {
			t.Fatal(err)
		}
		if len(ct) != len(plain)+29 {
			t.Errorf("len(Seal(%d bytes))=%d, want %d", len(plain), len(ct), len(plain)+29)
		}
		if len(plain) > 4 && bytes.Contains(ct, []byte(plain)) {
			t.Errorf("ciphertext holds the plaintext %q", plain)
		}
		got, err := Open(dk, ct, aad)
		if err != nil || string(got) != plain {
			t.Errorf("Open=%q, %v, want %q", got, err, plain)
		}
	}
}

func TestSealIsRandomised(t *testing.T) {
	dk := NewDataKey()
	a, _ := Seal(dk, []byte("same"), AAD("t", "c", "r"))
	b, _ := Seal(dk, []byte("same"), AAD("t", "c", "r"))
	if bytes.Equal(a, b) {
		t.Error("two seals of the same plaintext are equal: the nonce is not random")
	}
}

func TestOpenRefusesMovedOrTamperedCiphertext(t *testing.T) {
	dk := NewDataKey()
	aad := AAD("survivors", "name", "rec-1")
	ct, err := Seal(dk, []byte("CANARY-NAME"), aad)
	if err != nil {
		t.Fatal(err)
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
		{"shifted boundary", dk, ct, AAD("survivorsn", "ame", "rec-1")},
		{"no context", dk, ct, nil},
		{"other data key", NewDataKey(), ct, aad},
		{"truncated", dk, ct[:len(ct)-1], aad},
		{"too short", dk, ct[:28], aad},
		{"empty", dk, nil, aad},
		{"appended byte", dk, append(bytes.Clone(ct), 0), aad},
	}
	for i := range ct {
		tests = append(tests, struct {
			name string
			key  []byte
			ct   []byte
			aad  []byte
		}{"flipped byte " + string(rune('0'+i%10)), dk, flip(ct, i), aad})
	}
	for _, tt := range tests {
		if got, err := Open(tt.key, tt.ct, tt.aad); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: Open=%q, %v, want ErrDecrypt", tt.name, got, err)
		}
	}
}

func TestSealOpenRefuseWrongKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33} {
		key := make([]byte, n)
		if _, err := Seal(key, []byte("x"), nil); err == nil {
			t.Errorf("Seal with a %d-byte key: no error", n)
		}
		if _, err := Open(key, make([]byte, 64), nil); err == nil || errors.Is(err, ErrDecrypt) {
			t.Errorf("Open with a %d-byte key: err=%v, want a key-size error", n, err)
		}
	}
}

func TestAADIsUnambiguous(t *testing.T) {
	contexts := [][3]string{
		{"ab", "c", "r"}, {"a", "bc", "r"}, {"a", "b", "cr"}, {"", "abc", "r"},
		{"abc", "", "r"}, {"a\x00\x00\x00\x01b", "c", "r"}, {"a", "", ""}, {"", "", "a"},
	}
	seen := map[string][3]string{}
	for _, c := range contexts {
		k := string(AAD(c[0], c[1], c[2]))
		if prev, ok := seen[k]; ok {
			t.Errorf("AAD%q == AAD%q", c, prev)
		}
		seen[k] = c
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x80
	return c
}

// TestSealerMatchesSeal: a Sealer's output opens with Open and Seal's with
// the Sealer; each refuses the other's context.
func TestSealerMatchesSeal(t *testing.T) {
	dk := NewDataKey()
	s, err := NewSealer(dk)
	if err != nil {
		t.Fatal(err)
	}
	aad, other := AAD("survivors", "notes", "r1"), AAD("survivors", "notes", "r2")
	if p, err := Open(dk, s.Seal([]byte("synthetic"), aad), aad); err != nil || string(p) != "synthetic" {
		t.Errorf("Open(Sealer.Seal) = %q, %v", p, err)
	}
	ct, _ := Seal(dk, []byte("synthetic"), aad)
	if p, err := s.Open(ct, aad); err != nil || string(p) != "synthetic" {
		t.Errorf("Sealer.Open(Seal) = %q, %v", p, err)
	}
	if _, err := s.Open(ct, other); err != ErrDecrypt {
		t.Errorf("Sealer.Open in another record's context: %v, want ErrDecrypt", err)
	}
	if _, err := NewSealer(dk[:16]); err == nil {
		t.Error("NewSealer accepted a 16-byte key")
	}
}
