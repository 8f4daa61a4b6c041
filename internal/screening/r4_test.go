package screening

import (
	"errors"
	"strings"
	"testing"

	"github.com/haven-care/haven"
)

// TestImportFollowsR4 checks what R4 4.0.1 allows and forbids of a
// Questionnaire beyond its items' invariants: url is optional; status is
// required and from its code set; answerOption is allowed on integer,
// date, time and string items (que-5's expression); a Coding may carry a
// display alone.
func TestImportFollowsR4(t *testing.T) {
	const items = `"item":[{"linkId":"n","type":"integer","answerOption":[{"valueInteger":1},{"valueInteger":2}]},
		{"linkId":"d","type":"date","answerOption":[{"valueDate":"2026-01-01"}]},
		{"linkId":"t","type":"time","answerOption":[{"valueTime":"08:00:00"}]},
		{"linkId":"s","type":"string","answerOption":[{"valueString":"a"}]},
		{"linkId":"c","type":"choice","answerOption":[{"valueCoding":{"display":"Yes"}},{"valueCoding":{"display":"No"}}]}]`
	good := []string{
		`{"resourceType":"Questionnaire","status":"active",` + items + `}`,
		`{"resourceType":"Questionnaire","status":"draft","item":[{"linkId":"a","type":"boolean"}]}`,
		`{"resourceType":"Questionnaire","status":"retired","item":[{"linkId":"a","type":"boolean"}]}`,
		`{"resourceType":"Questionnaire","status":"unknown"}`,
	}
	for _, g := range good {
		if _, err := ParseImport([]byte(g)); err != nil {
			t.Errorf("ParseImport(%s): %v", g, err)
		}
	}
	bad := []struct{ doc, path, reason string }{
		{`{"resourceType":"Questionnaire","item":[{"linkId":"a","type":"boolean"}]}`, "status", "required"},
		{`{"resourceType":"Questionnaire","status":"published"}`, "status", `"published" is not one of`},
		{`{"resourceType":"Questionnaire","status":"Active"}`, "status", "is not one of"},
	}
	for _, b := range bad {
		_, err := ParseImport([]byte(b.doc))
		var ps Problems
		if haven.ErrorKind(err) != haven.Invalid || !errors.As(err, &ps) || ps[0].Path != b.path || !strings.Contains(ps[0].Reason, b.reason) {
			t.Errorf("ParseImport(%s) = %v, want %s: %s", b.doc, err, b.path, b.reason)
		}
	}

	q, err := ParseImport([]byte(`{"resourceType":"Questionnaire","status":"active",` + items + `}`))
	if err != nil {
		t.Fatal(err)
	}
	resp := func(extra, answers string) *QuestionnaireResponse {
		r, err := ParseQuestionnaireResponse([]byte(`{"resourceType":"QuestionnaireResponse"` + extra + `,"item":[` + answers + `]}`))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	const ok = `,"status":"completed","authored":"2026-11-29T10:00:00Z"`
	if err := Validate(q, resp(ok, `{"linkId":"n","answer":[{"valueInteger":2}]},{"linkId":"c","answer":[{"valueCoding":{"display":"No"}}]}`)); err != nil {
		t.Errorf("an answer among integer and display-only options: %v", err)
	}
	for _, tt := range []struct{ extra, answers, want string }{
		{ok, `{"linkId":"n","answer":[{"valueInteger":3}]}`, `item "n": the answer is not one of`},
		{ok, `{"linkId":"c","answer":[{"valueCoding":{"display":"Maybe"}}]}`, `item "c": the answer is not one of`},
		{`,"status":"finished"`, ``, `status: "finished" is not one of`},
		{``, ``, `status: required`},
		{`,"status":"completed","authored":"yesterday"`, ``, `authored: not a dateTime`},
		{`,"status":"completed","authored":"2026-11-29T10:00"`, ``, `authored: not a dateTime`},
	} {
		err := Validate(q, resp(tt.extra, tt.answers))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%s %s) = %v, want %q", tt.extra, tt.answers, err, tt.want)
		}
	}
	for _, s := range []string{"2026", "2026-11", "2026-11-29", "2026-11-29T10:00:00Z", "2026-11-29T10:00:00.5+02:00"} {
		if !IsDateTime(s) {
			t.Errorf("IsDateTime(%q) = false", s)
		}
	}
}

func TestProblemFHIRPath(t *testing.T) {
	for _, tt := range []struct {
		p    Problem
		typ  string
		want string
	}{
		{Problem{LinkID: "r-papers"}, "QuestionnaireResponse", "QuestionnaireResponse.repeat(item | answer.item).where(linkId = 'r-papers')"},
		{Problem{LinkID: "it's"}, "Questionnaire", `Questionnaire.repeat(item).where(linkId = 'it\'s')`},
		{Problem{Path: "authored"}, "QuestionnaireResponse", "QuestionnaireResponse.authored"},
		{Problem{}, "Questionnaire", "Questionnaire"},
	} {
		if got := tt.p.FHIRPath(tt.typ); got != tt.want {
			t.Errorf("%+v.FHIRPath(%s) = %s, want %s", tt.p, tt.typ, got, tt.want)
		}
	}
}
