package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
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
	// Records names the services and locations of the results.
	Records interface {
		DirectoryRecords(ctx context.Context, ids []string) (*haven.Directory, error)
	}
}

// Mount mounts the search route; it requires a token with api:read.
func (h *DirectorySearch) Mount(s *server.Server) {
	s.Handle("GET /api/v1/directory/search", s.RequireToken(haven.ScopeAPIRead, h.search))
}

// SearchResults is the body of a directory search.
type SearchResults struct {
	Matched    int             `json:"matched"`
	Results    []SearchResult  `json:"results"`
	NearMisses []SearchNearMis `json:"near_misses"`
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
	q, err := parseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	q.Role = actor.Role
	ans, err := h.Index.Query(q)
	if err != nil {
		return err
	}
	names, err := h.names(r.Context(), ans)
	if err != nil {
		return err
	}
	out := SearchResults{Matched: ans.Matched, Results: []SearchResult{}, NearMisses: []SearchNearMis{}}
	for _, res := range ans.Results {
		out.Results = append(out.Results, SearchResult{ServiceID: res.ServiceID, ServiceName: names[res.ServiceID],
			LocationID: res.LocationID, LocationName: names[res.LocationID], DistanceKm: distance(res.DistanceKm),
			Score: res.Score, Reasons: res.Reasons})
	}
	for _, nm := range ans.NearMisses {
		out.NearMisses = append(out.NearMisses, SearchNearMis{ServiceID: nm.ServiceID, ServiceName: names[nm.ServiceID],
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

// names maps the service and location IDs of ans to their names; only
// those of the answer, which the index already filtered for the role.
func (h *DirectorySearch) names(ctx context.Context, ans directory.Answer) (map[string]string, error) {
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
	d, err := h.Records.DirectoryRecords(ctx, ids)
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

// searchParser reads a search's query parameters, collecting every bad
// one as a field error.
type searchParser struct {
	v      url.Values
	fields map[string]string
}

func (p *searchParser) list(name string) []string {
	var out []string
	for _, v := range p.v[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (p *searchParser) float(name string, def float64) float64 {
	s := p.v.Get(name)
	if s == "" {
		return def
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.fields[name] = "must be a number"
	}
	return f
}

func (p *searchParser) bool(name string) bool {
	s := p.v.Get(name)
	b, err := strconv.ParseBool(s)
	if s != "" && err != nil {
		p.fields[name] = "must be true or false"
	}
	return b
}

// parseSearch turns the query parameters into a matching query: need
// (required, repeatable or comma-separated), lat and lon with radius_km
// (default 25), include_remote, language, language_required, age, gender,
// immigration_status, missing_document, barrier, insurance, free_only,
// trauma_informed, survivor_specific, lgbtq_affirming, community, open_at
// (RFC 3339) and limit (1 to 100, default 20).
func parseSearch(v url.Values) (directory.Query, error) {
	p := &searchParser{v: v, fields: map[string]string{}}
	q := directory.Query{Needs: p.list("need"), IncludeRemote: p.bool("include_remote"), Languages: p.list("language"),
		LanguageRequired: p.bool("language_required"), Age: int(p.float("age", 0)), Gender: haven.Gender(v.Get("gender")),
		Immigration: haven.ImmigrationStatus(v.Get("immigration_status")), Insurance: haven.Insurance(v.Get("insurance")),
		FreeOnly: p.bool("free_only"), TraumaInformed: p.bool("trauma_informed"), SurvivorSpecific: p.bool("survivor_specific"),
		LGBTQAffirming: p.bool("lgbtq_affirming"), Communities: p.list("community"), Limit: int(p.float("limit", 20))}
	for _, d := range p.list("missing_document") {
		q.MissingDocuments = append(q.MissingDocuments, haven.DocumentKind(d))
	}
	for _, b := range p.list("barrier") {
		q.Barriers = append(q.Barriers, haven.Barrier(b))
	}
	if len(q.Needs) == 0 {
		p.fields["need"] = "at least one need is required"
	}
	if q.Limit < 1 || q.Limit > 100 {
		p.fields["limit"] = "must be from 1 to 100"
	}
	if v.Has("lat") || v.Has("lon") {
		q.Near = &directory.Point{Lat: p.float("lat", 0), Lon: p.float("lon", 0)}
		q.RadiusKm = p.float("radius_km", 25)
	}
	if s := v.Get("open_at"); s != "" {
		var err error
		if q.OpenAt, err = time.Parse(time.RFC3339, s); err != nil {
			p.fields["open_at"] = "must be an RFC 3339 date-time"
		}
	}
	if len(p.fields) > 0 {
		return q, &haven.Error{Kind: haven.Invalid, Message: "Please correct the highlighted field.", Fields: p.fields}
	}
	return q, nil
}
