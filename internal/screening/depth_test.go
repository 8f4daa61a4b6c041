package screening

import (
	"errors"
	"strings"
	"testing"

	"github.com/haven-care/haven"
)

// nestedGroups returns a questionnaire whose items nest n groups deep.
func nestedGroups(n int) []byte {
	return []byte(`{"resourceType":"Questionnaire","item":[` + strings.Repeat(`{"linkId":"g","type":"group","item":[`, n) +
		`{"linkId":"leaf","type":"string"}` + strings.Repeat(`]}`, n) + `]}`)
}

func TestCheckDepth(t *testing.T) {
	tests := []struct {
		doc    string
		max    int
		wantOK bool
	}{
		{`{"a":[1,{"b":2}]}`, 3, true},
		{`{"a":[1,{"b":2}]}`, 2, false},
		{`{"a":"[[[[{{{{"}`, 1, true},
		{`{"a":"\"[[["}`, 1, true},
		{`{"a":"\\"}`, 1, true},
		{`[[[]]]`, 3, true},
		{`[[[[]]]]`, 3, false},
	}
	for _, tt := range tests {
		if err := checkDepth([]byte(tt.doc), tt.max); (err == nil) != tt.wantOK {
			t.Errorf("checkDepth(%s, %d) = %v, want ok=%v", tt.doc, tt.max, err, tt.wantOK)
		}
	}
}

func TestParseRefusesDeepNesting(t *testing.T) {
	// Thirty nested groups (61 JSON levels) load; far deeper is refused
	// before decoding, which would otherwise rescan each level.
	if _, err := ParseQuestionnaire(nestedGroups(30)); err != nil && strings.Contains(err.Error(), "levels deep") {
		t.Errorf("30 nested groups: %v", err)
	}
	_, err := ParseQuestionnaire(nestedGroups(2000))
	if haven.ErrorKind(err) != haven.Invalid || !strings.Contains(err.Error(), "nests more than 64 levels") {
		t.Errorf("2000 nested groups: err = %v, want invalid, too deep", err)
	}
	resp := `{"resourceType":"QuestionnaireResponse","item":[` + strings.Repeat(`{"linkId":"a","answer":[{"valueBoolean":true,"item":[`, 40) +
		strings.Repeat(`]}]}`, 40) + `]}`
	if _, err := ParseQuestionnaireResponse([]byte(resp)); haven.ErrorKind(err) != haven.Invalid || !strings.Contains(err.Error(), "levels deep") {
		t.Errorf("40 nested answers: err = %v, want invalid, too deep", err)
	}
}

func TestManyProblemsBoundedMessage(t *testing.T) {
	doc := `{"resourceType":"Questionnaire","item":[` + strings.Repeat(`{"linkId":"a","type":"group"},`, 999) + `{"linkId":"a","type":"group"}]}`
	_, err := ParseQuestionnaire([]byte(doc))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1999 {
		t.Fatalf("got %d problems (%v), want 1999", len(ps), err)
	}
	msg := haven.ErrorMessage(err)
	if n := strings.Count(msg, "\n"); n != maxListed+1 || !strings.HasSuffix(msg, "and 1979 more.") {
		t.Errorf("message has %d lines, ends %q; want %d problems listed and the rest counted", n, msg[max(0, len(msg)-40):], maxListed)
	}
	if got := strings.Count(haven.ErrorFields(err)["a"], "; "); got != 1998 {
		t.Errorf("Fields[a] joins %d reasons, want all 1999", got+1)
	}
}
