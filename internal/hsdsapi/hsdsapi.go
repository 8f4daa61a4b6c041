// Package hsdsapi is Haven's Open Referral HSDS 3.0 API under /hsds: the
// public directory, paged as the HSDS OpenAPI describes, for any HSDS
// consumer. Every endpoint and parameter of that OpenAPI is served; any
// other parameter is refused (400), so that a client never mistakes an
// ignored filter for an empty result. The HSDS formats themselves (JSON
// and the tabular data package) are package hsds; this package is their
// HTTP surface.
package hsdsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/hsds"
	"github.com/haven-care/haven/internal/server"
)

// API serves the HSDS 3.0 API under /hsds/: the directory for any HSDS
// consumer, without sign-in, because it holds only public directory data.
type API struct {
	Directory haven.PublicDirectory
	// Places finds the locations near a point, from the matching index,
	// for proximity; nil refuses proximity.
	Places Places
}

// Places finds locations near a point, nearest first; confidential ones
// only for roles that may see them (the API asks as no role).
type Places interface {
	Within(p directory.Point, radiusKm float64, role haven.Role) ([]string, error)
}

// Version is the HSDS version the API speaks.
const Version = "3.0"

// MaxPerPage bounds per_page; DefaultPerPage is used without it.
const (
	MaxPerPage     = 100
	DefaultPerPage = 50
)

// Mount mounts the HSDS API routes on s; their errors render as the JSON
// error body.
func (a *API) Mount(s *server.Server) {
	s.RenderErrors("/hsds/", server.RenderJSONError)
	s.HandleFunc("GET /hsds/{$}", a.info)
	s.HandleFunc("GET /hsds/services", a.services)
	s.HandleFunc("GET /hsds/services/{id}", a.service)
	s.HandleFunc("GET /hsds/service_at_locations", a.serviceAtLocations)
	s.HandleFunc("GET /hsds/service_at_locations/{id}", a.serviceAtLocation)
	s.HandleFunc("GET /hsds/organizations", a.organizations)
	s.HandleFunc("GET /hsds/organizations/{id}", a.organization)
	s.HandleFunc("GET /hsds/taxonomies", a.taxonomies)
	s.HandleFunc("GET /hsds/taxonomies/{id}", a.taxonomy)
	s.HandleFunc("GET /hsds/taxonomy_terms", a.taxonomyTerms)
	s.HandleFunc("GET /hsds/taxonomy_terms/{id}", a.taxonomyTerm)
}

// Info is the body of GET /hsds/.
type Info struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}

func (a *API) info(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, Info{Version: Version, Profile: "https://docs.openreferral.org/en/v3.0/",
		OpenAPIURL: "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"})
	return nil
}

// Page is an HSDS API page.
type Page struct {
	TotalItems int              `json:"total_items"`
	TotalPages int              `json:"total_pages"`
	PageNumber int              `json:"page_number"`
	Size       int              `json:"size"`
	FirstPage  bool             `json:"first_page"`
	LastPage   bool             `json:"last_page"`
	Empty      bool             `json:"empty"`
	Contents   []map[string]any `json:"contents"`
}

// The parameters every list takes; each list adds its own.
var listParams = []string{"search", "page", "per_page", "format"}

// Each list's parameters beyond listParams, as the HSDS OpenAPI has them.
var (
	serviceParams  = []string{"taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "minimal", "full"}
	salParams      = []string{"taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "full", "postcode", "proximity"}
	orgParams      = []string{"full_service", "full"}
	termListParams = []string{"taxonomy_id", "top_only", "parent_id"}
)

func invalid(param, message string) error {
	return &haven.Error{Kind: haven.Invalid, Message: message, Fields: map[string]string{param: message}}
}

// onlyParams refuses a request with a query parameter outside allowed.
func onlyParams(r *http.Request, allowed ...string) error {
	var unknown []string
	for k := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	msg := "Unknown parameter: " + strings.Join(unknown, ", ") + ". This endpoint takes "
	if len(allowed) == 0 {
		msg += "no parameters."
	} else {
		msg += strings.Join(allowed, ", ") + "."
	}
	return invalid(unknown[0], msg)
}

// boolParam reads a boolean parameter (true or false; absent is false).
func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invalid(name, name+" must be true or false.")
	}
	return b, nil
}

// listing is what every list reads: its page, or ndjson for all of it.
type listing struct {
	page, perPage int
	ndjson        bool
}

func readListing(r *http.Request) (listing, error) {
	l := listing{page: 1, perPage: DefaultPerPage}
	q := r.URL.Query()
	var err error
	if v := q.Get("page"); v != "" {
		if l.page, err = strconv.Atoi(v); err != nil || l.page < 1 {
			return l, invalid("page", "page must be a whole number from 1.")
		}
	}
	if v := q.Get("per_page"); v != "" {
		if l.perPage, err = strconv.Atoi(v); err != nil || l.perPage < 1 || l.perPage > MaxPerPage {
			return l, invalid("per_page", "per_page must be from 1 to 100.")
		}
	}
	switch q.Get("format") {
	case "", "json":
	case "ndjson":
		l.ndjson = true
	default:
		return l, invalid("format", "format must be json or ndjson.")
	}
	return l, haven.CheckSearch(q.Get("search"))
}

