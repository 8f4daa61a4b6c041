package fhir

// This file serves the care plan as SDOH Clinical Care IG resources: each
// need is a Goal (the survivor's goal, in their words) that addresses a
// Condition (the health concern of its domain). Both carry the need's id,
// so Goal/{id} addresses Condition/{id}. The patient is the survivor, as
// for QuestionnaireResponses: Patient/{survivor id}.

import (
	"net/http"
	"strings"

	"github.com/haven-care/haven"
)

// The profiles and code systems the care plan's resources use.
const (
	GoalProfile      = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Goal"
	ConditionProfile = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Condition"
	// HealthConcernSystem is the US Core condition category system the
	// IG uses for health-concern.
	HealthConcernSystem   = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
	goalAchievementSystem = "http://terminology.hl7.org/CodeSystem/goal-achievement"
	conditionClinical     = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	conditionVerStatus    = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
)

// goalStatus maps a need status to Goal.lifecycleStatus and
// Goal.achievementStatus. A declined need is a goal the survivor did not
// take up (rejected) and has no achievement status: declining is not
// "not achieved". A need closed as not met is a completed goal that was
// not achieved.
var goalStatus = map[haven.NeedStatus][2]string{
	haven.NeedIdentified: {"proposed", "in-progress"},
	haven.NeedPlanned:    {"planned", "in-progress"},
	haven.NeedInProgress: {"active", "in-progress"},
	haven.NeedMet:        {"completed", "achieved"},
	haven.NeedNotMet:     {"completed", "not-achieved"},
	haven.NeedDeclined:   {"rejected", ""},
}

// conditionStatus maps a need status to Condition.clinicalStatus and
// verificationStatus. Only a met need resolves the concern; a need not
// met or declined leaves it active. A need only identified is
// unconfirmed; one the survivor planned or acted on is confirmed.
func conditionStatus(s haven.NeedStatus) (clinical, verification string) {
	clinical, verification = "active", "confirmed"
	if s == haven.NeedMet {
		clinical = "resolved"
	}
	if s == haven.NeedIdentified {
		verification = "unconfirmed"
	}
	return clinical, verification
}

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type codeableConcept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type meta struct {
	Profile     []string `json:"profile"`
	LastUpdated string   `json:"lastUpdated"`
}

// sdohCategory is the need's SDOH category, with Haven's own need code
// beside it so that a reader knows the domain even where the SDOH code
// is sdoh-category-unspecified.
func sdohCategory(n *haven.CarePlanNeed) codeableConcept {
	d := n.NeedDomain()
	return codeableConcept{Coding: []coding{{System: haven.SDOHCategoryURI, Code: d.SDOHCategory},
		{System: haven.NeedsTaxonomy.URI, Code: d.Code, Display: d.Name}}, Text: d.Name}
}

// goal is a need as an SDOHCC Goal: the survivor expressed it; its
// description is their goal, or the domain's name until they give one
// (description is required); its priority is their words.
func goal(n *haven.CarePlanNeed) map[string]any {
	st := goalStatus[n.Status]
	desc := n.Goal
	if desc == "" {
		desc = n.NeedDomain().Name
	}
	patient := reference{Reference: "Patient/" + n.SurvivorID}
	g := map[string]any{
		"resourceType":    "Goal",
		"id":              n.ID,
		"meta":            meta{[]string{GoalProfile}, instant(n)},
		"lifecycleStatus": st[0],
		"category":        []codeableConcept{sdohCategory(n)},
		"description":     codeableConcept{Text: desc},
		"subject":         patient,
		"expressedBy":     patient,
		"startDate":       n.CreatedAt.Format("2006-01-02"),
		"statusDate":      n.UpdatedAt.Format("2006-01-02"),
		"addresses":       []reference{{Reference: "Condition/" + n.ID}},
	}
	if st[1] != "" {
		g["achievementStatus"] = codeableConcept{Coding: []coding{{System: goalAchievementSystem, Code: st[1]}}}
	}
	if n.Priority != "" {
		g["priority"] = codeableConcept{Text: n.Priority}
	}
	return g
}

