package screening

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// answered builds a response to a shipped instrument: the safety checklist
// with the given answers, then yes to each listed question.
func answered(tb testing.TB, q *Questionnaire, prefix string, safe bool, yes ...string) *QuestionnaireResponse {
	tb.Helper()
	lang := `{"valueCoding":{"system":"https://haven.example/fhir/CodeSystem/language-support","code":"professional"}}`
	if !safe {
		lang = `{"valueCoding":{"system":"https://haven.example/fhir/CodeSystem/language-support","code":"companion"}}`
	}
	safety := `{"linkId":"` + prefix + `safety","item":[
		{"linkId":"` + prefix + `safety-alone","answer":[{"valueBoolean":true}]},
		{"linkId":"` + prefix + `safety-language","answer":[` + lang + `]},
		{"linkId":"` + prefix + `safety-private","answer":[{"valueBoolean":true}]},
		{"linkId":"` + prefix + `safety-explained","answer":[{"valueBoolean":true}]}]}`
	var qs []string
	for _, id := range yes {
		qs = append(qs, `{"linkId":"`+id+`","answer":[{"valueBoolean":true}]}`)
	}
	items := safety
	if len(qs) > 0 {
		items += `,{"linkId":"` + prefix + `questions","item":[` + strings.Join(qs, ",") + `]}`
	}
	r, err := ParseQuestionnaireResponse([]byte(`{"resourceType":"QuestionnaireResponse","questionnaire":"` + q.URL + `","status":"completed","item":[` + items + `]}`))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestInstrumentsShipped(t *testing.T) {
	all, err := Instruments()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, q := range all {
		ids = append(ids, q.ID)
		if len(q.Sources()) == 0 || len(q.Sources()[0].Accuracy) == 0 {
			t.Errorf("%s: Sources() = %v, want a cited tool with its published accuracy", q.ID, q.Sources())
		}
		if first := q.Item[0]; first.Type != "group" || !strings.HasSuffix(first.LinkID, "safety") || len(first.Item) != 5 {
			t.Errorf("%s: first item = %s (%s), want the safety checklist group", q.ID, first.LinkID, first.Type)
		}
		displays := 0
		q.Items(func(it *Item) {
			if it.Type == "display" && strings.Contains(it.LinkID, "followup-") {
				displays++
			}
		})
		if displays < 3 {
			t.Errorf("%s: %d open-ended follow-up prompts, want at least 3", q.ID, displays)
		}
		if len(q.Rules()) == 0 {
			t.Errorf("%s: no scoring rules", q.ID)
		}
		if _, err := json.Marshal(q); err != nil {
			t.Errorf("%s: export: %v", q.ID, err)
		}
	}
	if diff := cmp.Diff([]string{"haven-adult-indicators", "haven-rapid-four", "haven-youth-short"}, ids); diff != "" {
		t.Errorf("instrument ids (-want +got):\n%s", diff)
	}
	if _, err := Instrument("nope"); err == nil {
		t.Errorf("Instrument(nope) err = nil, want NotFound")
	}
}

func TestInstrumentsScore(t *testing.T) {
	tests := []struct {
		id, prefix string
		safe       bool
		yes        []string
		patient    Patient
		concern    Concern
		flagged    []string
		codes      []string
	}{
		{"haven-adult-indicators", "a-", true, nil, Patient{}, ConcernNone, []string{}, nil},
		{"haven-adult-indicators", "a-", true, []string{"a-pay"}, Patient{}, ConcernLow, []string{}, nil},
		{"haven-adult-indicators", "a-", true, []string{"a-pay", "a-debt"}, Patient{}, ConcernModerate, []string{"labor"}, []string{"T76.61XA"}},
		{"haven-adult-indicators", "a-", true, []string{"a-threats", "a-documents"}, Patient{}, ConcernHigh, []string{"labor", "coercion"}, []string{"T76.61XA"}},
		{"haven-adult-indicators", "a-", true, []string{"a-sex-exchange", "a-sex-earnings"}, Patient{}, ConcernHigh, []string{"sex"}, []string{"T76.51XA"}},
		{"haven-youth-short", "y-", true, []string{"y-runaway", "y-sti"}, Patient{Minor: true}, ConcernModerate, []string{"risk"}, nil}, // risk factors prompt support, never a code
		{"haven-youth-short", "y-", true, []string{"y-exchange"}, Patient{Minor: true}, ConcernHigh, []string{"exchange"}, []string{"T76.52XA"}},
		{"haven-rapid-four", "r-", true, []string{"r-papers"}, Patient{}, ConcernModerate, []string{"labor"}, []string{"T76.61XA"}},
		{"haven-rapid-four", "r-", true, []string{"r-sex", "r-leave"}, Patient{}, ConcernModerate, []string{"labor", "sex"}, []string{"T76.51XA", "T76.61XA"}},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+strings.Join(tt.yes, "+"), func(t *testing.T) {
			q, err := Instrument(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Score(q, answered(t, q, tt.prefix, tt.safe, tt.yes...), tt.patient)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, c := range res.Codes {
				codes = append(codes, c.Code)
			}
			if res.Concern != tt.concern || !cmp.Equal(res.Flagged, tt.flagged) || !cmp.Equal(codes, tt.codes) {
				t.Errorf("Score = concern %s flagged %v codes %v, want %s %v %v", res.Concern, res.Flagged, codes, tt.concern, tt.flagged, tt.codes)
			}
			if !res.Screened {
				t.Errorf("Screened = false with the safety checklist passed")
			}
			if tt.patient.Minor && res.Concern != ConcernNone && !strings.Contains(strings.Join(stepKinds(res.NextSteps), ","), "mandated-report") {
				t.Errorf("NextSteps = %v, want a mandated report for a minor", stepKinds(res.NextSteps))
			}
		})
	}
}

func TestInstrumentSafetyGate(t *testing.T) {
	q, err := Instrument("haven-adult-indicators")
	if err != nil {
		t.Fatal(err)
	}
	unsafe := answered(t, q, "a-", false)
	en := Enabled(q, unsafe.Answers())
	if en["a-questions"] || en["a-pay"] || !en["a-safety-stop"] {
		t.Errorf("with a companion interpreting: questions=%v pay=%v stop=%v, want false false true", en["a-questions"], en["a-pay"], en["a-safety-stop"])
	}
	// Answering the questions when the checklist failed is refused.
	bad := answered(t, q, "a-", false, "a-pay")
	if err := Validate(q, bad); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("Validate = %v, want the screening questions refused while the checklist fails", err)
	}
	res, err := Score(q, unsafe, Patient{Minor: true})
	if err != nil || res.Screened || res.Concern != ConcernNone || len(res.Codes) != 0 || !strings.HasPrefix(res.Summary, "Not screened") {
		t.Errorf("Score(unsafe) = screened %v concern %s codes %v summary %q, %v; want not screened", res.Screened, res.Concern, res.Codes, res.Summary, err)
	}
	if got := stepKinds(res.NextSteps); !cmp.Equal(got, []string{"offer-support", "rescreen"}) {
		t.Errorf("Score(unsafe) NextSteps = %v, want offer-support, rescreen", got)
	}
	safe := Enabled(q, answered(t, q, "a-", true).Answers())
	if !safe["a-questions"] || safe["a-safety-stop"] || safe["a-sex-earnings"] {
		t.Errorf("safe: questions=%v stop=%v sex-earnings=%v, want true false false", safe["a-questions"], safe["a-safety-stop"], safe["a-sex-earnings"])
	}
}
