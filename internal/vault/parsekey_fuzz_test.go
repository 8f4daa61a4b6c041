package vault

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseKey: a master key from HAVEN_MASTER_KEY or a key file is refused
// without quoting the input, or is KeySize bytes whose base64 is the input
// trimmed (line breaks, which base64 decoders skip, aside): one key, one
// text. Seeds, with the non-canonical text the first campaign found, live in
// testdata/fuzz/FuzzParseKey.
func FuzzParseKey(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, KeySize)) + "\n")
	f.Add("  " + base64.StdEncoding.EncodeToString(make([]byte, KeySize-1)))
	f.Add("not-base64!")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseKey(s)
		if err != nil {
			if trimmed := strings.TrimSpace(s); len(trimmed) > 3 && strings.Contains(err.Error(), trimmed) {
				t.Errorf("the refusal quotes the input: %v", err)
			}
			return
		}
		text := strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimSpace(s))
		if len(key) != KeySize || base64.StdEncoding.EncodeToString(key) != text {
			t.Errorf("accepted %q as a %d-byte key", s, len(key))
		}
	})
}