// condition is a need as an SDOHCC Condition, a health concern. Haven's
// need domains have no SNOMED CT or ICD-10-CM code of their own (the
// ICD-10-CM codes a screening suggests are for the encounter, not the
// need), so code is the domain's name as text.
func condition(n *haven.CarePlanNeed) map[string]any {
	clinical, verification := conditionStatus(n.Status)
	c := map[string]any{
		"resourceType":       "Condition",
		"id":                 n.ID,
		"meta":               meta{[]string{ConditionProfile}, instant(n)},
		"clinicalStatus":     codeableConcept{Coding: []coding{{System: conditionClinical, Code: clinical}}},
		"verificationStatus": codeableConcept{Coding: []coding{{System: conditionVerStatus, Code: verification}}},
		"category": []codeableConcept{
			{Coding: []coding{{System: HealthConcernSystem, Code: "health-concern", Display: "Health Concern"}}},
			sdohCategory(n),
		},
		"code":         codeableConcept{Text: n.NeedDomain().Name},
		"subject":      reference{Reference: "Patient/" + n.SurvivorID},
		"recordedDate": n.CreatedAt.Format("2006-01-02"),
	}
	if n.ScreeningID != "" {
		c["evidence"] = []map[string]any{{"detail": []reference{{Reference: "QuestionnaireResponse/" + n.ScreeningID}}}}
	}
	return c
}

// instant is the need's last change as a FHIR instant.
func instant(n *haven.CarePlanNeed) string {
	return n.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")
}

func (h *Handler) readGoal(w http.ResponseWriter, r *http.Request) error {
	n, err := h.CarePlans.Need(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRead(w, r, http.StatusOK, goal(n), n.UpdatedAt)
}

func (h *Handler) readCondition(w http.ResponseWriter, r *http.Request) error {
	n, err := h.CarePlans.Need(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRead(w, r, http.StatusOK, condition(n), n.UpdatedAt)
}

// searchGoals answers GET /fhir/R4/Goal?patient=...: the survivor's needs
// as Goals, in plan order.
func (h *Handler) searchGoals(w http.ResponseWriter, r *http.Request) error {
	return h.searchNeeds(w, r, "Goal", goal)
}

// searchConditions answers GET /fhir/R4/Condition?patient=...: the
// survivor's needs as health concerns, filtered by category (a code or
// system|code of health-concern or the SDOH categories) when given.
func (h *Handler) searchConditions(w http.ResponseWriter, r *http.Request) error {
	return h.searchNeeds(w, r, "Condition", condition)
}

// searchNeeds reads the plan of the patient the search names and returns
// its needs as a searchset Bundle. A patient the caller may not see gives
// an empty Bundle, as one with no needs does: the search reveals nothing.
func (h *Handler) searchNeeds(w http.ResponseWriter, r *http.Request, typ string, build func(*haven.CarePlanNeed) map[string]any) error {
	known := []string{"patient", "subject", "_id"}
	if typ == "Condition" {
		known = append(known, "category")
	}
	used, err := searchParams(r, typ, known...)
	if err != nil {
		return err
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	patient, err := patientParam(used, typ)
	if err != nil {
		return err
	}
	plan, err := h.CarePlans.CarePlan(r.Context(), patient)
	if haven.ErrorKind(err) == haven.NotFound {
		plan, err = &haven.CarePlan{}, nil
	}
	if err != nil {
		return err
	}
	var found []*haven.CarePlanNeed
	for i := range plan.Needs {
		n := &plan.Needs[i]
		if (typ != "Condition" || categoryMatches(used["category"], n)) && matches(used, "_id", n.ID) {
			found = append(found, n)
		}
	}
	lo, hi := p.slice(len(found))
	var entries []bundleEntry
	for _, n := range found[lo:hi] {
		e, err := h.entry(r, typ, n.ID, build(n), n.UpdatedAt)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	return h.writeSearch(w, r, typ, used, p, len(found), entries)
}

// categoryMatches reports whether a Condition of n has one of the
// categories asked for (each a code or system|code, comma-separated).
func categoryMatches(want []string, n *haven.CarePlanNeed) bool {
	if len(want) == 0 {
		return true
	}
	have := []coding{{System: HealthConcernSystem, Code: "health-concern"}}
	have = append(have, sdohCategory(n).Coding...)
	for _, w := range want {
		for _, tok := range strings.Split(w, ",") {
			sys, code, hasSys := strings.Cut(tok, "|")
			if !hasSys {
				sys, code = "", tok
			}
			for _, c := range have {
				if c.Code == code && (!hasSys || c.System == sys) {
					return true
				}
			}
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
