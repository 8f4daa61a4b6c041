package hsds

import (
	"encoding/json"
	"io"

	"github.com/haven-care/haven"
)

// WriteJSON writes d in the JSON form: services.json (each service with its
// organization, phones, schedules, areas, languages, costs, documents,
// attributes and service-at-locations with their locations nested, as the
// HSDS service schema has it), organizations.json, taxonomies.json and
// taxonomy_terms.json. Each array element validates against its HSDS 3.0
// schema. Records reachable from no service or organization (a phone of a
// contact only) are not written; the tabular package is the lossless form.
func WriteJSON(w func(name string) (io.WriteCloser, error), d *haven.Directory) error {
	d = encodeExtensions(d)
	x := newJSONIndex(d)
	files := []struct {
		name  string
		items []any
	}{{"services.json", x.services()}, {"organizations.json", x.organizations()},
		{"taxonomies.json", x.rows(tTax, func(int) bool { return true })}, {"taxonomy_terms.json", x.rows(tTerm, func(int) bool { return true })}}
	for _, f := range files {
		if err := writeJSONFile(w, f.name, f.items); err != nil {
			return err
		}
	}
	return nil
}

func writeJSONFile(w func(string) (io.WriteCloser, error), name string, items []any) error {
	f, err := w(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if items == nil {
		items = []any{}
	}
	if err := enc.Encode(items); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// object returns the non-empty fields as a JSON object.
func object(fields []field) map[string]any {
	m := map[string]any{}
	for _, f := range fields {
		switch {
		case f.num != nil && *f.num != nil:
			m[f.name] = **f.num
		case f.str != nil && *f.str != "":
			m[f.name] = *f.str
		}
	}
	return m
}

// rows returns the records of t for which keep is true, as objects with
// their attributes.
func (x *jsonIndex) rows(t table, keep func(int) bool) []any {
	var out []any
	for i := range t.len(x.d) {
		if keep(i) {
			fields := t.row(x.d, i)
			m := object(fields)
			if e := t.entity(); e != "taxonomy" && e != "taxonomy_term" {
				put(m, "attributes", x.attributes(*fields[0].str))
			}
			out = append(out, m)
		}
	}
	return out
}

// jsonIndex finds the records that nest under a parent.
type jsonIndex struct {
	d     *haven.Directory
	orgs  map[string]int
	locs  map[string]int
	terms map[string]int
	taxes map[string]int
}

func newJSONIndex(d *haven.Directory) *jsonIndex {
	x := &jsonIndex{d: d, orgs: map[string]int{}, locs: map[string]int{}, terms: map[string]int{}, taxes: map[string]int{}}
	for i, o := range d.Organizations {
		x.orgs[o.ID] = i
	}
	for i, l := range d.Locations {
		x.locs[l.ID] = i
	}
	for i, t := range d.TaxonomyTerms {
		x.terms[t.ID] = i
	}
	for i, t := range d.Taxonomies {
		x.taxes[t.ID] = i
	}
	return x
}

func (x *jsonIndex) services() []any {
	var out []any
	for i, s := range x.d.Services {
		m := object(tService.row(x.d, i))
		if oi, ok := x.orgs[s.OrganizationID]; ok {
			m["organization"] = object(tOrg.row(x.d, oi))
		}
		d := x.d
		put(m, "phones", x.phones(func(p haven.Phone) bool { return p.ServiceID == s.ID }))
		put(m, "schedules", x.rows(tSchedule, func(k int) bool { return d.Schedules[k].ServiceID == s.ID }))
		put(m, "service_areas", x.rows(tArea, func(k int) bool { return d.ServiceAreas[k].ServiceID == s.ID }))
		put(m, "languages", x.rows(tLang, func(k int) bool { return d.Languages[k].ServiceID == s.ID }))
		put(m, "cost_options", x.rows(tCost, func(k int) bool { return d.CostOptions[k].ServiceID == s.ID }))
		put(m, "required_documents", x.rows(tDoc, func(k int) bool { return d.RequiredDocuments[k].ServiceID == s.ID }))
		put(m, "attributes", x.attributes(s.ID))
		put(m, "service_at_locations", x.serviceAtLocations(s.ID))
		out = append(out, m)
	}
	return out
}

func put(m map[string]any, key string, items []any) {
	if len(items) > 0 {
		m[key] = items
	}
}

func (x *jsonIndex) phones(keep func(haven.Phone) bool) []any {
	d := x.d
	var out []any
	for i, p := range d.Phones {
		if keep(p) {
			m := object(tPhone.row(d, i))
			put(m, "attributes", x.attributes(p.ID))
			put(m, "languages", x.rows(tLang, func(k int) bool { return d.Languages[k].PhoneID == p.ID }))
			out = append(out, m)
		}
	}
	return out
}

func (x *jsonIndex) attributes(linkID string) []any {
	d := x.d
	var out []any
	for i, a := range d.Attributes {
		if a.LinkID != linkID {
			continue
		}
		m := object(tAttr.row(d, i))
		if ti, ok := x.terms[a.TaxonomyTermID]; ok {
			m["taxonomy_term"] = x.term(ti)
		}
		out = append(out, m)
	}
	return out
}

func (x *jsonIndex) term(i int) map[string]any {
	m := object(tTerm.row(x.d, i))
	if ti, ok := x.taxes[x.d.TaxonomyTerms[i].TaxonomyID]; ok {
		m["taxonomy_detail"] = object(tTax.row(x.d, ti))
	}
	return m
}

func (x *jsonIndex) serviceAtLocations(serviceID string) []any {
	d := x.d
	var out []any
	for i, sal := range d.ServiceAtLocations {
		if sal.ServiceID != serviceID {
			continue
		}
		m := object(tSAL.row(d, i))
		put(m, "phones", x.phones(func(p haven.Phone) bool { return p.ServiceAtLocationID == sal.ID }))
		put(m, "schedules", x.rows(tSchedule, func(k int) bool { return d.Schedules[k].ServiceAtLocationID == sal.ID }))
		put(m, "attributes", x.attributes(sal.ID))
		if li, ok := x.locs[sal.LocationID]; ok {
			m["location"] = x.location(li)
		}
		out = append(out, m)
	}
	return out
}

func (x *jsonIndex) location(i int) map[string]any {
	d := x.d
	id := d.Locations[i].ID
	m := object(tLocation.row(d, i))
	put(m, "addresses", x.rows(tAddress, func(k int) bool { return d.Addresses[k].LocationID == id }))
	put(m, "phones", x.phones(func(p haven.Phone) bool { return p.LocationID == id }))
	put(m, "schedules", x.rows(tSchedule, func(k int) bool { return d.Schedules[k].LocationID == id }))
	put(m, "languages", x.rows(tLang, func(k int) bool { return d.Languages[k].LocationID == id }))
	put(m, "attributes", x.attributes(id))
	return m
}

func (x *jsonIndex) organizations() []any {
	d := x.d
	var out []any
	for i, o := range d.Organizations {
		m := object(tOrg.row(d, i))
		put(m, "phones", x.phones(func(p haven.Phone) bool { return p.OrganizationID == o.ID }))
		var locs []any
		for li, l := range d.Locations {
			if l.OrganizationID == o.ID {
				locs = append(locs, x.location(li))
			}
		}
		put(m, "locations", locs)
		put(m, "attributes", x.attributes(o.ID))
		out = append(out, m)
	}
	return out
}
