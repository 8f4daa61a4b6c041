// Package access holds Haven's one access decision. Every request for
// survivor data, the directory, the audit log, training or administration
// passes through Decide; anything no rule allows is denied, with a reason
// code for the audit log. docs/access.md lists the whole matrix.
package access

import (
	"time"

	"github.com/haven-care/haven"
)

// Action is what the actor wants to do.
type Action string

// The actions. Approve applies to disclosures; Export is a bulk copy out
// of Haven (CSV, JSON, PDF, HSDS).
const (
	Read    Action = "read"
	List    Action = "list"
	Create  Action = "create"
	Update  Action = "update"
	Delete  Action = "delete"
	Approve Action = "approve"
	Export  Action = "export"
)

// Actions lists every action, for the matrix test and the docs.
var Actions = []Action{Read, List, Create, Update, Delete, Approve, Export}

// Resource is the kind of thing acted on.
type Resource string

// The resources. The first six hold survivor data; a confidential
// location (a shelter) is a directory location whose address is secret.
// Users is user administration (create, change role, disable);
// EmergencyAccess is the break-glass grant itself (taken by care roles,
// reviewed by supervisors), not the record it opens; Instruments are the
// screening questionnaires and how well they perform; DuplicateReview is
// the supervisors' queue of possible duplicates whose creators were not
// told of them (case numbers only). Task, Encounter and Membership are
// survivor data too: a case's tasks and follow-ups, its dated clinical
// notes, and who is on its care team (which the lead and supervisors
// change).
const (
	Survivor             Resource = "survivor"
	Screening            Resource = "screening"
	CarePlan             Resource = "care_plan"
	Referral             Resource = "referral"
	Consent              Resource = "consent"
	Disclosure           Resource = "disclosure"
	Directory            Resource = "directory"
	ConfidentialLocation Resource = "confidential_location"
	AuditLog             Resource = "audit_log"
	Users                Resource = "users"
	Settings             Resource = "settings"
	Analytics            Resource = "analytics"
	Training             Resource = "training"
	EmergencyAccess      Resource = "emergency_access"
	Instruments          Resource = "instruments"
	DuplicateReview      Resource = "duplicate_review"
	Task                 Resource = "task"
	Encounter            Resource = "encounter"
	Membership           Resource = "care_team_membership"
	// APITokens are the API tokens of another account than the actor's
	// own: those of service accounts, which administrators issue and
	// revoke (everyone manages their own tokens without asking).
	APITokens Resource = "api_tokens"
)

// Resources lists every resource, for the matrix test and the docs.
var Resources = []Resource{Survivor, Screening, CarePlan, Task, Encounter, Membership, Referral, Consent, Disclosure,
	Directory, ConfidentialLocation, AuditLog, Users, Settings, Analytics, Training, EmergencyAccess, Instruments,
	DuplicateReview, APITokens}

// Relationship is the actor's relationship to the record. The caller
// works it out (care team table, team membership, referral recipient,
// break-glass grants); Decide only judges it.
type Relationship string

// The relationships.
const (
	// None: no tie to the record; also what callers pass for resources that
	// are not a survivor's records, such as the directory.
	None Relationship = "none"
	// CareTeam: the actor is on the survivor's care team.
	CareTeam Relationship = "care_team"
	// CareLead: the actor leads the survivor's care team. The lead works
	// the record as any member does, and also changes the team.
	CareLead Relationship = "care_lead"
	// TeamSupervisor: the actor supervises the team of the care team.
	TeamSupervisor Relationship = "team_supervisor"
	// Recipient: the referral was sent to the actor's organization.
	Recipient Relationship = "recipient"
	// BreakGlass: the actor invoked emergency access to the record; the
	// grant's expiry goes in Request.GrantExpires.
	BreakGlass Relationship = "break_glass"
)

// Relationships lists every relationship, for the matrix test and the docs.
var Relationships = []Relationship{None, CareTeam, CareLead, TeamSupervisor, Recipient, BreakGlass}

// ConsentScope is what the survivor's consent allows the recipient of a
// referral. The caller compares the consent's recipient, expiry,
// revocation and data categories with the fields asked for; only partners
// depend on it.
type ConsentScope uint8

// The consent scopes, narrowest first.
const (
	// NoConsent: no consent names this recipient, or it expired or was
	// revoked (revocation takes effect at once).
	NoConsent ConsentScope = iota
	// ConsentActive: an active consent names the recipient, but its data
	// categories do not cover the fields asked for; coded fields only.
	ConsentActive
	// ConsentCovers: an active consent names the recipient and its data
	// categories cover the fields asked for.
	ConsentCovers
)

