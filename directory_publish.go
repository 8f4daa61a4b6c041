package haven

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// ServiceFilter selects one page of the public directory's services: the
// HSDS API's GET /hsds/services and GET /hsds/services/{id} turn their
// parameters into one. Zero fields select everything.
type ServiceFilter struct {
	ID             string    // one service
	Search         string    // words in the name, alternate name or description
	TaxonomyTermID string    // services with an attribute linking this term
	OrganizationID string    // services of this organization
	ModifiedAfter  time.Time // zero: any
	Offset, Limit  int
}

// MaxSearchLength bounds, in characters, the words a services query
// searches for. Real searches are a few words; a longer one is refused as
// Invalid rather than handed to the database, where SQLite refuses a LIKE
// pattern over 50,000 bytes with an error that would surface as a 500.
const MaxSearchLength = 200

// Check refuses a filter the store should not run: search words longer
// than MaxSearchLength characters or not UTF-8 are Invalid.
func (f ServiceFilter) Check() error {
	if !utf8.ValidString(f.Search) {
		return &Error{Kind: Invalid, Message: "search must be UTF-8 text.",
			Fields: map[string]string{"search": "not UTF-8 text"}}
	}
	if n := utf8.RuneCountInString(f.Search); n > MaxSearchLength {
		return &Error{Kind: Invalid, Message: fmt.Sprintf("search must be at most %d characters.", MaxSearchLength),
			Fields: map[string]string{"search": fmt.Sprintf("at most %d characters", MaxSearchLength)}}
	}
	return nil
}

// PublicDirectory is the directory as published to anyone, without
// sign-in: public directory data only. Confidential locations, and what
// would place them, are never in its results.
type PublicDirectory interface {
	// DirectoryServices returns the services f selects, with the records
	// they nest, and how many services match f without paging. No match is
	// an empty page, not NotFound; its errors are Internal.
	DirectoryServices(ctx context.Context, f ServiceFilter) (*Directory, int, error)
	// DirectoryOrganizations returns a page of organizations (only the one
	// named by id when id is not "") with their phones and locations, and
	// how many there are without paging. No match is an empty page, not
	// NotFound; its errors are Internal.
	DirectoryOrganizations(ctx context.Context, id string, offset, limit int) (*Directory, int, error)
}
