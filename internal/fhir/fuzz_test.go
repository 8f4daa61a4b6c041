package fhir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

// FuzzParseTaskUpdate: any body PUT to Task/{id} is refused as Invalid or
// read into a change whose status is the Task's, that needs a reason only
// when it has one, and whose note is trimmed. Seeds live in
// testdata/fuzz/FuzzParseTaskUpdate.
func FuzzParseTaskUpdate(f *testing.F) {
	const id = "00000000-0000-4000-8000-000000000001"
	f.Add([]byte(`{"resourceType":"Task","id":"`+id+`","status":"accepted"}`), id)
	f.Add([]byte(`{"resourceType":"Task","id":"`+id+`","status":"rejected","statusReason":{"coding":[{"system":"`+havenReasonSystem+`","code":"no_capacity"}]},"note":[{"text":" full "}]}`), id)
	f.Add([]byte(`{"resourceType":"Task","id":"`+id+`","focus":{"reference":"ServiceRequest/other"},"status":"completed"}`), id)
	f.Add([]byte(`{"resourceType":"Patient"}`), id)
	f.Fuzz(func(t *testing.T, body []byte, id string) {
		status, sc, err := parseTaskUpdate(body, id)
		if err != nil {
			if haven.ErrorKind(err) != haven.Invalid || len(haven.ErrorFields(err)) == 0 {
				t.Fatalf("refused without an Invalid field error: %v", err)
			}
			return
		}
		var raw struct {
			ResourceType, ID, Status string
		}
		if json.Unmarshal(body, &raw) != nil || raw.ResourceType != "Task" || raw.ID != id {
			t.Fatalf("accepted a body that is not Task/%s", id)
		}
		if string(sc.Status) != status || sc.Note != strings.TrimSpace(sc.Note) {
			t.Errorf("change %+v for status %q", sc, status)
		}
		if sc.Reason == "" && sc.Status.NeedsReason() && strings.Contains(string(body), "statusReason") {
			t.Errorf("status %q with a statusReason got no reason", status)
		}
	})
}

// FuzzSubjectOf: a QuestionnaireResponse's subject is accepted only as
// Patient/{id} with one path segment.
func FuzzSubjectOf(f *testing.F) {
	f.Add([]byte(`{"resourceType":"QuestionnaireResponse","subject":{"reference":"Patient/abc"},"questionnaire":"https://haven.example/q"}`))
	f.Add([]byte(`{"resourceType":"QuestionnaireResponse","subject":{"reference":"Patient/a/b"}}`))
	f.Add([]byte(`{"resourceType":"Patient"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		id, _, err := subjectOf(body)
		if err != nil {
			if haven.ErrorKind(err) != haven.Invalid {
				t.Fatalf("refused with kind %v", haven.ErrorKind(err))
			}
			return
		}
		if id == "" || strings.Contains(id, "/") {
			t.Errorf("accepted subject id %q", id)
		}
	})
}

// FuzzParseDateFilter: a search's date values parse into ranges that are
// not empty, or are refused as Invalid; matching never panics.
func FuzzParseDateFilter(f *testing.F) {
	for _, s := range []string{"2026", "ge2026-11", "lt2026-11-29", "ne2026-11-29T10:00:00Z", "2026-11-29T10:00:00+02:00", "eq", "gt-0001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := parseDateFilters([]string{s})
		if err != nil {
			if haven.ErrorKind(err) != haven.Invalid {
				t.Fatalf("refused with kind %v", haven.ErrorKind(err))
			}
			return
		}
		for _, alts := range fs {
			for _, d := range alts {
				if !d.from.Before(d.to) {
					t.Errorf("%q: empty range %v..%v", s, d.from, d.to)
				}
			}
		}
		fs.match(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
	})
}
