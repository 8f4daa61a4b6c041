package hsdsapi

// GET /hsds/services and /hsds/service_at_locations, and one of each.

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/hsds"
	"github.com/haven-care/haven/internal/places"
)

// serviceFilter reads the filters services and services at locations
// share.
func serviceFilter(r *http.Request) (haven.ServiceFilter, error) {
	q := r.URL.Query()
	f := haven.ServiceFilter{Search: q.Get("search"), TaxonomyTermID: q.Get("taxonomy_term_id"), TaxonomyID: q.Get("taxonomy_id"),
		OrganizationID: q.Get("organization_id")}
	if v := q.Get("modified_after"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, invalid("modified_after", "modified_after must be an RFC 3339 date-time.")
		}
		f.ModifiedAfter = t
	}
	return f, nil
}

func shape(full bool) hsds.Shape {
	if full {
		return hsds.Full
	}
	return hsds.Flat
}

func (a *API) services(w http.ResponseWriter, r *http.Request) error {
	l, err := readListing(r, serviceParams...)
	if err != nil {
		return err
	}
	f, err := serviceFilter(r)
	if err != nil {
		return err
	}
	minimal, err := boolParam(r, "minimal")
	if err != nil {
		return err
	}
	full, err := boolParam(r, "full")
	if err != nil {
		return err
	}
	if minimal && full {
		return invalid("minimal", "minimal and full cannot be asked for together.")
	}
	return list(w, r, l, func(ctx context.Context, offset, limit int) ([]map[string]any, int, error) {
		f.Offset, f.Limit = offset, limit
		d, total, err := a.Directory.DirectoryServices(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		if minimal {
			return minimalServices(d), total, nil
		}
		return hsds.Objects(d, "service", shape(full)), total, nil
	})
}

// minimalServices is each service's id and last_modified only.
func minimalServices(d *haven.Directory) []map[string]any {
	out := make([]map[string]any, len(d.Services))
	for i, s := range d.Services {
		out[i] = map[string]any{"id": s.ID}
		if s.LastModified != "" {
			out[i]["last_modified"] = s.LastModified
		}
	}
	return out
}

func (a *API) service(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	d, _, err := a.Directory.DirectoryServices(r.Context(), haven.ServiceFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	return writeOne(w, hsds.Objects(d, "service", hsds.Full), "Service not found.")
}

func (a *API) serviceAtLocations(w http.ResponseWriter, r *http.Request) error {
	l, err := readListing(r, salParams...)
	if err != nil {
		return err
	}
	f, err := serviceFilter(r)
	if err != nil {
		return err
	}
	full, err := boolParam(r, "full")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if f.LocationIDs, err = a.near(q.Get("proximity"), q.Get("postcode")); err != nil {
		return err
	}
	if f.LocationIDs == nil || strings.Contains(q.Get("proximity"), ",") {
		// Alone, postcode matches the address's; with a bare proximity
		// it is the centre the distance is measured from.
		f.PostalCode = q.Get("postcode")
	}
	return list(w, r, l, func(ctx context.Context, offset, limit int) ([]map[string]any, int, error) {
		f.Offset, f.Limit = offset, limit
		d, total, err := a.Directory.DirectoryServiceAtLocations(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		return hsds.Objects(d, "service_at_location", shape(full)), total, nil
	})
}

// near reads proximity into the locations within that distance, nearest
// first; nil when proximity is absent. As the HSDS OpenAPI has it,
// proximity is a distance in meters from the centroid of postcode (a US
// ZIP code, placed by internal/places); "latitude,longitude,meters" gives
// the centre as coordinates instead.
func (a *API) near(v, postcode string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	nums := make([]float64, len(parts))
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			nums = nil
			break
		}
		nums[i] = x
	}
	if len(nums) == 1 {
		if postcode == "" {
			return nil, invalid("proximity", "proximity in meters needs postcode, the ZIP code whose centroid it is measured from (or give latitude,longitude,meters).")
		}
		p, err := places.Lookup(postcode)
		if err != nil {
			return nil, invalid("postcode", "postcode must be a known 5-digit US ZIP code to measure proximity from.")
		}
		nums = []float64{p.Lat, p.Lon, nums[0]}
	}
	if len(nums) != 3 {
		return nil, invalid("proximity", "proximity must be meters from the centroid of postcode, or latitude,longitude,meters.")
	}
	if a.Places == nil {
		return nil, &haven.Error{Kind: haven.Unavailable, Message: "proximity needs the matching index, which this server does not run."}
	}
	ids, err := a.Places.Within(directory.Point{Lat: nums[0], Lon: nums[1]}, nums[2]/1000, "")
	if err != nil {
		return nil, invalid("proximity", "proximity must be a latitude, a longitude and a distance above 0 and up to 5,000,000 meters.")
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

func (a *API) serviceAtLocation(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	d, _, err := a.Directory.DirectoryServiceAtLocations(r.Context(), haven.ServiceFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	return writeOne(w, hsds.Objects(d, "service_at_location", hsds.Full), "Service at location not found.")
}
