package sqlstore

// This file holds the service directory: the HSDS 3.0 data set, stored one
// table per HSDS entity (see migrations/*/0007_directory.sql). A row keeps
// the record's references and filter columns beside the whole record as
// JSON, which is what the store reads back: every supported field survives
// a round trip, and the schema does not need a column per HSDS field.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// entity says how one HSDS table is stored: the columns after id that the
// store filters or joins on, and how to read them (id first) from a record.
type entity[T any] struct {
	table string
	cols  []string
	keys  func(*T) []any
}

var (
	orgEntity = entity[haven.Organization]{"hsds_organizations", []string{"name", "search"},
		func(o *haven.Organization) []any {
			return []any{o.ID, o.Name, searchOf(o.Name, o.AlternateName, o.Description)}
		}}
	serviceEntity = entity[haven.Service]{"hsds_services", []string{"organization_id", "name", "status", "modified_at", "search"},
		func(s *haven.Service) []any {
			return []any{s.ID, s.OrganizationID, s.Name, s.Status, modifiedAt(s.LastModified), searchOf(s.Name, s.AlternateName, s.Description)}
		}}
	locationEntity = entity[haven.Location]{"hsds_locations", []string{"organization_id", "confidential"},
		func(l *haven.Location) []any { return []any{l.ID, l.OrganizationID, boolInt(l.Confidential)} }}
	salEntity = entity[haven.ServiceAtLocation]{"hsds_service_at_locations", []string{"service_id", "location_id"},
		func(s *haven.ServiceAtLocation) []any { return []any{s.ID, s.ServiceID, s.LocationID} }}
	addressEntity = entity[haven.Address]{"hsds_addresses", []string{"location_id", "postal_code"},
		func(a *haven.Address) []any { return []any{a.ID, a.LocationID, a.PostalCode} }}
	phoneEntity = entity[haven.Phone]{"hsds_phones", []string{"service_id", "location_id", "organization_id", "service_at_location_id", "contact_id"},
		func(p *haven.Phone) []any {
			return []any{p.ID, p.ServiceID, p.LocationID, p.OrganizationID, p.ServiceAtLocationID, p.ContactID}
		}}
	scheduleEntity = entity[haven.Schedule]{"hsds_schedules", []string{"service_id", "location_id", "service_at_location_id"},
		func(s *haven.Schedule) []any { return []any{s.ID, s.ServiceID, s.LocationID, s.ServiceAtLocationID} }}
	languageEntity = entity[haven.Language]{"hsds_languages", []string{"service_id", "location_id", "phone_id"},
		func(l *haven.Language) []any { return []any{l.ID, l.ServiceID, l.LocationID, l.PhoneID} }}
	areaEntity = entity[haven.ServiceArea]{"hsds_service_areas", []string{"service_id"},
		func(a *haven.ServiceArea) []any { return []any{a.ID, a.ServiceID} }}
	costEntity = entity[haven.CostOption]{"hsds_cost_options", []string{"service_id"},
		func(c *haven.CostOption) []any { return []any{c.ID, c.ServiceID} }}
	documentEntity = entity[haven.RequiredDocument]{"hsds_required_documents", []string{"service_id"},
		func(r *haven.RequiredDocument) []any { return []any{r.ID, r.ServiceID} }}
	taxonomyEntity = entity[haven.Taxonomy]{"hsds_taxonomies", []string{"name", "search"},
		func(t *haven.Taxonomy) []any { return []any{t.ID, t.Name, searchOf(t.Name, t.Description)} }}
	termEntity = entity[haven.TaxonomyTerm]{"hsds_taxonomy_terms", []string{"name", "taxonomy_id", "parent_id", "search"},
		func(t *haven.TaxonomyTerm) []any {
			return []any{t.ID, t.Name, t.TaxonomyID, t.ParentID, searchOf(t.Code, t.Name, t.Description)}
		}}
	attributeEntity = entity[haven.Attribute]{"hsds_attributes", []string{"link_id", "taxonomy_term_id"},
		func(a *haven.Attribute) []any { return []any{a.ID, a.LinkID, a.TaxonomyTermID} }}
	contactEntity = entity[haven.DirectoryContact]{"hsds_contacts", []string{"organization_id", "service_id", "service_at_location_id", "location_id"},
		func(c *haven.DirectoryContact) []any {
			return []any{c.ID, c.OrganizationID, c.ServiceID, c.ServiceAtLocationID, c.LocationID}
		}}
	fundingEntity = entity[haven.Funding]{"hsds_funding", []string{"organization_id", "service_id"},
		func(f *haven.Funding) []any { return []any{f.ID, f.OrganizationID, f.ServiceID} }}
	programEntity = entity[haven.Program]{"hsds_programs", []string{"organization_id"},
		func(p *haven.Program) []any { return []any{p.ID, p.OrganizationID} }}
	accessibilityEntity = entity[haven.Accessibility]{"hsds_accessibility", []string{"location_id"},
		func(a *haven.Accessibility) []any { return []any{a.ID, a.LocationID} }}
	identifierEntity = entity[haven.OrganizationIdentifier]{"hsds_organization_identifiers", []string{"organization_id"},
		func(o *haven.OrganizationIdentifier) []any { return []any{o.ID, o.OrganizationID} }}
	metadataEntity = entity[haven.Metadata]{"hsds_metadata", []string{"resource_id"},
		func(m *haven.Metadata) []any { return []any{m.ID, m.ResourceID} }}
	metaTableEntity = entity[haven.MetaTableDescription]{"hsds_meta_table_descriptions", nil,
		func(m *haven.MetaTableDescription) []any { return []any{m.ID} }}
)

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// modifiedLayout is RFC 3339 in UTC to the nanosecond at a fixed width,
// so that the text column orders as time.
const modifiedLayout = "2006-01-02T15:04:05.000000000Z"

