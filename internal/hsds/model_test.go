package hsds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-care/haven"
)

// TestJSONRecognisesKinds: each example object is read as the kind it
// is, not as an organization.
func TestJSONRecognisesKinds(t *testing.T) {
	count := func(d *haven.Directory) map[string]int {
		return map[string]int{"organization": len(d.Organizations), "service": len(d.Services), "location": len(d.Locations),
			"service_at_location": len(d.ServiceAtLocations), "taxonomy": len(d.Taxonomies), "taxonomy_term": len(d.TaxonomyTerms)}
	}
	tests := []struct {
		file string
		want map[string]int // at least these
		none []string       // and none of these
	}{
		{"location.json", map[string]int{"location": 1}, []string{"organization", "service"}},
		{"taxonomy.json", map[string]int{"taxonomy": 1}, []string{"organization", "taxonomy_term"}},
		{"taxonomy_list.json", map[string]int{"taxonomy": 1}, []string{"organization"}},
		{"taxonomy_term.json", map[string]int{"taxonomy_term": 1}, []string{"organization"}},
		{"taxonomy_term_list.json", map[string]int{"taxonomy_term": 1}, []string{"organization"}},
		{"service_at_location_full.json", map[string]int{"service_at_location": 1, "service": 1, "location": 1}, nil},
		{"service_at_location_list.json", map[string]int{"service_at_location": 1, "service": 1}, nil},
		{"organization_list.json", map[string]int{"organization": 1}, []string{"service"}},
		{"organization_full.json", map[string]int{"organization": 1, "service": 1}, nil},
		{"service_full.json", map[string]int{"service": 1, "organization": 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(conformanceDir(t, "examples"), tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, rep, err := ReadJSON(f, tt.file, Options{AcceptWarnings: true})
			if err != nil {
				t.Fatalf("%v\n%s", err, rep)
			}
			got := count(d)
			for k, n := range tt.want {
				if got[k] < n {
					t.Errorf("%s: %d, want at least %d (%v)", k, got[k], n, got)
				}
			}
			for _, k := range tt.none {
				if got[k] != 0 {
					t.Errorf("%s: %d, want none (%v)", k, got[k], got)
				}
			}
		})
	}
	d, rep, err := ReadJSON(strings.NewReader(`{"id":"00000000-0000-4000-8000-000000000001","location_type":"physical","status":"active","name":"N"}`), "x.json", Options{})
	if err == nil || d != nil || !strings.Contains(rep.String(), "x.json:1: [0]: cannot tell which kind of HSDS object this is") {
		t.Errorf("an object with a service's and a location's keys: err=%v\n%s", err, rep)
	}
}

// TestExamplesRoundTripLossless: every JSON example of the specification,
// read and written as a tabular package and read back, is unchanged; the
// objects the JSON form nests validate against their schemas.
func TestExamplesRoundTripLossless(t *testing.T) {
	dir := conformanceDir(t, "examples")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, path := range files {
		name := filepath.Base(path)
		if name == "base.json" || name == "tabular.json" { // the API's info body; the CSV example as JSON (read as CSV)
			continue
		}
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, rep, err := ReadJSON(f, name, Options{AcceptWarnings: true})
			if err != nil {
				t.Fatalf("%v\n%s", err, rep)
			}
			packageRoundTrip(t, d, Options{AcceptWarnings: true})
			jsonOut := t.TempDir()
			if err := WriteJSON(dirWriter(jsonOut), d); err != nil {
				t.Fatal(err)
			}
			validateFile(t, filepath.Join(jsonOut, "services.json"), schema(t, "service.json"))
			validateFile(t, filepath.Join(jsonOut, "organizations.json"), schema(t, "organization.json"))
			validateFile(t, filepath.Join(jsonOut, "taxonomies.json"), schema(t, "taxonomy.json"))
			validateFile(t, filepath.Join(jsonOut, "taxonomy_terms.json"), schema(t, "taxonomy_term.json"))
		})
	}
}

// customPackage copies the specification's CSV example with custom
// columns added to services.csv and locations.csv.
func customPackage(t *testing.T) string {
	t.Helper()
	src := conformanceDir(t, "examples/csv")
	dst := t.TempDir()
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		switch e.Name() {
		case "services.csv", "locations.csv":
			lines := strings.SplitN(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", 2)
			rows := strings.Split(strings.TrimRight(lines[1], "\n"), "\n")
			for i := range rows {
				rows[i] += `,"x, local",` + e.Name()[:3]
			}
			b = []byte(lines[0] + ",local_note,x_region\n" + strings.Join(rows, "\n") + "\n")
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestCustomColumnsRoundTrip: custom columns survive package → package
// and package → JSON → package, and the written datapackage.json
// describes every column of every resource.
func TestCustomColumnsRoundTrip(t *testing.T) {
	d, rep, err := ReadPackage(os.DirFS(customPackage(t)), Options{AcceptWarnings: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got := extraText(d.Services[0].Extra["local_note"]); got != "x, local" || extraText(d.Locations[0].Extra["x_region"]) != "loc" {
		t.Fatalf("custom columns read as %v and %v", d.Services[0].Extra, d.Locations[0].Extra)
	}
	out := packageRoundTrip(t, d, Options{AcceptWarnings: true})
	header, _ := os.ReadFile(filepath.Join(out, "services.csv"))
	if !strings.Contains(strings.SplitN(string(header), "\n", 2)[0], ",local_note,x_region") {
		t.Errorf("services.csv header lacks the custom columns: %.300s", header)
	}
	checkPackageDescriptor(t, out)
	jsonOut := t.TempDir()
	if err := WriteJSON(dirWriter(jsonOut), d); err != nil {
		t.Fatal(err)
	}
	viaJSON, rep, err := ReadJSONDir(os.DirFS(jsonOut), Options{AcceptWarnings: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got := viaJSON.Services[0].Extra["local_note"]; extraText(got) != "x, local" {
		t.Errorf("through JSON, the service's custom column is %s", got)
	}
}

// checkPackageDescriptor checks datapackage.json in dir: every resource
// has a table schema naming its CSV header's columns in order, and the
// descriptor validates against the Frictionless tabular data package
// profile when HAVEN_FRICTIONLESS_PROFILE names its JSON schema.
func checkPackageDescriptor(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range v.(map[string]any)["resources"].([]any) {
		res := r.(map[string]any)
		sch, ok := res["schema"].(map[string]any)
		if !ok {
			t.Fatalf("resource %v has no schema", res["name"])
		}
		var names []string
		for _, f := range sch["fields"].([]any) {
			names = append(names, f.(map[string]any)["name"].(string))
		}
		csv, _ := os.ReadFile(filepath.Join(dir, res["path"].(string)))
		if head := strings.SplitN(string(csv), "\n", 2)[0]; head != strings.Join(names, ",") {
			t.Errorf("%s: schema fields %v, header %q", res["path"], names, head)
		}
	}
	if p := os.Getenv("HAVEN_FRICTIONLESS_PROFILE"); p != "" {
		s, err := jsonschema.NewCompiler().Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("datapackage.json does not validate against the tabular data package profile: %v", err)
		}
	}
}
