package fhir

import (
	"net/http"
	"slices"
)

// capabilityDate is when the CapabilityStatement last changed; bump it
// with the statement.
const capabilityDate = "2026-11-29"

// searchParam is one search parameter of a resource in the statement.
type searchParam struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

// resourceDocs describes each resource type Haven serves: its profile,
// search parameters and what a client should know. The interactions come
// from the routes Mount registers, so the two cannot drift apart.
var resourceDocs = map[string]struct {
	profile string
	params  []searchParam
	doc     string
}{
	"Questionnaire": {params: []searchParam{{"_id", "token", ""}, {"url", "uri", ""}, {"status", "token", ""}},
		doc: "The screening instruments Haven ships and those imported. An import without url is served without one."},
	"QuestionnaireResponse": {
		params: []searchParam{
			{"patient", "reference", "Required (or subject): Patient/{id}."},
			{"subject", "reference", ""},
			{"questionnaire", "reference", "The canonical url, url|version, or Questionnaire/{id}."},
			{"authored", "date", "When Haven recorded the screening; prefixes eq, ne, lt, le, gt, ge."},
		},
		doc: "subject must reference a survivor as Patient/{id}; the response is validated against its " +
			"Questionnaire (enableWhen, answer types, required items) and scored. Results are prompts, not a diagnosis. " +
			"Only the survivor's care team creates, reads or finds them.",
	},
	"Patient": {doc: "The survivor, pseudonymous: the case number as identifier and no identifying element. " +
		"Only those who may read the record (the care team) read it."},
	"Goal": {profile: GoalProfile, params: []searchParam{{"patient", "reference", "Required (or subject)."}, {"subject", "reference", ""}, {"_id", "token", ""}},
		doc: "Each need of a survivor's care plan, led by the survivor: description is their goal in their words, " +
			"expressedBy the survivor; addresses the Condition with the same id. A declined need is rejected, never not-achieved."},
	"Condition": {profile: ConditionProfile,
		params: []searchParam{{"patient", "reference", "Required (or subject)."}, {"subject", "reference", ""}, {"category", "token", ""}, {"_id", "token", ""}},
		doc: "Each need as a health concern with its SDOH category; code is the need domain as text (Haven's domains " +
			"have no SNOMED CT code of their own). A search by a patient the token may not see returns an empty Bundle."},
	"ServiceRequest": {profile: ServiceRequestProfile,
		params: []searchParam{{"patient", "reference", "The care team's search: Patient/{id}."}, {"subject", "reference", ""},
			{"performer", "reference", "The receiving organization's search of its own referrals: Organization/{id}."}, {"status", "token", ""}},
		doc: "A referral: what is asked of which organization (performer), for which need (reasonReference), under " +
			"which consent (supportingInfo). The receiving organization sees the case number, never the record's id."},
	"Task": {profile: TaskProfile,
		params: []searchParam{{"patient", "reference", "The care team's search: Patient/{id}."}, {"for", "reference", ""},
			{"owner", "reference", "The receiving organization's search of its own referrals: Organization/{id}."}, {"status", "token", ""}},
		doc: "The referral's fulfilment. The owner moves it by PUT: requested → accepted | rejected | cancelled; " +
			"accepted → in-progress | on-hold | completed | failed. rejected, cancelled and failed take a statusReason coded in " +
			havenReasonSystem + ". An illegal move answers 409 with the reason; a revoked or expired consent ends the owner's access."},
	"Consent": {profile: sdohConsentProfile, params: []searchParam{{"patient", "reference", "Required."}, {"status", "token", ""}},
		doc: "The consent ledger: what a survivor agreed to share, with whom (provision.actor, role IRCP), " +
			"for what (provision.purpose) and which kinds of information (provision.code), until when (provision.period). " +
			"Revoked and expired consents are inactive. Only the survivor's care team reads them."},
}

// interactionCodes maps a route to its R4 interaction code.
func interactionCodes(levels map[level][]string) []map[string]string {
	var out []map[string]string
	add := func(code string) { out = append(out, map[string]string{"code": code}) }
	if slices.Contains(levels[instanceLevel], http.MethodGet) {
		add("read")
		add("vread")
	}
	if slices.Contains(levels[typeLevel], http.MethodGet) {
		add("search-type")
	}
	if slices.Contains(levels[typeLevel], http.MethodPost) {
		add("create")
	}
	return out
}

// capabilityStatement describes what Haven's FHIR server supports. It is
// built from the routes Mount registers; a golden file keeps it honest.
func (h *Handler) capabilityStatement(r *http.Request) map[string]any {
	var resources []map[string]any
	for _, typ := range []string{"Patient", "Questionnaire", "QuestionnaireResponse", "Goal", "Condition", "Consent"} {
		levels, ok := h.methods[typ]
		if !ok {
			continue
		}
		d := resourceDocs[typ]
		res := map[string]any{
			"type":          typ,
			"interaction":   interactionCodes(levels),
			"versioning":    "versioned",
			"readHistory":   false,
			"updateCreate":  false,
			"documentation": d.doc,
		}
		if d.profile != "" {
			res["profile"] = d.profile
		}
		if len(levels[typeLevel]) > 0 && slices.Contains(levels[typeLevel], http.MethodGet) && len(d.params) > 0 {
			res["searchParam"] = d.params
		}
		resources = append(resources, res)
	}
	return map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         capabilityDate,
		"publisher":    "Haven",
		"kind":         "instance",
		"software":     map[string]string{"name": "Haven", "version": h.Version},
		// cpb-14: an instance's statement names the implementation.
		"implementation": map[string]string{"description": "Haven FHIR R4 server", "url": h.base(r)},
		"fhirVersion":    FHIRVersion,
		"format":         []string{"json", ContentType},
		"rest": []map[string]any{{
			"mode": "server",
			"documentation": "Searches page with _count (default 50, at most 100) and _offset, with self, next and previous links. " +
				"Unknown search parameters are ignored, or refused with an OperationOutcome under Prefer: handling=strict. " +
				"Resources carry meta.versionId (and meta.lastUpdated where Haven knows it) and an ETag; Haven keeps only the " +
				"current version. JSON only: another _format or Accept answers 406. Interactions not listed answer 405.",
			"security": map[string]any{
				"description": "Bearer API tokens (Authorization: Bearer TOKEN), issued on /account/tokens or by haven token create: " +
					"fhir:read to read and search, fhir:write to create. " +
					"Only a survivor's care team may create or read their QuestionnaireResponses, Goals, Conditions and Consents; every access is audited.",
			},
			"resource": resources,
		}},
	}
}

func (h *Handler) metadata(w http.ResponseWriter, r *http.Request) error {
	return writeResource(w, http.StatusOK, h.capabilityStatement(r))
}
