package fhir

// This file serves referrals as the SDOH Clinical Care IG's referral
// pair: a ServiceRequest (what is asked for, of which organization, for
// which need, under which consent) and a Task (SDOHCC-TaskForReferralManagement)
// that the receiving organization moves through its statuses. Both carry
// the referral's id. The care team sees the survivor as Patient/{id}; the
// receiving organization sees only the pseudonymous case number, never
// the record's id.

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// The referral resources' profiles and code systems.
const (
	ServiceRequestProfile = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
	TaskProfile           = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
	snomedSystem          = "http://snomed.info/sct"
	taskCodeSystem        = "http://hl7.org/fhir/CodeSystem/task-code"
	havenReasonSystem     = "https://haven-care.org/fhir/CodeSystem/referral-reason"
)

// serviceRequestStatus maps a referral's status to ServiceRequest.status:
// the request stands while the Task is open, completes with it, and is
// revoked when the Task ends otherwise.
func serviceRequestStatus(s haven.ReferralStatus) string {
	switch s {
	case haven.ReferralCompleted:
		return "completed"
	case haven.ReferralOnHold:
		return "on-hold"
	case haven.ReferralRejected, haven.ReferralCancelled, haven.ReferralFailed:
		return "revoked"
	}
	return "active"
}

// subjectOfReferral is the patient as the reader may see it: the care
// team's Patient, or for the recipient (who is not told the record's id)
// the case number, which every packet carries.
func subjectOfReferral(r *haven.Referral) reference {
	if r.SurvivorID != "" {
		return reference{Reference: "Patient/" + r.SurvivorID}
	}
	return reference{Display: "Case " + r.CaseNumber}
}

func serviceRequestResource(r *haven.Referral) map[string]any {
	category := []codeableConcept{{Coding: []coding{{System: snomedSystem, Code: "410606002", Display: "Social service procedure"}}}}
	code := codeableConcept{Text: r.ServiceName}
	if n, ok := haven.NeedByCode(r.NeedDomain); ok {
		category = append(category, codeableConcept{Coding: []coding{{System: haven.SDOHCategoryURI, Code: n.SDOHCategory},
			{System: haven.NeedsTaxonomy.URI, Code: n.Code, Display: n.Name}}, Text: n.Name})
	}
	res := map[string]any{
		"resourceType":   "ServiceRequest",
		"id":             r.ID,
		"meta":           map[string]any{"profile": []string{ServiceRequestProfile}, "lastUpdated": r.UpdatedAt.Format(time.RFC3339)},
		"status":         serviceRequestStatus(r.Status),
		"intent":         "order",
		"category":       category,
		"code":           code,
		"subject":        subjectOfReferral(r),
		"authoredOn":     r.CreatedAt.Format(time.RFC3339),
		"performer":      []reference{{Reference: "Organization/" + r.OrganizationID, Display: r.Organization}},
		"supportingInfo": []reference{{Reference: "Consent/" + r.ConsentID}},
	}
	if r.NeedID != "" && r.SurvivorID != "" {
		res["reasonReference"] = []reference{{Reference: "Condition/" + r.NeedID}}
	}
	return res
}

func taskResource(r *haven.Referral) map[string]any {
	res := map[string]any{
		"resourceType": "Task",
		"id":           r.ID,
		"meta":         map[string]any{"profile": []string{TaskProfile}, "lastUpdated": r.UpdatedAt.Format(time.RFC3339)},
		"status":       string(r.Status),
		"intent":       "order",
		"code":         codeableConcept{Coding: []coding{{System: taskCodeSystem, Code: "fulfill", Display: "Fulfill the focal request"}}},
		"focus":        reference{Reference: "ServiceRequest/" + r.ID},
		"for":          subjectOfReferral(r),
		"authoredOn":   r.CreatedAt.Format(time.RFC3339),
		"lastModified": r.UpdatedAt.Format(time.RFC3339),
		"owner":        reference{Reference: "Organization/" + r.OrganizationID, Display: r.Organization},
	}
	if r.Reason != "" {
		res["statusReason"] = codeableConcept{Coding: []coding{{System: havenReasonSystem, Code: string(r.Reason)}}, Text: string(r.Reason)}
	}
	return res
}

