package screening

import (
	"testing"

	"github.com/haven-care/haven"
)

func TestAcceptCode(t *testing.T) {
	suggested := []Code{{"T76.51XA", "Adult forced sexual exploitation, suspected, initial encounter"}, {"Z91.42", "history"}}
	tests := []struct {
		code, want string
		ok         bool
	}{
		{"T76.51XA", "Adult forced sexual exploitation, suspected, initial encounter", true},
		{"T76.51XD", "Adult forced sexual exploitation, suspected, subsequent encounter", true},
		{" t76.51xs ", "Adult forced sexual exploitation, suspected, sequela", true},
		{"Z91.42", "Personal history of forced labor or sexual exploitation", true},
		{"T76.51X", "", false},   // no 7th character
		{"T76.51XZ", "", false},  // not a 7th character
		{"T76.51XAA", "", false}, // too long
		{"T76.61XA", "", false},  // labor, not suggested
		{"T74.51XA", "", false},  // confirmed, not suggested
		{"Z04.81", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := AcceptCode(suggested, tt.code)
		if tt.ok != (err == nil) || got.Display != tt.want {
			t.Errorf("AcceptCode(%q) = %+v, %v; want display %q, ok %v", tt.code, got, err, tt.want, tt.ok)
		}
		if err != nil && haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("AcceptCode(%q) error kind %v, want Invalid", tt.code, haven.ErrorKind(err))
		}
	}
}

// TestDescribeRoundTrips checks that every code SuggestCode gives is
// described the same way.
func TestDescribeRoundTrips(t *testing.T) {
	for _, k := range []Exploitation{Sexual, Labor} {
		for _, f := range []Finding{Suspected, Confirmed, RuledOut, History} {
			for _, e := range []Encounter{Initial, Subsequent, Sequela} {
				for _, minor := range []bool{false, true} {
					c, err := SuggestCode(CodingInput{Exploitation: k, Finding: f, Encounter: e, Minor: minor})
					if err != nil {
						t.Fatal(err)
					}
					if got, ok := Describe(c.Code); !ok || got != c {
						t.Errorf("Describe(%q) = %+v, %v; want %+v", c.Code, got, ok, c)
					}
				}
			}
		}
	}
}
