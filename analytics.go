package haven

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Gap and equity analysis (PRODUCT.md §9): the analyst's tables of needs,
// referrals, survivors served and screenings, by need domain, area,
// period and group, every count of which is an aggregate with small
// cells suppressed (internal/gap, docs/gap.md).

// SurvivorGroups are the coded, pseudonymous groups a survivor belongs to,
// kept in the clear for the suppressed aggregates of the gap analysis and
// never shown outside the care team as anything but a count. Empty means
// not recorded.
type SurvivorGroups struct {
	Gender          Gender `json:"gender"`
	RegionOfOrigin  string `json:"region_of_origin"`
	TraffickingType string `json:"trafficking_type"`
	// Area is the city or service area the survivor is helped in, a name
	// of the directory's gazetteer (such as Austin), so that the supply
	// analysis can look for services near it. Never an address.
	Area string `json:"area"`
}

// SurvivorGenders are the genders recorded for the analysis.
var SurvivorGenders = []Gender{GenderFemale, GenderMale, GenderNonBinary, GenderTrans}

// Regions of origin, coarse enough that none points to a person:
// domestic means born in the country where Haven runs.
var Regions = []string{"domestic", "mexico-central-america", "caribbean", "south-america", "east-asia", "southeast-asia",
	"south-asia", "central-west-asia", "middle-east-north-africa", "sub-saharan-africa", "eastern-europe", "western-europe",
	"oceania"}

// TraffickingTypes are the forms of trafficking recorded.
var TraffickingTypes = []string{"labor", "sex", "labor-and-sex", "other"}

// validate checks g's codes.
func (g *SurvivorGroups) validate() error {
	g.Area = strings.TrimSpace(g.Area)
	switch {
	case g.Gender != "" && !slices.Contains(SurvivorGenders, g.Gender):
		return FieldError("gender", "Choose one of the listed genders, or leave it empty.")
	case g.RegionOfOrigin != "" && !slices.Contains(Regions, g.RegionOfOrigin):
		return FieldError("region_of_origin", "Choose one of the listed regions of origin, or leave it empty.")
	case g.TraffickingType != "" && !slices.Contains(TraffickingTypes, g.TraffickingType):
		return FieldError("trafficking_type", "Choose one of the listed forms of trafficking, or leave it empty.")
	case !validArea(g.Area):
		return FieldError("area", "Give the city or service area in at most 60 letters, spaces, dots and hyphens (never an address).")
	}
	return nil
}

// validArea accepts a place name: letters, spaces, dots, apostrophes and
// hyphens, at most 60 characters, no digits (so no street address fits).
func validArea(s string) bool {
	if utf8.RuneCountInString(s) > 60 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !strings.ContainsRune(" .'-", r) {
			return false
		}
	}
	return true
}

// ScreeningOutcome is what staff later confirmed about a screened
// person: the reference standard of the programme's accuracy figures.
type ScreeningOutcome string

// The outcomes; empty is not (yet) known.
const (
	OutcomeUnknown   ScreeningOutcome = ""
	OutcomeConfirmed ScreeningOutcome = "confirmed" // trafficking was confirmed
	OutcomeRuledOut  ScreeningOutcome = "ruled_out" // trafficking was ruled out
)

// ScreeningOutcomes lists the outcomes staff record.
var ScreeningOutcomes = []ScreeningOutcome{OutcomeConfirmed, OutcomeRuledOut}

// GapCell is a published count or a suppressed one. A suppressed cell
// holds no count at all, so no surface can show it by mistake: its zero
// value is suppressed.
type GapCell struct {
	n  int
	ok bool
}

// PublishedCell is a count that may be shown.
func PublishedCell(n int) GapCell { return GapCell{n: n, ok: true} }

// GapThreshold is the smallest count published: 1 to 10 are suppressed.
const GapThreshold = 11

// Count returns a published cell's count, and false for a suppressed one.
func (c GapCell) Count() (int, bool) { return c.n, c.ok }

// Suppressed reports whether the cell's count is withheld.
func (c GapCell) Suppressed() bool { return !c.ok }

// String is the count, or "<11" for a suppressed cell.
func (c GapCell) String() string {
	if !c.ok {
		return "<" + strconv.Itoa(GapThreshold)
	}
	return strconv.Itoa(c.n)
}

// MarshalJSON writes the count, or null for a suppressed cell.
func (c GapCell) MarshalJSON() ([]byte, error) {
	if !c.ok {
		return []byte("null"), nil
	}
	return json.Marshal(c.n)
}

// GapRow is one value of a table's dimension.
type GapRow struct {
	Value string    `json:"value"`
	Cells []GapCell `json:"cells"`
	Total GapCell   `json:"total"`
}

// GapTable is a population broken down by one dimension against its
// categories, after suppression. Column totals and the grand total are
// always published (small categories are merged instead).
type GapTable struct {
	Population string    `json:"population"`
	By         string    `json:"by"`
	Categories []string  `json:"categories"`
	Rows       []GapRow  `json:"rows"`
	Totals     []GapCell `json:"totals"`
	Total      GapCell   `json:"total"`
	// Withheld is true when the population is too small to show, or the
	// table could not be protected: then it has no rows and no counts.
	Withheld bool `json:"withheld,omitempty"`
}

// The populations of the gap analysis.
const (
	PopulationNeeds      = "needs"      // care-plan needs, by status
	PopulationReferrals  = "referrals"  // referrals, by outcome and why they failed
	PopulationSurvivors  = "survivors"  // survivors with a need, served or not
	PopulationScreenings = "screenings" // screenings, by level of concern
	PopulationOutcomes   = "outcomes"   // screenings whose outcome staff confirmed
	PopulationSupply     = "supply"     // open needs against the directory
)

// GapPopulations lists them in the order the report shows them.
var GapPopulations = []string{PopulationNeeds, PopulationReferrals, PopulationSurvivors, PopulationScreenings,
	PopulationOutcomes, PopulationSupply}

// GapService answers the analyst's tables. It returns suppressed
// aggregates only: nothing it returns names or counts fewer than
// GapThreshold people.
type GapService interface {
	// GapTable breaks a population down by one of its dimensions
	// (gap.Dims). Only roles that Decide lets read analytics may. There is
	// no filter: every request is a whole table of the population, which
	// is what keeps two requests from being differenced. Errors: Invalid
	// (an unknown population or dimension), Unauthenticated, Forbidden.
	GapTable(ctx context.Context, population, by string) (*GapTable, error)
}

// SyntheticCase is one invented survivor of a synthetic caseload (`haven
// demo cases`), with the screenings, needs and referrals the gap reports
// count. It is never a real person.
type SyntheticCase struct {
	Survivor   NewSurvivor
	Created    time.Time
	Screenings []SyntheticScreening
	Needs      []SyntheticNeed
}

// SyntheticScreening is a screening's coded outcome.
type SyntheticScreening struct {
	InstrumentID string
	Concern      string
	Screened     bool
	Outcome      ScreeningOutcome
	Created      time.Time
}

// SyntheticNeed is a need of the care plan and the referrals made for it.
type SyntheticNeed struct {
	Domain    string
	Status    NeedStatus
	Created   time.Time
	Referrals []SyntheticReferral
}

// SyntheticReferral is a referral and where it ended. ServedAfterDays is
// the days to its first service, or −1 when it never reached one.
type SyntheticReferral struct {
	ServiceID       string
	OrganizationID  string
	Status          ReferralStatus
	Reason          ReferralReason
	Created         time.Time
	ServedAfterDays int
}
