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

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
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

// readListing refuses parameters outside listParams and extra, then
// reads the listing.
func readListing(r *http.Request, extra ...string) (listing, error) {
	l := listing{page: 1, perPage: DefaultPerPage}
	if err := onlyParams(r, slices.Concat(listParams, extra)...); err != nil {
		return l, err
	}
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
