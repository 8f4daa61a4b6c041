package haven

import (
	"strings"
	"testing"
)

func TestServiceFilterCheck(t *testing.T) {
	for _, tt := range []struct {
		name, search string
		want         Kind
	}{
		{"empty", "", ""},
		{"words", "legal aid near me", ""},
		{"longest", strings.Repeat("é", MaxSearchLength), ""},
		{"too long", strings.Repeat("a", MaxSearchLength+1), Invalid},
		{"60 KB", strings.Repeat("shelter ", 60<<10/8), Invalid},
		{"not UTF-8", "caf\xe9", Invalid},
	} {
		if got := ErrorKind(ServiceFilter{Search: tt.search}.Check()); got != tt.want {
			t.Errorf("%s: kind=%q, want %q", tt.name, got, tt.want)
		}
	}
}