func (h *Handler) readServiceRequest(w http.ResponseWriter, r *http.Request) error {
	ref, err := h.Referrals.Referral(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRead(w, r, http.StatusOK, serviceRequestResource(ref), ref.UpdatedAt)
}

func (h *Handler) readTask(w http.ResponseWriter, r *http.Request) error {
	ref, err := h.Referrals.Referral(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRead(w, r, http.StatusOK, taskResource(ref), ref.UpdatedAt)
}

// searchReferrals answers a ServiceRequest or Task search: by patient
// (the care team's view of one survivor) or, for a receiving
// organization, by its own performer/owner (its inbox). status narrows
// either. A patient the caller may not see gives an empty Bundle.
func (h *Handler) searchReferrals(w http.ResponseWriter, r *http.Request, typ string, build func(*haven.Referral) map[string]any,
	orgParam string) error {
	used, err := searchParams(r, typ, "patient", "subject", "for", orgParam, "status")
	if err != nil {
		return err
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	patient := strings.TrimPrefix(cmpOr(used.Get("patient"), cmpOr(used.Get("subject"), used.Get("for"))), "Patient/")
	var list []haven.Referral
	switch {
	case patient != "" && !strings.Contains(patient, "/"):
		list, err = h.Referrals.Referrals(r.Context(), patient)
		if haven.ErrorKind(err) == haven.NotFound {
			list, err = nil, nil
		}
	case used.Get(orgParam) != "":
		list, err = h.Referrals.Inbox(r.Context())
		org := strings.TrimPrefix(used.Get(orgParam), "Organization/")
		list = slices.DeleteFunc(list, func(ref haven.Referral) bool { return ref.OrganizationID != org })
	default:
		return &haven.Error{Kind: haven.Invalid, Message: "Search " + typ + " by patient (Patient/{id}) or by " + orgParam + " (Organization/{id}).",
			Fields: map[string]string{"patient": "name the survivor as Patient/{id}"}}
	}
	if err != nil {
		return err
	}
	type match struct {
		ref *haven.Referral
		res map[string]any
	}
	var found []match
	for i := range list {
		ref := &list[i]
		res := build(ref)
		if matches(used, "status", res["status"].(string)) {
			found = append(found, match{ref, res})
		}
	}
	lo, hi := p.slice(len(found))
	var entries []bundleEntry
	for _, m := range found[lo:hi] {
		e, err := h.entry(r, typ, m.ref.ID, m.res, m.ref.UpdatedAt)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	return h.writeSearch(w, r, typ, used, p, len(found), entries)
}

func (h *Handler) searchServiceRequests(w http.ResponseWriter, r *http.Request) error {
	return h.searchReferrals(w, r, "ServiceRequest", serviceRequestResource, "performer")
}

func (h *Handler) searchTasks(w http.ResponseWriter, r *http.Request) error {
	return h.searchReferrals(w, r, "Task", taskResource, "owner")
}

// parseTaskUpdate reads the Task a client PUTs to Task/{id}: the status
// it asks for and the change it makes, or an Invalid error naming the
// field at fault.
func parseTaskUpdate(body []byte, id string) (string, haven.StatusChange, error) {
	var t taskUpdate
	if err := json.Unmarshal(body, &t); err != nil || t.ResourceType != "Task" {
		return "", haven.StatusChange{}, &haven.Error{Kind: haven.Invalid, Message: "The body must be a Task resource.", Fields: map[string]string{"resourceType": "Task"}}
	}
	if t.ID != id {
		return "", haven.StatusChange{}, &haven.Error{Kind: haven.Invalid, Message: "The Task's id must be the id in the URL.", Fields: map[string]string{"id": "equal to the URL's"}}
	}
	if t.Focus != nil && t.Focus.Reference != "ServiceRequest/"+id {
		return "", haven.StatusChange{}, &haven.Error{Kind: haven.Invalid, Message: "A Task's focus cannot change.", Fields: map[string]string{"focus": "ServiceRequest/" + id}}
	}
	sc := haven.StatusChange{Status: haven.ReferralStatus(t.Status)}
	if t.StatusReason != nil {
		for _, c := range t.StatusReason.Coding {
			if c.System == havenReasonSystem {
				sc.Reason = haven.ReferralReason(c.Code)
			}
		}
		if sc.Reason == "" && sc.Status.NeedsReason() {
			sc.Reason = haven.ReasonOther
		}
	}
	for _, n := range t.Note {
		sc.Note = strings.TrimSpace(sc.Note + "\n" + n.Text)
	}
	return t.Status, sc, nil
}

// taskUpdate is what Haven reads of a Task a client PUTs: the status and,
// for rejected, cancelled and failed, the reason — a code of Haven's
// referral-reason system in statusReason. Everything else must be as
// Haven serves it; the Task's note becomes the change's note.
type taskUpdate struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	StatusReason *struct {
		Coding []coding `json:"coding"`
	} `json:"statusReason"`
	Focus *reference `json:"focus"`
	Note  []struct {
		Text string `json:"text"`
	} `json:"note"`
}

// updateTask answers PUT /fhir/R4/Task/{id}: the receiving organization
// (or the sender, by the same rules as in Haven) moves the referral. An
// illegal move answers 409 with the reason.
func (h *Handler) updateTask(w http.ResponseWriter, r *http.Request) error {
	if !checkContentType(w, r) {
		return nil
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	status, sc, err := parseTaskUpdate(body, id)
	if err != nil {
		return err
	}
	ref, err := h.Referrals.Referral(r.Context(), id)
	if err != nil {
		return err
	}
	if string(ref.Status) != status {
		if ref, err = h.Referrals.MoveReferral(r.Context(), id, sc); err != nil {
			return err
		}
	}
	return writeRead(w, r, http.StatusOK, taskResource(ref), ref.UpdatedAt)
}
