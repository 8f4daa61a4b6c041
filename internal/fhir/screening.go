package fhir

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// questionnaire exports an instrument as a Questionnaire: its JSON as
// stored, every element kept, with Haven's id.
func questionnaire(in *haven.Instrument) (*screening.Questionnaire, error) {
	var q screening.Questionnaire
	if err := q.UnmarshalJSON(in.JSON); err != nil {
		return nil, err
	}
	q.ID = in.ID
	return &q, nil
}

// bundleEntry is one entry of a searchset Bundle.
type bundleEntry struct {
	FullURL  string            `json:"fullUrl"`
	Resource json.RawMessage   `json:"resource"`
	Search   map[string]string `json:"search"`
}

// searchQuestionnaires answers GET /fhir/R4/Questionnaire with a searchset
// Bundle, filtered by _id, url and status when given.
func (h *Handler) searchQuestionnaires(w http.ResponseWriter, r *http.Request) error {
	all, err := h.Screenings.Instruments(r.Context())
	if err != nil {
		return err
	}
	query := r.URL.Query()
	entries := []bundleEntry{}
	for _, in := range all {
		if !matches(query, "_id", in.ID) || !matches(query, "url", in.URL) || !matches(query, "status", in.Status) {
			continue
		}
		q, err := questionnaire(&in)
		if err != nil {
			return err
		}
		b, err := q.MarshalJSON()
		if err != nil {
			return err
		}
		entries = append(entries, bundleEntry{FullURL: baseURL(r) + "/Questionnaire/" + in.ID, Resource: b, Search: map[string]string{"mode": "match"}})
	}
	return writeResource(w, http.StatusOK, map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries})
}

// matches reports whether a search parameter, when given, lists value.
func matches(query map[string][]string, param, value string) bool {
	want, ok := query[param]
	if !ok {
		return true
	}
	for _, w := range want {
		for _, v := range strings.Split(w, ",") {
			if v == value {
				return true
			}
		}
	}
	return false
}

// baseURL is the FHIR base of the request, for fullUrl.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir/R4"
}

func (h *Handler) readQuestionnaire(w http.ResponseWriter, r *http.Request) error {
	in, err := h.Screenings.Instrument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	q, err := questionnaire(in)
	if err != nil {
		return err
	}
	b, err := q.MarshalJSON()
	if err != nil {
		return err
	}
	return writeResource(w, http.StatusOK, b)
}

// createResponse answers POST /fhir/R4/QuestionnaireResponse: the
// response is validated against its Questionnaire, scored and stored as a
// screening of the survivor its subject names.
func (h *Handler) createResponse(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	survivorID, err := subjectOf(body)
	if err != nil {
		return err
	}
	sc, err := h.Screenings.CreateScreening(r.Context(), haven.NewScreening{SurvivorID: survivorID, Response: body})
	if err != nil {
		return err
	}
	w.Header().Set("Location", baseURL(r)+"/QuestionnaireResponse/"+sc.ID)
	return writeResource(w, http.StatusCreated, sc.Response)
}

// subjectOf returns the survivor a QuestionnaireResponse is about: its
// subject must reference Patient/{survivor id}.
func subjectOf(body []byte) (string, error) {
	var doc struct {
		ResourceType string `json:"resourceType"`
		Subject      struct {
			Reference string `json:"reference"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.ResourceType != "QuestionnaireResponse" {
		return "", haven.Errorf(haven.Invalid, "Send a QuestionnaireResponse resource in JSON.")
	}
	id, ok := strings.CutPrefix(doc.Subject.Reference, "Patient/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", &haven.Error{Kind: haven.Invalid, Message: "The subject must reference the survivor as Patient/{id}.",
			Fields: map[string]string{"subject": "reference Patient/{id}"}}
	}
	return id, nil
}

func (h *Handler) readResponse(w http.ResponseWriter, r *http.Request) error {
	sc, err := h.Screenings.Screening(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeResource(w, http.StatusOK, sc.Response)
}
