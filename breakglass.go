package haven

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// BreakGlassDuration is how long emergency access lasts.
const BreakGlassDuration = time.Hour

// BreakGlassGrant is emergency, read-only access to a survivor's record by
// someone not on the care team. It needs a typed reason, ends after an
// hour, alerts supervisors, and waits in their review queue.
type BreakGlassGrant struct {
	ID         string
	UserID     string
	SurvivorID string
	// CaseNumber is the record's pseudonymous case number, filled in the
	// review queue so that a reviewer can tell which record was opened
	// ("" once the record is deleted).
	CaseNumber string
	// Reason is the requester's justification. It is stored encrypted
	// under the survivor's data key, since it may describe their situation.
	Reason     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	ReviewedBy string
	ReviewedAt *time.Time
	// Review is the reviewer's finding: "justified" or "not_justified".
	// A "not_justified" finding ends the grant at once.
	Review string
	// Repeat is set when the user had taken emergency access to the same
	// record within BreakGlassWindow before: the grant needed a fuller
	// reason and is flagged to supervisors as urgent.
	Repeat bool
}

// Break-glass review findings.
const (
	ReviewJustified    = "justified"
	ReviewNotJustified = "not_justified"
)

// Limits on emergency access (security finding 7: thirteen grants on one
// record by one clinician, a reason of twenty x's, no effect of a review).
const (
	// BreakGlassWindow is the period in which grants by one user on one
	// record count as repeated.
	BreakGlassWindow = 24 * time.Hour
	// BreakGlassMaxInWindow is how many grants one user may take on one
	// record within BreakGlassWindow; beyond it they must ask the care
	// team or a supervisor.
	BreakGlassMaxInWindow = 3
	// BreakGlassBarAfterFinding is how long a "not justified" finding bars
	// its user from new emergency access to that record.
	BreakGlassBarAfterFinding = 30 * 24 * time.Hour
)

// Reason problems that BreakGlassReasonProblem reports.
const (
	ReasonShort  = "short"  // under the minimum length
	ReasonLong   = "long"   // over 2000 characters
	ReasonWeak   = "weak"   // too few different words or letters to be a reason
	ReasonRepeat = "repeat" // a repeated grant needs a fuller reason
)

// BreakGlassReasonProblem says what keeps reason from justifying emergency
// access, or "" if nothing does. recent is how many grants the user took
// on the same record within BreakGlassWindow: a repeated grant needs a
// fuller justification (at least 80 characters and 12 different words)
// than a first (20 characters and 4 different words). Words are runs of
// two or more letters that are not one letter repeated; the text must also
// use at least 8 different letters, so "xxxxxxxxxxxxxxxxxxxx", "test test
// test test" and "asdf asdf asdf asdf asdf" are refused. A reviewer still
// judges what the words say.
func BreakGlassReasonProblem(reason string, recent int) string {
	reason = strings.TrimSpace(reason)
	n := utf8.RuneCountInString(reason)
	minLen, minWords := 20, 4
	if recent > 0 {
		minLen, minWords = 80, 12
	}
	words, letters := map[string]bool{}, map[rune]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(reason), func(r rune) bool { return !unicode.IsLetter(r) }) {
		distinct := map[rune]bool{}
		for _, r := range w {
			distinct[r], letters[r] = true, true
		}
		if utf8.RuneCountInString(w) >= 2 && len(distinct) >= 2 {
			words[w] = true
		}
	}
	switch {
	case n > 2000:
		return ReasonLong
	case recent == 0 && n < minLen:
		return ReasonShort
	case recent == 0 && (len(words) < minWords || len(letters) < 8):
		return ReasonWeak
	case n < minLen || len(words) < minWords || len(letters) < 8:
		return ReasonRepeat
	}
	return ""
}

// ValidateBreakGlassReason requires a reason a reviewer can judge, after
// recent grants by the same user on the same record within
// BreakGlassWindow (see BreakGlassReasonProblem).
func ValidateBreakGlassReason(reason string, recent int) error {
	switch BreakGlassReasonProblem(reason, recent) {
	case ReasonShort:
		return FieldError("reason", "Type the reason for emergency access in at least 20 characters.")
	case ReasonLong:
		return FieldError("reason", "Use at most 2000 characters.")
	case ReasonWeak:
		return FieldError("reason", "Describe the emergency in your own words: at least four different words; a repeated letter or word is not a reason.")
	case ReasonRepeat:
		return FieldError("reason", "You opened this record in an emergency within the last 24 hours. To open it again, describe why in at least 80 characters and 12 different words; supervisors are alerted at once.")
	}
	return nil
}

// BreakGlassService grants and reviews emergency access.
type BreakGlassService interface {
	// SurvivorIDByCaseNumber finds a record by case number for emergency
	// access. Errors: Invalid (no such case number), Forbidden (role).
	SurvivorIDByCaseNumber(ctx context.Context, caseNumber string) (string, error)
	// BreakGlass grants the actor read-only access to a survivor for an
	// hour. While a grant of the actor's on the record is live it returns
	// that grant unchanged (a repeat never extends access); a grant after
	// another within BreakGlassWindow needs a fuller reason and is flagged
	// Repeat. Errors: Invalid (reason), Forbidden (role; more than
	// BreakGlassMaxInWindow grants in the window; a "not justified"
	// finding on the record within BreakGlassBarAfterFinding), NotFound.
	BreakGlass(ctx context.Context, survivorID, reason string) (*BreakGlassGrant, error)
	// BreakGlassQueue lists grants awaiting review, repeats first, for
	// supervisors. Errors: Forbidden.
	BreakGlassQueue(ctx context.Context) ([]BreakGlassGrant, error)
	// BreakGlassPending counts the grants awaiting review: the alert that
	// every page shows supervisors. Errors: Forbidden.
	BreakGlassPending(ctx context.Context) (int, error)
	// ReviewBreakGlass records a supervisor's finding; "not_justified"
	// ends the grant at once. Errors: Invalid, Forbidden (not a
	// supervisor, or reviewing one's own grant), NotFound.
	ReviewBreakGlass(ctx context.Context, grantID, finding string) error
}
