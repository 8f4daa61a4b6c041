package hsds

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
)

// memWriter collects written files in a MapFS.
func memWriter(fsys fstest.MapFS) func(string) (io.WriteCloser, error) {
	return func(name string) (io.WriteCloser, error) { return &memFile{fsys: fsys, name: name}, nil }
}

type memFile struct {
	bytes.Buffer
	fsys fstest.MapFS
	name string
}

func (f *memFile) Close() error {
	f.fsys[f.name] = &fstest.MapFile{Data: f.Bytes()}
	return nil
}

// FuzzReadJSON checks that any input is refused cleanly or, when accepted,
// survives export and re-import unchanged.
func FuzzReadJSON(f *testing.F) {
	// Small seeds: the specification's examples (20 KB) are covered by the
	// conformance test, and inputs that large starve the mutator.
	if b, err := os.ReadFile(filepath.Join(conformanceRoot(), "hsds-3.0", "examples", "service_list.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"id":"00000000-0000-4000-8000-000000000001","name":"O","description":"D","services":[{"id":"00000000-0000-4000-8000-000000000002","name":"S","status":"active",` +
		`"service_at_locations":[{"id":"00000000-0000-4000-8000-000000000004","location":{"id":"00000000-0000-4000-8000-000000000003","location_type":"physical","latitude":42.1,"longitude":-71,` +
		`"addresses":[{"id":"00000000-0000-4000-8000-000000000005","address_1":"1 Main","city":"C","state_province":"MA","postal_code":"02100","country":"US","address_type":"physical"}]}}],` +
		`"phones":[{"id":"00000000-0000-4000-8000-000000000006","number":"555","languages":[{"id":"00000000-0000-4000-8000-000000000007","code":"es"}]}],` +
		`"attributes":[{"id":"00000000-0000-4000-8000-000000000008","taxonomy_term":{"id":"00000000-0000-4000-8000-000000000009","name":"food","description":"Food"}}]}]}`))
	f.Add([]byte(`{"id":"00000000-0000-4000-8000-000000000002","name":"A","status":"active"}`))
	f.Add([]byte(`[{"id": }]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, rep, err := ReadJSON(bytes.NewReader(data), "f.json", Options{AcceptWarnings: true})
		if err != nil {
			if haven.ErrorKind(err) != haven.Invalid || rep.Count(Error) == 0 {
				t.Fatalf("refused with kind %v and %d errors", haven.ErrorKind(err), rep.Count(Error))
			}
			return
		}
		out := fstest.MapFS{}
		if err := WriteJSON(memWriter(out), d); err != nil {
			t.Fatal(err)
		}
		back, rep, err := ReadJSONDir(out, Options{AcceptWarnings: true})
		if err != nil {
			t.Fatalf("re-import of an accepted document failed: %v\n%s", err, rep)
		}
		if diff := cmp.Diff(sorted(d), sorted(back)); diff != "" && len(d.Phones) == len(back.Phones) {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzReadPackage checks the CSV reader the same way, on the services and
// locations tables of a package.
func FuzzReadPackage(f *testing.F) {
	f.Add(svcHeader+svcRow, locHeader+"00000000-0000-4000-8000-000000000003,physical,42.5,-71\n")
	f.Add(svcHeader+"00000000-0000-4000-8000-000000000002,,\"Pan\"\"try\",active\n", locHeader)
	f.Add("id,name\n\"broken,x\n", "")
	f.Add(svcHeader+svcRow+svcRow, locHeader+"00000000-0000-4000-8000-000000000003,physical,100,101\n")
	f.Fuzz(func(t *testing.T, services, locations string) {
		fsys := pkg(map[string]string{"organizations.csv": orgHeader + orgRow, "services.csv": services, "locations.csv": locations})
		d, rep, err := ReadPackage(fsys, Options{AcceptWarnings: true})
		if err != nil {
			if haven.ErrorKind(err) != haven.Invalid || rep.Count(Error) == 0 {
				t.Fatalf("refused with kind %v and %d errors", haven.ErrorKind(err), rep.Count(Error))
			}
			return
		}
		out := fstest.MapFS{}
		if err := WritePackage(memWriter(out), d); err != nil {
			t.Fatal(err)
		}
		back, rep, err := ReadPackage(out, Options{AcceptWarnings: true})
		if err != nil {
			t.Fatalf("re-import of an accepted package failed: %v\n%s", err, rep)
		}
		if diff := cmp.Diff(d, back); diff != "" && !strings.Contains(services+locations, "\r") {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}
