package haven

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A referral connects a survivor to a service of the directory under a
// consent that covers its recipient, purpose and kinds of information
// (PRODUCT.md §5). The receiving organization moves it through a subset
// of the FHIR Task statuses; the sender cancels it, and for an
// organization with no Haven users records its statuses by hand.

// ReferralStatus is a referral's state: FHIR Task status codes.
type ReferralStatus string

// The statuses.
const (
	ReferralRequested  ReferralStatus = "requested"
	ReferralAccepted   ReferralStatus = "accepted"
	ReferralRejected   ReferralStatus = "rejected"
	ReferralCancelled  ReferralStatus = "cancelled"
	ReferralInProgress ReferralStatus = "in-progress"
	ReferralOnHold     ReferralStatus = "on-hold"
	ReferralCompleted  ReferralStatus = "completed"
	ReferralFailed     ReferralStatus = "failed"
)

// ReferralStatuses lists every status in the order a referral moves.
var ReferralStatuses = []ReferralStatus{ReferralRequested, ReferralAccepted, ReferralInProgress, ReferralOnHold,
	ReferralCompleted, ReferralRejected, ReferralCancelled, ReferralFailed}

// referralMoves is the state machine: where each status may go.
var referralMoves = map[ReferralStatus][]ReferralStatus{
	ReferralRequested:  {ReferralAccepted, ReferralRejected, ReferralCancelled},
	ReferralAccepted:   {ReferralInProgress, ReferralOnHold, ReferralCompleted, ReferralFailed, ReferralCancelled},
	ReferralInProgress: {ReferralOnHold, ReferralCompleted, ReferralFailed, ReferralCancelled},
	ReferralOnHold:     {ReferralInProgress, ReferralCompleted, ReferralFailed, ReferralCancelled},
}

// Terminal reports whether s ends the referral.
func (s ReferralStatus) Terminal() bool {
	return s == ReferralRejected || s == ReferralCancelled || s == ReferralCompleted || s == ReferralFailed
}

// Open reports whether s still waits on someone.
func (s ReferralStatus) Open() bool { return slices.Contains(ReferralStatuses, s) && !s.Terminal() }

// NeedsReason reports whether moving to s needs a reason: rejecting,
// cancelling and failing say why, for the sender and the gap analysis.
func (s ReferralStatus) NeedsReason() bool {
	return s == ReferralRejected || s == ReferralCancelled || s == ReferralFailed
}

// CheckMove reports whether a referral may go from s to next, with the
// reason in words when it may not.
func (s ReferralStatus) CheckMove(next ReferralStatus) error {
	if !slices.Contains(ReferralStatuses, next) {
		return FieldError("status", "Choose one of the referral statuses.")
	}
	if slices.Contains(referralMoves[s], next) {
		return nil
	}
	if s.Terminal() {
		return Errorf(Conflict, "This referral is %s: it can no longer change.", s)
	}
	var can []string
	for _, n := range referralMoves[s] {
		can = append(can, string(n))
	}
	return Errorf(Conflict, "A referral that is %s can become %s, not %s.", s, strings.Join(can, ", "), next)
}

// ReferralReason is a coded reason a referral was rejected, cancelled or
// failed: the gap analysis counts them.
type ReferralReason string

// The reasons.
const (
	ReasonNoCapacity       ReferralReason = "no-capacity"
	ReasonIneligible       ReferralReason = "ineligible"
	ReasonLanguageMismatch ReferralReason = "language-mismatch"
	ReasonSurvivorDeclined ReferralReason = "survivor-declined"
	ReasonUnreachable      ReferralReason = "unreachable"
	ReasonOther            ReferralReason = "other"
)

// ReferralReasons lists every reason.
var ReferralReasons = []ReferralReason{ReasonNoCapacity, ReasonIneligible, ReasonLanguageMismatch, ReasonSurvivorDeclined,
	ReasonUnreachable, ReasonOther}

const maxReferralNote = 2000

