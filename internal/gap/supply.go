package gap

import (
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

// DimBarrier is the supply population's extra dimension: the first reason
// the nearest near miss gave (directory.MissCode), or unknown when there
// was a match or no near miss at all.
const DimBarrier = "barrier"

// Supply distance bands and the reasons no service matched.
const (
	Within10    = "within_10km"
	Within25    = "within_25km"
	Within50    = "within_50km"
	Within100   = "within_100km"
	NoLanguage  = "language_not_offered" // a service near enough failed only on language
	Ineligible  = "eligibility_barrier"  // a service near enough failed on eligibility
	NoService   = "no_service"           // nothing for the need within 100 km
	SupplyMaxKm = 100
)

// SupplyCategories are the supply population's columns: the band of the
// nearest service that matches in full, or why none did within
// SupplyMaxKm. A chosen distance only says which columns are gaps
// (GapColumns); the counts are always these, so two distances cannot be
// differenced into a finer split.
var SupplyCategories = []string{Within10, Within25, Within50, Within100, NoLanguage, Ineligible, NoService}

func init() {
	Dims[haven.PopulationSupply] = append(Dims[haven.PopulationSupply], DimBarrier)
}

// SupplyDistances are the distances an analyst may choose.
var SupplyDistances = []int{10, 25, 50, 100}

// GapColumns lists the supply columns that count as a gap at a chosen
// distance: the bands beyond it and every no-match column.
func GapColumns(km int) []string {
	out := []string{NoLanguage, Ineligible, NoService}
	for i, d := range SupplyDistances {
		if d > km {
			out = append(out, SupplyCategories[i])
		}
	}
	return out
}

// Demand is N open needs of one domain by survivors of one language, area,
// age band and gender.
type Demand struct {
	Domain, Language, Area, AgeBand, Gender string
	N                                       int
}

// Querier is the directory's matching index.
type Querier interface {
	Query(directory.Query) (directory.Answer, error)
}

// SupplyUnits matches each demand against the directory near its area and
// returns the supply population's units (dimensions as Dims[supply]).
// Demand in an area the gazetteer does not know counts in no column: its
// need cannot be placed.
func SupplyUnits(demand []Demand, idx Querier) ([]Unit, error) {
	var out []Unit
	for _, d := range demand {
		at, ok := directory.CityPoint(d.Area)
		if !ok || d.Domain == "" {
			continue
		}
		cat, barrier, err := match(d, at, idx)
		if err != nil {
			return nil, err
		}
		out = append(out, Unit{Values: []string{d.Domain, d.Language, d.Area, d.AgeBand, d.Gender, barrier},
			Category: cat, N: d.N})
	}
	return out, nil
}

// match finds the band of the nearest full match, or why nothing matched.
func match(d Demand, at directory.Point, idx Querier) (category, barrier string, err error) {
	q := directory.Query{Needs: []string{d.Domain}, Near: &at, RadiusKm: SupplyMaxKm, Gender: haven.Gender(d.Gender),
		Age: ageOf(d.AgeBand), Limit: -1, NearMisses: 1, Role: haven.RoleAnalyst}
	if d.Language != "" {
		q.Languages, q.LanguageRequired = []string{d.Language}, true
	}
	a, err := idx.Query(q)
	if err != nil {
		return "", "", err
	}
	nearest := -1.0
	for _, r := range a.Results {
		if r.DistanceKm >= 0 && (nearest < 0 || r.DistanceKm < nearest) {
			nearest = r.DistanceKm
		}
	}
	if nearest >= 0 {
		for i, km := range SupplyDistances {
			if nearest <= float64(km) {
				return SupplyCategories[i], "", nil
			}
		}
	}
	if len(a.NearMisses) == 0 || len(a.NearMisses[0].Why) == 0 {
		return NoService, "", nil
	}
	why := directory.MissCode(a.NearMisses[0].Why[0].Code)
	for _, w := range a.NearMisses[0].Why {
		if w.Code == directory.MissLanguage {
			return NoLanguage, "language", nil
		}
	}
	return Ineligible, why, nil
}

// ageOf is the middle of an age band, for eligibility by age; 0 unknown.
func ageOf(band string) int {
	var lo, hi int
	if n, _ := fmt.Sscanf(band, "%d-%d", &lo, &hi); n == 2 {
		return (lo + hi) / 2
	}
	if n, _ := fmt.Sscanf(band, "%d+", &lo); n == 1 {
		return lo + 5
	}
	return 0
}
