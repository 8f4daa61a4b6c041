package hsds

import (
	"encoding/json"
	"slices"
)

// Table shortcuts, by position in tables.
var (
	tOrg, tService, tLocation, tSAL        = tables[0], tables[1], tables[2], tables[3]
	tAddress, tPhone, tSchedule, tLang     = tables[4], tables[5], tables[6], tables[7]
	tArea, tCost, tDoc, tTax, tTerm, tAttr = tables[8], tables[9], tables[10], tables[11], tables[12], tables[13]
	tContact, tFunding, tProgram, tAccess  = tables[14], tables[15], tables[16], tables[17]
	tIdentifier, tMeta, tMetaTable         = tables[18], tables[19], tables[20]
)

// nested lists, by entity, the keys of an HSDS JSON object that hold
// related records rather than fields; every other key that is not a field
// is extra data, kept.
var nested = map[string][]string{
	"organization": {"funding", "contacts", "phones", "locations", "programs", "organization_identifiers", "attributes", "metadata", "services"},
	"service": {"phones", "schedules", "service_areas", "service_at_locations", "languages", "organization", "funding", "cost_options",
		"program", "required_documents", "contacts", "attributes", "metadata"},
	"service_at_location": {"contacts", "phones", "schedules", "location", "service", "attributes", "metadata"},
	"location":            {"languages", "addresses", "contacts", "accessibility", "phones", "schedules", "attributes", "metadata"},
	"phone":               {"languages", "attributes", "metadata"},
	"contact":             {"phones", "attributes", "metadata"},
	"attribute":           {"taxonomy_term", "metadata"},
	"taxonomy_term":       {"taxonomy_detail", "metadata"},
	"taxonomy":            {"metadata"},
	"metadata":            {},
}

func nestedKeys(entity string) []string {
	if k, ok := nested[entity]; ok {
		return k
	}
	return []string{"attributes", "metadata"}
}

// kinds are the top-level objects an HSDS JSON document may hold, each
// with the keys that only it has: the reader counts them to recognise an
// object's kind.
var kinds = []struct {
	name string
	keys []string
}{
	{"service", []string{"status", "service_at_locations", "organization", "program", "service_areas", "cost_options", "required_documents",
		"program_id", "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations",
		"eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified"}},
	{"service_at_location", []string{"location", "service", "service_id", "location_id"}},
	{"location", []string{"location_type", "addresses", "accessibility", "latitude", "longitude", "transportation", "external_identifier",
		"external_identifier_type"}},
	{"organization", []string{"locations", "programs", "funding", "organization_identifiers", "tax_status", "tax_id", "year_incorporated",
		"legal_status", "logo", "website", "parent_organization_id", "services"}},
	{"taxonomy_term", []string{"taxonomy_detail", "taxonomy_id", "parent_id", "term_uri", "code", "taxonomy", "language"}},
	{"taxonomy", []string{"version"}},
}

