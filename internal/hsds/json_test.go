package hsds

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-care/haven"
)

// schema compiles an HSDS 3.0 schema from the conformance folder (read at
// test time, not embedded: the schemas are CC BY-SA 4.0).
func schema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	dir, err := filepath.Abs(conformanceDir(t, "schema"))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return s
}

// validateFile checks every element of an exported JSON array.
func validateFile(t *testing.T, path string, s *jsonschema.Schema) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	items := v.([]any)
	for i, it := range items {
		if err := s.Validate(it); err != nil {
			t.Errorf("%s[%d] does not validate: %v", filepath.Base(path), i, err)
		}
	}
	return len(items)
}

// sorted orders every table by ID so that directories read in different
// orders compare equal.
func sorted(d *haven.Directory) *haven.Directory {
	c := *d
	sortBy(c.Organizations, func(x haven.Organization) string { return x.ID })
	sortBy(c.Services, func(x haven.Service) string { return x.ID })
	sortBy(c.Locations, func(x haven.Location) string { return x.ID })
	sortBy(c.Phones, func(x haven.Phone) string { return x.ID })
	sortBy(c.Languages, func(x haven.Language) string { return x.ID })
	sortBy(c.Schedules, func(x haven.Schedule) string { return x.ID })
	sortBy(c.Attributes, func(x haven.Attribute) string { return x.ID })
	sortBy(c.TaxonomyTerms, func(x haven.TaxonomyTerm) string { return x.ID })
	sortBy(c.Taxonomies, func(x haven.Taxonomy) string { return x.ID })
	return &c
}

func sortBy[T any](v []T, key func(T) string) {
	slices.SortFunc(v, func(a, b T) int { return strings.Compare(key(a), key(b)) })
}

func TestJSONExamplesRoundTrip(t *testing.T) {
	for _, name := range []string{"service_full.json", "organization_full.json", "service_list.json"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(conformanceDir(t, "examples"), name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, rep, err := ReadJSON(f, name, Options{AcceptWarnings: true})
			if err != nil {
				t.Fatalf("%v\n%s", err, rep)
			}
			if len(d.Services) == 0 {
				t.Fatalf("no services read from %s", name)
			}
			out := t.TempDir()
			if err := WriteJSON(dirWriter(out), d); err != nil {
				t.Fatal(err)
			}
			n := validateFile(t, filepath.Join(out, "services.json"), schema(t, "service.json"))
			validateFile(t, filepath.Join(out, "organizations.json"), schema(t, "organization.json"))
			validateFile(t, filepath.Join(out, "taxonomy_terms.json"), schema(t, "taxonomy_term.json"))
			if n != len(d.Services) {
				t.Errorf("exported %d services, want %d", n, len(d.Services))
			}
			back, rep, err := ReadJSONDir(os.DirFS(out), Options{AcceptWarnings: true})
			if err != nil {
				t.Fatalf("%v\n%s", err, rep)
			}
			if diff := cmp.Diff(sorted(d), sorted(back)); diff != "" {
				t.Errorf("round trip (-first +second):\n%s", diff)
			}
		})
	}
}

func TestJSONExtensionsRoundTrip(t *testing.T) {
	d := sampleDirectory()
	out := t.TempDir()
	if err := WriteJSON(dirWriter(out), d); err != nil {
		t.Fatal(err)
	}
	validateFile(t, filepath.Join(out, "services.json"), schema(t, "service.json"))
	back, rep, err := ReadJSONDir(os.DirFS(out), Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if diff := cmp.Diff(sorted(d), sorted(back)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestJSONRefused(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"syntax", `[{"id": }]`, "x.json: not valid JSON: line 1"},
		{"missing name", `{"id":"00000000-0000-4000-8000-000000000002","status":"active","organization_id":"00000000-0000-4000-8000-000000000001"}`, "x.json:1: [0].name: required field is empty (error)"},
		{"wrong type", `{"id":"00000000-0000-4000-8000-000000000002","name":"A","status":"active","minimum_age":"ten"}`, "x.json:1: [0].minimum_age: must be a number (error)"},
		{"nested bad coordinates", `{"id":"00000000-0000-4000-8000-000000000001","name":"O","description":"D","locations":[{"id":"00000000-0000-4000-8000-000000000003","location_type":"physical","latitude":91,"longitude":0}]}`,
			"locations.csv:1: latitude: 91 is not a latitude"},
		{"not an object", `[1]`, "x.json:1: [0]: must be an object (error)"},
		{"two documents", `{} {}`, "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, rep, err := ReadJSON(strings.NewReader(tt.doc), "x.json", Options{})
			if haven.ErrorKind(err) != haven.Invalid || d != nil {
				t.Fatalf("kind=%v, want invalid", haven.ErrorKind(err))
			}
			if !strings.Contains(rep.String(), tt.want) {
				t.Errorf("report:\n%s\nwant %q", rep, tt.want)
			}
		})
	}
}
