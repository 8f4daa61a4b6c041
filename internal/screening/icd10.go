package screening

import (
	"fmt"

	"github.com/haven-care/haven"
)

// Code is a suggested ICD-10-CM code. Haven suggests; the clinician codes.
type Code struct {
	Code    string `json:"code"`
	Display string `json:"display"`
}

// Exploitation is the kind of exploitation a code describes.
type Exploitation string

// The kinds of exploitation ICD-10-CM distinguishes.
const (
	Sexual Exploitation = "sexual"
	Labor  Exploitation = "labor"
)

// Finding is where the clinician's assessment stands.
type Finding string

// The findings the coding rules distinguish.
const (
	Suspected Finding = "suspected" // T76.5-/T76.6-
	Confirmed Finding = "confirmed" // T74.5-/T74.6-
	RuledOut  Finding = "ruled-out" // Z04.81/Z04.82
	History   Finding = "history"   // Z91.42 or Z62.813
)

// Encounter is the episode of care, the 7th character of T codes.
type Encounter string

// The encounters and their 7th characters.
const (
	Initial    Encounter = "initial"    // A
	Subsequent Encounter = "subsequent" // D
	Sequela    Encounter = "sequela"    // S
)

// CodingInput is what the coding rules need.
type CodingInput struct {
	Exploitation Exploitation `json:"exploitation"`
	Finding      Finding      `json:"finding"`
	Encounter    Encounter    `json:"encounter,omitempty"` // for suspected and confirmed; default initial
	Minor        bool         `json:"minor"`               // the patient is under 18 (child codes)
	// InChildhood marks a history of exploitation that happened in
	// childhood (Z62.813 rather than Z91.42).
	InChildhood bool `json:"in_childhood,omitempty"`
}

// seventh maps an encounter to the 7th character.
var seventh = map[Encounter]string{"": "A", Initial: "A", Subsequent: "D", Sequela: "S"}

// SuggestCode applies the ICD-10-CM rules for forced sexual and labor
// exploitation: suspected adult T76.51/T76.52, child T76.61/T76.62;
// confirmed adult T74.51/T74.52, child T74.61/T74.62, each with X in the
// 6th place and the encounter's 7th character (A initial, D subsequent, S
// sequela); Z04.81/Z04.82 when suspicion was examined and ruled out; and
// Z91.42 (or Z62.813 for exploitation in childhood) for a history.
func SuggestCode(in CodingInput) (Code, error) {
	who, whoText := "5", "Adult"
	if in.Minor {
		who, whoText = "6", "Child"
	}
	kind, kindText := "1", "sexual"
	switch in.Exploitation {
	case Sexual:
	case Labor:
		kind, kindText = "2", "labor"
	default:
		return Code{}, haven.FieldError("exploitation", "must be sexual or labor")
	}
	s, ok := seventh[in.Encounter]
	if !ok {
		return Code{}, haven.FieldError("encounter", "must be initial, subsequent or sequela")
	}
	switch in.Finding {
	case Suspected:
		return Code{"T76." + who + kind + "X" + s, fmt.Sprintf("%s forced %s exploitation, suspected, %s", whoText, kindText, encounterText(s))}, nil
	case Confirmed:
		return Code{"T74." + who + kind + "X" + s, fmt.Sprintf("%s forced %s exploitation, confirmed, %s", whoText, kindText, encounterText(s))}, nil
	case RuledOut:
		return Code{"Z04.8" + kind, "Encounter for examination and observation of victim following forced " + kindText + " exploitation"}, nil
	case History:
		if in.InChildhood {
			return Code{"Z62.813", "Personal history of forced labor or sexual exploitation in childhood"}, nil
		}
		return Code{"Z91.42", "Personal history of forced labor or sexual exploitation"}, nil
	}
	return Code{}, haven.FieldError("finding", "must be suspected, confirmed, ruled-out or history")
}

// encounterText names the encounter of a 7th character.
func encounterText(s string) string {
	return map[string]string{"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}[s]
}
