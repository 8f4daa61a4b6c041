package sqlstore

// The public directory: the pages the HSDS API serves without sign-in.
// Every read leaves confidential locations out, and whatever would place
// them, in its counts as in its rows.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-care/haven"
)

// where builds a WHERE clause with numbered placeholders.
type where struct {
	conds []string
	args  []any
}

// add appends cond, whose one %d becomes v's placeholder.
func (w *where) add(cond string, v any) {
	w.args = append(w.args, v)
	w.conds = append(w.conds, fmt.Sprintf(cond, len(w.args)))
}

// search requires every word of search in col (a lower-case search
// column), in any order.
func (w *where) search(col, search string) {
	for _, word := range haven.SearchWords(search) {
		w.add(col+` LIKE $%d ESCAPE '\'`, "%"+likeEscape(word)+"%")
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
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

// pageIDs returns the IDs (column id of from) of one page of the rows w
// selects, in order, and how many rows it selects in all.
func (db *store) pageIDs(ctx context.Context, from, id string, w *where, order string, offset, limit int) ([]string, int, error) {
	var total int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", from, err)
	}
	n := len(w.args)
	rows, err := db.db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s%s ORDER BY %s LIMIT $%d OFFSET $%d`, id, from, w, order, n+1, n+2),
		append(slices.Clone(w.args), limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", from, err)
	}
	ids, err := scanIDs(rows)
	return ids, total, err
}

// serviceWhere adds f's conditions on the services s to w (all but ID,
// PostalCode and LocationIDs).
func serviceWhere(w *where, f haven.ServiceFilter) {
	w.search("s.search", f.Search)
	if f.OrganizationID != "" {
		w.add("s.organization_id = $%d", f.OrganizationID)
	}
	if !f.ModifiedAfter.IsZero() {
		w.add("s.modified_at >= $%d", f.ModifiedAfter.UTC().Format(modifiedLayout))
	}
	if f.TaxonomyTermID != "" {
		w.add("EXISTS (SELECT 1 FROM hsds_attributes a WHERE a.link_id = s.id AND a.taxonomy_term_id = $%d)", f.TaxonomyTermID)
	}
	if f.TaxonomyID != "" {
		w.add(`EXISTS (SELECT 1 FROM hsds_attributes a JOIN hsds_taxonomy_terms t ON t.id = a.taxonomy_term_id
			WHERE a.link_id = s.id AND t.taxonomy_id = $%d)`, f.TaxonomyID)
	}
}

// DirectoryServices returns the page of services f selects, with what
// they nest, and how many services match in all. It is public directory
// data: confidential locations, and whatever would place them, never
// appear. Errors: Invalid (a search haven.CheckSearch refuses).
func (db *DirectoryService) DirectoryServices(ctx context.Context, f haven.ServiceFilter) (*haven.Directory, int, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	w := &where{}
	if f.ID != "" {
		w.add("s.id = $%d", f.ID)
	}
	serviceWhere(w, f)
	ids, total, err := db.pageIDs(ctx, "hsds_services s", "s.id", w, "s.name, s.id", f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	d, err := db.servicesDirectory(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	inOrder(d.Services, ids, func(s haven.Service) string { return s.ID })
	d, err = db.withoutConfidential(ctx, d, true)
	return d, total, err
}

// salFrom is the services at locations joined to their services.
const salFrom = "hsds_service_at_locations x JOIN hsds_services s ON s.id = x.service_id"

// DirectoryServiceAtLocations returns the page of services at locations f
// selects, in d.ServiceAtLocations in page order, with their services,
// locations and what those nest; and how many match in all. A service at
// a confidential location is neither listed nor counted. With
// f.LocationIDs the page is in their order (nearest first), then by ID.
// Errors: Invalid (a search haven.CheckSearch refuses).
func (db *DirectoryService) DirectoryServiceAtLocations(ctx context.Context, f haven.ServiceFilter) (*haven.Directory, int, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	w := &where{conds: []string{"NOT " + confidentialLocation("x.location_id")}}
	if f.ID != "" {
		w.add("x.id = $%d", f.ID)
	}
	serviceWhere(w, f)
	if f.PostalCode != "" {
		w.add("EXISTS (SELECT 1 FROM hsds_addresses ad WHERE ad.location_id = x.location_id AND ad.postal_code = $%d)", f.PostalCode)
	}
	var ids []string
	var total int
	var err error
	if f.LocationIDs != nil {
		ids, total, err = db.salsAt(ctx, w, f)
	} else {
		ids, total, err = db.pageIDs(ctx, salFrom, "x.id", w, "s.name, x.id", f.Offset, f.Limit)
	}
	if err != nil {
		return nil, 0, err
	}
	sals, err := loadIn(ctx, db.db, salEntity, map[string][]string{"id": ids})
	if err != nil {
		return nil, 0, err
	}
	d, err := db.servicesDirectory(ctx, idsOf(sals, func(s haven.ServiceAtLocation) string { return s.ServiceID }))
	if err != nil {
		return nil, 0, err
	}
	inOrder(sals, ids, func(s haven.ServiceAtLocation) string { return s.ID })
	d.ServiceAtLocations = sals
	d, err = db.withoutConfidential(ctx, d, true)
	return d, total, err
}

// salsAt returns the page of the services at locations w selects among
// f.LocationIDs, in their order, and how many there are in all.
func (db *store) salsAt(ctx context.Context, w *where, f haven.ServiceFilter) ([]string, int, error) {
	pos := make(map[string]int, len(f.LocationIDs))
	for i, id := range f.LocationIDs {
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	type hit struct {
		id  string
		loc int
	}
	var hits []hit
	for start := 0; start < len(f.LocationIDs); start += inBatch {
		chunk := f.LocationIDs[start:min(start+inBatch, len(f.LocationIDs))]
		n := len(w.args)
		q := fmt.Sprintf(`SELECT x.id, x.location_id FROM %s%s AND x.location_id IN %s`, salFrom, w, valuesList(n+1, len(chunk)))
		rows, err := db.db.QueryContext(ctx, q, append(slices.Clone(w.args), anyIDs(chunk)...)...)
		if err != nil {
			return nil, 0, fmt.Errorf("list services at locations: %w", err)
		}
		for rows.Next() {
			var id, loc string
			if err := rows.Scan(&id, &loc); err != nil {
				rows.Close()
				return nil, 0, fmt.Errorf("read services at locations: %w", err)
			}
			hits = append(hits, hit{id, pos[loc]})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, fmt.Errorf("read services at locations: %w", err)
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.loc, b.loc), cmp.Compare(a.id, b.id)) })
	var ids []string
	for _, h := range hits[min(f.Offset, len(hits)):min(f.Offset+f.Limit, len(hits))] {
		ids = append(ids, h.id)
	}
	return ids, len(hits), nil
}

// DirectoryOrganizations returns the page of organizations f selects with
// their phones, non-confidential locations and the other records they
// nest, and how many organizations match in all. Errors: Invalid (a
// search haven.CheckSearch refuses).
func (db *DirectoryService) DirectoryOrganizations(ctx context.Context, f haven.OrganizationFilter) (*haven.Directory, int, error) {
	if err := haven.CheckSearch(f.Search); err != nil {
		return nil, 0, err
	}
	w := &where{}
	if f.ID != "" {
		w.add("o.id = $%d", f.ID)
	}
	w.search("o.search", f.Search)
	ids, total, err := db.pageIDs(ctx, "hsds_organizations o", "o.id", w, "o.name, o.id", f.Offset, f.Limit)
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
	if err = db.loadOwned(ctx, d, map[string][]string{"location_id": locIDs, "organization_id": ids}); err != nil {
		return nil, 0, err
	}
	d, err = db.withoutConfidential(ctx, d, true)
	return d, total, err
}

// DirectoryTaxonomies returns the page of taxonomies f selects (ID and
// Search) and how many match. Errors: Invalid (a search
// haven.CheckSearch refuses).
func (db *DirectoryService) DirectoryTaxonomies(ctx context.Context, f haven.TaxonomyFilter) ([]haven.Taxonomy, int, error) {
	if err := haven.CheckSearch(f.Search); err != nil {
		return nil, 0, err
	}
	w := &where{}
	if f.ID != "" {
		w.add("t.id = $%d", f.ID)
	}
	w.search("t.search", f.Search)
	ids, total, err := db.pageIDs(ctx, "hsds_taxonomies t", "t.id", w, "t.name, t.id", f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	out, err := loadIn(ctx, db.db, taxonomyEntity, map[string][]string{"id": ids})
	inOrder(out, ids, func(t haven.Taxonomy) string { return t.ID })
	return out, total, err
}

// linkHidden is true when the attribute a links a row of a confidential
// location (see confidentialRows).
func linkHidden() string {
	parts := make([]string, len(confidentialRows))
	for i, q := range confidentialRows {
		parts[i] = q + " AND x.id = a.link_id"
	}
	return "EXISTS (" + strings.Join(parts, " UNION ALL ") + ")"
}

// DirectoryTaxonomyTerms returns the page of taxonomy terms f selects,
// with their taxonomies, and how many match. A term whose attributes all
// link rows of confidential locations (a shelter's own term) is left out,
// as the public services pages leave it out. TopOnly selects the terms
// without a parent. Errors: Invalid (a search haven.CheckSearch refuses).
func (db *DirectoryService) DirectoryTaxonomyTerms(ctx context.Context, f haven.TaxonomyFilter) (*haven.Directory, int, error) {
	if err := haven.CheckSearch(f.Search); err != nil {
		return nil, 0, err
	}
	hidden := linkHidden()
	w := &where{conds: []string{`NOT (NOT EXISTS (SELECT 1 FROM hsds_attributes a WHERE a.taxonomy_term_id = t.id AND NOT ` + hidden + `)
		AND EXISTS (SELECT 1 FROM hsds_attributes a WHERE a.taxonomy_term_id = t.id))`}}
	if f.ID != "" {
		w.add("t.id = $%d", f.ID)
	}
	w.search("t.search", f.Search)
	if f.TaxonomyID != "" {
		w.add("t.taxonomy_id = $%d", f.TaxonomyID)
	}
	if f.ParentID != "" {
		w.add("t.parent_id = $%d", f.ParentID)
	}
	if f.TopOnly {
		w.conds = append(w.conds, "t.parent_id = ''")
	}
	ids, total, err := db.pageIDs(ctx, "hsds_taxonomy_terms t", "t.id", w, "t.name, t.id", f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	d := &haven.Directory{}
	if d.TaxonomyTerms, err = loadIn(ctx, db.db, termEntity, map[string][]string{"id": ids}); err != nil {
		return nil, 0, err
	}
	inOrder(d.TaxonomyTerms, ids, func(t haven.TaxonomyTerm) string { return t.ID })
	taxIDs := idsOf(d.TaxonomyTerms, func(t haven.TaxonomyTerm) string { return t.TaxonomyID })
	d.Taxonomies, err = loadIn(ctx, db.db, taxonomyEntity, map[string][]string{"id": taxIDs})
	return d, total, err
}
