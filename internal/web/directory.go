package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/places"
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
	Needs []needOption
	// Clinics are the saved clinic locations to choose from, the clinic's
	// own first.
	Clinics []Option
	// Choices are the cities an ambiguous name may mean, each a link to
	// the same search near it.
	Choices []choiceLink
	// Coordinates opens the advanced latitude and longitude inputs (given
	// or wrong); they are folded away otherwise.
	Coordinates bool
	// Near names where the search was centred; NoPlace says it was not.
	Near     string
	NoPlace  bool
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

type choiceLink struct{ Label, Href string }

type needOption struct {
	Code, Name string
	Checked    bool
}

// directoryRow is one result or near miss as the page shows it, in flat
// fields of text (the template looks each up by name on every row). A
// near miss carries no place or phone (see directory.NearMiss).
type directoryRow struct {
	ServiceID, Service, Organization, Distance string
	// Href is the service's details, carrying the search for the way
	// back (and the case it was made for).
	Href                    string
	Place                   string // location name and address line
	Phone, Hours, Languages string
	Why                     []string
}

func (p *directoryPage) newDirectoryRow(serviceID string, km float64, s *directory.Summary, why []string) directoryRow {
	row := directoryRow{ServiceID: serviceID, Service: s.Service, Organization: s.Organization, Distance: p.distance(km),
		Phone: s.Phone, Hours: p.hours(s.Hours), Languages: strings.Join(s.Languages, ", "), Why: why}
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
var directoryFormKeys = []string{"near", "location", "lat", "lon", "radius_km", "language", "language_required", "age", "trauma_informed", "survivor_specific",
	"free_only", "lgbtq_affirming", "include_remote", "survivor", "for_need"}

func (h *Handler) directorySearch(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateDirectory); err != nil {
		return err
	}
	v := r.URL.Query()
	p := directoryPage{Page: h.page(r, "directory.title"), Form: map[string]string{}, Fields: map[string]string{}}
	for _, n := range haven.Needs {
		p.Needs = append(p.Needs, needOption{n.Code, p.domainName(n.Code), slices.Contains(v["need"], n.Code)})
	}
	for _, k := range directoryFormKeys {
		p.Form[k] = v.Get(k)
	}
	for _, c := range h.cfg.ClinicLocations {
		p.Clinics = append(p.Clinics, Option{Value: c.Name, Label: c.Name, Selected: strings.EqualFold(c.Name, p.Form["location"])})
	}
	if len(v) == 0 { // the empty form
		return h.render(w, http.StatusOK, "directory", &p)
	}
	if h.cfg.Directory.Len() == 0 {
		p.Notice = p.T("directory.empty")
	}
	q, err := directory.ParseQuery(v, h.cfg.ClinicLocations)
	if fields := haven.ErrorFields(err); fields != nil {
		p.directoryErrors(v, fields, err)
		return h.render(w, http.StatusBadRequest, "directory", &p)
	} else if err != nil {
		return err
	}
	p.Coordinates = q.Near != nil && q.Place == nil
	if q.Place != nil {
		p.Near = q.Place.String()
	}
	p.NoPlace = q.Near == nil
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
		p.Results = append(p.Results, p.newDirectoryRow(res.ServiceID, res.DistanceKm, &res.Summary, p.reasons(res.Why)))
	}
	for i := range ans.NearMisses {
		nm := &ans.NearMisses[i]
		p.Misses = append(p.Misses, p.newDirectoryRow(nm.ServiceID, nm.DistanceKm, &nm.Summary, p.reasons(nm.Why)))
	}
	for _, rows := range [][]directoryRow{p.Results, p.Misses} {
		for i := range rows {
			rows[i].Href = "/directory/services/" + url.PathEscape(rows[i].ServiceID) + "?" + p.Query
		}
	}
	return h.render(w, http.StatusOK, "directory", &p)
}

// hours puts a summary's hours ("Mon–Fri 09:00–17:00") in the page's
// language: each day's abbreviation from the catalog.
func (p *directoryPage) hours(s string) string {
	if s == "" || p.Lang == "en" {
		return s
	}
	pairs := make([]string, 0, 14)
	for i, d := range directory.DayAbbr {
		pairs = append(pairs, d, p.T("weekday_short."+strconv.Itoa(i)))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// reasons words why a service matched, or did not, in the page's language.
func (p *directoryPage) reasons(rs []directory.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		switch r.Code {
		case directory.ReasonOffers:
			out[i] = fmt.Sprintf(p.T("reason.offers"), p.domainName(r.Need))
		case directory.ReasonNear:
			out[i] = fmt.Sprintf(p.T("reason.near"), r.RadiusKm, r.Km)
		default:
			out[i] = p.T("reason." + r.Code)
		}
	}
	return out
}

// directoryErrors words each refused field of a search in the page's
// language and, for a city several states share, offers each as a link.
func (p *directoryPage) directoryErrors(v url.Values, fields map[string]string, err error) {
	var amb *places.AmbiguousError
	for f, msg := range fields {
		key := "directory.err." + f
		placeField := f == "near" || f == "postcode" || f == "city"
		switch {
		case (placeField || f == "lat") && errors.Is(err, directory.ErrTwoPlaces):
			key = "directory.err.two_places"
		case !placeField:
		case errors.As(err, &amb):
			key = "directory.err.ambiguous"
			for _, c := range amb.Choices {
				choice := maps.Clone(v)
				for _, k := range []string{"postcode", "city", "lat", "lon"} {
					choice.Del(k)
				}
				choice.Set("near", c.String())
				p.Choices = append(p.Choices, choiceLink{Label: c.String(), Href: "/directory?" + choice.Encode()})
			}
		case errors.Is(err, places.ErrNotZIP):
			key = "directory.err.not_zip"
		case errors.Is(err, places.ErrUnknownZIP):
			key = "directory.err.unknown_zip"
		case errors.Is(err, places.ErrUnknownCity):
			key = "directory.err.unknown_city"
		}
		if t := p.T(key); t != key {
			msg = t
		}
		// The place inputs of the form are one box, near.
		if f == "postcode" || f == "city" {
			f = "near"
		}
		p.Fields[f] = msg
	}
	p.Coordinates = p.Form["lat"] != "" || p.Form["lon"] != "" || p.Fields["lat"] != "" || p.Fields["lon"] != ""
}

// distance is a distance in kilometres in the page's language, "" for
// none.
func (p *directoryPage) distance(d float64) string {
	if d < 0 {
		return ""
	}
	return fmt.Sprintf(p.T("directory.km"), d)
}