// modifiedAt normalises an HSDS last_modified to modifiedLayout; "" when
// absent or unreadable.
func modifiedAt(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ""
	}
	return t.UTC().Format(modifiedLayout)
}

// searchOf is what a directory search looks in: the texts, lower case,
// one a line.
func searchOf(texts ...string) string {
	return strings.ToLower(strings.Join(texts, "\n"))
}

// upsertBatch is the number of records per INSERT statement: few round
// trips, and far below both engines' limits on parameters.
const upsertBatch = 100

// upsert inserts items, or updates the rows of the same id, calling tick
// with the number of records after each statement.
func upsert[T any](ctx context.Context, tx *Tx, e entity[T], items []T, tick func(int)) error {
	cols := append(append([]string{"id"}, e.cols...), "record")
	sets := make([]string, len(cols)-1)
	for i, c := range cols[1:] {
		sets[i] = c + " = excluded." + c
	}
	suffix := " ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ")
	for start := 0; start < len(items); start += upsertBatch {
		chunk := items[start:min(start+upsertBatch, len(items))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + e.table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(cols))
		for i := range chunk {
			b, err := json.Marshal(&chunk[i])
			if err != nil {
				return fmt.Errorf("encode %s: %w", e.table, err)
			}
			args = append(append(args, e.keys(&chunk[i])...), string(b))
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(valuesList(i*len(cols)+1, len(cols)))
		}
		if _, err := tx.ExecContext(ctx, sb.String()+suffix, args...); err != nil {
			return fmt.Errorf("write %s: %w", e.table, err)
		}
		tick(len(chunk))
	}
	return nil
}

// valuesList returns "($first, ..., $first+n-1)".
func valuesList(first, n int) string {
	var sb strings.Builder
	sb.WriteByte('(')
	for j := range n {
		if j > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("$" + strconv.Itoa(first+j))
	}
	sb.WriteByte(')')
	return sb.String()
}

