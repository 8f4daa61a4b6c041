package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "directory")
}

// DirectoryIndex answers matching queries (the live index implements it).
type DirectoryIndex interface {
	Query(directory.Query) (directory.Answer, error)
	// Len is the number of sites indexed: none means an empty directory.
	Len() int
}

func (h *Handler) mountDirectory(s *server.Server) {
	s.HandleFunc("GET /directory", h.authed(h.directorySearch))
	s.HandleFunc("GET /directory/services/{id}", h.authed(h.serviceDetails))
	if h.cfg.ServiceWriter != nil {
		s.HandleFunc("GET /directory/services/{id}/edit", h.authed(h.serviceEdit))
		s.HandleFunc("POST /directory/services/{id}", h.authed(h.serviceUpdate))
	}
}

// directoryPage is the search form and, once needs are chosen, the
// ranked services with why each matched and why near misses did not. The
// form holds a worker's criteria, never a survivor's identity.
type directoryPage struct {
	Page
	Needs    []needOption
	Form     map[string]string
	Fields   map[string]string
	Searched bool
	CanEdit  bool
	Matched  int
	Results  []directoryRow
	Misses   []directoryRow
	// Query is the search, re-encoded, which each result's details link
	// carries for the way back.
	Query string
}

type needOption struct {
	Code, Name string
	Checked    bool
}

// directoryRow is one result or near miss as the page shows it, in flat
// fields of text (the template looks each up by name on every row). A
// near miss carries no place or phone (see directory.NearMiss).
type directoryRow struct {
	ServiceID, Service, Organization, Distance string
	Place                                      string // location name and address line
	Phone, Hours, Languages                    string
	Why                                        []string
}

func newDirectoryRow(serviceID string, km float64, s *directory.Summary, why []string) directoryRow {
	row := directoryRow{ServiceID: serviceID, Service: s.Service, Organization: s.Organization, Distance: distanceText(km),
		Phone: s.Phone, Hours: s.Hours, Languages: strings.Join(s.Languages, ", "), Why: why}
	var place []string
	if s.Location != "" && s.Location != s.Service {
		place = append(place, s.Location)
	}
	if s.Address != "" {
		place = append(place, s.Address)
	}
	row.Place = strings.Join(place, ", ")
	return row
}

// directoryFormKeys are the single-valued inputs the form echoes back.
var directoryFormKeys = []string{"lat", "lon", "radius_km", "language", "language_required", "age", "trauma_informed", "survivor_specific",
	"free_only", "lgbtq_affirming", "include_remote", "survivor", "for_need"}

func (h *Handler) directorySearch(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateDirectory); err != nil {
		return err
	}
	v := r.URL.Query()
	p := directoryPage{Page: h.page(r, "directory.title"), Form: map[string]string{}, Fields: map[string]string{}}
	for _, n := range haven.Needs {
		p.Needs = append(p.Needs, needOption{n.Code, n.Name, slices.Contains(v["need"], n.Code)})
	}
	for _, k := range directoryFormKeys {
		p.Form[k] = v.Get(k)
	}
	if len(v) == 0 { // the empty form
		return h.render(w, http.StatusOK, "directory", &p)
	}
	if h.cfg.Directory.Len() == 0 {
		p.Notice = p.T("directory.empty")
	}
	q, err := directory.ParseQuery(v)
	if fields := haven.ErrorFields(err); fields != nil {
		p.Fields = fields
		return h.render(w, http.StatusBadRequest, "directory", &p)
	} else if err != nil {
		return err
	}
	user, _ := signedIn(r.Context())
	// The index answers for the role (no confidential site to a role that
	// may not see it) and carries what the page shows: no query per hit.
	q.Role, q.Summaries = user.user.Role, true
	ans, err := h.cfg.Directory.Query(q)
	if err != nil {
		return err
	}
	p.Searched, p.Matched, p.Query = true, ans.Matched, v.Encode()
	p.CanEdit = h.cfg.ServiceWriter != nil && gateDirectoryEdit.allows(user.user.Role)
	for i := range ans.Results {
		res := &ans.Results[i]
		p.Results = append(p.Results, newDirectoryRow(res.ServiceID, res.DistanceKm, &res.Summary, res.Reasons))
	}
	for i := range ans.NearMisses {
		nm := &ans.NearMisses[i]
		p.Misses = append(p.Misses, newDirectoryRow(nm.ServiceID, nm.DistanceKm, &nm.Summary, nm.WhyNot))
	}
	return h.render(w, http.StatusOK, "directory", &p)
}

func distanceText(d float64) string {
	if d < 0 {
		return ""
	}
	return fmt.Sprintf("%.1f km", d)
}
