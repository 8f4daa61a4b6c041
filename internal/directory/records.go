package directory

import (
	"context"

	"github.com/haven-care/haven"
)

// Records reads services with their sites by ID (the store implements it).
type Records interface {
	DirectoryRecords(ctx context.Context, ids []string) (*haven.Directory, error)
}
