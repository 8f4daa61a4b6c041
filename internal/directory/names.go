package directory

import (
	"context"

	"github.com/haven-care/haven"
)

// Records reads services with their sites by ID (the store implements it).
type Records interface {
	DirectoryRecords(ctx context.Context, ids []string) (*haven.Directory, error)
}

// Names returns the names of the services in an answer, and of the
// locations of its results (never of a near miss's location, which may be
// a confidential one the result list would not show).
func Names(ctx context.Context, records Records, ans Answer) (map[string]string, error) {
	var ids []string
	for _, r := range ans.Results {
		ids = append(ids, r.ServiceID)
	}
	for _, n := range ans.NearMisses {
		ids = append(ids, n.ServiceID)
	}
	names := map[string]string{}
	if len(ids) == 0 {
		return names, nil
	}
	d, err := records.DirectoryRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, s := range d.Services {
		names[s.ID] = s.Name
	}
	shown := map[string]bool{}
	for _, r := range ans.Results {
		shown[r.LocationID] = true
	}
	for _, l := range d.Locations {
		if shown[l.ID] {
			names[l.ID] = l.Name
		}
	}
	return names, nil
}
