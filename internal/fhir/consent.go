package fhir

import (
	"net/http"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// Code systems of the Consent resources Haven serves.
const (
	consentScopeSystem    = "http://terminology.hl7.org/CodeSystem/consentscope"
	actCodeSystem         = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	actReasonSystem       = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	consentPolicySystem   = "http://terminology.hl7.org/CodeSystem/consentpolicycodes"
	participationSystem   = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	havenPurposeSystem    = "https://haven-care.org/fhir/CodeSystem/consent-purpose"
	havenCategorySystem   = "https://haven-care.org/fhir/CodeSystem/data-category"
	sdohConsentProfile    = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Consent"
	consentResourceSearch = "patient"
)

// purposeReasons maps Haven's purposes to HL7 v3 ActReason, the value set
// R4 binds Consent.provision.purpose to.
var purposeReasons = map[haven.ConsentPurpose][2]string{
	haven.PurposeReferral:         {"TREAT", "treatment"},
	haven.PurposeCareCoordination: {"CAREMGT", "care management"},
	haven.PurposeLegalAdvocacy:    {"HLEGAL", "legal"},
	haven.PurposeBenefits:         {"ELIGDTRM", "eligibility determination"},
}

var methodTitle = map[haven.ConsentMethod]string{haven.ConsentWritten: "Written", haven.ConsentVerbal: "Verbal"}

type period struct {
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
}

// consentResource is a consent as an R4 Consent in the shape of the SDOH
// Clinical Care IG's SDOHCC-Consent profile: a privacy consent (scope
// patient-privacy, category IDSCL information disclosure) whose one permit
// provision names the recipient, the purpose, the kinds of information
// and the period. A revoked or expired consent is inactive, its period
// ending when it stopped covering anything.
func consentResource(c *haven.Consent, now time.Time) map[string]any {
	status, end := "active", c.ExpiresAt
	switch c.State(now) {
	case haven.ConsentExpired:
		status = "inactive"
	case haven.ConsentRevoked:
		status, end = "inactive", *c.RevokedAt
	}
	recipient := reference{Display: c.RecipientName}
	if c.RecipientKind == haven.RecipientOrganization {
		recipient.Reference = "Organization/" + c.Recipient
	} else {
		recipient.Display = "Any provider of: " + c.RecipientName
	}
	reason := purposeReasons[c.Purpose]
	var codes []codeableConcept
	for _, cat := range c.Categories {
		codes = append(codes, codeableConcept{Coding: []coding{{System: havenCategorySystem, Code: string(cat)}}})
	}
	provision := map[string]any{
		"type":   "permit",
		"period": period{Start: c.GivenAt.Format(time.RFC3339), End: end.Format(time.RFC3339)},
		"actor": []map[string]any{{
			"role":      codeableConcept{Coding: []coding{{System: participationSystem, Code: "IRCP", Display: "information recipient"}}},
			"reference": recipient,
		}},
		"purpose": []coding{{System: actReasonSystem, Code: reason[0], Display: reason[1]},
			{System: havenPurposeSystem, Code: string(c.Purpose)}},
		"code": codes,
	}
	source := map[string]any{"contentType": "text/plain", "language": c.Language,
		"title": methodTitle[c.Method] + " consent, explained in " + c.Language + ", recorded in Haven"}
	return map[string]any{
		"resourceType":     "Consent",
		"id":               c.ID,
		"meta":             map[string]any{"profile": []string{sdohConsentProfile}},
		"status":           status,
		"scope":            codeableConcept{Coding: []coding{{System: consentScopeSystem, Code: "patient-privacy", Display: "Privacy Consent"}}},
		"category":         []codeableConcept{{Coding: []coding{{System: actCodeSystem, Code: "IDSCL", Display: "information disclosure"}}}},
		"patient":          reference{Reference: "Patient/" + c.SurvivorID},
		"dateTime":         c.GivenAt.Format(time.RFC3339),
		"performer":        []reference{{Reference: "Patient/" + c.SurvivorID}},
		"sourceAttachment": source,
		"policyRule":       codeableConcept{Coding: []coding{{System: consentPolicySystem, Code: "hipaa-auth", Display: "HIPAA Authorization"}}},
		"provision":        provision,
	}
}

func (h *Handler) now() time.Time {
	if h.Clock == nil {
		return time.Now()
	}
	return h.Clock.Now()
}

// consentUpdated is when a consent last changed in Haven: its revocation,
// or when it was given.
func consentUpdated(c *haven.Consent) time.Time {
	if c.RevokedAt != nil {
		return *c.RevokedAt
	}
	return c.GivenAt
}

// readConsent answers GET /fhir/R4/Consent/{id}.
func (h *Handler) readConsent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Consents.Consent(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRead(w, r, http.StatusOK, consentResource(c, h.now()), consentUpdated(c))
}

// searchConsents answers GET /fhir/R4/Consent?patient=..., the one search
// Haven supports: a survivor's consents (status narrows them).
func (h *Handler) searchConsents(w http.ResponseWriter, r *http.Request) error {
	used, err := searchParams(r, "Consent", consentResourceSearch, "status")
	if err != nil {
		return err
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	patient := strings.TrimPrefix(used.Get(consentResourceSearch), "Patient/")
	if patient == "" {
		return haven.Errorf(haven.Invalid, "Search Consent by patient (patient=Patient/{id}).")
	}
	list, err := h.Consents.Consents(r.Context(), patient)
	if haven.ErrorKind(err) == haven.NotFound {
		list, err = nil, nil // as for the care plan: the search reveals nothing
	}
	if err != nil {
		return err
	}
	now := h.now()
	type match struct {
		c   *haven.Consent
		res map[string]any
	}
	var found []match
	for i := range list {
		res := consentResource(&list[i], now)
		if matches(used, "status", res["status"].(string)) {
			found = append(found, match{&list[i], res})
		}
	}
	lo, hi := p.slice(len(found))
	var entries []bundleEntry
	for _, m := range found[lo:hi] {
		e, err := h.entry(r, "Consent", m.c.ID, m.res, consentUpdated(m.c))
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	return h.writeSearch(w, r, "Consent", used, p, len(found), entries)
}
