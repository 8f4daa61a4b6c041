package haven

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// ContactOutcome is what came of a contact.
type ContactOutcome string

// Contact outcomes.
const (
	ContactReached     ContactOutcome = "reached"
	ContactNoAnswer    ContactOutcome = "no_answer"
	ContactMessageLeft ContactOutcome = "message_left"
)

// ContactOutcomes lists every outcome.
var ContactOutcomes = []ContactOutcome{ContactReached, ContactNoAnswer, ContactMessageLeft}

// MaxContactNote is the longest note of a contact, in characters.
const MaxContactNote = 2000

// NewContact is a contact a worker made, or is about to make, under the
// survivor's safe-contact plan. The note is sealed under the survivor's
// data key.
type NewContact struct {
	Channel   ContactChannel
	Voicemail bool
	Outcome   ContactOutcome
	Note      string
}

// Validate checks the outcome and the note; the channel is the
// safe-contact plan's to judge (SafeContactPlan.AllowContact).
func (c NewContact) Validate() error {
	if !slices.Contains(ContactOutcomes, c.Outcome) {
		return FieldError("outcome", "Choose what came of the contact: reached, no answer or message left.")
	}
	if utf8.RuneCountInString(c.Note) > MaxContactNote {
		return FieldError("note", fmt.Sprintf("Use at most %d characters.", MaxContactNote))
	}
	return nil
}

// Contact is a contact made with a survivor, as the contact history shows
// it. A contact the plan refused is never one: the audit log keeps the
// refusal.
type Contact struct {
	ID         string
	SurvivorID string
	UserID     string
	// UserName is the display name (or username) of who made it.
	UserName  string
	Channel   ContactChannel
	Voicemail bool
	Outcome   ContactOutcome
	Note      string
	MadeAt    time.Time
}
