package hsdsapi

// GET /hsds/organizations and /hsds/organizations/{id}.

import (
	"context"
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/hsds"
)

// orgShape reads full and full_service.
func orgShape(r *http.Request, def hsds.Shape) (hsds.Shape, error) {
	full, err := boolParam(r, "full")
	if err != nil {
		return 0, err
	}
	fullService, err := boolParam(r, "full_service")
	if err != nil {
		return 0, err
	}
	switch {
	case fullService:
		return hsds.FullServices, nil
	case full:
		return hsds.Full, nil
	}
	return def, nil
}

// organizationObjects returns the organizations of d in shape s, with
// their services when s nests them.
func (a *API) organizationObjects(ctx context.Context, d *haven.Directory, s hsds.Shape) ([]map[string]any, error) {
	if s == hsds.Flat {
		return hsds.Objects(d, "organization", s), nil
	}
	out := make([]map[string]any, 0, len(d.Organizations))
	for _, o := range d.Organizations {
		svcs, _, err := a.Directory.DirectoryServices(ctx, haven.ServiceFilter{OrganizationID: o.ID, Limit: maxOrgServices})
		if err != nil {
			return nil, err
		}
		one := hsds.Merge(d, svcs)
		one.Organizations = []haven.Organization{o}
		out = append(out, hsds.Objects(one, "organization", s)...)
	}
	return out, nil
}

// maxOrgServices bounds the services an organization nests.
const maxOrgServices = 10000

func (a *API) organizations(w http.ResponseWriter, r *http.Request) error {
	l, err := readListing(r, orgParams...)
	if err != nil {
		return err
	}
	s, err := orgShape(r, hsds.Flat)
	if err != nil {
		return err
	}
	search := r.URL.Query().Get("search")
	return list(w, r, l, func(ctx context.Context, offset, limit int) ([]map[string]any, int, error) {
		d, total, err := a.Directory.DirectoryOrganizations(ctx, haven.OrganizationFilter{Search: search, Offset: offset, Limit: limit})
		if err != nil {
			return nil, 0, err
		}
		items, err := a.organizationObjects(ctx, d, s)
		return items, total, err
	})
}

func (a *API) organization(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r, "full_service"); err != nil {
		return err
	}
	s, err := orgShape(r, hsds.Full)
	if err != nil {
		return err
	}
	d, _, err := a.Directory.DirectoryOrganizations(r.Context(), haven.OrganizationFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	items, err := a.organizationObjects(r.Context(), d, s)
	if err != nil {
		return err
	}
	return writeOne(w, items, "Organization not found.")
}