// kindOf recognises the kind of a top-level HSDS object by the keys only
// that kind has; "" when several kinds claim it equally, "?" when none
// does (an organization or a taxonomy: id, name, description, uri).
func kindOf(m map[string]any) string {
	best, bestN, tie := "", 0, false
	for _, k := range kinds {
		n := 0
		for _, key := range k.keys {
			if _, ok := m[key]; ok {
				n++
			}
		}
		switch {
		case n > bestN:
			best, bestN, tie = k.name, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	if tie {
		return ""
	}
	if best == "" {
		return "?"
	}
	return best
}

// KnownKind reports whether kind is one ReadJSON reads (Options.Kind).
func KnownKind(kind string) bool {
	for _, k := range kinds {
		if k.name == kind {
			return true
		}
	}
	return false
}

func (j *jsonReader) topLevel(v any, path string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	kind := j.o.Kind
	if kind == "" {
		kind = kindOf(m)
	}
	if kind == "?" {
		// Only the fields an organization and a taxonomy share: an
		// organization is what most feeds send, but say so.
		j.rep.add(Warning, j.file, j.row, path, "has only the fields organizations and taxonomies share; read as an organization (name the kind to read it as a taxonomy)")
		kind = "organization"
	}
	switch kind {
	case "service":
		j.service(m, path, "")
	case "service_at_location":
		j.serviceAtLocation(m, path, "")
	case "location":
		j.location(m, path, "")
	case "organization":
		j.organization(m, path)
	case "taxonomy_term":
		j.term(m, path)
	case "taxonomy":
		j.taxonomy(m, path)
	default:
		j.rep.add(Error, j.file, j.row, path, "cannot tell which kind of HSDS object this is (its keys fit several)")
	}
}

func (j *jsonReader) organization(v any, path string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	id := j.record(tOrg, m, path, link())
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "organization_id", id) })
	j.array(m, "locations", path, func(v any, p string) { j.location(v, p, id) })
	j.array(m, "services", path, func(v any, p string) { j.service(v, p, id) })
	j.array(m, "contacts", path, func(v any, p string) { j.contact(v, p, "organization_id", id) })
	j.array(m, "funding", path, func(v any, p string) { j.child(tFunding, v, p, "organization_id", id) })
	j.array(m, "programs", path, func(v any, p string) { j.child(tProgram, v, p, "organization_id", id) })
	j.array(m, "organization_identifiers", path, func(v any, p string) { j.child(tIdentifier, v, p, "organization_id", id) })
	j.related(m, path, "organization", id)
}

func (j *jsonReader) serviceTop(v any, path string) { j.service(v, path, "") }

func (j *jsonReader) service(v any, path, orgID string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	if org, ok := m["organization"].(map[string]any); ok && org != nil {
		if oid, _ := org["id"].(string); oid != "" {
			orgID = oid
			j.organization(org, path+".organization")
		}
	}
	programID := ""
	if prog, ok := m["program"].(map[string]any); ok && prog != nil {
		programID = j.record(tProgram, prog, path+".program", link("organization_id", orgID))
		j.related(prog, path+".program", "program", programID)
	}
	id := j.record(tService, m, path, link("organization_id", orgID, "program_id", programID))
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "service_id", id) })
	j.array(m, "schedules", path, func(v any, p string) { j.child(tSchedule, v, p, "service_id", id) })
	j.array(m, "service_areas", path, func(v any, p string) { j.child(tArea, v, p, "service_id", id) })
	j.array(m, "languages", path, func(v any, p string) { j.child(tLang, v, p, "service_id", id) })
	j.array(m, "cost_options", path, func(v any, p string) { j.child(tCost, v, p, "service_id", id) })
	j.array(m, "required_documents", path, func(v any, p string) { j.child(tDoc, v, p, "service_id", id) })
	j.array(m, "funding", path, func(v any, p string) { j.child(tFunding, v, p, "service_id", id) })
	j.array(m, "contacts", path, func(v any, p string) { j.contact(v, p, "service_id", id) })
	j.array(m, "service_at_locations", path, func(v any, p string) { j.serviceAtLocation(v, p, id) })
	j.related(m, path, "service", id)
}

func (j *jsonReader) serviceAtLocation(v any, path, serviceID string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	if svc, ok := m["service"].(map[string]any); ok && svc != nil && serviceID == "" {
		serviceID, _ = svc["id"].(string)
		j.service(svc, path+".service", "")
	}
	locID := ""
	if loc, ok := m["location"].(map[string]any); ok && loc != nil {
		locID = j.location(loc, path+".location", "")
	}
	id := j.record(tSAL, m, path, link("service_id", serviceID, "location_id", locID))
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "service_at_location_id", id) })
	j.array(m, "schedules", path, func(v any, p string) { j.child(tSchedule, v, p, "service_at_location_id", id) })
	j.array(m, "contacts", path, func(v any, p string) { j.contact(v, p, "service_at_location_id", id) })
	j.related(m, path, "service_at_location", id)
}

