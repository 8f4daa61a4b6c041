package hsds

import (
	"slices"
	"time"

	"github.com/haven-care/haven"
)

// validate checks what single fields cannot: unique IDs, references
// between records, coded values and coordinates.
//
// Errors refuse the import: a duplicate ID, a value outside an HSDS code
// list, a link that makes a record meaningless (a service at a location
// that is not there; an address, phone, schedule, language, cost option,
// required document or service area whose owner is missing).
// Warnings may be accepted: coordinates off the Earth (kept as given, but
// the location is not placed on the map or matched by distance), a
// reference to an organization, parent taxonomy term or taxonomy that is
// not in the package, an attribute or metadata record about a record that
// is not in it, and a contact, funding, program or identifier whose owner
// is not in it.
func validate(d *haven.Directory, rep *Report) {
	ids := collectIDs(d, rep)
	checkOrganizations(d, ids, rep)
	checkServices(d, ids, rep)
	checkLocations(d, ids, rep)
	checkChildren(d, ids, rep)
	checkTaxonomy(d, ids, rep)
	checkPeople(d, ids, rep)
}

// idSet holds the IDs of each table by CSV file name.
type idSet map[string]map[string]bool

func (s idSet) has(file, id string) bool { return id == "" || s[file][id] }

func collectIDs(d *haven.Directory, rep *Report) idSet {
	ids := idSet{}
	for _, t := range tables {
		seen := map[string]bool{}
		for i := range t.len(d) {
			id := *t.row(d, i)[0].str
			if seen[id] {
				rep.add(Error, t.file(), i+1, "id", "duplicate id %s", id)
			}
			seen[id] = true
		}
		ids[t.file()] = seen
	}
	return ids
}

func dangling(rep *Report, sev Severity, file string, row int, field, target, id string) {
	rep.add(sev, file, row, field, "refers to %s %s, which is not in the data", target, id)
}

// refChecker returns a check that reports, with severity sev, a
// reference id into table (a CSV file name) that is not in the data.
func refChecker(ids idSet, rep *Report, sev Severity) func(file string, row int, field, table, target, id string) {
	return func(file string, row int, field, table, target, id string) {
		if !ids.has(table, id) {
			dangling(rep, sev, file, row, field, target, id)
		}
	}
}

func checkOrganizations(d *haven.Directory, ids idSet, rep *Report) {
	for i, o := range d.Organizations {
		if !ids.has("organizations.csv", o.ParentOrganizationID) {
			dangling(rep, Warning, "organizations.csv", i+1, "parent_organization_id", "organization", o.ParentOrganizationID)
		}
	}
}

func checkServices(d *haven.Directory, ids idSet, rep *Report) {
	for i, s := range d.Services {
		if !ids.has("organizations.csv", s.OrganizationID) {
			dangling(rep, Warning, "services.csv", i+1, "organization_id", "organization", s.OrganizationID)
		}
		if !slices.Contains([]string{"active", "inactive", "defunct", "temporarily closed"}, s.Status) {
			rep.add(Error, "services.csv", i+1, "status", "%q is not one of active, inactive, defunct, temporarily closed", truncate(s.Status))
		}
		if s.LastModified != "" {
			if _, err := time.Parse(time.RFC3339, s.LastModified); err != nil {
				rep.add(Error, "services.csv", i+1, "last_modified", "%q is not an RFC 3339 date-time", truncate(s.LastModified))
			}
		}
		if s.MinimumAge != nil && s.MaximumAge != nil && *s.MinimumAge > *s.MaximumAge {
			rep.add(Error, "services.csv", i+1, "minimum_age", "minimum_age is above maximum_age")
		}
	}
	for i, v := range d.ServiceAtLocations {
		if !ids.has("services.csv", v.ServiceID) {
			dangling(rep, Error, "service_at_location.csv", i+1, "service_id", "service", v.ServiceID)
		}
		if !ids.has("locations.csv", v.LocationID) {
			dangling(rep, Error, "service_at_location.csv", i+1, "location_id", "location", v.LocationID)
		}
	}
}

func checkLocations(d *haven.Directory, ids idSet, rep *Report) {
	for i, l := range d.Locations {
		if !ids.has("organizations.csv", l.OrganizationID) {
			dangling(rep, Warning, "locations.csv", i+1, "organization_id", "organization", l.OrganizationID)
		}
		if !slices.Contains([]string{"physical", "postal", "virtual"}, l.LocationType) {
			rep.add(Error, "locations.csv", i+1, "location_type", "%q is not one of physical, postal, virtual", truncate(l.LocationType))
		}
		switch {
		case (l.Latitude == nil) != (l.Longitude == nil):
			rep.add(Warning, "locations.csv", i+1, "latitude", "latitude and longitude must be given together; the location will not be placed")
		case l.Latitude != nil && (*l.Latitude < -90 || *l.Latitude > 90):
			rep.add(Warning, "locations.csv", i+1, "latitude", "%v is not a latitude; the location will not be placed", *l.Latitude)
		case l.Longitude != nil && (*l.Longitude < -180 || *l.Longitude > 180):
			rep.add(Warning, "locations.csv", i+1, "longitude", "%v is not a longitude; the location will not be placed", *l.Longitude)
		}
	}
	for i, a := range d.Addresses {
		if !ids.has("locations.csv", a.LocationID) {
			dangling(rep, Error, "addresses.csv", i+1, "location_id", "location", a.LocationID)
		}
	}
}

