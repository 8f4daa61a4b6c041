package directory

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/places"
)

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
	// ParseFloat accepts "NaN" and "Inf", and NaN passes every range
	// check (each comparison with it is false), so they are refused here.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.fields[name] = "must be a number"
		return def
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

// ParseQuery turns URL query parameters into a matching query, for
// every surface that searches (the JSON API, the web page): need
// (required, repeatable or comma-separated); where, as one of postcode (a
// ZIP code), city ("Austin, TX"), near (either), location (the name of one
// of clinics, the saved clinic locations) or lat and lon, with radius_km
// (default 25) — with none of them, the first of clinics, the clinic's own
// location, or no place at all when none is saved; include_remote,
// language, language_required, age, gender, immigration_status,
// missing_document, barrier, insurance, free_only, trauma_informed,
// survivor_specific, lgbtq_affirming, community, open_at (RFC 3339) and
// limit (1 to 100, default 20). A place that cannot be found is a field
// error whose cause (the error's Err) is the places error, and two places
// named are ErrTwoPlaces, for a page to word it and to offer an ambiguous
// city's choices.
func ParseQuery(v url.Values, clinics places.Locations) (Query, error) {
	p := &searchParser{v: v, fields: map[string]string{}}
	q := Query{Needs: p.list("need"), IncludeRemote: p.bool("include_remote"), Languages: p.list("language"),
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
	placeErr := p.where(&q, clinics)
	for _, l := range q.Languages {
		if !haven.ValidLanguageTag(l) {
			p.fields["language"] = fmt.Sprintf("%q is not a language code: use codes such as es (Spanish), vi (Vietnamese), zh (Chinese)", l)
			break
		}
	}
	if s := v.Get("open_at"); s != "" {
		var err error
		if q.OpenAt, err = time.Parse(time.RFC3339, s); err != nil {
			p.fields["open_at"] = "must be an RFC 3339 date-time"
		}
	}
	if len(p.fields) > 0 {
		return q, &haven.Error{Kind: haven.Invalid, Message: "Please correct the highlighted field.", Fields: p.fields, Err: placeErr}
	}
	return q, nil
}

// ErrTwoPlaces is the cause of a search that names two places.
var ErrTwoPlaces = errors.New("give one place: a ZIP code, a city, a saved location or coordinates")

// placeParams are the parameters that name where a search is centred,
// besides a saved location: a search names one at most.
var placeParams = []string{"postcode", "city", "near", "lat"}

// where sets q.Near and q.Place from the place parameters (see
// ParseQuery) and returns the places error of a place not found.
func (p *searchParser) where(q *Query, clinics places.Locations) error {
	var named []string
	for _, k := range placeParams {
		if strings.TrimSpace(p.v.Get(k)) != "" || k == "lat" && p.v.Get("lon") != "" {
			named = append(named, k)
		}
	}
	if len(named) > 1 {
		p.fields[named[1]] = ErrTwoPlaces.Error()
		return ErrTwoPlaces
	}
	var (
		place places.Place
		err   error
	)
	switch k := append(named, "")[0]; k {
	case "lat": // a place needs both coordinates
		lat, lon := p.v.Get("lat"), p.v.Get("lon")
		switch {
		case lat == "":
			p.fields["lat"] = "give the latitude too, or neither"
		case lon == "":
			p.fields["lon"] = "give the longitude too, or neither"
		default:
			q.Near = &Point{Lat: p.float("lat", 0), Lon: p.float("lon", 0)}
		}
	case "postcode":
		place, err = places.Lookup(p.v.Get(k))
	case "city", "near":
		place, err = places.Find(p.v.Get(k))
	default:
		if name := strings.TrimSpace(p.v.Get("location")); name != "" {
			var ok bool
			if place, ok = clinics.Named(name); !ok {
				p.fields["location"] = fmt.Sprintf("no saved clinic location is called %q", name)
				return nil
			}
		} else if len(clinics) == 0 {
			return nil // no place: distance neither filters nor ranks
		} else {
			place = clinics[0]
		}
	}
	if err != nil {
		p.fields[named[0]] = err.Error()
		return err
	}
	if q.Near == nil && p.fields["lat"] == "" && p.fields["lon"] == "" {
		q.Place, q.Near = &place, &Point{Lat: place.Lat, Lon: place.Lon}
	}
	if q.Near != nil {
		q.RadiusKm = p.float("radius_km", 25)
	}
	return nil
}
