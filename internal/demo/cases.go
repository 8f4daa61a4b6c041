package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

// The synthetic caseload (`haven demo cases --survivors N`): invented
// survivors with screenings, needs and referrals, deterministic for a
// given size and seed, with gaps built in that the gap reports must find:
//
//   - Mam speakers (mam), whom no service of the synthetic directory
//     serves in their language, have their needs met far less often and
//     their referrals fail for a language mismatch;
//   - survivors helped in El Paso, where the demo directory (around
//     Austin) has no service within 100 km, wait much longer for a first
//     service and are served less;
//   - men's shelter and housing referrals are refused as ineligible.
//
// CaseloadEnd is the day the synthetic caseload's two years end.
var CaseloadEnd = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

// GapLanguage and GapArea are the built-in gaps' language and area.
const (
	GapLanguage = "mam"
	GapArea     = "El Paso"
)

// CaseloadOrganization and CaseloadService receive the synthetic
// referrals.
const (
	CaseloadOrganization = "demo-caseload-org"
	CaseloadService      = "demo-caseload-service"
)

type pick[T any] = directory.Weighted[T]

var (
	caseLanguages = pick[string]{{"en", 40}, {"es", 30}, {"vi", 7}, {"ar", 6}, {GapLanguage, 7}, {"zh", 5}, {"ht", 5}}
	caseAreas     = pick[string]{{"Austin", 60}, {"San Antonio", 25}, {GapArea, 15}}
	caseGenders   = pick[haven.Gender]{{haven.GenderFemale, 58}, {haven.GenderMale, 32}, {haven.GenderNonBinary, 5}, {haven.GenderTrans, 5}}
	caseRegions   = pick[string]{{"domestic", 35}, {"mexico-central-america", 30}, {"southeast-asia", 10}, {"south-america", 8},
		{"east-asia", 6}, {"caribbean", 6}, {"middle-east-north-africa", 5}}
	caseTypes = pick[string]{{"labor", 45}, {"sex", 40}, {"labor-and-sex", 10}, {"other", 5}}
	caseAges  = pick[haven.AgeBand]{{haven.Age15to17, 8}, {haven.Age18to24, 30}, {haven.Age25to34, 32}, {haven.Age35to44, 18},
		{haven.Age45to54, 8}, {haven.Age55to64, 4}}
	caseDomains = pick[string]{{"housing", 14}, {"mental-health", 14}, {"legal", 10}, {"immigration", 10}, {"employment", 9},
		{"immediate-medical", 9}, {"shelter", 8}, {"food", 6}, {"safety", 6}, {"education", 4}, {"financial", 4},
		{"long-term-medical", 3}, {"substance-use", 3}}
	caseInstruments = pick[string]{{"haven-adult-indicators", 60}, {"haven-rapid-four", 30}, {"haven-youth-short", 10}}
	failReasons     = pick[haven.ReferralReason]{{haven.ReasonNoCapacity, 35}, {haven.ReasonSurvivorDeclined, 20},
		{haven.ReasonUnreachable, 20}, {haven.ReasonIneligible, 15}, {haven.ReasonOther, 10}}
)

// Caseload returns n synthetic cases; the same n and seed give the same
// caseload.
func Caseload(n int, seed uint64) []haven.SyntheticCase {
	rng := rand.New(rand.NewPCG(seed, 0x6a9))
	out := make([]haven.SyntheticCase, n)
	for i := range out {
		out[i] = syntheticCase(rng, i)
	}
	return out
}

func syntheticCase(rng *rand.Rand, i int) haven.SyntheticCase {
	lang, area := caseLanguages.Pick(rng), caseAreas.Pick(rng)
	ns := haven.NewSurvivor{Name: fmt.Sprintf("Synthetic Case %d", i+1), AgeBand: caseAges.Pick(rng),
		Languages: []haven.LanguagePreference{{Code: lang, Interpreter: lang != "en"}},
		Groups: haven.SurvivorGroups{Gender: caseGenders.Pick(rng), RegionOfOrigin: caseRegions.Pick(rng),
			TraffickingType: caseTypes.Pick(rng), Area: area},
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelInPerson}}}
	created := CaseloadEnd.Add(-time.Duration(rng.Float64()*730*24) * time.Hour)
	c := haven.SyntheticCase{Survivor: ns, Created: created}
	c.Screenings = append(c.Screenings, syntheticScreening(rng, created, ns.AgeBand))
	seen := map[string]bool{}
	for range 1 + rng.IntN(4) {
		d := caseDomains.Pick(rng)
		if seen[d] {
			continue
		}
		seen[d] = true
		c.Needs = append(c.Needs, syntheticNeed(rng, created, d, lang, area, ns.Groups.Gender))
	}
	return c
}

