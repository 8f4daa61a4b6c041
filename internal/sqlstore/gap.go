package sqlstore

import (
	"context"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/gap"
)

// GapService answers the gap analysis's tables: it counts coded columns
// by one dimension in SQL, and only the suppressed table (internal/gap)
// leaves it. Survivor data is never decrypted here.
type GapService struct {
	*store
	// Directory is the matching index the supply table asks; without it
	// the supply table is Unavailable.
	Directory gap.Querier
}

// NewGapService returns the gap analysis over db, matching supply
// against idx (nil: no supply table).
func NewGapService(db *DB, idx gap.Querier) *GapService {
	return &GapService{store: db.store, Directory: idx}
}

// groupExpr are the survivor's groups as SQL over the alias s; the
// language is the whole coded column, whose first code Go reads.
var groupExpr = map[string]string{
	gap.DimAgeBand: "s.age_band", gap.DimGender: "s.gender", gap.DimLanguage: "s.languages",
	gap.DimRegion: "s.region_of_origin", gap.DimTrafficking: "s.trafficking_type", gap.DimArea: "s.area",
}

// gapSource is how one population is counted.
type gapSource struct {
	// from is the FROM: survivors as s when alias is empty, otherwise
	// without survivors, alias naming the table whose survivor_id leads
	// to them (join adds them when they are counted by). where is the
	// WHERE clause, if any.
	from, alias, where string
	dims               map[string]string // dimension → SQL, besides groupExpr
	period             string            // the timestamp column of the period
	category           string
}

// source is how population is counted by the dimension by. A referral's
// need is joined only when by is its domain.
func (db *GapService) source(population, by string) gapSource {
	d := db.dialect
	switch population {
	case haven.PopulationNeeds:
		return gapSource{from: `needs n`, alias: "n", dims: map[string]string{gap.DimDomain: "n.domain"},
			period: "n.created_at", category: `CASE WHEN n.status IN ('met', 'not_met', 'declined') THEN n.status ELSE 'open' END`}
	case haven.PopulationReferrals:
		from := `referrals r`
		if by == gap.DimDomain {
			from += ` LEFT JOIN needs n ON n.id = r.need_id`
		}
		return gapSource{from: from, alias: "r",
			dims: map[string]string{gap.DimDomain: "COALESCE(n.domain, '')"}, period: "r.created_at",
			category: `CASE WHEN r.status = 'completed' THEN CASE WHEN r.served_at IS NOT NULL AND ` +
				d.days("r.created_at", "r.served_at") + ` <= 30 THEN 'completed_within_30_days' ELSE 'completed_after_30_days' END
				WHEN r.status IN ('in-progress', 'on-hold') THEN 'in_service'
				WHEN r.status IN ('requested', 'accepted') THEN 'waiting' WHEN r.reason = '' THEN 'other' ELSE r.reason END`}
	case haven.PopulationSurvivors:
		// Served: a need met or a referral completed. One pass over needs
		// and completed referrals makes a row per survivor with a need,
		// which then finds its survivor by primary key.
		return gapSource{from: `(SELECT survivor_id, MAX(served) AS served FROM (
					SELECT survivor_id, 1 AS has_need, CASE WHEN status = 'met' THEN 1 ELSE 0 END AS served FROM needs
					UNION ALL SELECT survivor_id, 0, 1 FROM referrals WHERE status = 'completed') u
				GROUP BY survivor_id HAVING MAX(has_need) = 1) sv JOIN survivors s ON s.id = sv.survivor_id`,
			period:   "s.created_at",
			category: `CASE WHEN sv.served = 1 THEN 'served' ELSE 'not_served' END`}
	case haven.PopulationScreenings:
		return gapSource{from: `screenings sc`, alias: "sc",
			dims: map[string]string{gap.DimInstrument: "sc.instrument_id"}, period: "sc.created_at",
			category: `CASE WHEN sc.screened = FALSE THEN 'not_screened' ELSE sc.concern END`}
	case haven.PopulationOutcomes:
		// Positive: the screen met its threshold (moderate or high concern).
		return gapSource{from: `screenings sc`, where: `WHERE sc.outcome <> '' AND (sc.screened IS NULL OR sc.screened = TRUE)`,
			dims: map[string]string{gap.DimInstrument: "sc.instrument_id"}, period: "sc.created_at",
			category: `CASE WHEN sc.concern IN ('moderate', 'high') THEN
				CASE WHEN sc.outcome = 'confirmed' THEN 'tp' ELSE 'fp' END
				ELSE CASE WHEN sc.outcome = 'confirmed' THEN 'fn' ELSE 'tn' END END`, alias: "sc"}
	}
	return gapSource{}
}