// NewReferral is what the sender chooses. The JSON names are the API's.
type NewReferral struct {
	ServiceID string `json:"service_id"`
	// NeedID is the care-plan need it serves, if any.
	NeedID string `json:"need_id,omitempty"`
	// ConsentID names the consent that covers it; the server checks that
	// it does, whatever the client says.
	ConsentID string `json:"consent_id"`
	// Categories are the kinds of information the packet carries: those
	// of the consent at most (basic always).
	Categories []DataCategory `json:"categories"`
	// Note is a message to the receiving organization (sealed).
	Note string `json:"note,omitempty"`
}

// Validate checks nr's shape; the consent, service and need are checked
// against the store.
func (nr *NewReferral) Validate() error {
	errs := map[string]string{}
	nr.ServiceID, nr.NeedID, nr.ConsentID = strings.TrimSpace(nr.ServiceID), strings.TrimSpace(nr.NeedID), strings.TrimSpace(nr.ConsentID)
	if nr.ServiceID == "" {
		errs["service_id"] = "Choose the service to refer to."
	}
	if nr.ConsentID == "" {
		errs["consent_id"] = "Choose the survivor's consent that covers this referral, or record one first."
	}
	var ok bool
	if nr.Categories, ok = NormalizeCategories(nr.Categories); !ok {
		errs["categories"] = "Choose only the listed kinds of information."
	}
	if utf8.RuneCountInString(nr.Note) > maxReferralNote {
		errs["note"] = "Use at most 2000 characters."
	}
	if len(errs) > 0 {
		return &Error{Kind: Invalid, Message: "Please correct the highlighted fields.", Fields: errs}
	}
	return nil
}

// Referral is a referral as its sender and its recipient see it; the
// survivor's information travels apart, in the packet.
type Referral struct {
	ID         string `json:"id"`
	SurvivorID string `json:"survivor_id,omitempty"` // the care team's view only
	// CaseNumber is the pseudonymous case number, which every packet
	// carries (basic): the recipient names the case by it.
	CaseNumber     string         `json:"case_number"`
	ServiceID      string         `json:"service_id"`
	ServiceName    string         `json:"service_name"`
	OrganizationID string         `json:"organization_id"`
	Organization   string         `json:"organization_name"`
	NeedID         string         `json:"need_id,omitempty"`
	NeedDomain     string         `json:"need_domain,omitempty"`
	ConsentID      string         `json:"consent_id"`
	Categories     []DataCategory `json:"categories"`
	Status         ReferralStatus `json:"status"`
	Reason         ReferralReason `json:"reason,omitempty"`
	// ByHand is set when the organization has no Haven users: the sender
	// prints the packet and records its statuses.
	ByHand    bool            `json:"by_hand"`
	Note      string          `json:"note,omitempty"`
	SenderID  string          `json:"sender_id"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	History   []ReferralEvent `json:"history,omitempty"`
}

// ReferralEvent is one change of a referral's status.
type ReferralEvent struct {
	Status    ReferralStatus `json:"status"`
	Reason    ReferralReason `json:"reason,omitempty"`
	Note      string         `json:"note,omitempty"`
	ChangedBy string         `json:"changed_by"`
	ChangedAt time.Time      `json:"changed_at"`
}

// StatusChange moves a referral; Reason is required where NeedsReason says.
// NeedNotMet keeps the care-plan need open when a referral completes
// (completed moves the need to met unless the worker says otherwise).
type StatusChange struct {
	Status     ReferralStatus `json:"status"`
	Reason     ReferralReason `json:"reason,omitempty"`
	Note       string         `json:"note,omitempty"`
	NeedNotMet bool           `json:"need_not_met,omitempty"`
}

// Validate checks sc's shape.
func (sc StatusChange) Validate() error {
	errs := map[string]string{}
	if !slices.Contains(ReferralStatuses, sc.Status) || sc.Status == ReferralRequested {
		errs["status"] = "Choose the referral's new status."
	}
	switch {
	case sc.Status.NeedsReason() && !slices.Contains(ReferralReasons, sc.Reason):
		errs["reason"] = "Say why: rejecting, cancelling or failing a referral needs a reason."
	case !sc.Status.NeedsReason() && sc.Reason != "":
		errs["reason"] = "Only a rejected, cancelled or failed referral takes a reason."
	}
	if utf8.RuneCountInString(sc.Note) > maxReferralNote {
		errs["note"] = "Use at most 2000 characters."
	}
	if len(errs) > 0 {
		return &Error{Kind: Invalid, Message: "Please correct the highlighted fields.", Fields: errs}
	}
	return nil
}

// Packet is what the receiving organization receives about the survivor:
// the basics always, and each other kind of information only when the
// referral carries it (and so the consent covers it). Nothing else of the
// record ever reaches the recipient.
type Packet struct {
	ReferralID string               `json:"referral_id"`
	CaseNumber string               `json:"case_number"`
	AgeBand    AgeBand              `json:"age_band"`
	Minor      bool                 `json:"minor"`
	NeedDomain string               `json:"need_domain,omitempty"`
	Languages  []LanguagePreference `json:"languages"`
	Categories []DataCategory       `json:"categories"`
	Identity   *PacketIdentity      `json:"identity,omitempty"`
	Contact    *PacketContact       `json:"contact,omitempty"`
	Care       *PacketCare          `json:"care,omitempty"`
	Sensitive  *PacketSensitive     `json:"sensitive,omitempty"`
	Screening  *PacketScreening     `json:"screening,omitempty"`
	Note       string               `json:"note,omitempty"`
}

// PacketIdentity is the identity category.
type PacketIdentity struct {
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases"`
	DateOfBirth string   `json:"date_of_birth,omitempty"`
}

