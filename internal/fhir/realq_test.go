package fhir_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"

	"github.com/haven-care/haven/internal/screening"
)

// TestRealQuestionnaires imports every Questionnaire in the directory
// HAVEN_R4_QUESTIONNAIRES names (public test data kept out of the
// repository for its licence, e.g. LHNCBC lforms' test/data/R4 and the
// HL7 SDC examples): each must import unless R4 forbids it, by its
// structure (the google/fhir R4 validator refuses it too) or by one of
// its que-* invariants, which that validator does not check; or unless
// it has an enableWhen cycle, which Haven refuses on purpose (see
// docs/fhir.md).
func TestRealQuestionnaires(t *testing.T) {
	dir := os.Getenv("HAVEN_R4_QUESTIONNAIRES")
	if dir == "" {
		t.Skip("HAVEN_R4_QUESTIONNAIRES is not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	imported, both, spec := 0, 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, verr := u.Unmarshal(b)
		_, herr := screening.ParseImport(b)
		switch {
		case herr == nil:
			imported++
		case verr != nil:
			both++
			t.Logf("%s: refused by the R4 validator too (%v)", filepath.Base(f), firstLine(verr.Error()))
		case invariantsOnly(herr):
			spec++
			t.Logf("%s: breaks R4 invariants: %s", filepath.Base(f), strings.ReplaceAll(herr.Error(), "\n", "; "))
		default:
			t.Errorf("%s: valid R4 but refused: %v", filepath.Base(f), herr)
		}
	}
	t.Logf("%d of %d imported; %d refused by the R4 validator too; %d break R4 invariants or form an enableWhen cycle",
		imported, len(files), both, spec)
}

// invariantsOnly reports whether every problem of err cites a que-*
// invariant of R4 or is an enableWhen cycle.
func invariantsOnly(err error) bool {
	var ps screening.Problems
	if !errors.As(err, &ps) {
		return false
	}
	for _, p := range ps {
		if !strings.Contains(p.Reason, "(que-") && !strings.HasPrefix(p.Reason, "enableWhen cycle") {
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	before, _, _ := strings.Cut(s, "\n")
	return before
}
