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
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/hsds"
)

// ExportDirectory reads the whole directory back, for `haven export hsds`.
// Confidential locations (and everything that would place them) are left
// out unless confidential is true, which only the command line may ask: a
// signed-in actor needs the directory's export right, and no role may
// export shelters (Forbidden). The export is audited with its counts.
func (db *DB) ExportDirectory(ctx context.Context, confidential bool) (*haven.Directory, error) {
	if err := db.authorizeDirectory(ctx, access.Export, confidential); err != nil {
		return nil, err
	}
	d, err := db.loadDirectory(ctx, false)
	if err != nil {
		return nil, err
	}
	if !confidential {
		d = withoutConfidential(d)
	}
	reason := fmt.Sprintf("organizations=%d services=%d locations=%d records=%d",
		len(d.Organizations), len(d.Services), len(d.Locations), directoryLen(d))
	err = db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: "directory.export", ObjectType: "directory", Reason: reason})
	})
	return d, err
}

// DirectoryRecords reads the services named by ids with everything their
// matching sites are made of, confidential locations included: it serves
// the matching index, which hides those from roles that may not see them
// and keeps each site's display summary (names, address line, phone) for
// results pages. It is not for display. With nil ids it reads every
// service, and only the tables the index uses (no areas, costs or
// taxonomies).
func (db *DB) DirectoryRecords(ctx context.Context, ids []string) (*haven.Directory, error) {
	if ids == nil {
		return db.loadDirectory(ctx, true)
	}
	return db.servicesDirectory(ctx, ids)
}

