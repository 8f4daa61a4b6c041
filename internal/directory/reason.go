package directory

import "fmt"

// Reason is one reason a site matched or, for a near miss, a constraint
// it failed: Code names it, for a page to word in its own language;
// String gives the English the JSON API answers with. Need is the need
// offered (ReasonOffers); RadiusKm and Km the search radius and the
// distance (ReasonNear).
type Reason struct {
	Code         string
	Need         string
	RadiusKm, Km float64
}

// The codes of the reasons a site matched.
const (
	ReasonOffers    = "offers"
	ReasonNear      = "near"
	ReasonLanguage  = "language"
	ReasonTrauma    = "trauma_informed"
	ReasonSurvivor  = "survivor_specific"
	ReasonLGBTQ     = "lgbtq_affirming"
	ReasonCommunity = "community"
	ReasonBarriers  = "barriers"
	ReasonOpen      = "open"
	ReasonFree      = "free"
	ReasonEligible  = "eligible"
)

// The codes of the constraints a near miss failed.
const (
	MissAge         = "miss_age"
	MissGender      = "miss_gender"
	MissImmigration = "miss_immigration"
	MissDocuments   = "miss_documents"
	MissCost        = "miss_cost"
	MissTrauma      = "miss_trauma_informed"
	MissSurvivor    = "miss_survivor_specific"
	MissLanguage    = "miss_language"
	MissClosed      = "miss_closed"
)

// reasonText is the English of each code but offers and near.
var reasonText = map[string]string{
	ReasonLanguage: "speaks a requested language", ReasonTrauma: "trauma-informed", ReasonSurvivor: "serves survivors of trafficking",
	ReasonLGBTQ: "LGBTQ+ affirming", ReasonCommunity: "serves the survivor's community", ReasonBarriers: "waives barriers the survivor faces",
	ReasonOpen: "open at the requested time", ReasonFree: "free or sliding scale", ReasonEligible: "eligibility met",
	MissAge: "age outside the service's range", MissGender: "serves other genders", MissImmigration: "does not accept this immigration status",
	MissDocuments: "requires documents the survivor lacks", MissCost: "cost or insurance not accepted", MissTrauma: "not trauma-informed",
	MissSurvivor: "not survivor-specific", MissLanguage: "no staff or interpretation in the requested languages",
	MissClosed: "closed at the requested time",
}

// String is the reason in English.
func (r Reason) String() string {
	switch r.Code {
	case ReasonOffers:
		return "offers " + r.Need
	case ReasonNear:
		return fmt.Sprintf("within %.0f km (%.1f km away)", r.RadiusKm, r.Km)
	}
	return reasonText[r.Code]
}

// ReasonCodes lists every code but offers and near, whose English is
// fixed: for pages to check that each has a translation.
func ReasonCodes() []string {
	out := make([]string, 0, len(reasonText))
	for c := range reasonText {
		out = append(out, c)
	}
	return out
}

// missShort is the gap report's short code of each near-miss code.
var missShort = map[string]string{MissAge: "age", MissGender: "gender", MissImmigration: "immigration", MissDocuments: "documents",
	MissCost: "cost", MissTrauma: "trauma-informed", MissSurvivor: "survivor-specific", MissLanguage: "language", MissClosed: "hours"}

// MissCode returns the short code of a near miss's failed constraint
// (a Reason code of NearMiss.Why), such as "language" or "documents", as
// the gap report names its barriers; "" for a code that is not a miss.
func MissCode(code string) string { return missShort[code] }
