package haven

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ServiceFilter selects one page of the public directory's services, or
// of its services at locations: the HSDS API's GET /hsds/services and GET
// /hsds/service_at_locations turn their parameters into one. Zero fields
// select everything.
type ServiceFilter struct {
	ID             string    // one service (one service at location)
	Search         string    // words, each in the name, alternate name or description, in any order
	TaxonomyTermID string    // services with an attribute linking this term
	TaxonomyID     string    // services with an attribute linking any term of this taxonomy
	OrganizationID string    // services of this organization
	ModifiedAfter  time.Time // zero: any; else services whose last_modified is at or after it
	// PostalCode and LocationIDs restrict services at locations only:
	// locations with an address of this postal code; locations among
	// these IDs (nil: any), whose order, nearest first, orders the page.
	PostalCode    string
	LocationIDs   []string
	Offset, Limit int
}

// OrganizationFilter selects one page of the public directory's
// organizations (GET /hsds/organizations). Zero fields select everything.
type OrganizationFilter struct {
	ID            string // one organization
	Search        string // words, each in the name, alternate name or description
	Offset, Limit int
}

// TaxonomyFilter selects one page of taxonomies, or of taxonomy terms
// (GET /hsds/taxonomies, GET /hsds/taxonomy_terms). Zero fields select
// everything.
type TaxonomyFilter struct {
	ID         string // one taxonomy (term)
	Search     string // words, each in the name or description (terms: also the code)
	TaxonomyID string // terms of this taxonomy
	ParentID   string // terms whose parent is this term
	TopOnly    bool   // terms without a parent
	Offset     int
	Limit      int
}

// MaxSearchLength bounds, in characters, the words a directory query
// searches for. Real searches are a few words; a longer one is refused as
// Invalid rather than handed to the database, where SQLite refuses a LIKE
// pattern over 50,000 bytes with an error that would surface as a 500.
const MaxSearchLength = 200

// SearchWords splits a directory search into its lower-case words: a
// record matches when it holds every word, in any order.
func SearchWords(search string) []string { return strings.Fields(strings.ToLower(search)) }

// CheckSearch refuses search words the store should not run: longer than
// MaxSearchLength characters or not UTF-8 are Invalid.
func CheckSearch(search string) error {
	if !utf8.ValidString(search) {
		return &Error{Kind: Invalid, Message: "search must be UTF-8 text.",
			Fields: map[string]string{"search": "not UTF-8 text"}}
	}
	if n := utf8.RuneCountInString(search); n > MaxSearchLength {
		return &Error{Kind: Invalid, Message: fmt.Sprintf("search must be at most %d characters.", MaxSearchLength),
			Fields: map[string]string{"search": fmt.Sprintf("at most %d characters", MaxSearchLength)}}
	}
	return nil
}

// Check refuses a filter the store should not run (see CheckSearch).
func (f ServiceFilter) Check() error { return CheckSearch(f.Search) }

// PublicDirectory is the directory as published to anyone, without
// sign-in: public directory data only. Confidential locations, and what
// would place them, are never in its results. No match is an empty page,
// not NotFound; the errors are Invalid (a search CheckSearch refuses) and
// Internal.
type PublicDirectory interface {
	// DirectoryServices returns the services f selects, with the records
	// they nest, and how many services match f without paging.
	DirectoryServices(ctx context.Context, f ServiceFilter) (*Directory, int, error)
	// DirectoryServiceAtLocations returns the services at locations f
	// selects (by their service, and by PostalCode and LocationIDs), with
	// their services, locations and the records those nest, and how many
	// match without paging.
	DirectoryServiceAtLocations(ctx context.Context, f ServiceFilter) (*Directory, int, error)
	// DirectoryOrganizations returns a page of organizations with their
	// phones, locations and the other records they nest, and how many
	// match without paging.
	DirectoryOrganizations(ctx context.Context, f OrganizationFilter) (*Directory, int, error)
	// DirectoryTaxonomies returns a page of taxonomies and how many match.
	DirectoryTaxonomies(ctx context.Context, f TaxonomyFilter) ([]Taxonomy, int, error)
	// DirectoryTaxonomyTerms returns a page of taxonomy terms with the
	// taxonomies they belong to, and how many terms match.
	DirectoryTaxonomyTerms(ctx context.Context, f TaxonomyFilter) (*Directory, int, error)
}
