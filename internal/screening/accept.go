package screening

import (
	"fmt"
	"strings"

	"github.com/haven-care/haven"
)

// encounterOf maps a 7th character to its encounter.
var encounterOf = map[byte]Encounter{'A': Initial, 'D': Subsequent, 'S': Sequela}

// Describe returns a code SuggestCode can give, with its ICD-10-CM title:
// a T74/T76 exploitation code with its 7th character (A, D or S), Z04.81,
// Z04.82, Z91.42 or Z62.813. ok is false for anything else.
func Describe(code string) (c Code, ok bool) {
	for _, z := range []Code{ruledOut[Sexual], ruledOut[Labor],
		{"Z91.42", "Personal history of forced labor or sexual exploitation"},
		{"Z62.813", "Personal history of forced labor or sexual exploitation in childhood"}} {
		if code == z.Code {
			return z, true
		}
	}
	if len(code) != 8 || code[6] != 'X' || (code[5] != '1' && code[5] != '2') {
		return Code{}, false
	}
	in := CodingInput{Minor: code[5] == '2'}
	switch code[:4] {
	case "T76.":
		in.Finding = Suspected
	case "T74.":
		in.Finding = Confirmed
	default:
		return Code{}, false
	}
	switch code[4] {
	case '5':
		in.Exploitation = Sexual
	case '6':
		in.Exploitation = Labor
	default:
		return Code{}, false
	}
	var known bool
	if in.Encounter, known = encounterOf[code[7]]; !known {
		return Code{}, false
	}
	c, err := SuggestCode(in)
	return c, err == nil
}

// AcceptCode checks a code a clinician accepted against a screening's
// suggested codes and returns it with its title. A T code must be one of
// the suggestions with the 7th character chosen (A initial encounter, D
// subsequent, S sequela; the suggestion's own 7th character is only its
// default); a Z code must be suggested as it is. Errors: Invalid, naming
// the field "codes".
func AcceptCode(suggested []Code, code string) (Code, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	seventh := strings.HasPrefix(code, "T7")
	for _, s := range suggested {
		same := s.Code == code
		if seventh && len(s.Code) == 8 {
			same = len(code) >= 7 && s.Code[:7] == code[:7]
		}
		if !same {
			continue
		}
		if c, ok := Describe(code); ok {
			return c, nil
		}
		return Code{}, haven.FieldError("codes", fmt.Sprintf("%s needs its 7th character: A (initial encounter), D (subsequent encounter) or S (sequela).", s.Code[:min(7, len(s.Code))]))
	}
	return Code{}, haven.FieldError("codes", fmt.Sprintf("%q is not among the screening's suggested codes.", code))
}
