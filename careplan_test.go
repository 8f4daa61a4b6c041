package haven_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// TestIndicatorNeedsCoverTheShippedInstruments: every domain a shipped
// instrument flags is mapped (on purpose), and every need it maps to is
// one of the directory's need domains.
func TestIndicatorNeedsCoverTheShippedInstruments(t *testing.T) {
	qs, err := screening.Instruments()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		for _, r := range q.Rules() {
			if _, ok := haven.IndicatorNeeds[r.Domain]; !ok {
				t.Errorf("%s flags %q, which IndicatorNeeds does not map: say which needs it points to, or none", q.ID, r.Domain)
			}
		}
	}
	for ind, needs := range haven.IndicatorNeeds {
		for _, n := range needs {
			if _, ok := haven.NeedByCode(n); !ok {
				t.Errorf("IndicatorNeeds[%s] names %q, not a need domain", ind, n)
			}
		}
	}
}

func TestSuggestNeeds(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	screenings := []haven.ScreeningSummary{ // newest first
		{ID: "new", Flagged: []string{"sex"}, Screened: true, CreatedAt: at.Add(time.Hour)},
		{ID: "stopped", Flagged: []string{"risk"}, Screened: false, CreatedAt: at},
		{ID: "old", Flagged: []string{"labor", "imported-domain"}, Screened: true, CreatedAt: at},
	}
	var got []string
	for _, s := range haven.SuggestNeeds(screenings, []string{"employment"}) {
		got = append(got, s.Domain+" "+s.IndicatorDomain+" "+s.ScreeningID)
	}
	want := []string{"sexual-reproductive-health sex new", "legal labor old", "safety sex new"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suggestions (-want +got):\n%s", diff)
	}
}

func TestNewNeedValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     haven.NewNeed
		fields []string
	}{
		{"ok", haven.NewNeed{Domain: "housing", Goal: " a room "}, nil},
		{"term id", haven.NewNeed{Domain: "22f3a11b-1ea2-5050-940b-48948a1f0081"}, nil},
		{"unknown everything", haven.NewNeed{Domain: "x", Status: "failed", Rank: 1000, Goal: strings.Repeat("g", 1001),
			Priority: strings.Repeat("p", 501)}, []string{"domain", "goal", "priority", "rank", "status"}},
	}
	for _, tt := range tests {
		err := tt.in.Validate()
		var got []string
		for f := range haven.ErrorFields(err) {
			got = append(got, f)
		}
		if diff := cmp.Diff(tt.fields, got, cmpSorted); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", tt.name, diff)
		}
	}
	nn := haven.NewNeed{Domain: "22f3a11b-1ea2-5050-940b-48948a1f0081", Goal: " a room "}
	if nn.Validate(); nn.Domain != "housing" || nn.Goal != "a room" || nn.Status != haven.NeedIdentified {
		t.Errorf("normalized %+v", nn)
	}
	if haven.NeedDeclined.Open() || !haven.NeedInProgress.Open() {
		t.Error("declined must be closed, in_progress open")
	}
}

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })
