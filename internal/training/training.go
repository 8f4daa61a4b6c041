// Package training holds Haven's training modules and the jurisdictions'
// continuing-education rules as data (modules.json, jurisdictions.json),
// and the pure computation of a user's compliance with those rules.
package training

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/haven-care/haven"
)

//go:embed modules.json
var modulesJSON []byte

//go:embed jurisdictions.json
var jurisdictionsJSON []byte

// Rule is one jurisdiction's training requirement for some licence types.
type Rule struct {
	ID           string   `json:"id"`
	Jurisdiction string   `json:"jurisdiction"`
	Summary      string   `json:"summary"`
	LicenceTypes []string `json:"licence_types"`
	// Hours is the hours required per period; 0 means one course of any
	// length.
	Hours float64 `json:"hours"`
	// Period is "each_renewal" (within the CycleMonths before each renewal
	// date) or "once".
	Period                 string `json:"period"`
	CycleMonths            int    `json:"cycle_months"`
	ApprovedCourseRequired bool   `json:"approved_course_required"`
	Citation               string `json:"citation"`
	SourceURL              string `json:"source_url"`
}

// LicenceType is a licence a user may hold.
type LicenceType struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Jurisdictions is the rules file.
type Jurisdictions struct {
	CheckedOn    string        `json:"checked_on"`
	Caution      string        `json:"caution"`
	LicenceTypes []LicenceType `json:"licence_types"`
	Rules        []Rule        `json:"rules"`
}

var (
	modules []haven.TrainingModule
	rules   Jurisdictions
)

func init() {
	var err error
	if modules, err = ParseModules(modulesJSON); err != nil {
		panic(err)
	}
	if rules, err = ParseJurisdictions(jurisdictionsJSON); err != nil {
		panic(err)
	}
	loadTranslations()
}

// decodeStrict decodes the JSON data into v, refusing fields v does not
// have (a misspelt or misplaced key is an error, not ignored).
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// ParseModules reads and checks a modules file.
func ParseModules(data []byte) ([]haven.TrainingModule, error) {
	var ms []haven.TrainingModule
	if err := decodeStrict(data, &ms); err != nil {
		return nil, fmt.Errorf("training modules: %w", err)
	}
	seen := map[string]bool{}
	for _, m := range ms {
		switch {
		case m.ID == "" || seen[m.ID]:
			return nil, fmt.Errorf("training module %q: missing or repeated id", m.ID)
		case len(m.Objectives) == 0 || len(m.Sections) == 0:
			return nil, fmt.Errorf("training module %s: objectives and content are required", m.ID)
		case len(m.Questions) < 5:
			return nil, fmt.Errorf("training module %s: a quiz needs at least 5 questions", m.ID)
		case m.PassPercent < 1 || m.PassPercent > 100:
			return nil, fmt.Errorf("training module %s: pass mark %d%% is not in 1..100", m.ID, m.PassPercent)
		case m.CEHours <= 0:
			return nil, fmt.Errorf("training module %s: CE hours must be positive", m.ID)
		}
		seen[m.ID] = true
		qs := map[string]bool{}
		for _, q := range m.Questions {
			if q.ID == "" || qs[q.ID] || len(q.Options) < 2 || q.Answer < 0 || q.Answer >= len(q.Options) {
				return nil, fmt.Errorf("training module %s: question %q is malformed", m.ID, q.ID)
			}
			qs[q.ID] = true
		}
	}
	return ms, nil
}

// ParseJurisdictions reads and checks a rules file.
func ParseJurisdictions(data []byte) (Jurisdictions, error) {
	var j Jurisdictions
	if err := decodeStrict(data, &j); err != nil {
		return j, fmt.Errorf("training jurisdictions: %w", err)
	}
	types := map[string]bool{}
	for _, t := range j.LicenceTypes {
		types[t.ID] = true
	}
	for _, r := range j.Rules {
		switch {
		case r.ID == "" || len(r.Jurisdiction) != 2:
			return j, fmt.Errorf("training rule %q: an id and a two-letter jurisdiction are required", r.ID)
		case r.Citation == "" || r.SourceURL == "":
			return j, fmt.Errorf("training rule %s: every rule cites its source", r.ID)
		case r.Period != "once" && (r.Period != "each_renewal" || r.CycleMonths < 1):
			return j, fmt.Errorf("training rule %s: period must be once, or each_renewal with a cycle", r.ID)
		case r.Hours < 0:
			return j, fmt.Errorf("training rule %s: negative hours", r.ID)
		}
		for _, t := range r.LicenceTypes {
			if !types[t] {
				return j, fmt.Errorf("training rule %s: unknown licence type %q", r.ID, t)
			}
		}
	}
	return j, nil
}

// Modules returns the shipped modules.
func Modules() []haven.TrainingModule { return modules }

// Module returns the module with id.
func Module(id string) (haven.TrainingModule, bool) {
	for _, m := range modules {
		if m.ID == id {
			return m, true
		}
	}
	return haven.TrainingModule{}, false
}

// Rules returns the jurisdiction rules file.
func Rules() Jurisdictions { return rules }

// Rule returns the rule with id.
func (j Jurisdictions) Rule(id string) (Rule, bool) {
	for _, r := range j.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// ValidLicenceType reports whether t is a known licence type.
func (j Jurisdictions) ValidLicenceType(t string) bool {
	return slices.ContainsFunc(j.LicenceTypes, func(x LicenceType) bool { return x.ID == t })
}

// Jurisdictions lists the jurisdiction codes that have rules, plus any
// other two-letter code a user may hold a licence in (without a rule, the
// status is not applicable).
func (j Jurisdictions) Codes() []string {
	var out []string
	for _, r := range j.Rules {
		if !slices.Contains(out, r.Jurisdiction) {
			out = append(out, r.Jurisdiction)
		}
	}
	return out
}

// Credit is a completed training that may count towards a rule.
type Credit struct {
	Hours    float64
	On       string // YYYY-MM-DD
	Approved bool
}

// DueSoonDays is how close a deadline is "due soon".
const DueSoonDays = 90

// Evaluate computes a user's compliance with j's rule for licence l on
// day today (YYYY-MM-DD), from credits. It is pure: the tests fix the
// dates.
func (j Jurisdictions) Evaluate(l *haven.Licence, credits []Credit, today string) haven.Compliance {
	c := haven.Compliance{Status: haven.ComplianceNotApplicable, Licence: l}
	if l == nil || l.Jurisdiction == "" {
		c.Reason = "no_licence"
		return c
	}
	c.UserID = l.UserID
	var rule *Rule
	found := false
	for i, r := range j.Rules {
		if r.Jurisdiction != l.Jurisdiction {
			continue
		}
		found = true
		if slices.Contains(r.LicenceTypes, l.LicenceType) {
			rule = &j.Rules[i]
			break
		}
	}
	switch {
	case !found:
		c.Reason = "no_rule"
		return c
	case rule == nil:
		c.Reason = "licence_not_covered"
		return c
	}
	c.RuleID, c.HoursRequired, c.DueBy = rule.ID, rule.Hours, l.RenewalOn
	from := ""
	if rule.Period == "each_renewal" && l.RenewalOn != "" {
		if r, err := time.Parse(time.DateOnly, l.RenewalOn); err == nil {
			from = r.AddDate(0, -rule.CycleMonths, 0).Format(time.DateOnly)
		}
	}
	courses := 0
	for _, cr := range credits {
		if rule.ApprovedCourseRequired && !cr.Approved || cr.On > today || cr.On < from ||
			rule.Period == "each_renewal" && l.RenewalOn != "" && cr.On > l.RenewalOn {
			continue
		}
		c.HoursDone += cr.Hours
		courses++
	}
	c.HoursDone = math.Round(c.HoursDone*100) / 100
	met := courses > 0 && c.HoursDone >= rule.Hours
	switch {
	case met && rule.Period == "once":
		c.Status, c.Reason, c.DueBy = haven.ComplianceCompliant, "training_done_once", ""
	case met:
		c.Status, c.Reason = haven.ComplianceCompliant, "hours_done"
	case l.RenewalOn == "":
		c.Status, c.Reason = haven.ComplianceDue, "no_renewal_date"
	case l.RenewalOn < today:
		c.Status, c.Reason = haven.ComplianceOverdue, "renewal_passed"
	case daysBetween(today, l.RenewalOn) <= DueSoonDays:
		c.Status, c.Reason = haven.ComplianceDueSoon, "hours_missing"
	default:
		c.Status, c.Reason = haven.ComplianceDue, "hours_missing"
	}
	return c
}

func daysBetween(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}
