package hsds

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
)

// conformanceDir is a folder of the HSDS 3.0 schemas and examples (CC BY-SA
// 4.0, so read at test time, never copied into the repository): under
// HAVEN_CONFORMANCE_DIR (the folder holding hsds-3.0), or beside the
// repository. Absent, the test is skipped, or fails when
// HAVEN_CONFORMANCE_REQUIRED=1.
func conformanceDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(conformanceRoot(), "hsds-3.0", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("HAVEN_CONFORMANCE_REQUIRED") == "1" {
			t.Fatalf("HSDS conformance folder absent: %v", err)
		}
		t.Skipf("conformance examples not present (set HAVEN_CONFORMANCE_DIR): %v", err)
	}
	return dir
}

func conformanceRoot() string {
	if root := os.Getenv("HAVEN_CONFORMANCE_DIR"); root != "" {
		return root
	}
	return "../../../shared/conformance"
}

// packageRoundTrip writes d as a tabular package, reads it back and fails
// unless it is unchanged; it returns the package's folder.
func packageRoundTrip(t *testing.T, d *haven.Directory, o Options) string {
	t.Helper()
	out := t.TempDir()
	if err := WritePackage(dirWriter(out), d); err != nil {
		t.Fatal(err)
	}
	back, rep, err := ReadPackage(os.DirFS(out), o)
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("round trip through the tabular package (-first +second):\n%s", diff)
	}
	return out
}

func dirWriter(dir string) func(string) (io.WriteCloser, error) {
	return func(name string) (io.WriteCloser, error) { return os.Create(filepath.Join(dir, name)) }
}

func TestPackageExampleRoundTrip(t *testing.T) {
	src := os.DirFS(conformanceDir(t, "examples/csv"))
	_, rep, err := ReadPackage(src, Options{})
	if haven.ErrorKind(err) != haven.Invalid {
		t.Fatalf("without accepting warnings: kind=%v, want invalid", haven.ErrorKind(err))
	}
	if rep.Count(Error) != 0 {
		t.Fatalf("errors in the specification's example:\n%s", rep)
	}
	for _, want := range []string{"locations.csv:1: latitude: 100 is not a latitude", "locations.csv:1: organization_id: refers to organization",
		"taxonomy_terms.csv:1: parent_id"} {
		if !strings.Contains(rep.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	d, _, err := ReadPackage(src, Options{AcceptWarnings: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(d.Services); got != 1 || d.Services[0].Name != "Community Counselling" || *d.Locations[0].Latitude != 100 {
		t.Fatalf("services=%d %+v, want the example's counselling service", got, d.Services)
	}
	packageRoundTrip(t, d, Options{AcceptWarnings: true})
	jsonOut := t.TempDir()
	if err := WriteJSON(dirWriter(jsonOut), d); err != nil {
		t.Fatal(err)
	}
	if n := validateFile(t, filepath.Join(jsonOut, "services.json"), schema(t, "service.json")); n != 1 {
		t.Errorf("exported %d services as JSON, want 1", n)
	}
}

func TestPackageExtensionsRoundTrip(t *testing.T) {
	packageRoundTrip(t, sampleDirectory(), Options{})
}

func f(v float64) *float64 { return &v }

// sampleDirectory is a small, valid directory using Haven's extensions.
func sampleDirectory() *haven.Directory {
	const org, svc, loc, sal = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000004"
	food := haven.Needs[5]
	return &haven.Directory{
		Organizations: []haven.Organization{{ID: org, Name: "Harbor Aid", Description: "Synthetic organization."}},
		Services: []haven.Service{{ID: svc, OrganizationID: org, Name: "Pantry", Status: "active", MinimumAge: f(18),
			Match: haven.MatchProfile{TraumaInformed: true, StaffLanguages: []string{"es", "vi"}, BarriersWaived: []haven.Barrier{haven.BarrierNoPapers},
				Genders: []haven.Gender{haven.GenderFemale}, Free: true}}},
		Locations: []haven.Location{{ID: loc, LocationType: "physical", OrganizationID: org, Name: "Main", Latitude: f(42.36), Longitude: f(-71.06),
			Confidential: true, TimeZone: "America/New_York"}},
		ServiceAtLocations: []haven.ServiceAtLocation{{ID: sal, ServiceID: svc, LocationID: loc}},
		Schedules:          []haven.Schedule{{ID: "00000000-0000-4000-8000-000000000005", ServiceID: svc, Freq: "WEEKLY", ByDay: "MO,TU", OpensAt: "09:00", ClosesAt: "17:00"}},
		RequiredDocuments:  []haven.RequiredDocument{{ID: "00000000-0000-4000-8000-000000000006", ServiceID: svc, Document: "Photo ID", Kind: haven.DocPhotoID}},
		Taxonomies:         []haven.Taxonomy{haven.NeedsTaxonomy},
		TaxonomyTerms:      []haven.TaxonomyTerm{food.TaxonomyTerm()},
		Attributes:         []haven.Attribute{{ID: "00000000-0000-4000-8000-000000000007", LinkID: svc, TaxonomyTermID: food.TermID, LinkEntity: "service"}},
	}
}
