package haven

import (
	"context"
	"time"
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