// rowsQuerier is a *sql.DB or a transaction.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// load reads the records of e that clause (WHERE, ORDER BY; may be empty)
// selects.
func load[T any](ctx context.Context, q rowsQuerier, e entity[T], clause string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, "SELECT record FROM "+e.table+" "+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", e.table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("read %s: %w", e.table, err)
		}
		var v T
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", e.table, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// inBatch bounds the IDs of one IN list.
const inBatch = 500

// loadIn reads the records of e whose column col is one of ids, for each
// column of cols (a record found through several is returned once).
func loadIn[T any](ctx context.Context, q rowsQuerier, e entity[T], by map[string][]string) ([]T, error) {
	var out []T
	seen := map[string]bool{}
	for col, ids := range by {
		for start := 0; start < len(ids); start += inBatch {
			chunk := ids[start:min(start+inBatch, len(ids))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			got, err := load(ctx, q, e, "WHERE "+col+" IN "+valuesList(1, len(chunk)), args...)
			if err != nil {
				return nil, err
			}
			for i := range got {
				if id := e.keys(&got[i])[0].(string); !seen[id] {
					seen[id] = true
					out = append(out, got[i])
				}
			}
		}
	}
	return out, nil
}

// confidentialIn reports whether d holds a confidential location.
func confidentialIn(d *haven.Directory) bool {
	for _, l := range d.Locations {
		if l.Confidential {
			return true
		}
	}
	return false
}

// authorizeDirectory asks the access decision for act on the directory,
// and on confidential locations when confidential is true, for the actor
// in ctx or, with no one signed in, the system job in ctx; with neither it
// is Unauthenticated. A denial is audited and Forbidden.
func (db *store) authorizeDirectory(ctx context.Context, act access.Action, confidential bool) error {
	event := "directory." + string(act)
	if err := db.authorizeResource(ctx, act, access.Directory, event); err != nil {
		return err
	}
	if confidential {
		return db.authorizeResource(ctx, act, access.ConfidentialLocation, event)
	}
	return nil
}

// importReason is the audit reason of an import: counts only, no names.
func importReason(n haven.DirectoryImport) string {
	return fmt.Sprintf("organizations=%d services=%d locations=%d records=%d version=%d",
		n.Organizations, n.Services, n.Locations, n.Records, n.Version)
}

// ImportDirectory writes a whole HSDS data set in one transaction: all of
// it or, on any error, nothing. Records whose id is stored already are
// updated; stored records the data set does not name stay as they are.
// progress, if not nil, is called after each table with the records
// written so far and in all. The actor must be a directory editor, or the
// context must carry a system job that imports (access.SystemGrants):
// Unauthenticated without either, Forbidden otherwise.
func (db *DirectoryService) ImportDirectory(ctx context.Context, d *haven.Directory, progress func(done, total int)) (haven.DirectoryImport, error) {
	if err := db.authorizeDirectory(ctx, access.Update, confidentialIn(d)); err != nil {
		return haven.DirectoryImport{}, err
	}
	n := haven.DirectoryImport{Organizations: len(d.Organizations), Services: len(d.Services), Locations: len(d.Locations), Records: directoryLen(d)}
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.putDirectory(ctx, d, progress); err != nil {
			return err
		}
		ids, err := tx.touchedServices(ctx, d)
		if err != nil {
			return err
		}
		if n.Version, err = tx.bumpDirectory(ctx, ids); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "directory.import", ObjectType: "directory", Reason: importReason(n)})
	})
	if err != nil {
		return haven.DirectoryImport{}, err
	}
	return n, nil
}

func directoryLen(d *haven.Directory) int {
	return len(d.Organizations) + len(d.Services) + len(d.Locations) + len(d.ServiceAtLocations) + len(d.Addresses) +
		len(d.Phones) + len(d.Schedules) + len(d.Languages) + len(d.ServiceAreas) + len(d.CostOptions) +
		len(d.RequiredDocuments) + len(d.Taxonomies) + len(d.TaxonomyTerms) + len(d.Attributes) + len(d.Contacts) +
		len(d.Funding) + len(d.Programs) + len(d.Accessibility) + len(d.OrgIdentifiers) + len(d.Metadata) + len(d.MetaTables)
}

