// Package hsdsapi is Haven's Open Referral HSDS 3.0 API under /hsds: the
// public directory, paged as the HSDS OpenAPI describes, for any HSDS
// consumer. The HSDS formats themselves (JSON and the tabular data package)
// are package hsds; this package is their HTTP surface.
package hsdsapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/hsds"
	"github.com/haven-care/haven/internal/server"
)

// API serves the HSDS 3.0 API under /hsds/: the directory for any HSDS
// consumer, without sign-in, because it holds only public directory data.
type API struct {
	Directory haven.PublicDirectory
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
	s.HandleFunc("GET /hsds/organizations", a.organizations)
	s.HandleFunc("GET /hsds/organizations/{id}", a.organization)
}

// Info is the body of GET /hsds/.
type Info struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}

func (a *API) info(w http.ResponseWriter, r *http.Request) error {
	server.WriteJSON(w, http.StatusOK, Info{Version: Version, Profile: "https://docs.openreferral.org/en/v3.0/",
		OpenAPIURL: "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"})
	return nil
}

// Page is an HSDS API page.
type Page struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

// paging reads page and per_page (1-based page).
func paging(r *http.Request) (page, perPage int, err error) {
	page, perPage = 1, DefaultPerPage
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, &haven.Error{Kind: haven.Invalid, Message: "page must be a whole number from 1.", Fields: map[string]string{"page": "must be 1 or more"}}
		}
	}
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > MaxPerPage {
			return 0, 0, &haven.Error{Kind: haven.Invalid, Message: "per_page must be from 1 to 100.", Fields: map[string]string{"per_page": "must be from 1 to 100"}}
		}
	}
	return page, perPage, nil
}

func newPage(contents []json.RawMessage, total, page, perPage int) Page {
	pages := (total + perPage - 1) / perPage
	if contents == nil {
		contents = []json.RawMessage{}
	}
	return Page{TotalItems: total, TotalPages: pages, PageNumber: page, Size: len(contents),
		FirstPage: page == 1, LastPage: page >= pages, Empty: total == 0, Contents: contents}
}

func (a *API) services(w http.ResponseWriter, r *http.Request) error {
	page, perPage, err := paging(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := haven.ServiceFilter{Search: q.Get("search"), TaxonomyTermID: q.Get("taxonomy_term_id"), OrganizationID: q.Get("organization_id"),
		Offset: (page - 1) * perPage, Limit: perPage}
	if v := q.Get("modified_after"); v != "" {
		if f.ModifiedAfter, err = time.Parse(time.RFC3339, v); err != nil {
			return &haven.Error{Kind: haven.Invalid, Message: "modified_after must be an RFC 3339 date-time.",
				Fields: map[string]string{"modified_after": "not an RFC 3339 date-time"}}
		}
	}
	d, total, err := a.Directory.DirectoryServices(r.Context(), f)
	if err != nil {
		return err
	}
	items, err := jsonItems(d, "services.json")
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, newPage(items, total, page, perPage))
	return nil
}

func (a *API) service(w http.ResponseWriter, r *http.Request) error {
	d, _, err := a.Directory.DirectoryServices(r.Context(), haven.ServiceFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	return writeOne(w, d, "services.json", "Service not found.")
}

func (a *API) organizations(w http.ResponseWriter, r *http.Request) error {
	page, perPage, err := paging(r)
	if err != nil {
		return err
	}
	d, total, err := a.Directory.DirectoryOrganizations(r.Context(), "", (page-1)*perPage, perPage)
	if err != nil {
		return err
	}
	items, err := jsonItems(d, "organizations.json")
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, newPage(items, total, page, perPage))
	return nil
}

func (a *API) organization(w http.ResponseWriter, r *http.Request) error {
	d, _, err := a.Directory.DirectoryOrganizations(r.Context(), r.PathValue("id"), 0, 1)
	if err != nil {
		return err
	}
	return writeOne(w, d, "organizations.json", "Organization not found.")
}

func writeOne(w http.ResponseWriter, d *haven.Directory, file, notFound string) error {
	items, err := jsonItems(d, file)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return haven.Errorf(haven.NotFound, "%s", notFound)
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(items[0])
	return err
}

// jsonItems returns the elements of one file of d's JSON form, each a
// full HSDS object with its related records nested.
func jsonItems(d *haven.Directory, file string) ([]json.RawMessage, error) {
	var buf bytes.Buffer
	err := hsds.WriteJSON(func(name string) (io.WriteCloser, error) {
		if name == file {
			return nopCloser{&buf}, nil
		}
		return nopCloser{io.Discard}, nil
	}, d)
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &items); err != nil {
		return nil, err
	}
	return items, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
