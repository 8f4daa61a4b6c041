// Package hsds reads and writes the Open Referral Human Services Data
// Specification 3.0 (https://openreferral.org/): the tabular data package
// (datapackage.json and CSV files) and the JSON form, with validation that
// refuses bad data all-or-nothing and reports the file, row and field of
// each problem.
package hsds

import (
	"github.com/haven-care/haven"
)

// field binds one HSDS column to the Go value that holds it.
type field struct {
	name     string
	str      *string
	num      **float64
	required bool
	uuid     bool // the value must be a UUID
}

func s(name string, p *string) field   { return field{name: name, str: p} }
func req(name string, p *string) field { return field{name: name, str: p, required: true} }
func id(p *string) field               { return field{name: "id", str: p, required: true, uuid: true} }
func ref(name string, p *string) field { return field{name: name, str: p, uuid: true} }
func n(name string, p **float64) field { return field{name: name, num: p} }
func reqRef(name string, p *string) field {
	return field{name: name, str: p, uuid: true, required: true}
}

// table is one HSDS table that Haven supports.
type table interface {
	file() string   // CSV file name, e.g. "services.csv"
	entity() string // HSDS schema name, e.g. "service"
	columns() []string
	len(d *haven.Directory) int
	row(d *haven.Directory, i int) []field // fields of the i-th record
	add(d *haven.Directory) []field        // appends a zero record, returns its fields
	truncate(d *haven.Directory, n int)    // keeps the first n records
	extra(d *haven.Directory, i int) *haven.Extra
	copyTo(dst, src *haven.Directory, i int) // appends src's i-th record to dst
}

type spec[T any] struct {
	csv, name string
	fields    func(*T) []field
	list      func(*haven.Directory) *[]T
	ex        func(*T) *haven.Extra
}

func (t spec[T]) extra(d *haven.Directory, i int) *haven.Extra { return t.ex(&(*t.list(d))[i]) }

func (t spec[T]) copyTo(dst, src *haven.Directory, i int) {
	*t.list(dst) = append(*t.list(dst), (*t.list(src))[i])
}

// Merge returns one directory with the records of every d, each ID once
// per table (the first met): a page's records and the records of what it
// nests, read apart.
func Merge(ds ...*haven.Directory) *haven.Directory {
	out := &haven.Directory{}
	for _, t := range tables {
		seen := map[string]bool{}
		for _, d := range ds {
			for i := range t.len(d) {
				if id := *t.row(d, i)[0].str; !seen[id] {
					seen[id] = true
					t.copyTo(out, d, i)
				}
			}
		}
	}
	return out
}

func (t spec[T]) file() string                          { return t.csv }
func (t spec[T]) entity() string                        { return t.name }
func (t spec[T]) len(d *haven.Directory) int            { return len(*t.list(d)) }
func (t spec[T]) row(d *haven.Directory, i int) []field { return t.fields(&(*t.list(d))[i]) }

func (t spec[T]) add(d *haven.Directory) []field {
	l := t.list(d)
	*l = append(*l, *new(T))
	return t.fields(&(*l)[len(*l)-1])
}

func (t spec[T]) columns() []string {
	var out []string
	for _, f := range t.fields(new(T)) {
		out = append(out, f.name)
	}
	return out
}