// checkChildren checks the owners of the records that belong to a service,
// location or service-at-location.
func checkChildren(d *haven.Directory, ids idSet, rep *Report) {
	owner := refChecker(ids, rep, Error)
	for i, p := range d.Phones {
		owner("phones.csv", i+1, "service_id", "services.csv", "service", p.ServiceID)
		owner("phones.csv", i+1, "location_id", "locations.csv", "location", p.LocationID)
		owner("phones.csv", i+1, "service_at_location_id", "service_at_location.csv", "service at location", p.ServiceAtLocationID)
		if !ids.has("organizations.csv", p.OrganizationID) {
			dangling(rep, Warning, "phones.csv", i+1, "organization_id", "organization", p.OrganizationID)
		}
	}
	for i, s := range d.Schedules {
		owner("schedules.csv", i+1, "service_id", "services.csv", "service", s.ServiceID)
		owner("schedules.csv", i+1, "location_id", "locations.csv", "location", s.LocationID)
		owner("schedules.csv", i+1, "service_at_location_id", "service_at_location.csv", "service at location", s.ServiceAtLocationID)
	}
	for i, l := range d.Languages {
		owner("languages.csv", i+1, "service_id", "services.csv", "service", l.ServiceID)
		owner("languages.csv", i+1, "location_id", "locations.csv", "location", l.LocationID)
		owner("languages.csv", i+1, "phone_id", "phones.csv", "phone", l.PhoneID)
	}
	for i, a := range d.ServiceAreas {
		owner("service_areas.csv", i+1, "service_id", "services.csv", "service", a.ServiceID)
	}
	for i, c := range d.CostOptions {
		owner("cost_options.csv", i+1, "service_id", "services.csv", "service", c.ServiceID)
	}
	for i, r := range d.RequiredDocuments {
		owner("required_documents.csv", i+1, "service_id", "services.csv", "service", r.ServiceID)
	}
}

func checkTaxonomy(d *haven.Directory, ids idSet, rep *Report) {
	for i, t := range d.TaxonomyTerms {
		if !ids.has("taxonomy_terms.csv", t.ParentID) {
			dangling(rep, Warning, "taxonomy_terms.csv", i+1, "parent_id", "taxonomy term", t.ParentID)
		}
		if !ids.has("taxonomies.csv", t.TaxonomyID) {
			dangling(rep, Warning, "taxonomy_terms.csv", i+1, "taxonomy_id", "taxonomy", t.TaxonomyID)
		}
	}
	for i, a := range d.Attributes {
		if !ids.has("taxonomy_terms.csv", a.TaxonomyTermID) && !isExtensionTerm(a.TaxonomyTermID) {
			dangling(rep, Warning, "attributes.csv", i+1, "taxonomy_term_id", "taxonomy term", a.TaxonomyTermID)
		}
		if !anyHas(ids, a.LinkID) {
			dangling(rep, Warning, "attributes.csv", i+1, "link_id", "record", a.LinkID)
		}
	}
}

func anyHas(ids idSet, id string) bool {
	for _, m := range ids {
		if m[id] {
			return true
		}
	}
	return false
}

// checkPeople checks the references of contacts, funding, programs,
// accessibility, organization identifiers and metadata.
func checkPeople(d *haven.Directory, ids idSet, rep *Report) {
	warn := refChecker(ids, rep, Warning)
	for i, c := range d.Contacts {
		warn("contacts.csv", i+1, "organization_id", "organizations.csv", "organization", c.OrganizationID)
		warn("contacts.csv", i+1, "service_id", "services.csv", "service", c.ServiceID)
		warn("contacts.csv", i+1, "service_at_location_id", "service_at_location.csv", "service at location", c.ServiceAtLocationID)
		warn("contacts.csv", i+1, "location_id", "locations.csv", "location", c.LocationID)
	}
	for i, p := range d.Phones {
		warn("phones.csv", i+1, "contact_id", "contacts.csv", "contact", p.ContactID)
	}
	for i, s := range d.Services {
		warn("services.csv", i+1, "program_id", "programs.csv", "program", s.ProgramID)
	}
	for i, f := range d.Funding {
		warn("funding.csv", i+1, "organization_id", "organizations.csv", "organization", f.OrganizationID)
		warn("funding.csv", i+1, "service_id", "services.csv", "service", f.ServiceID)
	}
	for i, p := range d.Programs {
		warn("programs.csv", i+1, "organization_id", "organizations.csv", "organization", p.OrganizationID)
	}
	for i, o := range d.OrgIdentifiers {
		warn("organization_identifiers.csv", i+1, "organization_id", "organizations.csv", "organization", o.OrganizationID)
	}
	for i, a := range d.Accessibility {
		if !ids.has("locations.csv", a.LocationID) {
			dangling(rep, Error, "accessibility.csv", i+1, "location_id", "location", a.LocationID)
		}
	}
	for i, m := range d.Metadata {
		if m.ResourceID != "" && !anyHas(ids, m.ResourceID) {
			dangling(rep, Warning, "metadata.csv", i+1, "resource_id", "record", m.ResourceID)
		}
	}
}
