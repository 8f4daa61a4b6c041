package hsds

import (
	"encoding/json"
	"io"

	"github.com/haven-care/haven"
)

// WriteJSON writes d in the JSON form: services.json (each service with its
// organization, program, phones, schedules, areas, languages, costs,
// documents, funding, contacts, attributes, metadata and
// service-at-locations with their locations nested, as the HSDS service
// schema has it), organizations.json (with their locations, phones,
// contacts, funding, programs and identifiers), taxonomies.json and
// taxonomy_terms.json. Each array element validates against its HSDS 3.0
// schema, and carries its record's extra data as further keys. Records
// reachable from no service or organization (meta table descriptions, a
// location no organization or service names) are not written; the tabular
// package is the form that keeps everything.
func WriteJSON(w func(name string) (io.WriteCloser, error), d *haven.Directory) error {
	d = encodeExtensions(d)
	x := newJSONIndex(d)
	files := []struct {
		name  string
		items []any
	}{{"services.json", x.all(tService, x.service)}, {"organizations.json", x.all(tOrg, x.organization)},
		{"taxonomies.json", x.all(tTax, x.taxonomy)}, {"taxonomy_terms.json", x.all(tTerm, x.term)},
		{"locations.json", x.unnested()}}
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

// Shape says how much an HSDS API object nests.
type Shape int

// Shapes of the HSDS API's objects.
const (
	// Flat is a record's own fields (and extra data), with a service at
	// location's service and location as flat objects: the API's lists.
	Flat Shape = iota
	// Full nests every related record, as the HSDS schema has it; an
	// organization lists its services flat.
	Full
	// FullServices is Full, with an organization's services nested in
	// full too.
	FullServices
)

// Objects returns d's records of kind (service, service_at_location,
// organization, taxonomy or taxonomy_term), in d's order, as HSDS JSON
// objects of the shape asked for, Haven's matching profile encoded as
// attributes. It is the HSDS API's view of a page.
func Objects(d *haven.Directory, kind string, shape Shape) []map[string]any {
	own := d
	x := newJSONIndex(encodeExtensions(d))
	var t table
	var one func(int) map[string]any
	switch kind {
	case "service":
		t, one = tService, x.service
		if shape == Flat {
			one = func(i int) map[string]any { return x.flat(tService, i) }
		}
	case "service_at_location":
		t, one = tSAL, func(i int) map[string]any { return x.salObject(i, shape) }
	case "organization":
		t, one = tOrg, func(i int) map[string]any { return x.orgObject(i, shape) }
	case "taxonomy":
		t, one = tTax, x.taxonomy
	case "taxonomy_term":
		t, one = tTerm, x.term
	default:
		return nil
	}
	// Only d's own records: not the extension taxonomy and terms that
	// encoding Haven's matching profile adds.
	out := make([]map[string]any, t.len(own))
	for i := range out {
		out[i] = one(i)
	}
	return out
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

// flat returns record i of t: its fields and its extra data (which never
// hides a field).
func (x *jsonIndex) flat(t table, i int) map[string]any {
	m := object(t.row(x.d, i))
	for k, v := range *t.extra(x.d, i) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

// rec returns record i of t with the attributes and metadata that
// describe it.
func (x *jsonIndex) rec(t table, i int) map[string]any {
	m := x.flat(t, i)
	id := *t.row(x.d, i)[0].str
	if e := t.entity(); e != "taxonomy" && e != "taxonomy_term" {
		put(m, "attributes", x.attributes(id))
	}
	put(m, "metadata", x.children(tMeta, "resource_id", id))
	return m
}

func (x *jsonIndex) all(t table, one func(int) map[string]any) []any {
	var out []any
	for i := range t.len(x.d) {
		out = append(out, one(i))
	}
	return out
}

// jsonIndex finds the records that nest under a parent: by[table][owner
// field][owner ID] lists record positions, so export is linear.
type jsonIndex struct {
	d   *haven.Directory
	pos map[string]map[string]int // entity → id → position
	by  map[string]map[string][]int
}

// groupKeys are the owner fields records nest under, by table.
var groupKeys = map[string][]string{
	"phone":    {"service_id", "location_id", "organization_id", "service_at_location_id", "contact_id"},
	"schedule": {"service_id", "location_id", "service_at_location_id"},
	"language": {"service_id", "location_id", "phone_id"}, "service_area": {"service_id"}, "cost_option": {"service_id"},
	"required_document": {"service_id"}, "address": {"location_id"}, "attribute": {"link_id"}, "service_at_location": {"service_id"},
	"location": {"organization_id"}, "service": {"organization_id"},
	"contact": {"organization_id", "service_id", "location_id", "service_at_location_id"},
	"funding": {"organization_id", "service_id"}, "program": {"organization_id"}, "accessibility": {"location_id"},
	"organization_identifier": {"organization_id"}, "metadata": {"resource_id"},
}

func newJSONIndex(d *haven.Directory) *jsonIndex {
	x := &jsonIndex{d: d, pos: map[string]map[string]int{}, by: map[string]map[string][]int{}}
	for _, t := range tables {
		ids := map[string]int{}
		for i := range t.len(d) {
			ids[*t.row(d, i)[0].str] = i
		}
		x.pos[t.entity()] = ids
		for _, key := range groupKeys[t.entity()] {
			m := map[string][]int{}
			for i := range t.len(d) {
				for _, f := range t.row(d, i) {
					if f.name == key && *f.str != "" {
						m[*f.str] = append(m[*f.str], i)
					}
				}
			}
			x.by[t.entity()+"."+key] = m
		}
	}
	return x
}

// children returns the rows of t whose field key is id, as objects.
func (x *jsonIndex) children(t table, key, id string) []any {
	var out []any
	for _, i := range x.by[t.entity()+"."+key][id] {
		out = append(out, x.rec(t, i))
	}
	return out
}

func put(m map[string]any, key string, items []any) {
	if len(items) > 0 {
		m[key] = items
	}
}

func (x *jsonIndex) service(i int) map[string]any {
	s := x.d.Services[i]
	m := x.rec(tService, i)
	if oi, ok := x.pos["organization"][s.OrganizationID]; ok {
		m["organization"] = x.flat(tOrg, oi)
	}
	if pi, ok := x.pos["program"][s.ProgramID]; ok {
		m["program"] = x.rec(tProgram, pi)
	}
	put(m, "phones", x.phones("service_id", s.ID))
	put(m, "schedules", x.children(tSchedule, "service_id", s.ID))
	put(m, "service_areas", x.children(tArea, "service_id", s.ID))
	put(m, "languages", x.children(tLang, "service_id", s.ID))
	put(m, "cost_options", x.children(tCost, "service_id", s.ID))
	put(m, "required_documents", x.children(tDoc, "service_id", s.ID))
	put(m, "funding", x.children(tFunding, "service_id", s.ID))
	put(m, "contacts", x.contacts("service_id", s.ID))
	var sals []any
	for _, j := range x.by["service_at_location.service_id"][s.ID] {
		sals = append(sals, x.sal(j))
	}
	put(m, "service_at_locations", sals)
	return m
}

func (x *jsonIndex) phones(key, id string) []any {
	var out []any
	for _, i := range x.by["phone."+key][id] {
		m := x.rec(tPhone, i)
		put(m, "languages", x.children(tLang, "phone_id", x.d.Phones[i].ID))
		out = append(out, m)
	}
	return out
}

func (x *jsonIndex) contacts(key, id string) []any {
	var out []any
	for _, i := range x.by["contact."+key][id] {
		m := x.rec(tContact, i)
		put(m, "phones", x.phones("contact_id", x.d.Contacts[i].ID))
		out = append(out, m)
	}
	return out
}

func (x *jsonIndex) attributes(linkID string) []any {
	var out []any
	for _, i := range x.by["attribute.link_id"][linkID] {
		m := x.flat(tAttr, i)
		if ti, ok := x.pos["taxonomy_term"][x.d.Attributes[i].TaxonomyTermID]; ok {
			m["taxonomy_term"] = x.term(ti)
		}
		put(m, "metadata", x.children(tMeta, "resource_id", x.d.Attributes[i].ID))
		out = append(out, m)
	}
	return out
}

func (x *jsonIndex) term(i int) map[string]any {
	m := x.rec(tTerm, i)
	if ti, ok := x.pos["taxonomy"][x.d.TaxonomyTerms[i].TaxonomyID]; ok {
		m["taxonomy_detail"] = x.taxonomy(ti)
	}
	return m
}

func (x *jsonIndex) taxonomy(i int) map[string]any { return x.rec(tTax, i) }

// sal returns service at location i with its location nested.
func (x *jsonIndex) sal(i int) map[string]any {
	s := x.d.ServiceAtLocations[i]
	m := x.rec(tSAL, i)
	put(m, "phones", x.phones("service_at_location_id", s.ID))
	put(m, "schedules", x.children(tSchedule, "service_at_location_id", s.ID))
	put(m, "contacts", x.contacts("service_at_location_id", s.ID))
	if li, ok := x.pos["location"][s.LocationID]; ok {
		m["location"] = x.location(li)
	}
	return m
}

// salObject is service at location i as the HSDS API serves it: with its
// service and location, flat or in full.
func (x *jsonIndex) salObject(i int, shape Shape) map[string]any {
	s := x.d.ServiceAtLocations[i]
	if shape == Flat {
		m := x.flat(tSAL, i)
		if si, ok := x.pos["service"][s.ServiceID]; ok {
			m["service"] = x.flat(tService, si)
		}
		if li, ok := x.pos["location"][s.LocationID]; ok {
			m["location"] = x.flat(tLocation, li)
		}
		return m
	}
	m := x.sal(i)
	if si, ok := x.pos["service"][s.ServiceID]; ok {
		svc := x.service(si)
		delete(svc, "service_at_locations")
		m["service"] = svc
	}
	return m
}

func (x *jsonIndex) location(i int) map[string]any {
	id := x.d.Locations[i].ID
	m := x.rec(tLocation, i)
	put(m, "addresses", x.children(tAddress, "location_id", id))
	put(m, "phones", x.phones("location_id", id))
	put(m, "schedules", x.children(tSchedule, "location_id", id))
	put(m, "languages", x.children(tLang, "location_id", id))
	put(m, "contacts", x.contacts("location_id", id))
	put(m, "accessibility", x.children(tAccess, "location_id", id))
	return m
}

// unnested lists the locations that nest under no organization and no
// service at location, which the other files would otherwise drop.
func (x *jsonIndex) unnested() []any {
	atService := map[string]bool{}
	for _, s := range x.d.ServiceAtLocations {
		atService[s.LocationID] = true
	}
	var out []any
	for i, l := range x.d.Locations {
		if _, owned := x.pos["organization"][l.OrganizationID]; !owned && !atService[l.ID] {
			out = append(out, x.location(i))
		}
	}
	return out
}

func (x *jsonIndex) organization(i int) map[string]any {
	id := x.d.Organizations[i].ID
	m := x.rec(tOrg, i)
	put(m, "phones", x.phones("organization_id", id))
	var locs []any
	for _, li := range x.by["location.organization_id"][id] {
		locs = append(locs, x.location(li))
	}
	put(m, "locations", locs)
	put(m, "contacts", x.contacts("organization_id", id))
	put(m, "funding", x.children(tFunding, "organization_id", id))
	put(m, "programs", x.children(tProgram, "organization_id", id))
	put(m, "organization_identifiers", x.children(tIdentifier, "organization_id", id))
	return m
}

// orgObject is organization i as the HSDS API serves it: flat, or in
// full with its services (flat, or in full with FullServices).
func (x *jsonIndex) orgObject(i int, shape Shape) map[string]any {
	if shape == Flat {
		return x.flat(tOrg, i)
	}
	m := x.organization(i)
	var svcs []any
	for _, si := range x.by["service.organization_id"][x.d.Organizations[i].ID] {
		if shape == FullServices {
			s := x.service(si)
			delete(s, "organization")
			svcs = append(svcs, s)
		} else {
			svcs = append(svcs, x.flat(tService, si))
		}
	}
	put(m, "services", svcs)
	return m
}
