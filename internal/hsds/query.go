package hsds

import (
	"fmt"
	"unicode/utf8"

	"github.com/haven-care/haven"
)

// MaxSearchLength bounds, in characters, the words a services query
// searches for. Real searches are a few words; a longer one is refused as
// Invalid rather than handed to the database, where SQLite refuses a LIKE
// pattern over 50,000 bytes with an error that would surface as a 500.
const MaxSearchLength = 200

// CheckSearch checks the search words of a services query (the search
// parameter of GET /hsds/services): Invalid when longer than
// MaxSearchLength characters or not UTF-8.
func CheckSearch(search string) error {
	if !utf8.ValidString(search) {
		return &haven.Error{Kind: haven.Invalid, Message: "search must be UTF-8 text.",
			Fields: map[string]string{"search": "not UTF-8 text"}}
	}
	if n := utf8.RuneCountInString(search); n > MaxSearchLength {
		return &haven.Error{Kind: haven.Invalid, Message: fmt.Sprintf("search must be at most %d characters.", MaxSearchLength),
			Fields: map[string]string{"search": fmt.Sprintf("at most %d characters", MaxSearchLength)}}
	}
	return nil
}
