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
		{"taxonomies.json", x.rows(tTax, all(len(d.Taxonomies)))}, {"taxonomy_terms.json", x.rows(tTerm, all(len(d.TaxonomyTerms)))}}
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

// rows returns the records of t at positions idx, as objects with their
// attributes.
func (x *jsonIndex) rows(t table, idx []int) []any {
	var out []any
	for _, i := range idx {
		fields := t.row(x.d, i)
		m := object(fields)
		if e := t.entity(); e != "taxonomy" && e != "taxonomy_term" {
			put(m, "attributes", x.attributes(*fields[0].str))
		}
		out = append(out, m)
	}
	return out
}

// jsonIndex finds the records that nest under a parent: by[table][owner
// field][owner ID] lists record positions, so export is linear.
type jsonIndex struct {
	d     *haven.Directory
	orgs  map[string]int
	locs  map[string]int
	terms map[string]int
	taxes map[string]int
	by    map[string]map[string][]int
}

// groupKeys are the owner fields records nest under, by table.
var groupKeys = map[string][]string{
	"phone": {"service_id", "location_id", "organization_id", "service_at_location_id"}, "schedule": {"service_id", "location_id", "service_at_location_id"},
	"language": {"service_id", "location_id", "phone_id"}, "service_area": {"service_id"}, "cost_option": {"service_id"},
	"required_document": {"service_id"}, "address": {"location_id"}, "attribute": {"link_id"}, "service_at_location": {"service_id"},
	"location": {"organization_id"},
}

func (x *jsonIndex) group() {
	x.by = map[string]map[string][]int{}
	for _, t := range tables {
		for _, key := range groupKeys[t.entity()] {
			m := map[string][]int{}
			for i := range t.len(x.d) {
				for _, f := range t.row(x.d, i) {
					if f.name == key && *f.str != "" {
						m[*f.str] = append(m[*f.str], i)
					}
				}
			}
			x.by[t.entity()+"."+key] = m
		}
	}
}

// children returns the rows of t whose field key is id, as objects.
func (x *jsonIndex) children(t table, key, id string) []any {
	return x.rows(t, x.by[t.entity()+"."+key][id])
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
	x.group()
	return x
}

func all(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (x *jsonIndex) services() []any {
	var out []any
	for i, s := range x.d.Services {
		m := object(tService.row(x.d, i))
		if oi, ok := x.orgs[s.OrganizationID]; ok {
			m["organization"] = object(tOrg.row(x.d, oi))
		}
		put(m, "phones", x.phones("service_id", s.ID))
		put(m, "schedules", x.children(tSchedule, "service_id", s.ID))
		put(m, "service_areas", x.children(tArea, "service_id", s.ID))
		put(m, "languages", x.children(tLang, "service_id", s.ID))
		put(m, "cost_options", x.children(tCost, "service_id", s.ID))
		put(m, "required_documents", x.children(tDoc, "service_id", s.ID))
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

func (x *jsonIndex) phones(key, id string) []any {
	var out []any
	for _, i := range x.by["phone."+key][id] {
		p := x.d.Phones[i]
		m := object(tPhone.row(x.d, i))
		put(m, "attributes", x.attributes(p.ID))
		put(m, "languages", x.children(tLang, "phone_id", p.ID))
		out = append(out, m)
	}
	return out
}

func (x *jsonIndex) attributes(linkID string) []any {
	d := x.d
	var out []any
	for _, i := range x.by["attribute.link_id"][linkID] {
		a := d.Attributes[i]
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
	for _, i := range x.by["service_at_location.service_id"][serviceID] {
		sal := d.ServiceAtLocations[i]
		m := object(tSAL.row(d, i))
		put(m, "phones", x.phones("service_at_location_id", sal.ID))
		put(m, "schedules", x.children(tSchedule, "service_at_location_id", sal.ID))
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
	put(m, "addresses", x.children(tAddress, "location_id", id))
	put(m, "phones", x.phones("location_id", id))
	put(m, "schedules", x.children(tSchedule, "location_id", id))
	put(m, "languages", x.children(tLang, "location_id", id))
	put(m, "attributes", x.attributes(id))
	return m
}

func (x *jsonIndex) organizations() []any {
	d := x.d
	var out []any
	for i, o := range d.Organizations {
		m := object(tOrg.row(d, i))
		put(m, "phones", x.phones("organization_id", o.ID))
		var locs []any
		for _, li := range x.by["location.organization_id"][o.ID] {
			locs = append(locs, x.location(li))
		}
		put(m, "locations", locs)
		put(m, "attributes", x.attributes(o.ID))
		out = append(out, m)
	}
	return out
}
