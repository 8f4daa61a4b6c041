package vault

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// BlindIndex returns a keyed HMAC-SHA-256 of normalised values, for exact
// lookups (possible duplicates by name and date of birth) without storing
// or searching plaintext.
//
// indexKey is a random KeySize-byte key of its own, stored wrapped like a
// data key: rotating the master key re-wraps it and leaves every index
// value unchanged. For each purpose ("survivor name+dob") a separate HMAC
// key is derived from it with HKDF-SHA-256, so the same values under two
// purposes give unrelated results. Each value is normalised (Normalize)
// and length-prefixed, so ("ab","c") and ("a","bc") differ.
//
// It panics if indexKey is not KeySize bytes: an empty or short key would
// silently turn the index into an unkeyed, guessable hash.
func BlindIndex(indexKey []byte, purpose string, values ...string) []byte {
	return NewBlindIndexer(indexKey, purpose).Index(values...)
}

// BlindIndexer computes BlindIndex for one index key and purpose, deriving
// the purpose's HMAC key once rather than on every call. It is safe for
// concurrent use.
type BlindIndexer struct{ key []byte }

// NewBlindIndexer returns the BlindIndexer of indexKey and purpose. Like
// BlindIndex, it panics if indexKey is not KeySize bytes.
func NewBlindIndexer(indexKey []byte, purpose string) *BlindIndexer {
	if len(indexKey) != KeySize {
		panic(fmt.Sprintf("vault: BlindIndex with a %d-byte key, want %d", len(indexKey), KeySize))
	}
	key, err := hkdf.Key(sha256.New, indexKey, nil, "haven/blind-index/v1\x00"+purpose, KeySize)
	if err != nil {
		// Only an output length beyond 255 hash blocks fails, never KeySize.
		panic(fmt.Sprintf("vault: hkdf: %v", err))
	}
	return &BlindIndexer{key}
}

// Index returns BlindIndex of values under the BlindIndexer's key and
// purpose.
func (b *BlindIndexer) Index(values ...string) []byte {
	m := hmac.New(sha256.New, b.key)
	var n [4]byte
	for _, v := range values {
		s := Normalize(v)
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		m.Write(n[:])
		m.Write([]byte(s))
	}
	return m.Sum(nil)
}

// folder is safe for concurrent use: cases.Fold returns a stateless Caser.
var folder = cases.Fold()

// Normalize maps equivalent spellings to one form: Unicode NFKC, case
// folded, NFKC again (folding can leave a string unnormalised), white space
// trimmed and each run collapsed to one space. "  José  GARCÍA " and
// "josé garcía" normalise alike; accents are kept, since they can tell
// names apart.
func Normalize(s string) string {
	s = norm.NFKC.String(folder.String(norm.NFKC.String(s)))
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}
