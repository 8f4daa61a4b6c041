package screening

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// conformanceDir holds the HL7 SDOH Clinical Care examples, outside the
// repository; they are read in place, never copied.
const conformanceDir = "../../../shared/conformance/fhir-sdohcc"

// conformanceFile reads one example or skips the test when it is absent.
func conformanceFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(conformanceDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("conformance example %s not present in %s; skipping", name, conformanceDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestConformanceHungerVitalSign(t *testing.T) {
	qData := conformanceFile(t, "Questionnaire-SDOHCC-QuestionnaireHungerVitalSign.json")
	rData := conformanceFile(t, "QuestionnaireResponse-SDOHCC-QuestionnaireResponseHungerVitalSignExample.json")
	q := mustParse(t, qData)
	r, err := ParseQuestionnaireResponse(rData)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(q, r); err != nil {
		t.Errorf("Validate: %v", err)
	}
	for _, it := range []string{"/88122-7", "/88123-5", "/88124-3", "/88124-3-help"} {
		if q.Lookup(it) == nil {
			t.Errorf("Lookup(%s) = nil", it)
		}
	}
	qOut, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, qData, qOut)
	rOut, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, rData, rOut)
	// The export parses again to the same export.
	again, err := json.Marshal(mustParse(t, qOut))
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(qOut) {
		t.Errorf("second export differs from the first")
	}
}

func TestConformanceRefusesAlteredResponse(t *testing.T) {
	q := mustParse(t, conformanceFile(t, "Questionnaire-SDOHCC-QuestionnaireHungerVitalSign.json"))
	r, err := ParseQuestionnaireResponse(conformanceFile(t, "QuestionnaireResponse-SDOHCC-QuestionnaireResponseHungerVitalSignExample.json"))
	if err != nil {
		t.Fatal(err)
	}
	r.Item[0].Answer[0].Value = CodingValue("http://loinc.org", "LA00000-0", "Not an option")
	var ps Problems
	if err := Validate(q, r); !errors.As(err, &ps) || ps[0].LinkID != "/88122-7" {
		t.Errorf("Validate = %v, want /88122-7 refused", err)
	}
}
