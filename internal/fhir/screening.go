package fhir

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// questionnaire exports an instrument as a Questionnaire: its JSON as
// stored, every element kept, with Haven's id.
func questionnaire(in *haven.Instrument) ([]byte, error) {
	var q screening.Questionnaire
	if err := q.UnmarshalJSON(in.JSON); err != nil {
		return nil, err
	}
	q.ID = in.ID
	return q.MarshalJSON()
}

// servedURL is the url an instrument is served with: none for an import
// that had none (Haven keys it urn:uuid:{id} inside).
func servedURL(in *haven.Instrument) string {
	if in.URL == haven.UnnamedInstrumentURL(in.ID) {
		return ""
	}
	return in.URL
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
	used, err := searchParams(r, "Questionnaire", "_id", "url", "status")
	if err != nil {
		return err
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	all, err := h.Screenings.Instruments(r.Context())
	if err != nil {
		return err
	}
	var found []haven.Instrument
	for _, in := range all {
		if matches(used, "_id", in.ID) && matches(used, "url", servedURL(&in)) && matches(used, "status", in.Status) {
			found = append(found, in)
		}
	}
	lo, hi := p.slice(len(found))
	var entries []bundleEntry
	for i := lo; i < hi; i++ {
		b, err := questionnaire(&found[i])
		if err != nil {
			return err
		}
		e, err := h.entry(r, "Questionnaire", found[i].ID, b, found[i].ImportedAt)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	return h.writeSearch(w, r, "Questionnaire", used, p, len(found), entries)
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

func (h *Handler) readQuestionnaire(w http.ResponseWriter, r *http.Request) error {
	in, err := h.Screenings.Instrument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	b, err := questionnaire(in)
	if err != nil {
		return err
	}
	return writeRead(w, r, http.StatusOK, b, in.ImportedAt)
}

// createResponse answers POST /fhir/R4/QuestionnaireResponse: the
// response is validated against its Questionnaire, scored and stored as a
// screening of the survivor its subject names. The Location names the
// version created (…/_history/{versionId}).
func (h *Handler) createResponse(w http.ResponseWriter, r *http.Request) error {
	if !checkContentType(w, r) {
		return nil
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	survivorID, canonical, err := subjectOf(body)
	if err != nil {
		return err
	}
	if err := h.knownQuestionnaire(r, canonical); err != nil {
		return err
	}
	sc, err := h.Screenings.CreateScreening(r.Context(), haven.NewScreening{SurvivorID: survivorID, Response: body})
	if haven.ErrorKind(err) == haven.NotFound {
		// The questionnaire is known, so it is the subject: unknown, or
		// not on the token's caseload (the two are not told apart).
		return &haven.Error{Kind: haven.NotFound, Message: "No survivor Patient/" + survivorID + " that this token may screen.",
			Fields: map[string]string{"subject": "no such Patient on the token's caseload"}}
	}
	if err != nil {
		return err
	}
	_, vid, err := stamp(sc.Response, sc.CreatedAt)
	if err != nil {
		return err
	}
	w.Header().Set("Location", h.base(r)+"/QuestionnaireResponse/"+sc.ID+"/_history/"+vid)
	return writeRead(w, r, http.StatusCreated, sc.Response, sc.CreatedAt)
}

// knownQuestionnaire refuses a response whose questionnaire Haven does not
// have, naming the element (the store's NotFound would not).
func (h *Handler) knownQuestionnaire(r *http.Request, canonical string) error {
	if canonical == "" {
		return nil // the store names the missing element
	}
	all, err := h.Screenings.Instruments(r.Context())
	if err != nil {
		return err
	}
	id, isRef := strings.CutPrefix(canonical, "Questionnaire/")
	url, version, versioned := strings.Cut(canonical, "|")
	for _, in := range all {
		if isRef && in.ID == id || !isRef && servedURL(&in) == url && (!versioned || in.Version == version) {
			return nil
		}
	}
	return &haven.Error{Kind: haven.Invalid, Message: "Haven has no Questionnaire " + canonical + "; see GET " + h.base(r) + "/Questionnaire.",
		Fields: map[string]string{"questionnaire": "no such Questionnaire in Haven"}}
}

// subjectOf returns the survivor a QuestionnaireResponse is about (its
// subject must reference Patient/{survivor id}) and the questionnaire it
// names.
func subjectOf(body []byte) (survivorID, questionnaire string, err error) {
	var doc struct {
		ResourceType string `json:"resourceType"`
		Subject      struct {
			Reference string `json:"reference"`
		} `json:"subject"`
		Questionnaire string `json:"questionnaire"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.ResourceType != "QuestionnaireResponse" {
		return "", "", haven.Errorf(haven.Invalid, "Send a QuestionnaireResponse resource in JSON.")
	}
	id, ok := strings.CutPrefix(doc.Subject.Reference, "Patient/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", "", &haven.Error{Kind: haven.Invalid, Message: "The subject must reference the survivor as Patient/{id}.",
			Fields: map[string]string{"subject": "reference Patient/{id}"}}
	}
	return id, doc.Questionnaire, nil
}

func (h *Handler) readResponse(w http.ResponseWriter, r *http.Request) error {
	sc, err := h.Screenings.Screening(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRead(w, r, http.StatusOK, sc.Response, sc.CreatedAt)
}

// searchResponses answers GET /fhir/R4/QuestionnaireResponse?patient=…
// (or subject=): the survivor's screenings, newest first, narrowed by
// questionnaire (its canonical url, url|version, or Questionnaire/{id})
// and by authored (a date search with eq, ne, lt, le, gt or ge, on when
// Haven recorded the screening). Only the survivor's care team sees them;
// for altsone else the Bundle is empty, as for a survivor with none.
func (h *Handler) searchResponses(w http.ResponseWriter, r *http.Request) error {
	used, err := searchParams(r, "QuestionnaireResponse", "patient", "subject", "questionnaire", "authored")
	if err != nil {
		return err
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	patient, err := patientParam(used, "QuestionnaireResponse")
	if err != nil {
		return err
	}
	dates, err := parseDateFilters(used["authored"])
	if err != nil {
		return err
	}
	instruments, err := h.questionnaireParam(r, used["questionnaire"])
	if err != nil {
		return err
	}
	list, err := h.Screenings.Screenings(r.Context(), patient)
	if haven.ErrorKind(err) == haven.NotFound {
		list, err = nil, nil
	}
	if err != nil {
		return err
	}
	var found []haven.ScreeningSummary
	for _, s := range list {
		if (instruments == nil || instruments[s.InstrumentID]) && dates.match(s.CreatedAt) {
			found = append(found, s)
		}
	}
	lo, hi := p.slice(len(found))
	var entries []bundleEntry
	for i := lo; i < hi; i++ {
		sc, err := h.Screenings.Screening(r.Context(), found[i].ID)
		if err != nil {
			return err
		}
		e, err := h.entry(r, "QuestionnaireResponse", sc.ID, sc.Response, sc.CreatedAt)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	return h.writeSearch(w, r, "QuestionnaireResponse", used, p, len(found), entries)
}

// patientParam is the survivor a search names by patient (or subject):
// Patient/{id} or the bare id.
func patientParam(used map[string][]string, typ string) (string, error) {
	v := ""
	for _, name := range []string{"patient", "subject"} {
		if vals := used[name]; len(vals) > 0 {
			v = vals[0]
		}
	}
	id := strings.TrimPrefix(v, "Patient/")
	if id == "" || strings.Contains(id, "/") || strings.Contains(id, ",") {
		return "", haven.Errorf(haven.Invalid, "Search %s by one patient: patient=Patient/{id}.", typ)
	}
	return id, nil
}

// questionnaireParam resolves the questionnaire parameter to the ids of
// the instruments it names (nil when it is not given).
func (h *Handler) questionnaireParam(r *http.Request, vals []string) (map[string]bool, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	all, err := h.Screenings.Instruments(r.Context())
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, v := range vals {
		for _, c := range strings.Split(v, ",") {
			id, isRef := strings.CutPrefix(c, "Questionnaire/")
			url, version, versioned := strings.Cut(c, "|")
			for _, in := range all {
				if isRef && in.ID == id || !isRef && servedURL(&in) == url && (!versioned || in.Version == version) {
					ids[in.ID] = true
				}
			}
		}
	}
	return ids, nil
}

// dateFilter is one date search value: a prefix and the range its
// precision covers, [from, to).
type dateFilter struct {
	prefix   string
	from, to time.Time
}

// dateFilters holds every value of a date parameter: each repetition must
// match (and), alts of one repetition's comma-separated values (or).
type dateFilters [][]dateFilter

// parseDateFilters parses a date search parameter's values.
func parseDateFilters(vals []string) (dateFilters, error) {
	var out dateFilters
	for _, v := range vals {
		var alts []dateFilter
		for _, c := range strings.Split(v, ",") {
			f, err := parseDateFilter(c)
			if err != nil {
				return nil, err
			}
			alts = append(alts, f)
		}
		out = append(out, alts)
	}
	return out, nil
}

var datePrefixes = []string{"eq", "ne", "lt", "le", "gt", "ge"}

func parseDateFilter(s string) (dateFilter, error) {
	f := dateFilter{prefix: "eq"}
	for _, p := range datePrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			f.prefix, s = p, rest
			break
		}
	}
	layouts := []struct {
		layout string
		step   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{time.RFC3339, func(t time.Time) time.Time { return t.Add(time.Second) }},
	}
	for _, l := range layouts {
		if t, err := time.Parse(l.layout, s); err == nil {
			f.from, f.to = t, l.step(t)
			return f, nil
		}
	}
	return f, haven.Errorf(haven.Invalid, "authored takes a date (2026, 2026-11, 2026-11-29 or 2026-11-29T10:00:00Z) with an optional prefix eq, ne, lt, le, gt or ge; %q is not one.", s)
}

// match reports whether t matches every repetition.
func (fs dateFilters) match(t time.Time) bool {
	for _, alts := range fs {
		ok := false
		for _, f := range alts {
			ok = ok || f.match(t)
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f dateFilter) match(t time.Time) bool {
	in := !t.Before(f.from) && t.Before(f.to)
	switch f.prefix {
	case "ne":
		return !in
	case "lt":
		return t.Before(f.from)
	case "le":
		return t.Before(f.to)
	case "gt":
		return !t.Before(f.to)
	case "ge":
		return !t.Before(f.from)
	}
	return in
}
