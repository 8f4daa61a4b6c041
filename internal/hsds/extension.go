package hsds

import (
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/haven-care/haven"
)

// Haven's matching profile travels in HSDS as attributes: each trait is a
// term of the "Haven matching profile" taxonomy, linked to the service
// (location, required document) it describes, with the value as text
// ("true", or a comma-separated list). Any HSDS consumer sees ordinary
// attributes; Haven reads them back into typed fields.

// MatchTaxonomy is the HSDS taxonomy of Haven's extension terms.
var MatchTaxonomy = haven.Taxonomy{
	ID:          "f8e8896b-cef3-5e90-be7a-7c6271a7f33b",
	Name:        "Haven matching profile",
	Description: "Traits Haven uses to match survivors of trafficking to services.",
	URI:         "https://haven-care.org/taxonomy/match",
	Version:     "1",
}

var matchNS = uuid.MustParse(MatchTaxonomy.ID)

// extension is one trait: the entity it describes, its code and how it is
// read from and written to the record.
type extension struct {
	entity, code string
	get          func(d *haven.Directory, i int) string
	set          func(d *haven.Directory, i int, v string)
	count        func(d *haven.Directory) int
	id           func(d *haven.Directory, i int) string
}

func termID(code string) string { return uuid.NewSHA1(matchNS, []byte(code)).String() }

var extensionTerms = map[string]bool{}

func init() {
	for _, e := range extensions {
		extensionTerms[termID(e.code)] = true
	}
}

func isExtensionTerm(id string) bool { return extensionTerms[id] }

func boolText(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func list[T ~string](v []T) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

func parseList[T ~string](v string) []T {
	var out []T
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, T(x))
		}
	}
	return out
}

func svcExt(code string, get func(*haven.MatchProfile) string, set func(*haven.MatchProfile, string)) extension {
	return extension{entity: "service", code: code,
		get:   func(d *haven.Directory, i int) string { return get(&d.Services[i].Match) },
		set:   func(d *haven.Directory, i int, v string) { set(&d.Services[i].Match, v) },
		count: func(d *haven.Directory) int { return len(d.Services) },
		id:    func(d *haven.Directory, i int) string { return d.Services[i].ID }}
}

func flag(code string, p func(*haven.MatchProfile) *bool) extension {
	return svcExt(code, func(m *haven.MatchProfile) string { return boolText(*p(m)) },
		func(m *haven.MatchProfile, v string) { *p(m) = v == "true" })
}

var extensions = []extension{
	flag("trauma-informed", func(m *haven.MatchProfile) *bool { return &m.TraumaInformed }),
	flag("survivor-specific", func(m *haven.MatchProfile) *bool { return &m.SurvivorSpecific }),
	flag("faith-based", func(m *haven.MatchProfile) *bool { return &m.FaithBased }),
	flag("lgbtq-affirming", func(m *haven.MatchProfile) *bool { return &m.LGBTQAffirming }),
	flag("free", func(m *haven.MatchProfile) *bool { return &m.Free }),
	flag("sliding-scale", func(m *haven.MatchProfile) *bool { return &m.SlidingScale }),
	svcExt("communities-served", func(m *haven.MatchProfile) string { return list(m.CommunitiesServed) },
		func(m *haven.MatchProfile, v string) { m.CommunitiesServed = parseList[string](v) }),
	svcExt("staff-languages", func(m *haven.MatchProfile) string { return list(m.StaffLanguages) },
		func(m *haven.MatchProfile, v string) { m.StaffLanguages = parseList[string](v) }),
	svcExt("genders", func(m *haven.MatchProfile) string { return list(m.Genders) },
		func(m *haven.MatchProfile, v string) { m.Genders = parseList[haven.Gender](v) }),
	svcExt("immigration-statuses-accepted", func(m *haven.MatchProfile) string { return list(m.ImmigrationStatuses) },
		func(m *haven.MatchProfile, v string) { m.ImmigrationStatuses = parseList[haven.ImmigrationStatus](v) }),
	svcExt("barriers-waived", func(m *haven.MatchProfile) string { return list(m.BarriersWaived) },
		func(m *haven.MatchProfile, v string) { m.BarriersWaived = parseList[haven.Barrier](v) }),
	svcExt("insurance-accepted", func(m *haven.MatchProfile) string { return list(m.Insurance) },
		func(m *haven.MatchProfile, v string) { m.Insurance = parseList[haven.Insurance](v) }),
	{entity: "location", code: "confidential",
		get:   func(d *haven.Directory, i int) string { return boolText(d.Locations[i].Confidential) },
		set:   func(d *haven.Directory, i int, v string) { d.Locations[i].Confidential = v == "true" },
		count: func(d *haven.Directory) int { return len(d.Locations) },
		id:    func(d *haven.Directory, i int) string { return d.Locations[i].ID }},
	{entity: "location", code: "time-zone",
		get:   func(d *haven.Directory, i int) string { return d.Locations[i].TimeZone },
		set:   func(d *haven.Directory, i int, v string) { d.Locations[i].TimeZone = v },
		count: func(d *haven.Directory) int { return len(d.Locations) },
		id:    func(d *haven.Directory, i int) string { return d.Locations[i].ID }},
	{entity: "required_document", code: "document-kind",
		get:   func(d *haven.Directory, i int) string { return string(d.RequiredDocuments[i].Kind) },
		set:   func(d *haven.Directory, i int, v string) { d.RequiredDocuments[i].Kind = haven.DocumentKind(v) },
		count: func(d *haven.Directory) int { return len(d.RequiredDocuments) },
		id:    func(d *haven.Directory, i int) string { return d.RequiredDocuments[i].ID }},
}

