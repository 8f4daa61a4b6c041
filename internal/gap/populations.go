package gap

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/haven-care/haven"
)

// The dimensions a table may be broken down by.
const (
	DimDomain      = "domain"
	DimArea        = "area"
	DimPeriod      = "period" // calendar quarter, YYYY-Qn
	DimAgeBand     = "age_band"
	DimGender      = "gender"
	DimLanguage    = "language" // the first preferred language
	DimRegion      = "region_of_origin"
	DimTrafficking = "trafficking_type"
	DimInstrument  = "instrument"
)

// groupDims are the survivor's groups, which every population has.
var groupDims = []string{DimAgeBand, DimGender, DimLanguage, DimRegion, DimTrafficking, DimArea, DimPeriod}

// Dims lists each population's dimensions, the first its default.
var Dims = map[string][]string{
	haven.PopulationNeeds:      append([]string{DimDomain}, groupDims...),
	haven.PopulationReferrals:  append([]string{DimDomain}, groupDims...),
	haven.PopulationSurvivors:  groupDims,
	haven.PopulationScreenings: append([]string{DimInstrument}, groupDims...),
	haven.PopulationOutcomes:   append([]string{DimInstrument}, groupDims...),
	haven.PopulationSupply:     {DimDomain, DimLanguage, DimArea, DimAgeBand, DimGender},
}

// The referral outcome categories besides the coded reasons of failure.
// Time to first service splits the completed ones: a median per row
// would move when a suppressed count moves, a count does not.
const (
	Waiting       = "waiting"    // requested or accepted, no service yet
	InService     = "in_service" // in progress or on hold
	CompletedSoon = "completed_within_30_days"
	CompletedLate = "completed_after_30_days"
)

// Categories lists each population's columns.
var Categories = map[string][]string{
	haven.PopulationNeeds: {string(haven.NeedMet), "open", string(haven.NeedNotMet), string(haven.NeedDeclined)},
	haven.PopulationReferrals: append([]string{Waiting, InService, CompletedSoon, CompletedLate}, func() []string {
		var out []string
		for _, r := range haven.ReferralReasons {
			out = append(out, string(r))
		}
		return out
	}()...),
	haven.PopulationSurvivors:  {Served, NotServed},
	haven.PopulationScreenings: {"none", "low", "moderate", "high", "not_screened"},
	haven.PopulationOutcomes:   {TruePositive, FalseNegative, FalsePositive, TrueNegative},
	haven.PopulationSupply:     SupplyCategories,
}

// Order gives the known values of the dimensions that have a fixed
// vocabulary, in the order rows are shown.
var Order = func() map[string][]string {
	o := map[string][]string{DimRegion: haven.Regions, DimTrafficking: haven.TraffickingTypes}
	for _, b := range haven.AgeBands {
		o[DimAgeBand] = append(o[DimAgeBand], string(b))
	}
	for _, g := range haven.SurvivorGenders {
		o[DimGender] = append(o[DimGender], string(g))
	}
	for _, n := range haven.Needs {
		o[DimDomain] = append(o[DimDomain], n.Code)
	}
	return o
}()

// Quarter turns a month YYYY-MM into its quarter YYYY-Qn, and anything
// else into "".
func Quarter(month string) string {
	var y, m int
	if _, err := fmt.Sscanf(month, "%4d-%2d", &y, &m); err != nil || m < 1 || m > 12 || len(month) != 7 {
		return ""
	}
	return fmt.Sprintf("%04d-Q%d", y, (m-1)/3+1)
}

// Check says whether population and by name a table, as an Invalid error
// that lists the choices when they do not.
func Check(population, by string) error {
	dims, ok := Dims[population]
	if !ok {
		return Invalid("population", "Choose one of: "+strings.Join(haven.GapPopulations, ", ")+".")
	}
	for _, d := range dims {
		if d == by {
			return nil
		}
	}
	return Invalid("by", fmt.Sprintf("A table of %s breaks down by one of: %s.", population, strings.Join(dims, ", ")))
}

// Invalid is an Invalid error whose message is the problem itself, for
// surfaces that show only the message (the report's own checks too).
func Invalid(field, problem string) error {
	return &haven.Error{Kind: haven.Invalid, Message: problem, Fields: map[string]string{field: problem}}
}

// Headline lists the categories whose share of each row a chart shows:
// needs met, referrals completed, survivors served, screens positive, and
// for supply the gap columns at km.
func Headline(population string, km int) []string {
	switch population {
	case haven.PopulationNeeds:
		return []string{string(haven.NeedMet)}
	case haven.PopulationReferrals:
		return []string{CompletedSoon, CompletedLate}
	case haven.PopulationSurvivors:
		return []string{Served}
	case haven.PopulationScreenings:
		return []string{"moderate", "high"}
	case haven.PopulationOutcomes:
		return []string{TruePositive, TrueNegative}
	case haven.PopulationSupply:
		return GapColumns(km)
	}
	return nil
}

// RowShare is the share of row r that falls in the categories cats of
// table t, and false when a count it needs is suppressed or merged away.
func RowShare(t *haven.GapTable, r haven.GapRow, cats []string) (float64, bool) {
	total, ok := r.Total.Count()
	if !ok || total == 0 {
		return 0, false
	}
	sum := 0
	for _, c := range cats {
		j := slices.Index(t.Categories, c)
		if j < 0 {
			if slices.Contains(Categories[t.Population], c) {
				return 0, false // merged into Merged
			}
			continue
		}
		n, ok := r.Cells[j].Count()
		if !ok {
			return 0, false
		}
		sum += n
	}
	return float64(sum) / float64(total), true
}

// WriteCSV writes t as CSV: a header of the dimension, the categories
// and total, one line per row and a line of totals; a suppressed count is
// written "<11", as on the page.
func WriteCSV(w io.Writer, t *haven.GapTable) error {
	cw := csv.NewWriter(w)
	if t.Withheld {
		cw.Write([]string{"withheld", "the population is too small to show"})
		cw.Flush()
		return cw.Error()
	}
	cw.Write(append(append([]string{t.By}, t.Categories...), "total"))
	for _, r := range t.Rows {
		line := []string{safeCell(r.Value)}
		for _, c := range r.Cells {
			line = append(line, c.String())
		}
		cw.Write(append(line, r.Total.String()))
	}
	line := []string{"total"}
	for _, c := range t.Totals {
		line = append(line, c.String())
	}
	cw.Write(append(line, t.Total.String()))
	cw.Flush()
	return cw.Error()
}

// safeCell keeps a spreadsheet from reading a value as a formula.
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
