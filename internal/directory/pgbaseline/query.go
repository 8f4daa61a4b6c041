package pgbaseline

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
)

// Plan is a way of answering a directory query in PostgreSQL.
type Plan string

// The plans: earthdistance (cube's GiST on ll_to_earth, a bounding box,
// ordered by the computed chord) and PostGIS (a geography column, its GiST
// index, ST_DWithin and K-nearest ordering by the <-> operator, which the
// index answers), the one a PostgreSQL user would reach for.
const (
	PlanEarthdistance Plan = "earthdistance"
	PlanPostGIS       Plan = "postgis"
)

// query runs q's hard constraints in SQL by plan; limit > 0 orders by
// distance and keeps the nearest, as a directory query would.
func query(ctx context.Context, db *sql.DB, schema string, plan Plan, q *directory.Query, limit int) ([]string, error) {
	where, args := whereOf(q, plan)
	sqlText := "SELECT service_id || '/' || location_id FROM " + pgx.Identifier{schema, "site"}.Sanitize() + " WHERE " + where
	switch {
	case limit > 0 && plan == PlanPostGIS:
		sqlText += fmt.Sprintf(" ORDER BY geog <-> %s LIMIT %d", queryPoint, limit)
	case limit > 0:
		sqlText += fmt.Sprintf(" ORDER BY (x-$5)*(x-$5)+(y-$6)*(y-$6)+(z-$7)*(z-$7) LIMIT %d", limit)
	}
	rows, err := db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("bench query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// queryPoint is the query's point as a PostGIS geography ($2 latitude,
// $3 longitude).
const queryPoint = "ST_SetSRID(ST_MakePoint($3, $2), 4326)::geography"

// where collects the conditions of a query and their arguments.
type where struct {
	conds []string
	args  []any
}

// add appends cond, whose %[1]s stands for the placeholder of arg.
func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, fmt.Sprintf(cond, fmt.Sprintf("$%d", len(w.args))))
}

// whereOf translates the hard constraints of q (all but OpenAt, which the
// baseline does not model) into SQL with the index's semantics: a site
// matches a need, lies within the radius, and meets every constraint q
// sets; an empty list on the site (genders, statuses) means "all".
func whereOf(q *directory.Query, plan Plan) (string, []any) {
	qx, qy, qz := unitVector(q.Near.Lat, q.Near.Lon)
	c := 2 * math.Sin(q.RadiusKm/(2*directory.EarthKm))
	// earth_box works in earthdistance's radius (6378168 m); scale so the
	// box covers our radius, then filter exactly on the chord.
	boxM := q.RadiusKm * 1000 * 6378168 / (directory.EarthKm * 1000) * 1.01
	near := "earth_box(ll_to_earth($2, $3), $4) @> ll_to_earth(lat, lon)"
	if plan == PlanPostGIS {
		// On the sphere (PostGIS's mean radius is Haven's EarthKm), a
		// hair wider than the radius; the chord then decides exactly.
		boxM = q.RadiusKm * 1000 * 1.001
		near = "ST_DWithin(geog, " + queryPoint + ", $4, false)"
	}
	w := &where{args: []any{haven.NeedCodes(q.Needs), q.Near.Lat, q.Near.Lon, boxM, qx, qy, qz, c * c},
		conds: []string{"terms && $1::text[]", near, "lat IS NOT NULL", "(x-$5)*(x-$5)+(y-$6)*(y-$6)+(z-$7)*(z-$7) <= $8"}}
	if !access.CanSeeConfidential(q.Role) {
		w.conds = append(w.conds, "NOT confidential")
	}
	if q.Age > 0 {
		w.add("min_age <= %[1]s AND (max_age IS NULL OR max_age >= %[1]s)", q.Age)
	}
	if q.Gender != "" {
		w.add("(cardinality(genders) = 0 OR %s = ANY(genders))", string(q.Gender))
	}
	if q.Immigration != "" {
		w.add("(cardinality(immigration) = 0 OR %s = ANY(immigration))", string(q.Immigration))
	}
	documentConds(w, q.MissingDocuments)
	costConds(w, q)
	if q.TraumaInformed {
		w.conds = append(w.conds, "trauma_informed")
	}
	if q.SurvivorSpecific {
		w.conds = append(w.conds, "survivor_specific")
	}
	if q.LanguageRequired && len(q.Languages) > 0 {
		w.add("langs && %s::text[]", lower(q.Languages))
	}
	return strings.Join(w.conds, " AND "), w.args
}

// documentConds requires, for each group of missing documents sharing a
// waiver, that the site needs none of them or waives the barrier.
func documentConds(w *where, missing []haven.DocumentKind) {
	groups := map[haven.Barrier][]string{}
	var waivers []haven.Barrier
	for _, d := range missing {
		b := d.WaivedBy()
		if _, ok := groups[b]; !ok {
			waivers = append(waivers, b)
		}
		groups[b] = append(groups[b], string(d))
	}
	for _, b := range waivers {
		w.add("NOT (documents && %s::text[])", groups[b])
		if b != "" {
			last := len(w.conds) - 1
			w.args = append(w.args, string(b))
			w.conds[last] = fmt.Sprintf("(%s OR $%d = ANY(barriers_waived))", w.conds[last], len(w.args))
		}
	}
}

// costConds requires a free or sliding-scale service when q asks for one,
// and one that is free, sliding-scale or takes the survivor's insurance
// when q names it.
func costConds(w *where, q *directory.Query) {
	if q.FreeOnly {
		w.conds = append(w.conds, "(free OR sliding_scale)")
	}
	if q.Insurance != "" {
		w.add("(free OR sliding_scale OR %s = ANY(insurance))", string(q.Insurance))
	}
}
