package vault

import (
	"encoding/base64"
	"fmt"
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
			// One of two fixed messages, the second with the length only.
			msg := strings.TrimRight(err.Error(), "0123456789")
			if msg != "a master key must be base64 (for example the output of: openssl rand -base64 32)" &&
				msg != fmt.Sprintf("a master key is %d bytes, this one is ", KeySize) {
				t.Errorf("the refusal says more than its fixed text: %v", err)
			}
			return
		}
		text := strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimSpace(s))
		if len(key) != KeySize || base64.StdEncoding.EncodeToString(key) != text {
			t.Errorf("accepted %q as a %d-byte key", s, len(key))
		}
	})
}
