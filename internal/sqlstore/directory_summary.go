package sqlstore

import (
	"context"
	"fmt"

	"github.com/haven-care/haven"
)

// displayTouched lists the services whose display summary in the matching
// index (organization name, address line, phone) a change to d may alter,
// beyond the services touchedServices finds for matching: those of its
// organizations and of its organizations' phones, the owners of its
// phones, and the services delivered at the locations of its addresses and
// phones. all is true when d holds too many such records to list.
func (tx *Tx) displayTouched(ctx context.Context, d *haven.Directory) (ids []string, all bool, err error) {
	if len(d.Organizations)+len(d.Addresses)+len(d.Phones) > maxChangedServices {
		return nil, true, nil
	}
	var orgs, locs, sals []string
	for _, o := range d.Organizations {
		orgs = append(orgs, o.ID)
	}
	for _, a := range d.Addresses {
		locs = append(locs, a.LocationID)
	}
	for _, p := range d.Phones {
		ids = append(ids, p.ServiceID)
		orgs, locs, sals = append(orgs, p.OrganizationID), append(locs, p.LocationID), append(sals, p.ServiceAtLocationID)
	}
	for _, q := range []struct {
		sql string
		by  []string
	}{
		{`SELECT id FROM hsds_services WHERE organization_id IN `, orgs},
		{`SELECT service_id FROM hsds_service_at_locations WHERE location_id IN `, locs},
		{`SELECT service_id FROM hsds_service_at_locations WHERE id IN `, sals},
	} {
		got, err := tx.idsIn(ctx, q.sql, nonEmpty(q.by))
		if err != nil {
			return nil, false, err
		}
		ids = append(ids, got...)
	}
	return nonEmpty(ids), false, nil
}

// idsIn runs query (ending in "IN ") for ids, in batches, and returns the
// first column of every row.
func (tx *Tx) idsIn(ctx context.Context, query string, ids []string) ([]string, error) {
	var out []string
	for start := 0; start < len(ids); start += inBatch {
		chunk := ids[start:min(start+inBatch, len(ids))]
		rows, err := tx.QueryContext(ctx, query+valuesList(1, len(chunk)), anyIDs(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("read services to refresh: %w", err)
		}
		got, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// nonEmpty returns the distinct non-empty strings of v.
func nonEmpty(v []string) []string {
	return idsOf(v, func(s string) string { return s })
}
