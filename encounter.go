package haven

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Encounter is a dated clinical note about a survivor, sealed under the
// survivor's data key, with its author and the ICD-10-CM codes the
// clinician accepted from a screening's suggestions. An encounter is
// signed when it is added: it is never edited afterwards (a correction is
// a new encounter).
type Encounter struct {
	ID         string
	SurvivorID string
	AuthorID   string
	// AuthorName is the author's display name, or their username when they
	// have none; it is not stored with the encounter.
	AuthorName string
	// OccurredOn is the day of the encounter, YYYY-MM-DD.
	OccurredOn string
	// ScreeningID names the screening the encounter follows, if any.
	ScreeningID string
	Note        string
	Codes       []EncounterCode
	CreatedAt   time.Time
}

// EncounterCode is an accepted ICD-10-CM code with its description, the
// 7th character included ("T76.51XD").
type EncounterCode struct {
	Code    string `json:"code"`
	Display string `json:"display"`
}

// NewEncounter is the input of an encounter. Codes are full ICD-10-CM
// codes, each a suggestion of the screening named by ScreeningID with the
// 7th character the clinician chose: A initial encounter, D subsequent
// encounter, S sequela ("T76.51XD").
type NewEncounter struct {
	SurvivorID  string
	OccurredOn  string
	ScreeningID string
	Note        string
	Codes       []string
}

// SeventhCharacters are the 7th characters of the exploitation T codes,
// in the order a form offers them: A initial encounter, D subsequent
// encounter, S sequela.
var SeventhCharacters = []string{"A", "D", "S"}

// Encounter limits: an encounter's date is no more than encounterYears
// back (an older date is a typing error), and at most maxEncounterCodes
// codes are accepted with one encounter.
const (
	MaxEncounterNote  = maxLongText
	encounterYears    = 30
	maxEncounterCodes = 10
)

// Normalize trims ne and checks it as of now: a real date, not in the
// future anywhere on Earth (clinics are ahead of UTC by up to 14 hours)
// and not absurdly old; a note of at most MaxEncounterNote characters;
// codes only with a screening, each named once. Whether each code is
// among the screening's suggestions is checked by the store, which reads
// them.
func (ne NewEncounter) Normalize(now time.Time) (NewEncounter, error) {
	ne.OccurredOn = strings.TrimSpace(ne.OccurredOn)
	day, err := time.Parse(time.DateOnly, ne.OccurredOn)
	latest := now.UTC().Add(14 * time.Hour).Format(time.DateOnly)
	switch {
	case err != nil:
		return ne, FieldError("occurred_on", "Give the date of the encounter as YYYY-MM-DD.")
	case ne.OccurredOn > latest:
		return ne, FieldError("occurred_on", "The date of an encounter cannot be in the future.")
	case day.Before(now.AddDate(-encounterYears, 0, 0)):
		return ne, FieldError("occurred_on", fmt.Sprintf("The date is more than %d years ago: check it.", encounterYears))
	}
	if strings.TrimSpace(ne.Note) == "" {
		return ne, FieldError("note", "Write the note of the encounter.")
	}
	if utf8.RuneCountInString(ne.Note) > MaxEncounterNote {
		return ne, FieldError("note", fmt.Sprintf("Use at most %d characters.", MaxEncounterNote))
	}
	ne.ScreeningID = strings.TrimSpace(ne.ScreeningID)
	if len(ne.Codes) > 0 && ne.ScreeningID == "" {
		return ne, FieldError("codes", "Codes are accepted from a screening's suggestions: choose the screening.")
	}
	if len(ne.Codes) > maxEncounterCodes {
		return ne, FieldError("codes", fmt.Sprintf("Accept at most %d codes with one encounter.", maxEncounterCodes))
	}
	seen := map[string]bool{}
	for i, c := range ne.Codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		base := c[:max(0, len(c)-1)]
		if seen[base] {
			return ne, FieldError("codes", fmt.Sprintf("%s is accepted twice: choose one 7th character.", base))
		}
		seen[base], ne.Codes[i] = true, c
	}
	return ne, nil
}

// EncounterService keeps encounters. Only the survivor's care team reads
// or adds them; emergency access reads them; only a clinician accepts
// codes. Every read and every addition is audited, with ids only.
type EncounterService interface {
	// Encounters lists a survivor's encounters, newest first, with their
	// notes and codes. Errors: NotFound (also when the actor may not see
	// the record), Unauthenticated.
	Encounters(ctx context.Context, survivorID string) ([]Encounter, error)
	// AddEncounter adds a signed encounter. Errors: Invalid (the date, the
	// note, a screening not of this survivor, a code not among its
	// suggestions or without a 7th character A, D or S), Forbidden (codes
	// from anyone but a clinician), NotFound (also under emergency access,
	// which is read-only), Unauthenticated.
	AddEncounter(ctx context.Context, ne NewEncounter) (*Encounter, error)
}