// tables lists the supported tables in load order (owners before the
// records that point at them).
var tables = []table{
	spec[haven.Organization]{"organizations.csv", "organization", orgFields, func(d *haven.Directory) *[]haven.Organization { return &d.Organizations }, func(v *haven.Organization) *haven.Extra { return &v.Extra }},
	spec[haven.Service]{"services.csv", "service", serviceFields, func(d *haven.Directory) *[]haven.Service { return &d.Services }, func(v *haven.Service) *haven.Extra { return &v.Extra }},
	spec[haven.Location]{"locations.csv", "location", locationFields, func(d *haven.Directory) *[]haven.Location { return &d.Locations }, func(v *haven.Location) *haven.Extra { return &v.Extra }},
	spec[haven.ServiceAtLocation]{"service_at_location.csv", "service_at_location", salFields, func(d *haven.Directory) *[]haven.ServiceAtLocation { return &d.ServiceAtLocations }, func(v *haven.ServiceAtLocation) *haven.Extra { return &v.Extra }},
	spec[haven.Address]{"addresses.csv", "address", addressFields, func(d *haven.Directory) *[]haven.Address { return &d.Addresses }, func(v *haven.Address) *haven.Extra { return &v.Extra }},
	spec[haven.Phone]{"phones.csv", "phone", phoneFields, func(d *haven.Directory) *[]haven.Phone { return &d.Phones }, func(v *haven.Phone) *haven.Extra { return &v.Extra }},
	spec[haven.Schedule]{"schedules.csv", "schedule", scheduleFields, func(d *haven.Directory) *[]haven.Schedule { return &d.Schedules }, func(v *haven.Schedule) *haven.Extra { return &v.Extra }},
	spec[haven.Language]{"languages.csv", "language", languageFields, func(d *haven.Directory) *[]haven.Language { return &d.Languages }, func(v *haven.Language) *haven.Extra { return &v.Extra }},
	spec[haven.ServiceArea]{"service_areas.csv", "service_area", areaFields, func(d *haven.Directory) *[]haven.ServiceArea { return &d.ServiceAreas }, func(v *haven.ServiceArea) *haven.Extra { return &v.Extra }},
	spec[haven.CostOption]{"cost_options.csv", "cost_option", costFields, func(d *haven.Directory) *[]haven.CostOption { return &d.CostOptions }, func(v *haven.CostOption) *haven.Extra { return &v.Extra }},
	spec[haven.RequiredDocument]{"required_documents.csv", "required_document", docFields, func(d *haven.Directory) *[]haven.RequiredDocument { return &d.RequiredDocuments }, func(v *haven.RequiredDocument) *haven.Extra { return &v.Extra }},
	spec[haven.Taxonomy]{"taxonomies.csv", "taxonomy", taxonomyFields, func(d *haven.Directory) *[]haven.Taxonomy { return &d.Taxonomies }, func(v *haven.Taxonomy) *haven.Extra { return &v.Extra }},
	spec[haven.TaxonomyTerm]{"taxonomy_terms.csv", "taxonomy_term", termFields, func(d *haven.Directory) *[]haven.TaxonomyTerm { return &d.TaxonomyTerms }, func(v *haven.TaxonomyTerm) *haven.Extra { return &v.Extra }},
	spec[haven.Attribute]{"attributes.csv", "attribute", attributeFields, func(d *haven.Directory) *[]haven.Attribute { return &d.Attributes }, func(v *haven.Attribute) *haven.Extra { return &v.Extra }},
	spec[haven.DirectoryContact]{"contacts.csv", "contact", contactFields, func(d *haven.Directory) *[]haven.DirectoryContact { return &d.Contacts }, func(v *haven.DirectoryContact) *haven.Extra { return &v.Extra }},
	spec[haven.Funding]{"funding.csv", "funding", fundingFields, func(d *haven.Directory) *[]haven.Funding { return &d.Funding }, func(v *haven.Funding) *haven.Extra { return &v.Extra }},
	spec[haven.Program]{"programs.csv", "program", programFields, func(d *haven.Directory) *[]haven.Program { return &d.Programs }, func(v *haven.Program) *haven.Extra { return &v.Extra }},
	spec[haven.Accessibility]{"accessibility.csv", "accessibility", accessibilityFields, func(d *haven.Directory) *[]haven.Accessibility { return &d.Accessibility }, func(v *haven.Accessibility) *haven.Extra { return &v.Extra }},
	spec[haven.OrganizationIdentifier]{"organization_identifiers.csv", "organization_identifier", identifierFields, func(d *haven.Directory) *[]haven.OrganizationIdentifier { return &d.OrgIdentifiers }, func(v *haven.OrganizationIdentifier) *haven.Extra { return &v.Extra }},
	spec[haven.Metadata]{"metadata.csv", "metadata", metadataFields, func(d *haven.Directory) *[]haven.Metadata { return &d.Metadata }, func(v *haven.Metadata) *haven.Extra { return &v.Extra }},
	spec[haven.MetaTableDescription]{"meta_table_descriptions.csv", "meta_table_description", metaTableFields, func(d *haven.Directory) *[]haven.MetaTableDescription { return &d.MetaTables }, func(v *haven.MetaTableDescription) *haven.Extra { return &v.Extra }},
}

