package hsds_test

import (
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/hsds"
)

func TestCheckSearch(t *testing.T) {
	for _, tt := range []struct {
		name, search string
		want         haven.Kind
	}{
		{"empty", "", ""},
		{"words", "legal aid near me", ""},
		{"longest", strings.Repeat("é", hsds.MaxSearchLength), ""},
		{"too long", strings.Repeat("a", hsds.MaxSearchLength+1), haven.Invalid},
		{"60 KB", strings.Repeat("shelter ", 60<<10/8), haven.Invalid},
		{"not UTF-8", "caf\xe9", haven.Invalid},
	} {
		if got := haven.ErrorKind(hsds.CheckSearch(tt.search)); got != tt.want {
			t.Errorf("%s: kind=%q, want %q", tt.name, got, tt.want)
		}
	}
}
