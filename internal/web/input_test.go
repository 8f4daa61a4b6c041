package web_test

import (
	"testing"

	"github.com/haven-care/haven/internal/screening"
	"github.com/haven-care/haven/internal/web"
)

// TestNumberInputsRejectNonFinite: strconv.ParseFloat accepts NaN and
// Inf, which slip past every range check; the forms refuse them.
func TestNumberInputsRejectNonFinite(t *testing.T) {
	for _, bad := range []string{"NaN", "nan", "Inf", "-Inf", "+infinity", "0x1p-2", "1e400"} {
		if _, ok := web.ParseAge(bad); ok {
			t.Errorf("ParseAge(%q) ok, want refused", bad)
		}
		if _, problem := web.ValueOf(&screening.Item{Type: "decimal"}, bad); problem == "" {
			t.Errorf("decimal answer %q accepted, want refused", bad)
		}
	}
	for _, good := range []string{"0", "17", "17.5"} {
		if _, ok := web.ParseAge(good); !ok {
			t.Errorf("ParseAge(%q) refused", good)
		}
		if _, problem := web.ValueOf(&screening.Item{Type: "decimal"}, good); problem != "" {
			t.Errorf("decimal answer %q refused: %s", good, problem)
		}
	}
}
