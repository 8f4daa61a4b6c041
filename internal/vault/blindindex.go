package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// BlindIndex computes a keyed HMAC-SHA-256 of normalised values for exact
// lookups (possible duplicates by name and date of birth) without storing
// or searching plaintext. The index key is its own random key, stored
// wrapped like a data key, so rotating the master key leaves every index
// value unchanged. purpose separates indexes: the same values under two
// purposes give unrelated results.
func BlindIndex(indexKey []byte, purpose string, values ...string) []byte {
	m := hmac.New(sha256.New, indexKey)
	m.Write([]byte(purpose))
	for _, v := range values {
		n := Normalize(v)
		m.Write([]byte{0})
		m.Write([]byte(n))
	}
	return m.Sum(nil)
}

var folder = cases.Fold()

// Normalize maps equivalent spellings to one form: Unicode NFKC, case
// folded, whitespace trimmed and collapsed. "  José  GARCÍA " and
// "josé garcía" normalise alike; accents are kept, since they distinguish
// names.
func Normalize(s string) string {
	s = folder.String(norm.NFKC.String(s))
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}
