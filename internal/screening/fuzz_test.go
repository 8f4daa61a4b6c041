package screening

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzParseQuestionnaire checks that the parser never panics and that
// whatever it accepts exports to JSON that parses back to the same export.
// Seeds live in testdata/fuzz/FuzzParseQuestionnaire.
func FuzzParseQuestionnaire(f *testing.F) {
	f.Add(mustRead(f, "testdata/small-questionnaire.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := ParseQuestionnaire(data)
		if err != nil {
			return
		}
		Enabled(q, map[string][]Value{})
		out, err := json.Marshal(q)
		if err != nil {
			t.Fatalf("export of an accepted questionnaire: %v", err)
		}
		q2, err := ParseQuestionnaire(out)
		if err != nil {
			t.Fatalf("export does not parse again: %v\n%s", err, out)
		}
		out2, err := json.Marshal(q2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("export is not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzParseQuestionnaireResponse checks that the response parser and the
// validator never panic, and that an accepted response round-trips.
// Seeds live in testdata/fuzz/FuzzParseQuestionnaireResponse.
func FuzzParseQuestionnaireResponse(f *testing.F) {
	q := mustParse(f, mustRead(f, "testdata/small-questionnaire.json"))
	f.Add([]byte(response(safetyOK)))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseQuestionnaireResponse(data)
		if err != nil {
			return
		}
		_ = Validate(q, r)
		_, _ = Score(q, r, Patient{})
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("export of an accepted response: %v", err)
		}
		r2, err := ParseQuestionnaireResponse(out)
		if err != nil {
			t.Fatalf("export does not parse again: %v\n%s", err, out)
		}
		out2, err := json.Marshal(r2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("export is not stable:\n%s\n%s", out, out2)
		}
	})
}