func (j *jsonReader) location(v any, path, orgID string) string {
	m, ok := j.object(v, path)
	if !ok {
		return ""
	}
	id := j.record(tLocation, m, path, link("organization_id", orgID))
	j.array(m, "addresses", path, func(v any, p string) { j.child(tAddress, v, p, "location_id", id) })
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "location_id", id) })
	j.array(m, "schedules", path, func(v any, p string) { j.child(tSchedule, v, p, "location_id", id) })
	j.array(m, "languages", path, func(v any, p string) { j.child(tLang, v, p, "location_id", id) })
	j.array(m, "contacts", path, func(v any, p string) { j.contact(v, p, "location_id", id) })
	j.array(m, "accessibility", path, func(v any, p string) { j.child(tAccess, v, p, "location_id", id) })
	j.related(m, path, "location", id)
	return id
}

func (j *jsonReader) phone(v any, path, ownerField, ownerID string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	id := j.record(tPhone, m, path, link(ownerField, ownerID))
	j.array(m, "languages", path, func(v any, p string) { j.child(tLang, v, p, "phone_id", id) })
	j.related(m, path, "phone", id)
}

func (j *jsonReader) contact(v any, path, ownerField, ownerID string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	id := j.record(tContact, m, path, link(ownerField, ownerID))
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "contact_id", id) })
	j.related(m, path, "contact", id)
}

func (j *jsonReader) child(t table, v any, path, ownerField, ownerID string) {
	if m, ok := j.object(v, path); ok {
		id := j.record(t, m, path, link(ownerField, ownerID))
		j.related(m, path, t.entity(), id)
	}
}

// related reads the attributes and metadata nested in m, which describe
// the record id of entity.
func (j *jsonReader) related(m map[string]any, path, entity, id string) {
	j.array(m, "attributes", path, func(v any, p string) {
		a, ok := j.object(v, p)
		if !ok {
			return
		}
		termID := ""
		if t, ok := a["taxonomy_term"].(map[string]any); ok && t != nil {
			termID = j.term(t, p+".taxonomy_term")
		}
		aid := j.record(tAttr, a, p, link("link_id", id, "link_entity", entity, "taxonomy_term_id", termID))
		j.metadata(a, p, "attribute", aid)
	})
	j.metadata(m, path, entity, id)
}

func (j *jsonReader) metadata(m map[string]any, path, entity, id string) {
	j.array(m, "metadata", path, func(v any, p string) {
		if md, ok := j.object(v, p); ok {
			j.record(tMeta, md, p, link("resource_id", id, "resource_type", entity))
		}
	})
}

// term reads a taxonomy term (and its nested taxonomy_detail).
func (j *jsonReader) term(v any, path string) string {
	m, ok := j.object(v, path)
	if !ok {
		return ""
	}
	taxID := ""
	if t, ok := m["taxonomy_detail"].(map[string]any); ok && t != nil {
		taxID = j.taxonomy(t, path+".taxonomy_detail")
	}
	id := j.record(tTerm, m, path, link("taxonomy_id", taxID))
	j.metadata(m, path, "taxonomy_term", id)
	return id
}

func (j *jsonReader) taxonomy(v any, path string) string {
	m, ok := j.object(v, path)
	if !ok {
		return ""
	}
	id := j.record(tTax, m, path, link())
	j.metadata(m, path, "taxonomy", id)
	return id
}

// extras keeps the keys of m that are neither t's fields nor its nested
// records as the record's extra data.
func (j *jsonReader) extras(t table, m map[string]any, path string) {
	known := nestedKeys(t.entity())
	cols := t.columns()
	for k, v := range m {
		if slices.Contains(cols, k) || slices.Contains(known, k) {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil || len(b) > j.o.maxField() {
			j.rep.add(Error, j.file, j.row, path+"."+k, "extra value is not JSON of at most %d bytes", j.o.maxField())
			continue
		}
		setExtra(t.extra(j.d, t.len(j.d)-1), k, b)
	}
}
