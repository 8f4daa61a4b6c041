package haven_test

import (
	"strings"
	"testing"

	"github.com/haven-care/haven"
)

func TestBreakGlassReasonProblem(t *testing.T) {
	tests := []struct {
		reason string
		recent int
		want   string
	}{
		{"too short", 0, haven.ReasonShort},
		{"xxxxxxxxxxxxxxxxxxxx", 0, haven.ReasonWeak},
		{"x x x x x x x x x x x x", 0, haven.ReasonWeak},
		{"test test test test test", 0, haven.ReasonWeak},
		{"asdf asdf asdf asdf asdf", 0, haven.ReasonWeak},
		{"aaaa bbbb cccc dddd eeee", 0, haven.ReasonWeak},
		{"Unconscious patient, need allergies", 0, ""},
		{"Paciente inconsciente, necesito alergias", 0, ""},
		{"مريضة فاقدة الوعي، أحتاج قائمة الحساسية", 0, ""},
		{strings.Repeat("a", 2001), 0, haven.ReasonLong},
		{"Unconscious patient, need allergies", 1, haven.ReasonRepeat},
		{"Patient returned by ambulance after a seizure; I need the medication list and the safe contact plan again", 1, ""},
		{strings.Repeat("Patient returned by ambulance ", 4), 1, haven.ReasonRepeat},
	}
	for _, tt := range tests {
		if got := haven.BreakGlassReasonProblem(tt.reason, tt.recent); got != tt.want {
			t.Errorf("BreakGlassReasonProblem(%.40q, %d) = %q, want %q", tt.reason, tt.recent, got, tt.want)
		}
	}
}