// fetch returns the objects at offset (up to limit) and how many there
// are in all.
type fetch func(ctx context.Context, offset, limit int) ([]map[string]any, int, error)

// list answers a list request: one HSDS page, or with format=ndjson every
// result, one JSON object a line, without paging.
func list(w http.ResponseWriter, r *http.Request, l listing, get fetch) error {
	if !l.ndjson {
		items, total, err := get(r.Context(), (l.page-1)*l.perPage, l.perPage)
		if err != nil {
			return err
		}
		server.WriteJSON(w, http.StatusOK, newPage(items, total, l.page, l.perPage))
		return nil
	}
	items, total, err := get(r.Context(), 0, MaxPerPage)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for offset := 0; ; {
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				return nil // the client went away
			}
		}
		offset += len(items)
		if len(items) == 0 || offset >= total {
			return nil
		}
		if items, _, err = get(r.Context(), offset, MaxPerPage); err != nil {
			return nil // the status is sent; the stream ends short
		}
	}
}

func newPage(contents []map[string]any, total, page, perPage int) Page {
	pages := (total + perPage - 1) / perPage
	if contents == nil {
		contents = []map[string]any{}
	}
	return Page{TotalItems: total, TotalPages: pages, PageNumber: page, Size: len(contents),
		FirstPage: page == 1, LastPage: page >= pages, Empty: total == 0, Contents: contents}
}

// writeOne writes the one object of items, or NotFound.
func writeOne(w http.ResponseWriter, items []map[string]any, notFound string) error {
	if len(items) == 0 {
		return haven.Errorf(haven.NotFound, "%s", notFound)
	}
	server.WriteJSON(w, http.StatusOK, items[0])
	return nil
}

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
	if err := onlyParams(r, append(listParams, serviceParams...)...); err != nil {
		return err
	}
	l, err := readListing(r)
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
	if err := onlyParams(r, append(listParams, salParams...)...); err != nil {
		return err
	}
	l, err := readListing(r)
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
	f.PostalCode = r.URL.Query().Get("postcode")
	if f.LocationIDs, err = a.near(r.URL.Query().Get("proximity")); err != nil {
		return err
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

// near reads proximity, "latitude,longitude,meters", into the locations
// within that distance, nearest first; nil when proximity is absent. The
// HSDS OpenAPI measures proximity from the centroid of postcode; Haven
// places no postcodes, so the centre is given as coordinates.
func (a *API) near(v string) ([]string, error) {
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
	if len(nums) != 3 {
		return nil, invalid("proximity", "proximity must be latitude,longitude,meters (Haven does not place postcodes).")
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
	if err := onlyParams(r, append(listParams, orgParams...)...); err != nil {
		return err
	}
	l, err := readListing(r)
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

func (a *API) taxonomies(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r, listParams...); err != nil {
		return err
	}
	l, err := readListing(r)
	if err != nil {
		return err
	}
	search := r.URL.Query().Get("search")
	return list(w, r, l, func(ctx context.Context, offset, limit int) ([]map[string]any, int, error) {
		t, total, err := a.Directory.DirectoryTaxonomies(ctx, haven.TaxonomyFilter{Search: search, Offset: offset, Limit: limit})
		if err != nil {
			return nil, 0, err
		}
		return hsds.Objects(&haven.Directory{Taxonomies: t}, "taxonomy", hsds.Full), total, nil
	})
}

func (a *API) taxonomy(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	t, _, err := a.Directory.DirectoryTaxonomies(r.Context(), haven.TaxonomyFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	return writeOne(w, hsds.Objects(&haven.Directory{Taxonomies: t}, "taxonomy", hsds.Full), "Taxonomy not found.")
}

func (a *API) taxonomyTerms(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r, append(listParams, termListParams...)...); err != nil {
		return err
	}
	l, err := readListing(r)
	if err != nil {
		return err
	}
	topOnly, err := boolParam(r, "top_only")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := haven.TaxonomyFilter{Search: q.Get("search"), TaxonomyID: q.Get("taxonomy_id"), ParentID: q.Get("parent_id"), TopOnly: topOnly}
	return list(w, r, l, func(ctx context.Context, offset, limit int) ([]map[string]any, int, error) {
		f.Offset, f.Limit = offset, limit
		d, total, err := a.Directory.DirectoryTaxonomyTerms(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		return hsds.Objects(d, "taxonomy_term", hsds.Full), total, nil
	})
}

func (a *API) taxonomyTerm(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	d, _, err := a.Directory.DirectoryTaxonomyTerms(r.Context(), haven.TaxonomyFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	return writeOne(w, hsds.Objects(d, "taxonomy_term", hsds.Full), "Taxonomy term not found.")
}
