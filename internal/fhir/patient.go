package fhir

import (
	"net/http"
)

// CaseNumberSystem is the identifier system of Haven's case numbers.
const CaseNumberSystem = "https://haven-care.org/fhir/sid/case-number"

// readPatient answers GET /fhir/R4/Patient/{id}: the survivor as a
// pseudonymous Patient. Its one identifier is the case number; it carries
// no name, birth date, address, telecom, gender or other identifying
// element, whatever the record holds: Haven shares those only under a
// survivor's consent, through a referral, never over this interface.
// Whoever may not read the record (not on the care team, no emergency
// access) gets 404, as for a survivor who does not exist. The read is
// audited as a read of the record.
func (h *Handler) readPatient(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Survivors.Survivor(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := map[string]any{
		"resourceType": "Patient",
		"id":           s.ID,
		"identifier": []map[string]any{{
			"use":    "secondary",
			"type":   codeableConcept{Text: "Case number"},
			"system": CaseNumberSystem,
			"value":  s.CaseNumber,
		}},
		"active": true,
	}
	return writeRead(w, r, http.StatusOK, p, s.UpdatedAt)
}
