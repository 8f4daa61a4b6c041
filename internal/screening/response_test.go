package screening

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haven-care/haven"
)

const (
	cs       = `"system":"https://haven.example/cs"`
	unpaid   = `{"valueCoding":{` + cs + `,"code":"unpaid"}}`
	paid     = `{"valueCoding":{` + cs + `,"code":"paid"}}`
	safetyOK = `{"linkId":"safety","item":[{"linkId":"alone","answer":[{"valueBoolean":true}]}]}`
)

// response builds a response to the small questionnaire from item JSON.
func response(items ...string) string {
	return `{"resourceType":"QuestionnaireResponse","questionnaire":"https://haven.example/fhir/Questionnaire/small|1",
		"status":"completed","item":[` + strings.Join(items, ",") + `]}`
}

func TestValidateAccepts(t *testing.T) {
	q := mustParse(t, mustRead(t, "testdata/small-questionnaire.json"))
	tests := []struct {
		name string
		doc  string
	}{
		{"only the required safety item", response(safetyOK)},
		{"enabled follow-up answered", response(safetyOK, `{"linkId":"age","answer":[{"valueInteger":30}]}`,
			`{"linkId":"work","answer":[`+unpaid+`]}`, `{"linkId":"work-detail","answer":[{"valueString":"long days"}]}`,
			`{"linkId":"since","answer":[{"valueDate":"2026-01"}]}`)},
		{"repeating choice", response(safetyOK, `{"linkId":"work","answer":[`+paid+`,`+paid+`]}`, `{"linkId":"amount","answer":[{"valueDecimal":12.50}]}`)},
		{"open-choice free text", response(safetyOK, `{"linkId":"how","answer":[{"valueString":"A neighbour"}]}`)},
		{"minor: follow-up disabled so not required", response(safetyOK, `{"linkId":"age","answer":[{"valueInteger":16}]}`, `{"linkId":"work","answer":[`+unpaid+`]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseQuestionnaireResponse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(q, r); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	q := mustParse(t, mustRead(t, "testdata/small-questionnaire.json"))
	tests := []struct {
		name   string
		doc    string
		linkID string
		reason string
	}{
		{"required missing", response(), "safety", "required but not answered"},
		{"required child missing", response(`{"linkId":"safety","item":[]}`), "alone", "required but not answered"},
		{"wrong type", response(safetyOK, `{"linkId":"age","answer":[{"valueString":"30"}]}`), "age", "valueString is not an answer to a integer item"},
		{"not an option", response(safetyOK, `{"linkId":"work","answer":[{"valueCoding":{`+cs+`,"code":"other"}}]}`), "work", "not one of the item's answerOption"},
		{"open-choice coding not an option", response(safetyOK, `{"linkId":"how","answer":[{"valueCoding":{"code":"x"}}]}`), "how", "not one of"},
		{"disabled item answered", response(safetyOK, `{"linkId":"work","answer":[`+paid+`]}`, `{"linkId":"work-detail","answer":[{"valueString":"x"}]}`), "work-detail", "disabled"},
		{"enabled required follow-up missing", response(safetyOK, `{"linkId":"age","answer":[{"valueInteger":30}]}`, `{"linkId":"work","answer":[`+unpaid+`]}`), "work-detail", "required but not answered"},
		{"two answers to a non-repeating item", response(safetyOK, `{"linkId":"age","answer":[{"valueInteger":3},{"valueInteger":4}]}`), "age", "does not repeat but has 2 answers"},
		{"non-repeating item twice", response(safetyOK, `{"linkId":"age","answer":[{"valueInteger":3}]}`, `{"linkId":"age","answer":[{"valueInteger":4}]}`), "age", "appears more than once"},
		{"unknown linkId", response(safetyOK, `{"linkId":"zz","answer":[{"valueInteger":3}]}`), "zz", "no item with this linkId"},
		{"misplaced item", response(safetyOK, `{"linkId":"alone","answer":[{"valueBoolean":true}]}`), "alone", "not where the questionnaire places it"},
		{"answer on a display item", response(safetyOK, `{"linkId":"note","answer":[{"valueString":"x"}]}`), "note", "display item cannot have answers"},
		{"malformed value", response(safetyOK, `{"linkId":"age","answer":[{"valueInteger":"x"}]}`), "age", "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseQuestionnaireResponse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = Validate(q, r)
			if haven.ErrorKind(err) != haven.Invalid {
				t.Fatalf("Validate err = %v, want invalid", err)
			}
			var ps Problems
			errors.As(err, &ps)
			for _, p := range ps {
				if p.LinkID == tt.linkID && strings.Contains(p.Reason, tt.reason) {
					return
				}
			}
			t.Errorf("problems = %v, want item %q: %q", ps, tt.linkID, tt.reason)
		})
	}
}

func TestValidateOtherQuestionnaire(t *testing.T) {
	q := mustParse(t, mustRead(t, "testdata/small-questionnaire.json"))
	r, err := ParseQuestionnaireResponse([]byte(`{"resourceType":"QuestionnaireResponse","questionnaire":"https://other.example/Q","item":[` + safetyOK + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(q, r); !strings.Contains(haven.ErrorMessage(err), "is for questionnaire") {
		t.Errorf("Validate err = %v, want a questionnaire mismatch", err)
	}
}

func TestEnabled(t *testing.T) {
	q := mustParse(t, mustRead(t, "testdata/small-questionnaire.json"))
	unpaidV := CodingValue("https://haven.example/cs", "unpaid", "")
	paidV := CodingValue("https://haven.example/cs", "paid", "")
	tests := []struct {
		name    string
		answers map[string][]Value
		want    map[string]bool // a subset of the result
	}{
		{"no answers", nil, map[string]bool{"work-detail": false, "since": false, "amount": false, "alone": true, "note": true}},
		{"all conditions hold", map[string][]Value{"work": {unpaidV}, "age": {IntegerValue(18)}}, map[string]bool{"work-detail": true, "amount": false}},
		{"one of all fails", map[string][]Value{"work": {unpaidV}, "age": {IntegerValue(17)}}, map[string]bool{"work-detail": false}},
		{"exists on enabled item", map[string][]Value{"work": {unpaidV}, "age": {IntegerValue(40)}, "work-detail": {StringValue("x")}}, map[string]bool{"since": true}},
		{"answers of a disabled item do not count", map[string][]Value{"work": {paidV}, "work-detail": {StringValue("x")}}, map[string]bool{"work-detail": false, "since": false}},
		{"!= holds when no answer equals", map[string][]Value{"work": {paidV}}, map[string]bool{"amount": true}},
		{"!= fails when one answer equals", map[string][]Value{"work": {paidV, unpaidV}}, map[string]bool{"amount": false}},
		{"coding without system matches by code", map[string][]Value{"work": {CodingValue("", "paid", "")}}, map[string]bool{"amount": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Enabled(q, tt.answers)
			for id, want := range tt.want {
				if got[id] != want {
					t.Errorf("Enabled[%s] = %v, want %v", id, got[id], want)
				}
			}
		})
	}
}

func TestEnabledOperatorsAndAny(t *testing.T) {
	q := mustParse(t, []byte(`{"resourceType":"Questionnaire","item":[
		{"linkId":"n","type":"decimal"},{"linkId":"d","type":"date"},
		{"linkId":"gt","type":"string","enableWhen":[{"question":"n","operator":">","answerDecimal":2.5}]},
		{"linkId":"lt","type":"string","enableWhen":[{"question":"n","operator":"<","answerDecimal":2.5}]},
		{"linkId":"le","type":"string","enableWhen":[{"question":"n","operator":"<=","answerDecimal":2.5}]},
		{"linkId":"before","type":"string","enableWhen":[{"question":"d","operator":"<","answerDate":"2020-01-01"}]},
		{"linkId":"either","type":"string","enableBehavior":"any","enableWhen":[
			{"question":"n","operator":"=","answerDecimal":9},{"question":"d","operator":"exists","answerBoolean":false}]},
		{"linkId":"g","type":"group","enableWhen":[{"question":"n","operator":"exists","answerBoolean":true}],"item":[{"linkId":"child","type":"string"}]}]}`))
	got := Enabled(q, map[string][]Value{"n": {{Type: "Decimal", Raw: json.RawMessage("2.5")}}, "d": {DateValue("2019-12-31")}})
	want := map[string]bool{"n": true, "d": true, "gt": false, "lt": false, "le": true, "before": true, "either": false, "g": true, "child": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Enabled (-want +got):\n%s", diff)
	}
	got = Enabled(q, nil)
	if !got["either"] || got["child"] {
		t.Errorf("Enabled(no answers) either=%v child=%v, want true false", got["either"], got["child"])
	}
}

func TestResponseRoundTrip(t *testing.T) {
	doc := response(safetyOK, `{"linkId":"work","answer":[`+unpaid+`],"extension":[{"url":"https://example.org/e","valueString":"kept"}]}`,
		`{"linkId":"age","answer":[{"valueInteger":30,"item":[{"linkId":"x","answer":[{"valueQuantity":{"value":1.50,"unit":"h"}}]}]}]}`)
	r, err := ParseQuestionnaireResponse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, []byte(doc), out)
}

func TestResponseMalformed(t *testing.T) {
	for _, doc := range []string{`{}`, `{"resourceType":"Questionnaire"}`, `{"resourceType":"QuestionnaireResponse","item":[{"answer":[]}]}`,
		`{"resourceType":"QuestionnaireResponse","item":[{"linkId":"a","answer":[null]}]}`} {
		if _, err := ParseQuestionnaireResponse([]byte(doc)); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("ParseQuestionnaireResponse(%q) err = %v, want invalid", doc, err)
		}
	}
}
