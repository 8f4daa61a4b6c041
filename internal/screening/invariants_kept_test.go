package screening

import (
	"errors"
	"strings"
	"testing"
)

func TestQuestionnaireRefusedKeptElements(t *testing.T) {
	tests := []struct {
		name   string
		item   string
		reason string
	}{
		{"display with code", `{"linkId":"x","type":"display","code":[{"code":"1"}]}`, "que-3"},
		{"answerOption and answerValueSet", `{"linkId":"x","type":"choice","answerValueSet":"http://vs","answerOption":[{"valueString":"a"}]}`, "que-4"},
		{"answerValueSet on boolean", `{"linkId":"x","type":"boolean","answerValueSet":"http://vs"}`, "que-5"},
		{"answerValueSet on group", `{"linkId":"x","type":"group","answerValueSet":"http://vs","item":[{"linkId":"y","type":"string"}]}`, "que-5"},
		{"initial on group", `{"linkId":"x","type":"group","initial":[{"valueString":"a"}],"item":[{"linkId":"y","type":"string"}]}`, "que-8"},
		{"initial on display", `{"linkId":"x","type":"display","initial":[{"valueString":"a"}]}`, "que-8"},
		{"readOnly display", `{"linkId":"x","type":"display","readOnly":true}`, "que-9"},
		{"maxLength on date", `{"linkId":"x","type":"date","maxLength":10}`, "que-10"},
		{"maxLength on group", `{"linkId":"x","type":"group","maxLength":10,"item":[{"linkId":"y","type":"string"}]}`, "que-10"},
		{"initial with answerOption", `{"linkId":"x","type":"choice","answerOption":[{"valueString":"a"}],"initial":[{"valueString":"a"}]}`, "que-11"},
		{"two initials, not repeating", `{"linkId":"x","type":"string","initial":[{"valueString":"a"},{"valueString":"b"}]}`, "que-13"},
		{"initial of the wrong type", `{"linkId":"x","type":"integer","initial":[{"valueString":"3"}]}`, "valueString is not an answer to a integer item"},
		{"initial without value", `{"linkId":"x","type":"integer","initial":[{}]}`, "exactly one value[x]"},
		{"initial not an array", `{"linkId":"x","type":"integer","initial":{"valueInteger":3}}`, "not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuestionnaire([]byte(`{"resourceType":"Questionnaire","item":[` + tt.item + `]}`))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			for _, p := range ps {
				if p.LinkID == "x" && strings.Contains(p.Reason, tt.reason) {
					return
				}
			}
			t.Errorf("problems = %v, want item \"x\": %q", ps, tt.reason)
		})
	}
}

func TestQuestionnaireAcceptsKeptElements(t *testing.T) {
	items := []string{
		`{"linkId":"x","type":"choice","answerValueSet":"http://vs","initial":[{"valueCoding":{"code":"a"}}]}`,
		`{"linkId":"x","type":"string","repeats":true,"maxLength":20,"readOnly":true,"initial":[{"valueString":"a"},{"valueString":"b"}]}`,
		`{"linkId":"x","type":"open-choice","maxLength":20,"code":[{"code":"1"}]}`,
		`{"linkId":"x","type":"decimal","initial":[{"valueDecimal":1.5}]}`,
	}
	for _, item := range items {
		if _, err := ParseQuestionnaire([]byte(`{"resourceType":"Questionnaire","item":[` + item + `]}`)); err != nil {
			t.Errorf("ParseQuestionnaire(%s): %v", item, err)
		}
	}
}