func orgFields(o *haven.Organization) []field {
	return []field{id(&o.ID), req("name", &o.Name), s("alternate_name", &o.AlternateName), req("description", &o.Description),
		s("email", &o.Email), s("website", &o.Website), s("tax_status", &o.TaxStatus), s("tax_id", &o.TaxID),
		n("year_incorporated", &o.YearIncorporated), s("legal_status", &o.LegalStatus), s("logo", &o.Logo), s("uri", &o.URI),
		ref("parent_organization_id", &o.ParentOrganizationID)}
}

func serviceFields(v *haven.Service) []field {
	return []field{id(&v.ID), ref("organization_id", &v.OrganizationID), ref("program_id", &v.ProgramID), req("name", &v.Name),
		s("alternate_name", &v.AlternateName), s("description", &v.Description), s("url", &v.URL), s("email", &v.Email),
		req("status", &v.Status), s("interpretation_services", &v.InterpretationServices), s("application_process", &v.ApplicationProcess),
		s("fees_description", &v.FeesDescription), s("wait_time", &v.WaitTime), s("fees", &v.Fees), s("accreditations", &v.Accreditations),
		s("eligibility_description", &v.EligibilityDescription), n("minimum_age", &v.MinimumAge), n("maximum_age", &v.MaximumAge),
		s("assured_date", &v.AssuredDate), s("assurer_email", &v.AssurerEmail), s("licenses", &v.Licenses), s("alert", &v.Alert),
		s("last_modified", &v.LastModified)}
}

func locationFields(l *haven.Location) []field {
	return []field{id(&l.ID), req("location_type", &l.LocationType), s("url", &l.URL), ref("organization_id", &l.OrganizationID),
		s("name", &l.Name), s("alternate_name", &l.AlternateName), s("description", &l.Description), s("transportation", &l.Transportation),
		n("latitude", &l.Latitude), n("longitude", &l.Longitude), s("external_identifier", &l.ExternalIdentifier),
		s("external_identifier_type", &l.ExternalIdentifierType)}
}

func salFields(v *haven.ServiceAtLocation) []field {
	return []field{id(&v.ID), reqRef("service_id", &v.ServiceID), reqRef("location_id", &v.LocationID), s("description", &v.Description)}
}

func addressFields(a *haven.Address) []field {
	return []field{id(&a.ID), reqRef("location_id", &a.LocationID), s("attention", &a.Attention), req("address_1", &a.Address1),
		s("address_2", &a.Address2), req("city", &a.City), s("region", &a.Region), req("state_province", &a.StateProvince),
		req("postal_code", &a.PostalCode), req("country", &a.Country), req("address_type", &a.AddressType)}
}

func phoneFields(p *haven.Phone) []field {
	return []field{id(&p.ID), ref("location_id", &p.LocationID), ref("service_id", &p.ServiceID), ref("organization_id", &p.OrganizationID),
		ref("contact_id", &p.ContactID), ref("service_at_location_id", &p.ServiceAtLocationID), req("number", &p.Number),
		n("extension", &p.Extension), s("type", &p.Type), s("description", &p.Description)}
}

func scheduleFields(v *haven.Schedule) []field {
	return []field{id(&v.ID), ref("service_id", &v.ServiceID), ref("location_id", &v.LocationID), ref("service_at_location_id", &v.ServiceAtLocationID),
		s("valid_from", &v.ValidFrom), s("valid_to", &v.ValidTo), s("dtstart", &v.DTStart), n("timezone", &v.Timezone), s("until", &v.Until),
		n("count", &v.Count), s("wkst", &v.WKST), s("freq", &v.Freq), n("interval", &v.Interval), s("byday", &v.ByDay),
		s("byweekno", &v.ByWeekNo), s("bymonthday", &v.ByMonthDay), s("byyearday", &v.ByYearDay), s("description", &v.Description),
		s("opens_at", &v.OpensAt), s("closes_at", &v.ClosesAt), s("schedule_link", &v.ScheduleLink), s("attending_type", &v.AttendingType),
		s("notes", &v.Notes)}
}