// encodeExtensions returns a shallow copy of d whose attributes, taxonomies
// and terms carry Haven's extensions.
func encodeExtensions(d *haven.Directory) *haven.Directory {
	out := *d
	out.Attributes = slices.Clone(d.Attributes)
	out.Taxonomies = append(slices.Clone(d.Taxonomies), MatchTaxonomy)
	out.TaxonomyTerms = slices.Clone(d.TaxonomyTerms)
	for _, e := range extensions {
		out.TaxonomyTerms = append(out.TaxonomyTerms, haven.TaxonomyTerm{ID: termID(e.code), Code: e.code, Name: e.code,
			Description: "Haven matching profile: " + e.entity + " " + e.code + ".", Taxonomy: MatchTaxonomy.Name,
			TaxonomyID: MatchTaxonomy.ID, TermURI: MatchTaxonomy.URI + "/" + e.code})
		for i := range e.count(d) {
			if v := e.get(d, i); v != "" {
				link := e.id(d, i)
				out.Attributes = append(out.Attributes, haven.Attribute{ID: uuid.NewSHA1(matchNS, []byte(link+"/"+e.code)).String(),
					LinkID: link, TaxonomyTermID: termID(e.code), LinkType: "haven", LinkEntity: e.entity, Value: v})
			}
		}
	}
	return &out
}

// decodeExtensions moves extension attributes into d's typed fields and
// drops the extension taxonomy, so that a round trip is stable.
func decodeExtensions(d *haven.Directory) {
	byCode := map[string]extension{}
	for _, e := range extensions {
		byCode[termID(e.code)] = e
	}
	index := map[string]map[string]int{}
	kept := d.Attributes[:0]
	for _, a := range d.Attributes {
		e, ok := byCode[a.TaxonomyTermID]
		if !ok {
			kept = append(kept, a)
			continue
		}
		if index[e.entity] == nil {
			index[e.entity] = map[string]int{}
			for i := range e.count(d) {
				index[e.entity][e.id(d, i)] = i
			}
		}
		if i, ok := index[e.entity][a.LinkID]; ok {
			e.set(d, i, a.Value)
		}
	}
	d.Attributes = kept
	d.Taxonomies = slices.DeleteFunc(d.Taxonomies, func(t haven.Taxonomy) bool { return t.ID == MatchTaxonomy.ID })
	d.TaxonomyTerms = slices.DeleteFunc(d.TaxonomyTerms, func(t haven.TaxonomyTerm) bool { return isExtensionTerm(t.ID) })
	if len(d.Taxonomies) == 0 {
		d.Taxonomies = nil
	}
	if len(d.TaxonomyTerms) == 0 {
		d.TaxonomyTerms = nil
	}
	if len(d.Attributes) == 0 {
		d.Attributes = nil
	}
}
