package hsds

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven/internal/directory"
)

// TestGeneratedRoundTrip sends a synthetic directory, with every Haven
// extension in use, through both forms.
func TestGeneratedRoundTrip(t *testing.T) {
	d := directory.GenerateDirectory(500, 3)
	pkgFS := fstest.MapFS{}
	if err := WritePackage(memWriter(pkgFS), d); err != nil {
		t.Fatal(err)
	}
	back, rep, err := ReadPackage(pkgFS, Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("package round trip (-want +got):\n%s", diff)
	}
	jsonFS := fstest.MapFS{}
	if err := WriteJSON(memWriter(jsonFS), d); err != nil {
		t.Fatal(err)
	}
	back, rep, err = ReadJSONDir(jsonFS, Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if diff := cmp.Diff(sorted(d), sorted(back)); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}
