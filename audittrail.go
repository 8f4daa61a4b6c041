package haven

import (
	"context"
	"time"
)

// AuditQuery selects audit entries for the readable audit trail. Empty
// fields match everything; entries come newest first.
type AuditQuery struct {
	// ActorID is the acting user's id (or "system:<job>"), or their
	// username.
	ActorID string
	// Action is an action ("survivor.read") or, ending in ".", every
	// action on one object type ("survivor.").
	Action string
	// ObjectType and ObjectID name the object; ObjectID alone matches any
	// type.
	ObjectType, ObjectID string
	// CaseNumber names a survivor's record by its case number: the
	// entries whose object is that record.
	CaseNumber string
	// Outcome is OutcomeSuccess, OutcomeDenied or OutcomeFailure.
	Outcome string
	// From and To bound the entries' time, [From, To); zero is open.
	From, To time.Time
	// Before pages: only entries with Index < Before; 0 for the newest.
	Before int64
	// Limit is the page size: 1..AuditPageMax, AuditPageSize when 0.
	Limit int
}

// Audit page sizes and the most entries one export holds.
const (
	AuditPageSize  = 50
	AuditPageMax   = 500
	AuditExportMax = 10000
)

// AuditRow is an audit entry as the trail shows it: the actor by display
// name and a survivor by case number, read from the users and survivors
// tables at display time (the entry itself holds ids only).
type AuditRow struct {
	AuditEntry
	// ActorName is the actor's display name (or username); empty for a
	// system job or a removed user.
	ActorName string
	// CaseNumber is the survivor's case number when the object is a
	// survivor's record or part of it, and the record still exists.
	CaseNumber string
}

// AuditPage is one page of a search.
type AuditPage struct {
	Rows []AuditRow
	// Next is the Before of the next (older) page, 0 when there is none.
	Next int64
}

// AuditStatus is the state of the log as the trail's page shows it.
type AuditStatus struct {
	// Size is the number of entries; Hashed how many are in the stored
	// Merkle tree.
	Size, Hashed int64
	// CheckpointSize and CheckpointAt describe the latest signed
	// checkpoint; CheckpointSize is -1 when none was signed.
	CheckpointSize int64
	CheckpointAt   time.Time
	// Verified reports that the latest checkpoint's signature is good and
	// that the stored tree extends it; Checked is false when no verifier
	// key was given or no checkpoint exists, so nothing was checked.
	Checked, Verified bool
	// Message says what was checked, in one sentence.
	Message string
}

// AuditTrailService is the readable audit trail: search (administrators
// everything, supervisors their teams' cases and staff), export, the log's
// status, and a survivor's access report for the care team's lead and
// supervisors.
type AuditTrailService interface {
	// SearchAudit returns one page of the entries q selects that the actor
	// may see. Errors: Invalid, Forbidden.
	SearchAudit(ctx context.Context, q AuditQuery) (AuditPage, error)
	// ExportAudit returns up to AuditExportMax entries q selects, newest
	// first, and audits the export. Errors: Invalid, Forbidden.
	ExportAudit(ctx context.Context, q AuditQuery) ([]AuditRow, error)
	// AccessReport returns who opened survivorID's record and its parts,
	// when and why (emergency access included), newest first, up to
	// AuditExportMax rows. Errors: NotFound.
	AccessReport(ctx context.Context, survivorID string) ([]AuditRow, error)
	// AuditStatus reports the log's size and whether v accepts the latest
	// signed checkpoint and the stored tree extends it (v may be nil: then
	// nothing is checked). Errors: Forbidden.
	AuditStatus(ctx context.Context, v CheckpointVerifier) (AuditStatus, error)
}

// CheckpointVerifier checks a signed checkpoint's signature: the method
// set of golang.org/x/mod/sumdb/note.Verifier, so that any such verifier
// is one.
type CheckpointVerifier interface {
	Name() string
	KeyHash() uint32
	Verify(msg, sig []byte) bool
}
