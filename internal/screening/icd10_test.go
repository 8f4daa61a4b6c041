package screening

import (
	"testing"

	"github.com/haven-care/haven"
)

func TestSuggestCode(t *testing.T) {
	tests := []struct {
		in   CodingInput
		want string
	}{
		{CodingInput{Exploitation: Sexual, Finding: Suspected}, "T76.51XA"},
		{CodingInput{Exploitation: Labor, Finding: Suspected, Encounter: Subsequent}, "T76.61XD"},
		{CodingInput{Exploitation: Sexual, Finding: Suspected, Minor: true}, "T76.52XA"},
		{CodingInput{Exploitation: Labor, Finding: Suspected, Minor: true, Encounter: Sequela}, "T76.62XS"},
		{CodingInput{Exploitation: Sexual, Finding: Confirmed, Encounter: Initial}, "T74.51XA"},
		{CodingInput{Exploitation: Labor, Finding: Confirmed, Encounter: Subsequent}, "T74.61XD"},
		{CodingInput{Exploitation: Sexual, Finding: Confirmed, Minor: true}, "T74.52XA"},
		{CodingInput{Exploitation: Labor, Finding: Confirmed, Minor: true, Encounter: Sequela}, "T74.62XS"},
		{CodingInput{Exploitation: Sexual, Finding: RuledOut}, "Z04.81"},
		{CodingInput{Exploitation: Labor, Finding: RuledOut, Minor: true}, "Z04.82"},
		{CodingInput{Exploitation: Labor, Finding: History}, "Z91.42"},
		{CodingInput{Exploitation: Sexual, Finding: History, InChildhood: true}, "Z62.813"},
	}
	for _, tt := range tests {
		got, err := SuggestCode(tt.in)
		if err != nil {
			t.Errorf("SuggestCode(%+v): %v", tt.in, err)
			continue
		}
		if got.Code != tt.want {
			t.Errorf("SuggestCode(%+v) = %s, want %s", tt.in, got.Code, tt.want)
		}
		if got.Display == "" {
			t.Errorf("SuggestCode(%+v) has no display", tt.in)
		}
	}
}

func TestSuggestCodeInvalid(t *testing.T) {
	for _, in := range []CodingInput{
		{Exploitation: "organ", Finding: Suspected},
		{Exploitation: Labor, Finding: "maybe"},
		{Exploitation: Labor, Finding: Confirmed, Encounter: "later"},
	} {
		if _, err := SuggestCode(in); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("SuggestCode(%+v) err = %v, want invalid", in, err)
		}
	}
}

func TestSuggestCodeDisplay(t *testing.T) {
	tests := []struct {
		in   CodingInput
		want string
	}{
		{CodingInput{Exploitation: Sexual, Finding: Suspected, Minor: true}, "Child sexual exploitation, suspected, initial encounter"},
		{CodingInput{Exploitation: Labor, Finding: Confirmed, Encounter: Sequela}, "Adult forced labor exploitation, confirmed, sequela"},
		{CodingInput{Exploitation: Labor, Finding: RuledOut, Minor: true}, "Encounter for examination and observation of victim following forced labor exploitation"},
	}
	for _, tt := range tests {
		got, err := SuggestCode(tt.in)
		if err != nil || got.Display != tt.want {
			t.Errorf("SuggestCode(%+v) = %q, %v; want %q", tt.in, got.Display, err, tt.want)
		}
	}
}
