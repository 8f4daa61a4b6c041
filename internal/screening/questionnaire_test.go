package screening

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haven-care/haven"
)

// mustRead returns a file's bytes or fails the test.
func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// mustParse parses a questionnaire that must be valid.
func mustParse(tb testing.TB, data []byte) *Questionnaire {
	tb.Helper()
	q, err := ParseQuestionnaire(data)
	if err != nil {
		tb.Fatalf("ParseQuestionnaire: %v", err)
	}
	return q
}

// sameJSON compares two JSON documents as values (key order and spacing
// aside), reporting the difference.
func sameJSON(tb testing.TB, want, got []byte) {
	tb.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Fatalf("exported JSON does not parse: %v", err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		tb.Errorf("export lost or changed data (-want +got):\n%s", diff)
	}
}

func TestQuestionnaireRoundTrip(t *testing.T) {
	data := mustRead(t, "testdata/small-questionnaire.json")
	q := mustParse(t, data)
	if got, want := q.Lookup("work-detail").EnableWhen[1].Operator, ">="; got != want {
		t.Errorf("Operator = %q, want %q", got, want)
	}
	if got, want := q.Parent("alone").LinkID, "safety"; got != want {
		t.Errorf("Parent(alone) = %q, want %q", got, want)
	}
	if got := string(q.Lookup("name").Extra["maxLength"]); got != "40" {
		t.Errorf("kept maxLength = %q, want 40", got)
	}
	out, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, data, out)
}

func TestQuestionnaireRefused(t *testing.T) {
	tests := []struct {
		name   string
		items  string
		linkID string
		reason string
	}{
		{"duplicate linkId", `{"linkId":"a","type":"boolean"},{"linkId":"a","type":"string"}`, "a", "duplicate linkId"},
		{"unknown enableWhen question", `{"linkId":"a","type":"boolean","enableWhen":[{"question":"zz","operator":"exists","answerBoolean":true}]}`, "a", `enableWhen on "zz": the question does not exist`},
		{"cycle", `{"linkId":"a","type":"boolean","enableWhen":[{"question":"b","operator":"=","answerBoolean":true}]},
		  {"linkId":"b","type":"boolean","enableWhen":[{"question":"a","operator":"=","answerBoolean":true}]}`, "a", "enableWhen cycle: a -> b -> a"},
		{"self cycle", `{"linkId":"a","type":"boolean","enableWhen":[{"question":"a","operator":"exists","answerBoolean":true}]}`, "a", "enableWhen cycle: a -> a"},
		{"cycle through parent", `{"linkId":"g","type":"group","enableWhen":[{"question":"c","operator":"exists","answerBoolean":true}],"item":[{"linkId":"c","type":"string"}]}`, "g", "enableWhen cycle: g -> c -> g"},
		{"wrong answer type", `{"linkId":"a","type":"integer"},{"linkId":"b","type":"string","enableWhen":[{"question":"a","operator":"=","answerString":"3"}]}`, "b", "answerString does not match the question's type integer"},
		{"exists not boolean", `{"linkId":"a","type":"integer"},{"linkId":"b","type":"string","enableWhen":[{"question":"a","operator":"exists","answerInteger":3}]}`, "b", "exists operator takes answerBoolean"},
		{"ordered operator on boolean", `{"linkId":"a","type":"boolean"},{"linkId":"b","type":"string","enableWhen":[{"question":"a","operator":">","answerBoolean":true}]}`, "b", "operator > cannot compare boolean"},
		{"unknown operator", `{"linkId":"a","type":"boolean"},{"linkId":"b","type":"string","enableWhen":[{"question":"a","operator":"~","answerBoolean":true}]}`, "b", `unknown operator "~"`},
		{"display with children", `{"linkId":"d","type":"display","item":[{"linkId":"x","type":"string"}]}`, "d", "display item cannot contain items"},
		{"display required", `{"linkId":"d","type":"display","required":true}`, "d", "cannot be required or repeat"},
		{"group without children", `{"linkId":"g","type":"group"}`, "g", "group item must contain items"},
		{"answerOption on boolean", `{"linkId":"s","type":"boolean","answerOption":[{"valueString":"x"}]}`, "s", "answerOption is not allowed on a boolean item (que-5)"},
		{"answerOption of another type", `{"linkId":"s","type":"integer","answerOption":[{"valueString":"x"}]}`, "s", "answerOption valueString is not an answer to a integer item"},
		{"enableBehavior missing", `{"linkId":"a","type":"boolean"},{"linkId":"b","type":"string","enableWhen":[{"question":"a","operator":"=","answerBoolean":true},{"question":"a","operator":"exists","answerBoolean":true}]}`, "b", "enableBehavior is required"},
		{"unknown type", `{"linkId":"a","type":"slider"}`, "a", `unknown item type "slider"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuestionnaire([]byte(`{"resourceType":"Questionnaire","item":[` + tt.items + `]}`))
			if got := haven.ErrorKind(err); got != haven.Invalid {
				t.Fatalf("kind = %q (%v), want invalid", got, err)
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v carries no Problems", err)
			}
			for _, p := range ps {
				if p.LinkID == tt.linkID && strings.Contains(p.Reason, tt.reason) {
					return
				}
			}
			t.Errorf("problems = %v, want item %q: %q", ps, tt.linkID, tt.reason)
		})
	}
}

func TestQuestionnaireCollectsAllProblems(t *testing.T) {
	_, err := ParseQuestionnaire([]byte(`{"resourceType":"Questionnaire","item":[
		{"linkId":"a","type":"group"},{"linkId":"a","type":"display","repeats":true}]}`))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	if len(ps) != 3 {
		t.Errorf("got %d problems %v, want 3", len(ps), ps)
	}
	if f := haven.ErrorFields(err)["a"]; !strings.Contains(f, "; ") {
		t.Errorf("Fields[a] = %q, want the reasons joined", f)
	}
}

func TestQuestionnaireMalformed(t *testing.T) {
	for _, doc := range []string{``, `[]`, `null`, `{"resourceType":"Patient"}`, `{"resourceType":"Questionnaire","item":[null]}`,
		`{"resourceType":"Questionnaire","item":[{"linkId":"a","type":"choice","answerOption":[{"valueString":"x","valueInteger":1}]}]}`} {
		if _, err := ParseQuestionnaire([]byte(doc)); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("ParseQuestionnaire(%q) err = %v, want invalid", doc, err)
		}
	}
}
