package hsds

// Table shortcuts, by position in tables.
var (
	tOrg, tService, tLocation, tSAL        = tables[0], tables[1], tables[2], tables[3]
	tAddress, tPhone, tSchedule, tLang     = tables[4], tables[5], tables[6], tables[7]
	tArea, tCost, tDoc, tTax, tTerm, tAttr = tables[8], tables[9], tables[10], tables[11], tables[12], tables[13]
)

func (j *jsonReader) organization(v any, path string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	id := j.record(tOrg, m, path, link())
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "organization_id", id) })
	j.array(m, "locations", path, func(v any, p string) { j.location(v, p, id) })
	j.array(m, "services", path, func(v any, p string) { j.service(v, p, id) })
	j.attributes(m, path, "organization", id)
	j.ignore(m, path, "funding", "contacts", "programs", "organization_identifiers", "metadata")
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
	id := j.record(tService, m, path, link("organization_id", orgID))
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "service_id", id) })
	j.array(m, "schedules", path, func(v any, p string) { j.child(tSchedule, v, p, "service_id", id) })
	j.array(m, "service_areas", path, func(v any, p string) { j.child(tArea, v, p, "service_id", id) })
	j.array(m, "languages", path, func(v any, p string) { j.child(tLang, v, p, "service_id", id) })
	j.array(m, "cost_options", path, func(v any, p string) { j.child(tCost, v, p, "service_id", id) })
	j.array(m, "required_documents", path, func(v any, p string) { j.child(tDoc, v, p, "service_id", id) })
	j.array(m, "service_at_locations", path, func(v any, p string) { j.serviceAtLocation(v, p, id) })
	j.attributes(m, path, "service", id)
	j.ignore(m, path, "funding", "contacts", "program", "metadata")
}

func (j *jsonReader) serviceAtLocation(v any, path, serviceID string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	locID := ""
	if loc, ok := m["location"].(map[string]any); ok && loc != nil {
		locID = j.location(loc, path+".location", "")
	}
	id := j.record(tSAL, m, path, link("service_id", serviceID, "location_id", locID))
	j.array(m, "phones", path, func(v any, p string) { j.phone(v, p, "service_at_location_id", id) })
	j.array(m, "schedules", path, func(v any, p string) { j.child(tSchedule, v, p, "service_at_location_id", id) })
	j.attributes(m, path, "service_at_location", id)
	j.ignore(m, path, "contacts", "metadata")
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
	j.attributes(m, path, "location", id)
	j.ignore(m, path, "contacts", "accessibility", "metadata")
	return id
}

func (j *jsonReader) phone(v any, path, ownerField, ownerID string) {
	m, ok := j.object(v, path)
	if !ok {
		return
	}
	id := j.record(tPhone, m, path, link(ownerField, ownerID))
	j.array(m, "languages", path, func(v any, p string) { j.child(tLang, v, p, "phone_id", id) })
	j.attributes(m, path, "phone", id)
	j.ignore(m, path, "metadata")
}

func (j *jsonReader) child(t table, v any, path, ownerField, ownerID string) {
	if m, ok := j.object(v, path); ok {
		id := j.record(t, m, path, link(ownerField, ownerID))
		j.attributes(m, path, t.entity(), id)
		j.ignore(m, path, "metadata")
	}
}

func (j *jsonReader) attributes(m map[string]any, path, entity, linkID string) {
	j.array(m, "attributes", path, func(v any, p string) {
		a, ok := j.object(v, p)
		if !ok {
			return
		}
		termID := ""
		if t, ok := a["taxonomy_term"].(map[string]any); ok && t != nil {
			termID = j.term(t, p+".taxonomy_term")
		}
		j.record(tAttr, a, p, link("link_id", linkID, "link_entity", entity, "taxonomy_term_id", termID))
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
		taxID = j.record(tTax, t, path+".taxonomy_detail", link())
	}
	return j.record(tTerm, m, path, link("taxonomy_id", taxID))
}

func (j *jsonReader) taxonomy(v any, path string) {
	if m, ok := j.object(v, path); ok {
		j.record(tTax, m, path, link())
	}
}