// putDirectory upserts every table of d, reporting progress after each
// batch of records.
func (tx *Tx) putDirectory(ctx context.Context, d *haven.Directory, progress func(done, total int)) error {
	total, done := directoryLen(d), 0
	tick := func(n int) {
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	steps := []func() error{
		func() error { return upsert(ctx, tx, taxonomyEntity, d.Taxonomies, tick) },
		func() error { return upsert(ctx, tx, termEntity, d.TaxonomyTerms, tick) },
		func() error { return upsert(ctx, tx, orgEntity, d.Organizations, tick) },
		func() error { return upsert(ctx, tx, serviceEntity, d.Services, tick) },
		func() error { return upsert(ctx, tx, locationEntity, d.Locations, tick) },
		func() error { return upsert(ctx, tx, salEntity, d.ServiceAtLocations, tick) },
		func() error { return upsert(ctx, tx, addressEntity, d.Addresses, tick) },
		func() error { return upsert(ctx, tx, phoneEntity, d.Phones, tick) },
		func() error { return upsert(ctx, tx, scheduleEntity, d.Schedules, tick) },
		func() error { return upsert(ctx, tx, languageEntity, d.Languages, tick) },
		func() error { return upsert(ctx, tx, areaEntity, d.ServiceAreas, tick) },
		func() error { return upsert(ctx, tx, costEntity, d.CostOptions, tick) },
		func() error { return upsert(ctx, tx, documentEntity, d.RequiredDocuments, tick) },
		func() error { return upsert(ctx, tx, attributeEntity, d.Attributes, tick) },
		func() error { return upsert(ctx, tx, contactEntity, d.Contacts, tick) },
		func() error { return upsert(ctx, tx, fundingEntity, d.Funding, tick) },
		func() error { return upsert(ctx, tx, programEntity, d.Programs, tick) },
		func() error { return upsert(ctx, tx, accessibilityEntity, d.Accessibility, tick) },
		func() error { return upsert(ctx, tx, identifierEntity, d.OrgIdentifiers, tick) },
		func() error { return upsert(ctx, tx, metadataEntity, d.Metadata, tick) },
		func() error { return upsert(ctx, tx, metaTableEntity, d.MetaTables, tick) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// allServices in a change means "reload every service": a bulk import.
const allServices = "*"

// maxChangedServices is the largest change listed service by service;
// beyond it other instances rebuild their index.
const maxChangedServices = 5000

// touchedServices lists the services whose matching sites a change to d
// may alter: the services in d, the owners of its records, the services
// delivered at its locations, and those whose display summary it changes.
func (tx *Tx) touchedServices(ctx context.Context, d *haven.Directory) ([]string, error) {
	set := map[string]bool{}
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" {
				set[id] = true
			}
		}
	}
	for _, s := range d.Services {
		add(s.ID)
	}
	for _, s := range d.ServiceAtLocations {
		add(s.ServiceID)
	}
	for _, s := range d.Schedules {
		add(s.ServiceID)
	}
	for _, l := range d.Languages {
		add(l.ServiceID)
	}
	for _, r := range d.RequiredDocuments {
		add(r.ServiceID)
	}
	for _, a := range d.Attributes {
		add(a.LinkID) // a service's need; other links are not services and match nothing below
	}
	shown, all, err := tx.displayTouched(ctx, d)
	if err != nil {
		return nil, err
	}
	add(shown...)
	if all || len(set) > maxChangedServices {
		return []string{allServices}, nil
	}
	sals, err := loadIn(ctx, tx, salEntity, map[string][]string{"location_id": locationsTouched(d)})
	if err != nil {
		return nil, err
	}
	for _, s := range sals {
		add(s.ServiceID)
	}
	if len(set) > maxChangedServices {
		return []string{allServices}, nil
	}
	return keys(set), nil
}

// locationsTouched lists the locations d changes, directly or through
// their addresses, schedules and languages.
func locationsTouched(d *haven.Directory) []string {
	set := map[string]bool{}
	for _, l := range d.Locations {
		set[l.ID] = true
	}
	for _, s := range d.Schedules {
		set[s.LocationID] = true
	}
	for _, l := range d.Languages {
		set[l.LocationID] = true
	}
	delete(set, "")
	return keys(set)
}

func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// keptChanges is how many versions of changes the store keeps for
// instances catching up; one further behind rebuilds its index.
const keptChanges = 1000

// bumpDirectory advances the directory version, records the services
// changed under it and, on PostgreSQL, notifies the other instances when
// the transaction commits. The version row's lock makes concurrent
// changes commit in version order, so a reader that has seen version v
// has seen every change up to v.
func (tx *Tx) bumpDirectory(ctx context.Context, serviceIDs []string) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, `UPDATE hsds_version SET version = version + 1 WHERE id = 1 RETURNING version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("bump directory version: %w", err)
	}
	for start := 0; start < len(serviceIDs); start += upsertBatch {
		chunk := serviceIDs[start:min(start+upsertBatch, len(serviceIDs))]
		var sb strings.Builder
		args := make([]any, 0, 2*len(chunk))
		for i, id := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(valuesList(2*i+1, 2))
			args = append(args, v, id)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hsds_changes (version, service_id) VALUES `+sb.String(), args...); err != nil {
			return 0, fmt.Errorf("record directory change: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM hsds_changes WHERE version <= $1`, v-keptChanges); err != nil {
		return 0, fmt.Errorf("prune directory changes: %w", err)
	}
	return v, tx.notifyDirectory(ctx, v)
}

