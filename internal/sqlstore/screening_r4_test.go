package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestImportWithoutURL: R4 makes Questionnaire.url optional. Such an
// import is keyed urn:uuid:{id}, kept byte for byte, and each import is
// its own instrument; a missing or unknown status is refused and changes
// nothing.
func TestImportWithoutURL(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		job := haven.WithSystem(context.Background(), access.JobImportInstruments)
		doc := []byte(`{"resourceType":"Questionnaire","status":"active","title":"No url","item":[{"linkId":"a","type":"boolean","text":"A?"}]}`)
		a, created, err := db.ImportInstrument(job, doc)
		if err != nil || !created {
			t.Fatalf("import without url: %v %v", created, err)
		}
		if a.URL != haven.UnnamedInstrumentURL(a.ID) || string(a.JSON) != string(doc) {
			t.Errorf("instrument %q json %s", a.URL, a.JSON)
		}
		b, created, err := db.ImportInstrument(job, doc)
		if err != nil || !created || b.ID == a.ID {
			t.Errorf("second import without url: %v %v %v, want a new instrument", b, created, err)
		}
		got, err := db.Instrument(context.Background(), a.ID)
		if err != nil || string(got.JSON) != string(doc) {
			t.Errorf("Instrument(%s) = %v, %v", a.ID, got, err)
		}
		before, _ := db.Instruments(context.Background())
		for _, bad := range []string{
			`{"resourceType":"Questionnaire","item":[{"linkId":"a","type":"boolean"}]}`,
			`{"resourceType":"Questionnaire","status":"published","url":"https://example.org/q/p"}`,
		} {
			_, _, err := db.ImportInstrument(job, []byte(bad))
			if haven.ErrorKind(err) != haven.Invalid || !strings.Contains(haven.ErrorMessage(err), "status") {
				t.Errorf("import %s: %v, want Invalid naming status", bad, err)
			}
		}
		if after, _ := db.Instruments(context.Background()); len(after) != len(before) {
			t.Errorf("%d instruments after refused imports, want %d", len(after), len(before))
		}
	})
}