// join is the FROM and WHERE of src counted by the dimension by: with the
// survivors joined only when by is one of their groups, so that counting
// a million referrals by month or status reads the referrals alone.
func (src gapSource) join(by string) string {
	from := src.from
	if _, group := groupExpr[by]; group && src.alias != "" {
		from += ` JOIN survivors s ON s.id = ` + src.alias + `.survivor_id`
	}
	return from + " " + src.where
}

// GapTable counts population by one dimension and returns the suppressed
// table. Only roles Decide lets read analytics may.
func (db *GapService) GapTable(ctx context.Context, population, by string) (*haven.GapTable, error) {
	if err := gap.Check(population, by); err != nil {
		return nil, err
	}
	if err := db.authorizeResource(ctx, access.Read, access.Analytics, "analytics.read"); err != nil {
		return nil, err
	}
	var units []gap.Unit
	var err error
	if population == haven.PopulationSupply {
		units, err = db.supplyUnits(ctx, by)
	} else {
		units, err = db.countBy(ctx, db.source(population, by), by)
	}
	if err != nil {
		return nil, err
	}
	p := gap.Population{Name: population, Dims: []string{by}, Categories: gap.Categories[population], Order: gap.Order, Units: units}
	t, _ := gap.Build(p, by)
	return &t, nil
}

// countBy counts the population's units by the dimension and category.
func (db *GapService) countBy(ctx context.Context, src gapSource, by string) ([]gap.Unit, error) {
	expr, ok := src.dims[by]
	switch {
	case ok:
	case by == gap.DimPeriod:
		expr = db.dialect.month(src.period)
	default:
		expr = groupExpr[by]
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+expr+`, `+src.category+`, COUNT(*) FROM `+src.join(by)+` GROUP BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", by, err)
	}
	defer rows.Close()
	var out []gap.Unit
	for rows.Next() {
		var v, cat string
		u := gap.Unit{}
		if err := rows.Scan(&v, &cat, &u.N); err != nil {
			return nil, fmt.Errorf("count %s: %w", by, err)
		}
		u.Values, u.Category = []string{dimValue(by, v)}, cat
		out = append(out, u)
	}
	return out, rows.Err()
}

// dimValue turns a counted column into the dimension's value: a month
// into its quarter, the coded languages into the first language.
func dimValue(by, v string) string {
	switch by {
	case gap.DimPeriod:
		return gap.Quarter(v)
	case gap.DimLanguage:
		if ls, err := languagesFromRest(v); err == nil && len(ls) > 0 {
			return ls[0].Code
		}
		return ""
	}
	return v
}

// supplyUnits counts needs (all but those the survivor declined) by domain and the survivor's language,
// area, age band and gender, and matches each against the directory.
func (db *GapService) supplyUnits(ctx context.Context, by string) ([]gap.Unit, error) {
	if db.Directory == nil {
		return nil, haven.Errorf(haven.Unavailable, "The supply table needs the service directory, which this server has not loaded.")
	}
	rows, err := db.db.QueryContext(ctx, `SELECT n.domain, s.languages, s.area, s.age_band, s.gender, COUNT(*)
		FROM needs n JOIN survivors s ON s.id = n.survivor_id WHERE n.status <> 'declined'
		GROUP BY 1, 2, 3, 4, 5`)
	if err != nil {
		return nil, fmt.Errorf("count demand: %w", err)
	}
	var demand []gap.Demand
	for rows.Next() {
		var d gap.Demand
		var langs string
		if err := rows.Scan(&d.Domain, &langs, &d.Area, &d.AgeBand, &d.Gender, &d.N); err != nil {
			rows.Close()
			return nil, fmt.Errorf("count demand: %w", err)
		}
		d.Language = dimValue(gap.DimLanguage, langs)
		demand = append(demand, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	units, err := gap.SupplyUnits(demand, db.Directory)
	if err != nil {
		return nil, err
	}
	d := 0
	for i, name := range gap.Dims[haven.PopulationSupply] {
		if name == by {
			d = i
		}
	}
	for i := range units {
		units[i].Values = []string{units[i].Values[d]}
	}
	return units, nil
}