// PacketContact is the contact category: how to reach the survivor safely.
type PacketContact struct {
	Phones      []string        `json:"phones"`
	Emails      []string        `json:"emails"`
	SafeContact SafeContactPlan `json:"safe_contact"`
}

// PacketCare is the care category.
type PacketCare struct {
	CulturalConsiderations string `json:"cultural_considerations,omitempty"`
	FaithConsiderations    string `json:"faith_considerations,omitempty"`
	PreferredGender        string `json:"preferred_provider_gender,omitempty"`
}

// PacketSensitive is the sensitive category; narrative notes never travel.
type PacketSensitive struct {
	ImmigrationStatus string `json:"immigration_status,omitempty"`
}

// PacketScreening is the screening category: the latest screening's
// coded outcome, never the answers.
type PacketScreening struct {
	Concern    string    `json:"concern"`
	Flagged    []string  `json:"flagged"`
	Screened   time.Time `json:"screened_at"`
	Instrument string    `json:"instrument"`
}

// ReferralService keeps referrals. Every method checks access for the
// actor in the context and writes an audit entry, reads included.
type ReferralService interface {
	// CreateReferral sends a referral under a covering consent; the
	// server refuses one without. Errors: Invalid, NotFound, Forbidden.
	CreateReferral(ctx context.Context, survivorID string, nr NewReferral) (*Referral, error)
	// Referrals lists a survivor's referrals for the care team.
	Referrals(ctx context.Context, survivorID string) ([]Referral, error)
	// Referral reads one, for the care team or the receiving organization
	// (while its consent lasts). Errors: NotFound.
	Referral(ctx context.Context, referralID string) (*Referral, error)
	// Packet is the referral's packet as its recipient receives it.
	Packet(ctx context.Context, referralID string) (*Packet, error)
	// PreviewPacket is the packet a referral would carry, for the sender.
	PreviewPacket(ctx context.Context, survivorID string, nr NewReferral) (*Packet, error)
	// Inbox lists the referrals sent to the partner's organization whose
	// consent is in force, newest first.
	Inbox(ctx context.Context) ([]Referral, error)
	// MoveReferral changes a referral's status under the state machine.
	// Errors: Invalid, Conflict (an illegal move, with the reason), NotFound.
	MoveReferral(ctx context.Context, referralID string, sc StatusChange) (*Referral, error)
}