// ConsentScopes lists every scope, for the matrix test and the docs.
var ConsentScopes = []ConsentScope{NoConsent, ConsentActive, ConsentCovers}

// String returns the scope's name as the docs show it.
func (c ConsentScope) String() string {
	switch c {
	case NoConsent:
		return "no consent"
	case ConsentActive:
		return "consent active"
	case ConsentCovers:
		return "consent covers"
	}
	return "invalid"
}

// Request is one question to Decide: may an actor with Role take Action on
// Resource, standing in Relationship to it, touching fields up to Class?
type Request struct {
	// Role is the signed-in actor's role. It is empty when, and only
	// when, System names the command-line job acting instead; with
	// neither, the request is invalid and denied.
	Role         haven.Role
	System       haven.SystemJob
	Action       Action
	Resource     Resource
	Relationship Relationship
	// Class is the most protected field class the action touches. It is
	// required for survivor data and ignored for other resources.
	Class haven.FieldClass
	// OwnRequest is true when the actor asked for what is to be approved
	// (a disclosure): a second person must approve.
	OwnRequest bool
	// Consent is what the survivor's consent allows the actor's
	// organization (partners only).
	Consent ConsentScope
	// GrantExpires is when the break-glass grant ends; Now is the time of
	// the request. Both matter only with Relationship BreakGlass.
	GrantExpires time.Time
	Now          time.Time
}

// Decision is the answer: allowed or not, with a machine-readable reason
// code for the audit log. A reason never holds personal data.
type Decision struct {
	Allow  bool
	Reason string
}

// The reason codes: ReasonAllowed for every allow, the others for denials.
const (
	ReasonAllowed          = "allowed"
	ReasonInvalid          = "invalid_request"        // an unknown role, action, resource, relationship or field class
	ReasonNoRule           = "no_rule"                // no rule lets the role do this
	ReasonNotOnCareTeam    = "not_on_care_team"       // a care role without a tie to the record
	ReasonSeparationDuties = "separation_of_duties"   // an administrator outside the care team
	ReasonAggregatesOnly   = "aggregates_only"        // an analyst asking for a record
	ReasonSecondPerson     = "second_person_required" // approving one's own request
	ReasonBreakGlassRead   = "break_glass_read_only"  // a write under break-glass
	ReasonBreakGlassExpire = "break_glass_expired"    // the grant ended (or there is none)
	ReasonNoConsent        = "no_active_consent"      // a partner without an active consent
	ReasonOutsideConsent   = "outside_consent"        // fields beyond coded that the consent does not cover
	ReasonFieldClass       = "field_class_not_allowed"
	ReasonConfidential     = "confidential_location"  // a role that may not see shelters
	ReasonSystemJob        = "system_job_not_allowed" // a system job outside its grant
)

// Reasons lists every reason code.
var Reasons = []string{ReasonAllowed, ReasonInvalid, ReasonNoRule, ReasonNotOnCareTeam, ReasonSeparationDuties,
	ReasonAggregatesOnly, ReasonSecondPerson, ReasonBreakGlassRead, ReasonBreakGlassExpire, ReasonNoConsent,
	ReasonOutsideConsent, ReasonFieldClass, ReasonConfidential, ReasonSystemJob}

// valid reports whether every enumerated field of r is known. It uses
// switches rather than the lists so that Decide stays allocation- and
// loop-free.
func (r Request) valid() bool {
	if r.System != "" {
		return false // an actor and a system job at once
	}
	switch r.Role {
	case haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor, haven.RolePartner,
		haven.RoleEditor, haven.RoleAnalyst, haven.RoleAdmin:
	default:
		return false
	}
	switch r.Action {
	case Read, List, Create, Update, Delete, Approve, Export:
	default:
		return false
	}
	switch r.Relationship {
	case None, CareTeam, CareLead, TeamSupervisor, Recipient, BreakGlass:
	default:
		return false
	}
	if r.Resource.survivorData() {
		return validClass(r.Class) && r.Consent <= ConsentCovers
	}
	switch r.Resource {
	case Directory, ConfidentialLocation, AuditLog, Users, Settings, Analytics, Training, EmergencyAccess, Instruments, DuplicateReview,
		APITokens:
		return r.Consent <= ConsentCovers
	}
	return false
}

func validClass(c haven.FieldClass) bool {
	return c == haven.Identifying || c == haven.Sensitive || c == haven.Coded
}

// survivorData reports whether r holds survivor data.
func (r Resource) survivorData() bool {
	switch r {
	case Survivor, Screening, CarePlan, Task, Encounter, Membership, Referral, Consent, Disclosure:
		return true
	}
	return false
}
