package fhir

import "net/http"

// capabilityDate is when the CapabilityStatement last changed; bump it
// with the statement.
const capabilityDate = "2026-11-29"

// capabilityStatement describes what Haven's FHIR server supports. It is
// built from the routes Mount registers; a golden file keeps it honest.
func (h *Handler) capabilityStatement() map[string]any {
	interaction := func(codes ...string) []map[string]string {
		out := make([]map[string]string, len(codes))
		for i, c := range codes {
			out[i] = map[string]string{"code": c}
		}
		return out
	}
	resources := []map[string]any{
		{
			"type":        "Questionnaire",
			"interaction": interaction("read", "search-type"),
			"searchParam": []map[string]string{
				{"name": "_id", "type": "token"},
				{"name": "url", "type": "uri"},
				{"name": "status", "type": "token"},
			},
		},
		{
			"type":        "Goal",
			"profile":     GoalProfile,
			"interaction": interaction("read", "search-type"),
			"searchParam": []map[string]string{
				{"name": "patient", "type": "reference"},
				{"name": "_id", "type": "token"},
			},
			"documentation": "Each need of a survivor's care plan, led by the survivor: description is their goal in their words, " +
				"expressedBy the survivor; addresses the Condition with the same id. A declined need is rejected, never not-achieved.",
		},
		{
			"type":        "Condition",
			"profile":     ConditionProfile,
			"interaction": interaction("read", "search-type"),
			"searchParam": []map[string]string{
				{"name": "patient", "type": "reference"},
				{"name": "category", "type": "token"},
				{"name": "_id", "type": "token"},
			},
			"documentation": "Each need as a health concern with its SDOH category; code is the need domain as text (Haven's domains " +
				"have no SNOMED CT code of their own). A search by a patient the token may not see returns an empty Bundle.",
		},
		{
			"type":        "QuestionnaireResponse",
			"interaction": interaction("read", "create"),
			"documentation": "subject must reference a survivor as Patient/{id}; the response is validated against its " +
				"Questionnaire (enableWhen, answer types, required items) and scored. Results are prompts, not a diagnosis.",
		},
	}
	if h.Referrals != nil {
		resources = append(resources, map[string]any{
			"type":        "ServiceRequest",
			"profile":     ServiceRequestProfile,
			"interaction": interaction("read", "search-type"),
			"searchParam": []map[string]string{{"name": "patient", "type": "reference"}, {"name": "performer", "type": "reference"},
				{"name": "status", "type": "token"}},
			"documentation": "A referral: what is asked of which organization (performer), for which need (reasonReference), under " +
				"which consent (supportingInfo). The receiving organization sees the case number, never the record's id.",
		}, map[string]any{
			"type":        "Task",
			"profile":     TaskProfile,
			"interaction": interaction("read", "search-type", "update"),
			"searchParam": []map[string]string{{"name": "patient", "type": "reference"}, {"name": "owner", "type": "reference"},
				{"name": "status", "type": "token"}},
			"documentation": "The referral's fulfilment. The owner moves it by PUT: requested → accepted | rejected | cancelled; " +
				"accepted → in-progress | on-hold | completed | failed. rejected, cancelled and failed take a statusReason coded in " +
				havenReasonSystem + ". An illegal move answers 409 with the reason; a revoked or expired consent ends the owner's access.",
		})
	}
	if h.Consents != nil {
		resources = append(resources, map[string]any{
			"type":        "Consent",
			"profile":     sdohConsentProfile,
			"interaction": interaction("read", "search-type"),
			"searchParam": []map[string]string{{"name": "patient", "type": "reference"}, {"name": "status", "type": "token"}},
			"documentation": "The consent ledger: what a survivor agreed to share, with whom (provision.actor, role IRCP), " +
				"for what (provision.purpose) and which kinds of information (provision.code), until when (provision.period). " +
				"Revoked and expired consents are inactive. Only the survivor's care team reads them.",
		})
	}
	return map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         capabilityDate,
		"publisher":    "Haven",
		"kind":         "instance",
		"software":     map[string]string{"name": "Haven", "version": h.Version},
		"fhirVersion":  FHIRVersion,
		"format":       []string{ContentType},
		"rest": []map[string]any{{
			"mode": "server",
			"security": map[string]any{
				"description": "Bearer API tokens (Authorization: Bearer TOKEN): fhir:read to read and search, fhir:write to create. " +
					"Only a survivor's care team may create or read their QuestionnaireResponses, Goals and Conditions; every access is audited.",
			},
			"resource": resources,
		}},
	}
}

func (h *Handler) metadata(w http.ResponseWriter, r *http.Request) error {
	return writeResource(w, http.StatusOK, h.capabilityStatement())
}
