package directory

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
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
// (required, repeatable or comma-separated), lat and lon with radius_km
// (default 25), include_remote, language, language_required, age, gender,
// immigration_status, missing_document, barrier, insurance, free_only,
// trauma_informed, survivor_specific, lgbtq_affirming, community, open_at
// (RFC 3339) and limit (1 to 100, default 20).
func ParseQuery(v url.Values) (Query, error) {
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
	// A place needs both coordinates; a form sent with both empty has none.
	switch lat, lon := v.Get("lat"), v.Get("lon"); {
	case lat != "" && lon != "":
		q.Near = &Point{Lat: p.float("lat", 0), Lon: p.float("lon", 0)}
		q.RadiusKm = p.float("radius_km", 25)
	case lat != "":
		p.fields["lon"] = "give the longitude too, or neither"
	case lon != "":
		p.fields["lat"] = "give the latitude too, or neither"
	}
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
		return q, &haven.Error{Kind: haven.Invalid, Message: "Please correct the highlighted field.", Fields: p.fields}
	}
	return q, nil
}
