package haven

import (
	"context"
	"time"
)

// AuditEvent is what a change, read, sign-in or denial records in the
// audit log. It holds opaque identifiers only, never personal data.
type AuditEvent struct {
	// Action names what happened, as "object.verb": "user.create",
	// "survivor.read", "session.login".
	Action     string
	ObjectType string
	ObjectID   string
	// Outcome is "success", "denied" or "failure".
	Outcome string
	// Reason is a coded reason or a break-glass justification reference;
	// never free text about a person.
	Reason string
}

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeDenied  = "denied"
	OutcomeFailure = "failure"
)

// AuditEntry is an AuditEvent as stored: numbered, timed and attributed.
type AuditEntry struct {
	Index   int64
	Time    time.Time
	ActorID string
	AuditEvent
}

// AuditReport is the result of verifying the audit log.
type AuditReport struct {
	// Checked is the number of entries whose hashes were recomputed.
	Checked int64
	// FirstBad is the index of the first entry that was changed, deleted,
	// moved or inserted, or -1 when the log verified.
	FirstBad int64
	// Root is the base64 Merkle tree root of the stored log.
	Root string
	// CheckpointSize is the size of the signed checkpoint checked, or -1
	// when none was.
	CheckpointSize int64
	// Message says what verified or what is wrong, in one sentence.
	Message string
}

// OK reports whether the log verified.
func (r AuditReport) OK() bool { return r.FirstBad < 0 }

// ReadAuditBatcher lets a page that makes several audited reads write
// their entries in one transaction, flushed before anything read is shown.
type ReadAuditBatcher interface {
	// DeferReadAudits returns a context under which audited reads keep
	// their entries for FlushReadAudits.
	DeferReadAudits(ctx context.Context) context.Context
	// FlushReadAudits writes them; a page shows nothing it read until
	// this has succeeded.
	FlushReadAudits(ctx context.Context) error
}

// AuditService reads and verifies the audit log.
type AuditService interface {
	// AuditEntries returns entries with Index in [from, to). Errors: Invalid.
	AuditEntries(ctx context.Context, from, to int64) ([]AuditEntry, error)
	// AuditSize returns the number of entries.
	AuditSize(ctx context.Context) (int64, error)
}