// loadDirectory reads every table, or with matchOnly those that the
// matching index uses (matching, and the summaries results pages show);
// two at a time, since decoding the JSON is most of the work.
func (db *DB) loadDirectory(ctx context.Context, matchOnly bool) (*haven.Directory, error) {
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
func (db *DB) servicesDirectory(ctx context.Context, ids []string) (*haven.Directory, error) {
	q := db.db
	d := &haven.Directory{}
	var err error
	if d.Services, err = loadIn(ctx, q, serviceEntity, map[string][]string{"id": ids}); err != nil {
		return nil, err
	}
	if d.ServiceAtLocations, err = loadIn(ctx, q, salEntity, map[string][]string{"service_id": ids}); err != nil {
		return nil, err
	}
	locIDs := idsOf(d.ServiceAtLocations, func(s haven.ServiceAtLocation) string { return s.LocationID })
	if d.Locations, err = loadIn(ctx, q, locationEntity, map[string][]string{"id": locIDs}); err != nil {
		return nil, err
	}
	orgIDs := append(idsOf(d.Services, func(s haven.Service) string { return s.OrganizationID }),
		idsOf(d.Locations, func(l haven.Location) string { return l.OrganizationID })...)
	if d.Organizations, err = loadIn(ctx, q, orgEntity, map[string][]string{"id": orgIDs}); err != nil {
		return nil, err
	}
	salIDs := idsOf(d.ServiceAtLocations, func(s haven.ServiceAtLocation) string { return s.ID })
	err = db.loadOwned(ctx, d, map[string][]string{"service_id": ids, "location_id": locIDs,
		"organization_id": idsOf(d.Organizations, func(o haven.Organization) string { return o.ID }), "service_at_location_id": salIDs})
	return d, err
}

// loadOwned reads into d the records owned by the IDs in owners (by owner
// column), then the attributes of every record in d and their terms.
func (db *DB) loadOwned(ctx context.Context, d *haven.Directory, owners map[string][]string) error {
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
			d.Phones, e = loadIn(ctx, q, phoneEntity, pick("service_id", "location_id", "organization_id", "service_at_location_id"))
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
func (db *DB) loadTerms(ctx context.Context, d *haven.Directory) error {
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
	return ids
}

// DirectoryServices returns the page of services f selects, with what
// they nest, and how many services match in all. It is public directory
// data: confidential locations, and whatever would place them, never
// appear.
func (db *DB) DirectoryServices(ctx context.Context, f hsds.ServiceFilter) (*haven.Directory, int, error) {
	where, args := serviceWhere(f)
	var total int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM hsds_services s`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count services: %w", err)
	}
	n := len(args)
	rows, err := db.db.QueryContext(ctx, fmt.Sprintf(`SELECT s.id FROM hsds_services s%s ORDER BY s.name, s.id LIMIT $%d OFFSET $%d`,
		where, n+1, n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list services: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, 0, err
	}
	d, err := db.servicesDirectory(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	inOrder(d.Services, ids, func(s haven.Service) string { return s.ID })
	return withoutConfidential(d), total, nil
}

// serviceWhere turns f into a WHERE clause on hsds_services s.
func serviceWhere(f hsds.ServiceFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.ID != "" {
		add("s.id = $%d", f.ID)
	}
	if f.Search != "" {
		add(`s.search LIKE $%d ESCAPE '\'`, "%"+likeEscape(f.Search)+"%")
	}
	if f.OrganizationID != "" {
		add("s.organization_id = $%d", f.OrganizationID)
	}
	if !f.ModifiedAfter.IsZero() {
		add("s.modified_at > $%d", f.ModifiedAfter.UTC().Format(time.RFC3339))
	}
	if f.TaxonomyTermID != "" {
		add("EXISTS (SELECT 1 FROM hsds_attributes a WHERE a.link_id = s.id AND a.taxonomy_term_id = $%d)", f.TaxonomyTermID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	where := " WHERE " + conds[0]
	for _, c := range conds[1:] {
		where += " AND " + c
	}
	return where, args
}

// likeEscape lower-cases s and escapes LIKE's wildcards in it, so that a
// search is for the text as typed.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(s))
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DirectoryOrganizations returns the page of organizations (only id when
// id is not "") with their phones and non-confidential locations, and how
// many organizations there are in all.
func (db *DB) DirectoryOrganizations(ctx context.Context, id string, offset, limit int) (*haven.Directory, int, error) {
	where, args := "", []any{}
	if id != "" {
		where, args = " WHERE id = $1", []any{id}
	}
	var total int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM hsds_organizations`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count organizations: %w", err)
	}
	n := len(args)
	rows, err := db.db.QueryContext(ctx, fmt.Sprintf(`SELECT id FROM hsds_organizations%s ORDER BY name, id LIMIT $%d OFFSET $%d`,
		where, n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list organizations: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, 0, err
	}
	d := &haven.Directory{}
	if d.Organizations, err = loadIn(ctx, db.db, orgEntity, map[string][]string{"id": ids}); err != nil {
		return nil, 0, err
	}
	inOrder(d.Organizations, ids, func(o haven.Organization) string { return o.ID })
	if d.Locations, err = load(ctx, db.db, locationEntity, "WHERE confidential = 0 AND organization_id IN "+valuesList(1, max(len(ids), 1)), anyIDs(ids)...); err != nil {
		return nil, 0, err
	}
	locIDs := idsOf(d.Locations, func(l haven.Location) string { return l.ID })
	err = db.loadOwned(ctx, d, map[string][]string{"location_id": locIDs, "organization_id": ids})
	return withoutConfidential(d), total, err
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

// withoutConfidential returns d without its confidential locations and
// every record that would place one: service-at-locations to them, their
// addresses, phones, schedules and languages, and attributes linking any
// of those.
func withoutConfidential(d *haven.Directory) *haven.Directory {
	hidden := map[string]bool{}
	for _, l := range d.Locations {
		if l.Confidential {
			hidden[l.ID] = true
		}
	}
	if len(hidden) == 0 {
		return d
	}
	out := *d
	out.Locations = dropIf(d.Locations, func(l haven.Location) bool { return hidden[l.ID] })
	out.ServiceAtLocations = dropIf(d.ServiceAtLocations, func(s haven.ServiceAtLocation) bool {
		return hidden[s.LocationID] && mark(hidden, s.ID)
	})
	out.Addresses = dropIf(d.Addresses, func(a haven.Address) bool { return hidden[a.LocationID] && mark(hidden, a.ID) })
	out.Phones = dropIf(d.Phones, func(p haven.Phone) bool {
		return (hidden[p.LocationID] || hidden[p.ServiceAtLocationID]) && mark(hidden, p.ID)
	})
	out.Schedules = dropIf(d.Schedules, func(s haven.Schedule) bool {
		return (hidden[s.LocationID] || hidden[s.ServiceAtLocationID]) && mark(hidden, s.ID)
	})
	out.Languages = dropIf(d.Languages, func(l haven.Language) bool { return hidden[l.LocationID] || hidden[l.PhoneID] })
	out.Attributes = dropIf(d.Attributes, func(a haven.Attribute) bool { return hidden[a.LinkID] })
	return &out
}

// mark adds id to set and returns true.
func mark(set map[string]bool, id string) bool {
	set[id] = true
	return true
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
func (db *DB) DirectoryVersion(ctx context.Context) (int64, error) {
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
func (db *DB) DirectoryChanges(ctx context.Context, since int64) (version int64, serviceIDs []string, all bool, err error) {
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