func syntheticScreening(rng *rand.Rand, at time.Time, age haven.AgeBand) haven.SyntheticScreening {
	s := haven.SyntheticScreening{InstrumentID: caseInstruments.Pick(rng), Screened: rng.Float64() > 0.05, Created: at}
	if age.Minor() {
		s.InstrumentID = "haven-youth-short"
	}
	trafficked := rng.Float64() < 0.35
	level := rng.Float64()
	if trafficked {
		level += 0.45 // the screen finds most, not all (sensitivity about 0.8)
	}
	switch {
	case !s.Screened:
		s.Concern = "none"
	case level > 0.95:
		s.Concern = "high"
	case level > 0.7:
		s.Concern = "moderate"
	case level > 0.35:
		s.Concern = "low"
	default:
		s.Concern = "none"
	}
	if s.Screened && rng.Float64() < 0.6 { // staff recorded what was confirmed
		s.Outcome = haven.OutcomeRuledOut
		if trafficked {
			s.Outcome = haven.OutcomeConfirmed
		}
	}
	return s
}

func syntheticNeed(rng *rand.Rand, created time.Time, domain, lang, area string, gender haven.Gender) haven.SyntheticNeed {
	n := haven.SyntheticNeed{Domain: domain, Created: created.Add(time.Duration(rng.IntN(72)) * time.Hour)}
	meet := 0.6
	if lang == GapLanguage {
		meet = 0.15
	}
	if area == GapArea {
		meet *= 0.6
	}
	wait := 7.0
	if area == GapArea {
		wait = 35
	}
	open := CaseloadEnd.Sub(n.Created) < 45*24*time.Hour // recent needs are still being worked
	referrals := 1 + rng.IntN(3)
	met := false
	for k := range referrals {
		r := haven.SyntheticReferral{ServiceID: CaseloadService, OrganizationID: CaseloadOrganization,
			Created: n.Created.AddDate(0, 0, 3*k), ServedAfterDays: -1}
		switch {
		case open && k == referrals-1:
			r.Status = []haven.ReferralStatus{haven.ReferralRequested, haven.ReferralAccepted, haven.ReferralInProgress}[rng.IntN(3)]
			if r.Status == haven.ReferralInProgress {
				r.ServedAfterDays = int(math.Round(rng.ExpFloat64() * wait))
			}
		case lang == GapLanguage && rng.Float64() < 0.6:
			r.Status, r.Reason = haven.ReferralRejected, haven.ReasonLanguageMismatch
		case gender == haven.GenderMale && (domain == "shelter" || domain == "housing") && rng.Float64() < 0.6:
			r.Status, r.Reason = haven.ReferralRejected, haven.ReasonIneligible
		case rng.Float64() < meet:
			r.Status, r.ServedAfterDays, met = haven.ReferralCompleted, int(math.Round(rng.ExpFloat64()*wait)), true
		default:
			r.Status, r.Reason = haven.ReferralFailed, failReasons.Pick(rng)
		}
		n.Referrals = append(n.Referrals, r)
		if met {
			break
		}
	}
	switch {
	case met:
		n.Status = haven.NeedMet
	case open:
		n.Status = haven.NeedInProgress
	case rng.Float64() < 0.1:
		n.Status = haven.NeedDeclined
	default:
		n.Status = haven.NeedNotMet
	}
	return n
}

// ScaleReferrals adds referrals to the cases' needs, copies of each need's
// own referrals a few days apart and in turn, until the caseload holds
// total referrals (for benchmarks at a chosen scale). The same cases and
// total give the same result.
func ScaleReferrals(cases []haven.SyntheticCase, total int) {
	have := 0
	for _, c := range cases {
		for _, n := range c.Needs {
			have += len(n.Referrals)
		}
	}
	for round := 1; have < total && have > 0; round++ {
		for i := range cases {
			for j := range cases[i].Needs {
				n := &cases[i].Needs[j]
				if have >= total || len(n.Referrals) == 0 {
					continue
				}
				r := n.Referrals[0]
				r.Created = r.Created.AddDate(0, 0, -7*round)
				n.Referrals = append(n.Referrals, r)
				have++
			}
		}
	}
}
