package api

import (
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/server"
)

// DirectorySearch serves GET /api/v1/directory/search: ranked services for
// a survivor's needs and constraints, from the in-memory matching index,
// each result saying why it matched and each near miss why not.
// Confidential locations appear only for roles that may see them.
type DirectorySearch struct {
	Index interface {
		Query(directory.Query) (directory.Answer, error)
	}
	// Clinics are the saved clinic locations a search may name (location=);
	// the first is where a search naming no place is centred.
	Clinics places.Locations
}

// Mount mounts the search route; it requires a token with api:read.
// Errors under /api/ render as the JSON error body.
func (h *DirectorySearch) Mount(s *server.Server) {
	s.RenderErrors("/api/", server.RenderJSONError)
	s.Handle("GET /api/v1/directory/search", s.RequireToken(haven.ScopeAPIRead, h.search))
}

// SearchResults is the body of a directory search.
type SearchResults struct {
	// Near is the place the search was centred on when it was named (a
	// ZIP code, a city or a saved clinic location, the clinic's own when
	// none was given); absent for coordinates or no place.
	Near       *SearchPlace    `json:"near,omitempty"`
	Matched    int             `json:"matched"`
	Results    []SearchResult  `json:"results"`
	NearMisses []SearchNearMis `json:"near_misses"`
}

// SearchPlace is where a search was centred.
type SearchPlace struct {
	Name     string  `json:"name"`
	Location string  `json:"location,omitempty"`
	Postcode string  `json:"postcode,omitempty"`
	City     string  `json:"city,omitempty"`
	State    string  `json:"state,omitempty"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
}

// SearchResult is one ranked site: a service at a location (none for a
// hotline).
type SearchResult struct {
	ServiceID    string   `json:"service_id"`
	ServiceName  string   `json:"service_name"`
	LocationID   string   `json:"location_id,omitempty"`
	LocationName string   `json:"location_name,omitempty"`
	DistanceKm   *float64 `json:"distance_km,omitempty"`
	Score        float64  `json:"score"`
	Reasons      []string `json:"reasons"`
}

// SearchNearMis is a site that met the needs and distance but failed one
// or two other constraints.
type SearchNearMis struct {
	ServiceID   string   `json:"service_id"`
	ServiceName string   `json:"service_name"`
	LocationID  string   `json:"location_id,omitempty"`
	DistanceKm  *float64 `json:"distance_km,omitempty"`
	WhyNot      []string `json:"why_not"`
}

func (h *DirectorySearch) search(w http.ResponseWriter, r *http.Request) error {
	actor, _ := haven.ActorFrom(r.Context())
	q, err := directory.ParseQuery(r.URL.Query(), h.Clinics)
	if err != nil {
		return err
	}
	// The index's display summaries name the results, so a search reads
	// nothing from the store.
	q.Role, q.Summaries = actor.Role, true
	ans, err := h.Index.Query(q)
	if err != nil {
		return err
	}
	out := SearchResults{Matched: ans.Matched, Results: []SearchResult{}, NearMisses: []SearchNearMis{}}
	if p := q.Place; p != nil {
		out.Near = &SearchPlace{Name: p.String(), Location: p.Name, Postcode: p.ZIP, City: p.City, State: p.State, Lat: p.Lat, Lon: p.Lon}
	}
	for _, res := range ans.Results {
		out.Results = append(out.Results, SearchResult{ServiceID: res.ServiceID, ServiceName: res.Summary.Service,
			LocationID: res.LocationID, LocationName: res.Summary.Location, DistanceKm: distance(res.DistanceKm),
			Score: res.Score, Reasons: res.Reasons})
	}
	for _, nm := range ans.NearMisses {
		out.NearMisses = append(out.NearMisses, SearchNearMis{ServiceID: nm.ServiceID, ServiceName: nm.Summary.Service,
			LocationID: nm.LocationID, DistanceKm: distance(nm.DistanceKm), WhyNot: nm.WhyNot})
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func distance(km float64) *float64 {
	if km < 0 {
		return nil
	}
	return &km
}
