package sqlstore

// Reading the service directory: the whole data set (export, the matching
// index), a page of services or organizations with everything they nest
// (the HSDS API), and the change log that keeps every instance's index
// current.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// ExportDirectory reads the whole directory back, for `haven export hsds`.
// Confidential locations (and everything that would place them) are left
// out unless confidential is true, which only the system job
// access.JobExportHSDS may ask: a signed-in actor needs the directory's
// export right, and no role may export shelters (Forbidden). The export is
// audited with its counts.
func (db *DirectoryService) ExportDirectory(ctx context.Context, confidential bool) (*haven.Directory, error) {
	if err := db.authorizeDirectory(ctx, access.Export, confidential); err != nil {
		return nil, err
	}
	d, err := db.loadDirectory(ctx, false)
	if err != nil {
		return nil, err
	}
	if !confidential {
		if d, err = db.withoutConfidential(ctx, d, false); err != nil {
			return nil, err
		}
	}
	reason := fmt.Sprintf("organizations=%d services=%d locations=%d records=%d",
		len(d.Organizations), len(d.Services), len(d.Locations), directoryLen(d))
	err = db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: "directory.export", ObjectType: "directory", Reason: reason})
	})
	return d, err
}

// DirectoryRecords reads the services named by ids with everything their
// matching sites are made of: it serves the matching index (the system
// job access.JobDirectoryIndex), which hides shelters from roles that may
// not see them and keeps each site's display summary (names, address
// line, phone) for results pages. Confidential locations, and what would
// place them, are included only when the actor or job may read them. It
// is not for display. It reads only the tables the index uses (no areas,
// costs or taxonomies); with nil ids, every service. Errors:
// Unauthenticated with neither an actor nor a job, Forbidden for a job
// without the right.
func (db *DirectoryService) DirectoryRecords(ctx context.Context, ids []string) (*haven.Directory, error) {
	if err := db.authorizeDirectory(ctx, access.Read, false); err != nil {
		return nil, err
	}
	var d *haven.Directory
	var err error
	if ids == nil {
		d, err = db.loadDirectory(ctx, true)
	} else {
		d, err = db.matchRecords(ctx, ids)
	}
	if err != nil || db.allowed(ctx, access.Read, access.ConfidentialLocation) {
		return d, err
	}
	return db.withoutConfidential(ctx, d, ids != nil)
}

