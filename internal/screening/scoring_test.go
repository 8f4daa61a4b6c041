package screening

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scoredResponse builds a response to the scored test questionnaire.
func scoredResponse(tb testing.TB, items ...string) *QuestionnaireResponse {
	tb.Helper()
	r, err := ParseQuestionnaireResponse([]byte(`{"resourceType":"QuestionnaireResponse","status":"completed","item":[` + strings.Join(items, ",") + `]}`))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// stepKinds lists the kinds of the steps.
func stepKinds(steps []Step) []string {
	var kinds []string
	for _, s := range steps {
		kinds = append(kinds, s.Kind)
	}
	return kinds
}

func TestScore(t *testing.T) {
	q := mustParse(t, mustRead(t, "testdata/scored-questionnaire.json"))
	unpaid := `{"linkId":"paid","answer":[{"valueCoding":{"code":"no"}}]}`
	debt := `{"linkId":"debt","answer":[{"valueBoolean":true}]}`
	forced := `{"linkId":"forced","answer":[{"valueBoolean":true}]}`
	tests := []struct {
		name    string
		items   []string
		patient Patient
		concern Concern
		flagged []string
		codes   []string
		steps   []string
		scores  []float64
	}{
		{"nothing positive", []string{`{"linkId":"debt","answer":[{"valueBoolean":false}]}`}, Patient{}, ConcernNone, []string{}, nil,
			[]string{"offer-support", "rescreen"}, []float64{0, 0}},
		{"one labor indicator is low", []string{unpaid}, Patient{}, ConcernLow, []string{}, nil,
			[]string{"offer-support", "hotline", "safety-plan"}, []float64{1, 0}},
		{"labor threshold met", []string{unpaid, debt}, Patient{}, ConcernModerate, []string{"labor"}, []string{"T76.61XA"},
			[]string{"offer-support", "hotline", "safety-plan"}, []float64{2, 0}},
		{"weighted sex rule, adult", []string{forced}, Patient{}, ConcernHigh, []string{"sex"}, []string{"T76.51XA"},
			[]string{"offer-support", "hotline", "safety-plan"}, []float64{0, 3}},
		{"both, minor", []string{unpaid, debt, forced}, Patient{Minor: true}, ConcernHigh, []string{"labor", "sex"}, []string{"T76.52XA", "T76.62XA"},
			[]string{"offer-support", "hotline", "safety-plan", "mandated-report"}, []float64{2, 3}},
		{"numeric answer summed", []string{debt, `{"linkId":"nights","answer":[{"valueInteger":4}]}`}, Patient{}, ConcernHigh, []string{"sex"}, []string{"T76.51XA"},
			[]string{"offer-support", "hotline", "safety-plan"}, []float64{1, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Score(q, scoredResponse(t, tt.items...), tt.patient)
			if err != nil {
				t.Fatal(err)
			}
			if res.Concern != tt.concern {
				t.Errorf("Concern = %q, want %q", res.Concern, tt.concern)
			}
			if diff := cmp.Diff(tt.flagged, res.Flagged); diff != "" {
				t.Errorf("Flagged (-want +got):\n%s", diff)
			}
			var codes, scores = []string(nil), []float64(nil)
			for _, c := range res.Codes {
				codes = append(codes, c.Code)
			}
			for _, d := range res.Domains {
				scores = append(scores, d.Score)
			}
			if diff := cmp.Diff(tt.codes, codes); diff != "" {
				t.Errorf("Codes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.steps, stepKinds(res.NextSteps)); diff != "" {
				t.Errorf("NextSteps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.scores, scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
			if !strings.Contains(res.Notice, "not a diagnosis") {
				t.Errorf("Notice = %q, want it to say it is not a diagnosis", res.Notice)
			}
		})
	}
}

func TestScoreRefusesInvalidResponse(t *testing.T) {
	q := mustParse(t, mustRead(t, "testdata/scored-questionnaire.json"))
	_, err := Score(q, scoredResponse(t, `{"linkId":"nights","answer":[{"valueInteger":4}]}`), Patient{})
	var ps Problems
	if !errors.As(err, &ps) || ps[0].LinkID != "nights" {
		t.Errorf("Score err = %v, want the disabled item nights refused", err)
	}
}

func TestScoringRulesChecked(t *testing.T) {
	rule := func(parts string) string {
		return `{"resourceType":"Questionnaire","extension":[{"url":"` + ScoringURL + `","extension":[{"url":"rule","extension":[` + parts +
			`]}]}],"item":[{"linkId":"a","type":"boolean"},{"linkId":"n","type":"display"}]}`
	}
	tests := []struct{ name, parts, want string }{
		{"unknown item", `{"url":"domain","valueCode":"x"},{"url":"threshold","valueDecimal":1},{"url":"item","valueString":"zz"}`, `item "zz": scoring rule "x": scores an item that does not exist`},
		{"display item", `{"url":"domain","valueCode":"x"},{"url":"threshold","valueDecimal":1},{"url":"item","valueString":"n"}`, `item "n": scoring rule "x"`},
		{"bad method", `{"url":"domain","valueCode":"x"},{"url":"method","valueCode":"avg"},{"url":"threshold","valueDecimal":1},{"url":"item","valueString":"a"}`, `method "avg"`},
		{"bad concern", `{"url":"domain","valueCode":"x"},{"url":"concern","valueCode":"dire"},{"url":"threshold","valueDecimal":1},{"url":"item","valueString":"a"}`, `concern "dire"`},
		{"no threshold", `{"url":"domain","valueCode":"x"},{"url":"item","valueString":"a"}`, "positive threshold"},
		{"no domain", `{"url":"threshold","valueDecimal":1},{"url":"item","valueString":"a"}`, "no domain"},
		{"unknown element", `{"url":"domain","valueCode":"x"},{"url":"threshold","valueDecimal":1},{"url":"item","valueString":"a"},{"url":"colour","valueCode":"red"}`, `unknown element "colour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuestionnaire([]byte(rule(tt.parts)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseQuestionnaire err = %v, want %q", err, tt.want)
			}
		})
	}
}
