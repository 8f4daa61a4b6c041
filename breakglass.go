package haven

import (
	"context"
	"strings"
	"time"
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
	Review string
}

// Break-glass review findings.
const (
	ReviewJustified    = "justified"
	ReviewNotJustified = "not_justified"
)

// ValidateBreakGlassReason requires a reason a reviewer can judge.
func ValidateBreakGlassReason(reason string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(reason))
	switch {
	case n < 20:
		return FieldError("reason", "Type the reason for emergency access in at least 20 characters.")
	case n > 2000:
		return FieldError("reason", "Use at most 2000 characters.")
	}
	return nil
}

// BreakGlassService grants and reviews emergency access.
type BreakGlassService interface {
	// SurvivorIDByCaseNumber finds a record by case number for emergency
	// access. Errors: Invalid (no such case number), Forbidden (role).
	SurvivorIDByCaseNumber(ctx context.Context, caseNumber string) (string, error)
	// BreakGlass grants the actor read-only access to a survivor for an
	// hour. Errors: Invalid (reason), Forbidden (role), NotFound.
	BreakGlass(ctx context.Context, survivorID, reason string) (*BreakGlassGrant, error)
	// BreakGlassQueue lists grants awaiting review, for supervisors.
	// Errors: Forbidden.
	BreakGlassQueue(ctx context.Context) ([]BreakGlassGrant, error)
	// BreakGlassPending counts the grants awaiting review: the alert that
	// every page shows supervisors. Errors: Forbidden.
	BreakGlassPending(ctx context.Context) (int, error)
	// ReviewBreakGlass records a supervisor's finding. Errors: Invalid,
	// Forbidden (not a supervisor, or reviewing one's own grant), NotFound.
	ReviewBreakGlass(ctx context.Context, grantID, finding string) error
}