// ConfidentialDirectoryRecords reads the services that have a site at a
// confidential location, with everything all their sites are made of (as
// DirectoryRecords does): a matching index loaded from a snapshot, which
// holds only public sites, adds them at start. Only an actor or job that
// may read confidential locations may ask (access.JobDirectoryIndex);
// others are Forbidden.
func (db *DirectoryService) ConfidentialDirectoryRecords(ctx context.Context) (*haven.Directory, error) {
	if err := db.authorizeDirectory(ctx, access.Read, true); err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT service_id FROM hsds_service_at_locations
		WHERE location_id IN (SELECT id FROM hsds_locations WHERE confidential = 1)`)
	if err != nil {
		return nil, fmt.Errorf("find services at confidential locations: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil || len(ids) == 0 {
		return &haven.Directory{}, err
	}
	return db.matchRecords(ctx, ids)
}

// matchRecords reads the services ids with what the matching index makes
// their sites and display summaries of, and nothing else: their
// service-at-locations, locations, organizations, the addresses of the
// locations, the phones of any of these, the weekly schedules of the
// services and locations, the services' languages, required documents and
// attributes (see directory.SitesFromDirectory). Every lookup is by an
// indexed column.
func (db *store) matchRecords(ctx context.Context, ids []string) (*haven.Directory, error) {
	q := db.db
	d, locIDs, orgIDs, salIDs, err := db.servicePlaces(ctx, ids)
	if err != nil {
		return nil, err
	}
	loads := []func() error{
		func() (e error) {
			d.Addresses, e = loadIn(ctx, q, addressEntity, map[string][]string{"location_id": locIDs})
			return
		},
		func() (e error) {
			d.Phones, e = loadIn(ctx, q, phoneEntity, map[string][]string{"service_id": ids, "location_id": locIDs,
				"organization_id": orgIDs, "service_at_location_id": salIDs})
			return
		},
		func() (e error) {
			d.Schedules, e = loadIn(ctx, q, scheduleEntity, map[string][]string{"service_id": ids, "location_id": locIDs})
			return
		},
		func() (e error) {
			d.Languages, e = loadIn(ctx, q, languageEntity, map[string][]string{"service_id": ids})
			return
		},
		func() (e error) {
			d.RequiredDocuments, e = loadIn(ctx, q, documentEntity, map[string][]string{"service_id": ids})
			return
		},
		func() (e error) {
			d.Attributes, e = loadIn(ctx, q, attributeEntity, map[string][]string{"link_id": ids})
			return
		},
	}
	for _, l := range loads {
		if err = l(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// loadDirectory reads every table, or with matchOnly those that the
// matching index uses (matching, and the summaries results pages show);
// two at a time, since decoding the JSON is most of the work.
func (db *store) loadDirectory(ctx context.Context, matchOnly bool) (*haven.Directory, error) {
	var d haven.Directory
	q := db.db
	// An export is in id order, so that it is the same every time; the
	// index needs no order, and SQLite reads a table fastest in rowid order.
	order := "ORDER BY id"
	if matchOnly {
		order = ""
	}
	type step struct {
		match bool
		load  func() error
	}
	steps := []step{
		{true, func() (e error) { d.Organizations, e = load(ctx, q, orgEntity, order); return }},
		{true, func() (e error) { d.Services, e = load(ctx, q, serviceEntity, order); return }},
		{true, func() (e error) { d.Locations, e = load(ctx, q, locationEntity, order); return }},
		{true, func() (e error) { d.ServiceAtLocations, e = load(ctx, q, salEntity, order); return }},
		{true, func() (e error) { d.Addresses, e = load(ctx, q, addressEntity, order); return }},
		{true, func() (e error) { d.Phones, e = load(ctx, q, phoneEntity, order); return }},
		{true, func() (e error) { d.Schedules, e = load(ctx, q, scheduleEntity, order); return }},
		{true, func() (e error) { d.Languages, e = load(ctx, q, languageEntity, order); return }},
		{false, func() (e error) { d.ServiceAreas, e = load(ctx, q, areaEntity, order); return }},
		{false, func() (e error) { d.CostOptions, e = load(ctx, q, costEntity, order); return }},
		{true, func() (e error) { d.RequiredDocuments, e = load(ctx, q, documentEntity, order); return }},
		{false, func() (e error) { d.Taxonomies, e = load(ctx, q, taxonomyEntity, order); return }},
		{false, func() (e error) { d.TaxonomyTerms, e = load(ctx, q, termEntity, order); return }},
		{true, func() (e error) { d.Attributes, e = load(ctx, q, attributeEntity, order); return }},
		{false, func() (e error) { d.Contacts, e = load(ctx, q, contactEntity, order); return }},
		{false, func() (e error) { d.Funding, e = load(ctx, q, fundingEntity, order); return }},
		{false, func() (e error) { d.Programs, e = load(ctx, q, programEntity, order); return }},
		{false, func() (e error) { d.Accessibility, e = load(ctx, q, accessibilityEntity, order); return }},
		{false, func() (e error) { d.OrgIdentifiers, e = load(ctx, q, identifierEntity, order); return }},
		{false, func() (e error) { d.Metadata, e = load(ctx, q, metadataEntity, order); return }},
		{false, func() (e error) { d.MetaTables, e = load(ctx, q, metaTableEntity, order); return }},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(steps))
	sem := make(chan struct{}, 2)
	for i, s := range steps {
		if matchOnly && !s.match {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = s.load()
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &d, nil
}

// servicesDirectory reads the services ids with what they nest: their
// organizations, locations and the records of all of them, attributes,
// and the taxonomy terms those use.
func (db *store) servicesDirectory(ctx context.Context, ids []string) (*haven.Directory, error) {
	d, locIDs, orgIDs, salIDs, err := db.servicePlaces(ctx, ids)
	if err != nil {
		return nil, err
	}
	err = db.loadOwned(ctx, d, map[string][]string{"service_id": ids, "location_id": locIDs,
		"organization_id": orgIDs, "service_at_location_id": salIDs})
	return d, err
}

// servicePlaces reads the services ids, their service-at-locations, the
// locations and the organizations of both, and returns the IDs of the
// last three.
func (db *store) servicePlaces(ctx context.Context, ids []string) (d *haven.Directory, locIDs, orgIDs, salIDs []string, err error) {
	q := db.db
	d = &haven.Directory{}
	if d.Services, err = loadIn(ctx, q, serviceEntity, map[string][]string{"id": ids}); err != nil {
		return nil, nil, nil, nil, err
	}
	if d.ServiceAtLocations, err = loadIn(ctx, q, salEntity, map[string][]string{"service_id": ids}); err != nil {
		return nil, nil, nil, nil, err
	}
	locIDs = idsOf(d.ServiceAtLocations, func(s haven.ServiceAtLocation) string { return s.LocationID })
	if d.Locations, err = loadIn(ctx, q, locationEntity, map[string][]string{"id": locIDs}); err != nil {
		return nil, nil, nil, nil, err
	}
	orgIDs = append(idsOf(d.Services, func(s haven.Service) string { return s.OrganizationID }),
		idsOf(d.Locations, func(l haven.Location) string { return l.OrganizationID })...)
	if d.Organizations, err = loadIn(ctx, q, orgEntity, map[string][]string{"id": orgIDs}); err != nil {
		return nil, nil, nil, nil, err
	}
	orgIDs = idsOf(d.Organizations, func(o haven.Organization) string { return o.ID })
	salIDs = idsOf(d.ServiceAtLocations, func(s haven.ServiceAtLocation) string { return s.ID })
	return d, locIDs, orgIDs, salIDs, nil
}

// loadOwned reads into d the records owned by the IDs in owners (by owner
// column), then the attributes of every record in d and their terms.
func (db *store) loadOwned(ctx context.Context, d *haven.Directory, owners map[string][]string) error {
	q := db.db
	pick := func(cols ...string) map[string][]string {
		m := map[string][]string{}
		for _, c := range cols {
			m[c] = owners[c]
		}
		return m
	}
	var err error
	loads := []func() error{
		func() (e error) { d.Addresses, e = loadIn(ctx, q, addressEntity, pick("location_id")); return },
		func() (e error) {
			d.Contacts, e = loadIn(ctx, q, contactEntity, pick("service_id", "location_id", "organization_id", "service_at_location_id"))
			return
		},
		func() (e error) {
			by := pick("service_id", "location_id", "organization_id", "service_at_location_id")
			by["contact_id"] = idsOf(d.Contacts, func(c haven.DirectoryContact) string { return c.ID })
			d.Phones, e = loadIn(ctx, q, phoneEntity, by)
			return
		},
		func() (e error) {
			d.Funding, e = loadIn(ctx, q, fundingEntity, pick("service_id", "organization_id"))
			return
		},
		func() (e error) {
			by := map[string][]string{"organization_id": owners["organization_id"],
				"id": idsOf(d.Services, func(s haven.Service) string { return s.ProgramID })}
			d.Programs, e = loadIn(ctx, q, programEntity, by)
			return
		},
		func() (e error) {
			d.Accessibility, e = loadIn(ctx, q, accessibilityEntity, pick("location_id"))
			return
		},
		func() (e error) {
			d.OrgIdentifiers, e = loadIn(ctx, q, identifierEntity, pick("organization_id"))
			return
		},
		func() (e error) {
			d.Schedules, e = loadIn(ctx, q, scheduleEntity, pick("service_id", "location_id", "service_at_location_id"))
			return
		},
		func() (e error) {
			by := pick("service_id", "location_id")
			by["phone_id"] = idsOf(d.Phones, func(p haven.Phone) string { return p.ID })
			d.Languages, e = loadIn(ctx, q, languageEntity, by)
			return
		},
		func() (e error) { d.ServiceAreas, e = loadIn(ctx, q, areaEntity, pick("service_id")); return },
		func() (e error) { d.CostOptions, e = loadIn(ctx, q, costEntity, pick("service_id")); return },
		func() (e error) { d.RequiredDocuments, e = loadIn(ctx, q, documentEntity, pick("service_id")); return },
		func() (e error) {
			d.Attributes, e = loadIn(ctx, q, attributeEntity, map[string][]string{"link_id": recordIDs(d)})
			return
		},
		func() (e error) {
			d.Metadata, e = loadIn(ctx, q, metadataEntity, map[string][]string{"resource_id": recordIDs(d)})
			return
		},
		func() (e error) { return db.loadTerms(ctx, d) },
	}
	for _, l := range loads {
		if err = l(); err != nil {
			return err
		}
	}
	return nil
}

// loadTerms reads the taxonomy terms d's attributes use and their
// taxonomies.
func (db *store) loadTerms(ctx context.Context, d *haven.Directory) error {
	var err error
	termIDs := idsOf(d.Attributes, func(a haven.Attribute) string { return a.TaxonomyTermID })
	if d.TaxonomyTerms, err = loadIn(ctx, db.db, termEntity, map[string][]string{"id": termIDs}); err != nil {
		return err
	}
	taxIDs := idsOf(d.TaxonomyTerms, func(t haven.TaxonomyTerm) string { return t.TaxonomyID })
	d.Taxonomies, err = loadIn(ctx, db.db, taxonomyEntity, map[string][]string{"id": taxIDs})
	return err
}

// idsOf returns the distinct non-empty IDs f picks from items.
func idsOf[T any](items []T, f func(T) string) []string {
	set := map[string]bool{}
	for _, it := range items {
		if id := f(it); id != "" {
			set[id] = true
		}
	}
	out := keys(set)
	slices.Sort(out)
	return out
}

// recordIDs lists the IDs of every record in d that an attribute may link.
func recordIDs(d *haven.Directory) []string {
	var ids []string
	ids = append(ids, idsOf(d.Organizations, func(o haven.Organization) string { return o.ID })...)
	ids = append(ids, idsOf(d.Services, func(s haven.Service) string { return s.ID })...)
	ids = append(ids, idsOf(d.Locations, func(l haven.Location) string { return l.ID })...)
	ids = append(ids, idsOf(d.ServiceAtLocations, func(s haven.ServiceAtLocation) string { return s.ID })...)
	ids = append(ids, idsOf(d.Phones, func(p haven.Phone) string { return p.ID })...)
	ids = append(ids, idsOf(d.RequiredDocuments, func(r haven.RequiredDocument) string { return r.ID })...)
	ids = append(ids, idsOf(d.Contacts, func(c haven.DirectoryContact) string { return c.ID })...)
	ids = append(ids, idsOf(d.Programs, func(p haven.Program) string { return p.ID })...)
	ids = append(ids, idsOf(d.Addresses, func(a haven.Address) string { return a.ID })...)
	return ids
}

// inOrder sorts items into the order of ids (a page's order).
func inOrder[T any](items []T, ids []string, id func(T) string) {
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(items, func(a, b T) int { return pos[id(a)] - pos[id(b)] })
}

// anyIDs returns ids as query arguments; one "" for none, so that an IN
// list is never empty.
func anyIDs(ids []string) []any {
	if len(ids) == 0 {
		return []any{""}
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// The rows that belong to a confidential location, table by table: the
// location, its service-at-locations and addresses, the phones and
// schedules of either, the languages of the location or of such a phone.
// A phone that names no owner Haven stores (only a contact, whose place
// Haven does not keep) cannot be placed, and counts as confidential too:
// when in doubt, a record stays in. Each test is a lookup by primary key,
// so that checking a page's rows costs a few index probes however large
// the directory.

// confidentialLocation is true when the location col names is confidential.
func confidentialLocation(col string) string {
	return `EXISTS (SELECT 1 FROM hsds_locations l WHERE l.id = ` + col + ` AND l.confidential = 1)`
}

// confidentialSAL is true when the service-at-location col names is at a
// confidential location.
func confidentialSAL(col string) string {
	return `EXISTS (SELECT 1 FROM hsds_service_at_locations s JOIN hsds_locations l ON l.id = s.location_id
		WHERE s.id = ` + col + ` AND l.confidential = 1)`
}

// confidentialContact is true when the contact col names is at a
// confidential location or service-at-location.
func confidentialContact(col string) string {
	return `EXISTS (SELECT 1 FROM hsds_contacts c WHERE c.id = ` + col + ` AND (` + confidentialLocation("c.location_id") +
		` OR ` + confidentialSAL("c.service_at_location_id") + `))`
}

// confidentialPhone is true when the phone col names belongs to a
// confidential location (directly, or through a service-at-location or a
// contact), or to no owner Haven stores.
func confidentialPhone(col string) string {
	return `EXISTS (SELECT 1 FROM hsds_phones p WHERE p.id = ` + col + ` AND (` + confidentialLocation("p.location_id") +
		` OR ` + confidentialSAL("p.service_at_location_id") + ` OR ` + confidentialContact("p.contact_id") +
		` OR (p.location_id = '' AND p.service_id = '' AND p.organization_id = '' AND p.service_at_location_id = ''
			AND NOT EXISTS (SELECT 1 FROM hsds_contacts c WHERE c.id = p.contact_id))))`
}

// confidentialRows lists, per table, the query that selects its rows (as
// x) that belong to a confidential location; a restriction to some IDs
// may follow with AND. It is the one definition of what must not leave
// through a public read; attributes are dropped when they link any of
// these rows.
var confidentialRows = []string{
	`SELECT x.id FROM hsds_locations x WHERE x.confidential = 1`,
	`SELECT x.id FROM hsds_service_at_locations x WHERE ` + confidentialLocation("x.location_id"),
	`SELECT x.id FROM hsds_addresses x WHERE ` + confidentialLocation("x.location_id"),
	`SELECT x.id FROM hsds_phones x WHERE ` + confidentialPhone("x.id"),
	`SELECT x.id FROM hsds_schedules x WHERE (` + confidentialLocation("x.location_id") + ` OR ` +
		confidentialSAL("x.service_at_location_id") + `)`,
	`SELECT x.id FROM hsds_languages x WHERE (` + confidentialLocation("x.location_id") + ` OR ` + confidentialPhone("x.phone_id") + `)`,
	`SELECT x.id FROM hsds_contacts x WHERE ` + confidentialContact("x.id"),
	`SELECT x.id FROM hsds_accessibility x WHERE ` + confidentialLocation("x.location_id"),
}

// confidentialIDs returns the IDs of the stored rows that belong to a
// confidential location (see confidentialRows): among ids, or every such
// row when all is true.
func (db *store) confidentialIDs(ctx context.Context, ids []string, all bool) (map[string]bool, error) {
	hidden := map[string]bool{}
	query := func(restrict string, args []any) error {
		parts := make([]string, len(confidentialRows))
		for i, q := range confidentialRows {
			parts[i] = q + restrict
		}
		rows, err := db.db.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
		if err != nil {
			return fmt.Errorf("find confidential directory records: %w", err)
		}
		got, err := scanIDs(rows)
		for _, id := range got {
			hidden[id] = true
		}
		return err
	}
	if all {
		return hidden, query("", nil)
	}
	for start := 0; start < len(ids); start += inBatch {
		chunk := ids[start:min(start+inBatch, len(ids))]
		if err := query(" AND x.id IN "+valuesList(1, len(chunk)), anyIDs(chunk)); err != nil {
			return nil, err
		}
	}
	return hidden, nil
}

// withoutConfidential returns d without every record that belongs to a
// confidential location, as the database says, not as d happens to hold
// it: a read that left the location itself out still drops its phones,
// addresses, schedules, languages and service-at-locations, the records
// that point at those, and the attributes linking any of them. Every read
// of the directory for display or public export goes through it. With
// some true, only the rows d names are looked up (a page); otherwise all
// confidential rows are (a whole export).
func (db *store) withoutConfidential(ctx context.Context, d *haven.Directory, some bool) (*haven.Directory, error) {
	hidden, err := db.confidentialIDs(ctx, referencedIDs(d), !some)
	if err != nil {
		return nil, err
	}
	for _, l := range d.Locations {
		if l.Confidential {
			hidden[l.ID] = true
		}
	}
	return dropConfidential(d, hidden), nil
}

// referencedIDs lists every ID in d that could name a row of a
// confidential location: the IDs of its location-owned records and every
// reference they and the attributes make.
func referencedIDs(d *haven.Directory) []string {
	set := map[string]bool{}
	add := func(ids ...string) {
		for _, id := range ids {
			set[id] = true
		}
	}
	for _, l := range d.Locations {
		add(l.ID)
	}
	for _, s := range d.ServiceAtLocations {
		add(s.ID, s.LocationID)
	}
	for _, a := range d.Addresses {
		add(a.ID, a.LocationID)
	}
	for _, p := range d.Phones {
		add(p.ID, p.LocationID, p.ServiceAtLocationID)
	}
	for _, s := range d.Schedules {
		add(s.ID, s.LocationID, s.ServiceAtLocationID)
	}
	for _, l := range d.Languages {
		add(l.ID, l.LocationID, l.PhoneID)
	}
	for _, c := range d.Contacts {
		add(c.ID, c.LocationID, c.ServiceAtLocationID)
	}
	for _, a := range d.Accessibility {
		add(a.ID, a.LocationID)
	}
	for _, p := range d.Phones {
		add(p.ContactID)
	}
	for _, a := range d.Attributes {
		add(a.LinkID)
	}
	for _, m := range d.Metadata {
		add(m.ResourceID)
	}
	delete(set, "")
	out := keys(set)
	slices.Sort(out)
	return out
}

// dropConfidential returns d without the records hidden names and those
// that point at one.
func dropConfidential(d *haven.Directory, hidden map[string]bool) *haven.Directory {
	if len(hidden) == 0 {
		return d
	}
	h := func(ids ...string) bool {
		for _, id := range ids {
			if hidden[id] {
				return true
			}
		}
		return false
	}
	out := *d
	out.Locations = dropIf(d.Locations, func(l haven.Location) bool { return h(l.ID) })
	out.ServiceAtLocations = dropIf(d.ServiceAtLocations, func(s haven.ServiceAtLocation) bool { return h(s.ID, s.LocationID) })
	out.Addresses = dropIf(d.Addresses, func(a haven.Address) bool { return h(a.ID, a.LocationID) })
	out.Contacts = dropIf(d.Contacts, func(c haven.DirectoryContact) bool { return h(c.ID, c.LocationID, c.ServiceAtLocationID) })
	out.Accessibility = dropIf(d.Accessibility, func(a haven.Accessibility) bool { return h(a.ID, a.LocationID) })
	out.Phones = dropIf(d.Phones, func(p haven.Phone) bool { return h(p.ID, p.LocationID, p.ServiceAtLocationID, p.ContactID) })
	out.Schedules = dropIf(d.Schedules, func(s haven.Schedule) bool { return h(s.ID, s.LocationID, s.ServiceAtLocationID) })
	out.Languages = dropIf(d.Languages, func(l haven.Language) bool { return h(l.ID, l.LocationID, l.PhoneID) })
	out.Attributes = dropIf(d.Attributes, func(a haven.Attribute) bool { return h(a.ID, a.LinkID) })
	out.Metadata = dropIf(d.Metadata, func(m haven.Metadata) bool { return h(m.ID, m.ResourceID) })
	// A term only the dropped attributes use (a shelter's own term) goes
	// with them; terms nothing uses stay, as a taxonomy's.
	used := map[string]bool{}
	for _, a := range out.Attributes {
		used[a.TaxonomyTermID] = true
	}
	for _, a := range d.Attributes {
		if !used[a.TaxonomyTermID] && h(a.ID, a.LinkID) {
			hidden[a.TaxonomyTermID] = true
		}
	}
	out.TaxonomyTerms = dropIf(d.TaxonomyTerms, func(t haven.TaxonomyTerm) bool { return h(t.ID) })
	return &out
}

func dropIf[T any](items []T, drop func(T) bool) []T {
	var out []T
	for _, it := range items {
		if !drop(it) {
			out = append(out, it)
		}
	}
	return out
}

// DirectoryVersion returns the version of the directory's last change.
func (db *DirectoryService) DirectoryVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.db.QueryRowContext(ctx, `SELECT version FROM hsds_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read directory version: %w", err)
	}
	return v, nil
}

// DirectoryChanges returns the services changed after version since, up to
// the returned version. all is true when a change touched too many to list
// or since is older than the change log keeps: the reader then reloads
// every service.
func (db *DirectoryService) DirectoryChanges(ctx context.Context, since int64) (version int64, serviceIDs []string, all bool, err error) {
	if version, err = db.DirectoryVersion(ctx); err != nil || version <= since {
		return version, nil, false, err
	}
	if version-since >= keptChanges {
		return version, nil, true, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT service_id FROM hsds_changes WHERE version > $1 AND version <= $2`, since, version)
	if err != nil {
		return 0, nil, false, fmt.Errorf("read directory changes: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return 0, nil, false, err
	}
	if slices.Contains(ids, allServices) {
		return version, nil, true, nil
	}
	slices.Sort(ids)
	return version, ids, false, nil
}
