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
// exploitation. In the T codes the 5th character is the kind (5 sexual,
// 6 labor) and the 6th the age group (1 adult, 2 child): suspected
// T76.51 adult sexual, T76.52 child sexual, T76.61 adult labor, T76.62
// child labor; confirmed T74.51, T74.52, T74.61, T74.62 likewise; each
// with X as placeholder and the encounter's 7th character (A initial,
// D subsequent, S sequela). Z04.81 (sexual) or Z04.82 (labor) codes an
// examination after which the suspicion was ruled out; Z91.42 (or
// Z62.813 for exploitation in childhood) a history.
func SuggestCode(in CodingInput) (Code, error) {
	kind, ok := kindDigit[in.Exploitation]
	if !ok {
		return Code{}, haven.FieldError("exploitation", "must be sexual or labor")
	}
	s, ok := seventh[in.Encounter]
	if !ok {
		return Code{}, haven.FieldError("encounter", "must be initial, subsequent or sequela")
	}
	who := "1"
	if in.Minor {
		who = "2"
	}
	switch in.Finding {
	case Suspected:
		return Code{"T76." + kind + who + "X" + s, fmt.Sprintf("%s, suspected, %s", tTitle[kind+who], encounterText(s))}, nil
	case Confirmed:
		return Code{"T74." + kind + who + "X" + s, fmt.Sprintf("%s, confirmed, %s", tTitle[kind+who], encounterText(s))}, nil
	case RuledOut:
		return ruledOut[in.Exploitation], nil
	case History:
		if in.InChildhood {
			return Code{"Z62.813", "Personal history of forced labor or sexual exploitation in childhood"}, nil
		}
		return Code{"Z91.42", "Personal history of forced labor or sexual exploitation"}, nil
	}
	return Code{}, haven.FieldError("finding", "must be suspected, confirmed, ruled-out or history")
}

// kindDigit is the 5th character of the T74/T76 exploitation codes.
var kindDigit = map[Exploitation]string{Sexual: "5", Labor: "6"}

// tTitle is the ICD-10-CM title of each T74/T76 subcategory, by its 5th
// and 6th characters (the tabular list omits "forced" for children's
// sexual exploitation).
var tTitle = map[string]string{
	"51": "Adult forced sexual exploitation",
	"52": "Child sexual exploitation",
	"61": "Adult forced labor exploitation",
	"62": "Child forced labor exploitation",
}

// ruledOut is the Z04.8- code for an examination after which suspected
// exploitation was ruled out; it does not depend on age.
var ruledOut = map[Exploitation]Code{
	Sexual: {"Z04.81", "Encounter for examination and observation of victim following forced sexual exploitation"},
	Labor:  {"Z04.82", "Encounter for examination and observation of victim following forced labor exploitation"},
}

// encounterText names the encounter of a 7th character.
func encounterText(s string) string {
	return map[string]string{"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}[s]
}