func languageFields(l *haven.Language) []field {
	return []field{id(&l.ID), ref("service_id", &l.ServiceID), ref("location_id", &l.LocationID), ref("phone_id", &l.PhoneID),
		s("name", &l.Name), s("code", &l.Code), s("note", &l.Note)}
}

func areaFields(a *haven.ServiceArea) []field {
	return []field{id(&a.ID), ref("service_id", &a.ServiceID), s("name", &a.Name), s("description", &a.Description),
		s("extent", &a.Extent), s("extent_type", &a.ExtentType), s("uri", &a.URI)}
}

func costFields(c *haven.CostOption) []field {
	return []field{id(&c.ID), reqRef("service_id", &c.ServiceID), s("valid_from", &c.ValidFrom), s("valid_to", &c.ValidTo),
		s("option", &c.Option), s("currency", &c.Currency), n("amount", &c.Amount), s("amount_description", &c.AmountDescription)}
}

func docFields(r *haven.RequiredDocument) []field {
	return []field{id(&r.ID), reqRef("service_id", &r.ServiceID), s("document", &r.Document), s("uri", &r.URI)}
}

func taxonomyFields(t *haven.Taxonomy) []field {
	return []field{id(&t.ID), req("name", &t.Name), req("description", &t.Description), s("uri", &t.URI), s("version", &t.Version)}
}

func termFields(t *haven.TaxonomyTerm) []field {
	return []field{id(&t.ID), s("code", &t.Code), req("name", &t.Name), req("description", &t.Description), ref("parent_id", &t.ParentID),
		s("taxonomy", &t.Taxonomy), s("language", &t.Language), ref("taxonomy_id", &t.TaxonomyID), s("term_uri", &t.TermURI)}
}

func attributeFields(a *haven.Attribute) []field {
	return []field{id(&a.ID), reqRef("link_id", &a.LinkID), reqRef("taxonomy_term_id", &a.TaxonomyTermID), s("link_type", &a.LinkType),
		s("link_entity", &a.LinkEntity), s("value", &a.Value)}
}

func contactFields(c *haven.DirectoryContact) []field {
	return []field{id(&c.ID), ref("organization_id", &c.OrganizationID), ref("service_id", &c.ServiceID),
		ref("service_at_location_id", &c.ServiceAtLocationID), ref("location_id", &c.LocationID), s("name", &c.Name),
		s("title", &c.Title), s("department", &c.Department), s("email", &c.Email)}
}

func fundingFields(f *haven.Funding) []field {
	return []field{id(&f.ID), ref("organization_id", &f.OrganizationID), ref("service_id", &f.ServiceID), s("source", &f.Source)}
}

func programFields(p *haven.Program) []field {
	return []field{id(&p.ID), ref("organization_id", &p.OrganizationID), req("name", &p.Name), s("alternate_name", &p.AlternateName),
		req("description", &p.Description)}
}

func accessibilityFields(a *haven.Accessibility) []field {
	return []field{id(&a.ID), ref("location_id", &a.LocationID), s("description", &a.Description), s("details", &a.Details), s("url", &a.URL)}
}

func identifierFields(o *haven.OrganizationIdentifier) []field {
	return []field{id(&o.ID), ref("organization_id", &o.OrganizationID), s("identifier_scheme", &o.IdentifierScheme),
		req("identifier_type", &o.IdentifierType), req("identifier", &o.Identifier)}
}

func metadataFields(m *haven.Metadata) []field {
	return []field{id(&m.ID), ref("resource_id", &m.ResourceID), s("resource_type", &m.ResourceType), req("last_action_date", &m.LastActionDate),
		req("last_action_type", &m.LastActionType), req("field_name", &m.FieldName), req("previous_value", &m.PreviousValue),
		req("replacement_value", &m.ReplacementValue), req("updated_by", &m.UpdatedBy)}
}

func metaTableFields(m *haven.MetaTableDescription) []field {
	return []field{id(&m.ID), s("name", &m.Name), s("language", &m.Language), s("character_set", &m.CharacterSet)}
}

func (t spec[T]) truncate(d *haven.Directory, n int) {
	l := t.list(d)
	*l = (*l)[:n]
}