// DirectoryChannel is the PostgreSQL notification channel on which each
// directory change announces its version.
const DirectoryChannel = "haven_directory"

// notifyDirectory sends version v on DirectoryChannel (PostgreSQL delivers
// it at commit). SQLite serves one instance, which polls the version.
func (tx *Tx) notifyDirectory(ctx context.Context, v int64) error {
	if !tx.db.dialect.notifies {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, DirectoryChannel, strconv.FormatInt(v, 10)); err != nil {
		return fmt.Errorf("notify directory change: %w", err)
	}
	return nil
}

// DeleteDirectoryService deletes a service with the records it owns
// (service-at-locations, phones, schedules, languages, areas, costs,
// documents and attributes); its organization and locations stay. The
// actor must be a directory editor (no system job deletes): Unauthenticated
// or Forbidden otherwise, NotFound if there is no such service.
func (db *DirectoryService) DeleteDirectoryService(ctx context.Context, id string) error {
	if err := db.authorizeDirectory(ctx, access.Delete, false); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM hsds_services WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete service: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return haven.Errorf(haven.NotFound, "Service not found.")
		}
		for _, t := range []string{"hsds_service_at_locations", "hsds_phones", "hsds_schedules", "hsds_languages",
			"hsds_service_areas", "hsds_cost_options", "hsds_required_documents", "hsds_contacts", "hsds_funding"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE service_id = $1`, id); err != nil {
				return fmt.Errorf("delete service records: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM hsds_attributes WHERE link_id = $1`, id); err != nil {
			return fmt.Errorf("delete service attributes: %w", err)
		}
		if _, err := tx.bumpDirectory(ctx, []string{id}); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "directory.delete", ObjectType: "service", ObjectID: id})
	})
}

// SaveService creates or updates one service through the import path, so
// that it is validated, audited and reaches every instance's index; its
// last_modified becomes the store clock's now, so that HSDS consumers
// asking for what changed since (modified_after) see the edit. Errors:
// Unauthenticated (no one signed in), Forbidden (not a directory editor).
func (db *DirectoryService) SaveService(ctx context.Context, s haven.Service) error {
	s.LastModified = db.now().Format(time.RFC3339Nano)
	_, err := db.ImportDirectory(ctx, &haven.Directory{Services: []haven.Service{s}}, nil)
	return err
}
