// Package access holds Haven's one access decision. Every request for
// survivor data, the directory, the audit log or administration passes
// through Decide; anything no rule allows is denied.
package access

import (
	"time"

	"github.com/haven-care/haven"
)

// Action is what the actor wants to do.
type Action string

// Actions.
const (
	Read    Action = "read"
	List    Action = "list"
	Create  Action = "create"
	Update  Action = "update"
	Delete  Action = "delete"
	Approve Action = "approve"
	Export  Action = "export"
)

// Actions lists every action.
var Actions = []Action{Read, List, Create, Update, Delete, Approve, Export}

// Resource is the kind of thing acted on.
type Resource string

// Resources. The first six hold survivor data.
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
)

// Resources lists every resource.
var Resources = []Resource{Survivor, Screening, CarePlan, Referral, Consent, Disclosure, Directory,
	ConfidentialLocation, AuditLog, Users, Settings, Analytics, Training}

// survivorData reports whether r holds survivor data.
func (r Resource) survivorData() bool {
	switch r {
	case Survivor, Screening, CarePlan, Referral, Consent, Disclosure:
		return true
	}
	return false
}

// Relationship is the actor's relationship to the record.
type Relationship string

// Relationships.
const (
	// None: no tie to the record (also used for resources that are not
	// records of a survivor, such as the directory).
	None Relationship = "none"
	// CareTeam: the actor is on the survivor's care team.
	CareTeam Relationship = "care_team"
	// TeamSupervisor: the actor supervises a member of the care team.
	TeamSupervisor Relationship = "team_supervisor"
	// Recipient: the referral was sent to the actor's organization.
	Recipient Relationship = "recipient"
	// BreakGlass: the actor holds an unexpired emergency-access grant.
	BreakGlass Relationship = "break_glass"
)

// Relationships lists every relationship.
var Relationships = []Relationship{None, CareTeam, TeamSupervisor, Recipient, BreakGlass}

// Request is one question to Decide.
type Request struct {
	Role         haven.Role
	Action       Action
	Resource     Resource
	Relationship Relationship
	// Class is the most protected field class the action touches.
	Class haven.FieldClass
	// OwnRequest is true when the actor asked for what is to be approved
	// (a disclosure): a second person must approve.
	OwnRequest bool
	// Consented is true when an active consent covers the recipient and
	// the data categories (partners only see what it covers).
	Consented bool
	// GrantExpires is when a break-glass grant ends; Now is the time of
	// the request.
	GrantExpires time.Time
	Now          time.Time
}

// Decision is the answer: allowed or not, with a coded reason for the
// audit log (never personal data).
type Decision struct {
	Allow  bool
	Reason string
}

// Deny reasons.
const (
	ReasonAllowed          = "allowed"
	ReasonNoRule           = "no_rule"
	ReasonNotOnCareTeam    = "not_on_care_team"
	ReasonSeparationDuties = "separation_of_duties"
	ReasonSecondPerson     = "second_person_required"
	ReasonBreakGlassRead   = "break_glass_read_only"
	ReasonBreakGlassExpire = "break_glass_expired"
	ReasonNotConsented     = "not_consented"
	ReasonAggregatesOnly   = "aggregates_only"
)

func allow() Decision             { return Decision{true, ReasonAllowed} }
func deny(reason string) Decision { return Decision{false, reason} }

// Decide is the one access decision. Deny by default.
func Decide(r Request) Decision {
	if !r.Role.Valid() {
		return deny(ReasonNoRule)
	}
	if r.Resource.survivorData() {
		return decideSurvivorData(r)
	}
	return decideOther(r)
}

// careRoles work with survivors directly.
func careRole(role haven.Role) bool {
	return role == haven.RoleClinician || role == haven.RoleAdvocate || role == haven.RoleSupervisor
}

func decideSurvivorData(r Request) Decision {
	switch {
	case r.Role == haven.RoleAnalyst:
		return deny(ReasonAggregatesOnly)
	case r.Role == haven.RolePartner:
		return decidePartner(r)
	case r.Relationship == BreakGlass:
		return decideBreakGlass(r)
	case r.Action == Create && r.Resource == Survivor && r.Relationship == None:
		return allowIf(careRole(r.Role), ReasonNoRule)
	case r.Relationship == CareTeam && (careRole(r.Role) || r.Role == haven.RoleAdmin):
		return decideCareTeam(r)
	case r.Relationship == TeamSupervisor && r.Role == haven.RoleSupervisor:
		return decideCareTeam(r)
	case r.Role == haven.RoleAdmin:
		return deny(ReasonSeparationDuties)
	}
	return deny(ReasonNotOnCareTeam)
}

// decideCareTeam: the care team reads and works the record; deleting a
// survivor (crypto-shredding) is a supervisor's act, and approving a
// disclosure needs a supervisor who did not ask for it.
func decideCareTeam(r Request) Decision {
	switch r.Action {
	case Read, List, Create, Update, Export:
		return allow()
	case Delete:
		return allowIf(r.Role == haven.RoleSupervisor, ReasonNoRule)
	case Approve:
		if r.Resource != Disclosure || r.Role != haven.RoleSupervisor {
			return deny(ReasonNoRule)
		}
		return allowIf(!r.OwnRequest, ReasonSecondPerson)
	}
	return deny(ReasonNoRule)
}

func decideBreakGlass(r Request) Decision {
	switch {
	case !careRole(r.Role):
		return deny(ReasonNoRule)
	case !r.Now.Before(r.GrantExpires):
		return deny(ReasonBreakGlassExpire)
	case r.Action != Read && r.Action != List:
		return deny(ReasonBreakGlassRead)
	}
	return allow()
}

// decidePartner: a receiving organization sees and moves only referrals
// sent to it, and beyond coded fields only what the consent covers.
func decidePartner(r Request) Decision {
	switch {
	case r.Resource != Referral || r.Relationship != Recipient:
		return deny(ReasonNoRule)
	case r.Action != Read && r.Action != List && r.Action != Update:
		return deny(ReasonNoRule)
	case r.Class != haven.Coded && !r.Consented:
		return deny(ReasonNotConsented)
	}
	return allow()
}

// decideOther covers what is not survivor data.
func decideOther(r Request) Decision {
	role, act := r.Role, r.Action
	switch r.Resource {
	case Directory:
		return allowIf(act == Read || act == List || act == Export || role == haven.RoleEditor && isWrite(act), ReasonNoRule)
	case ConfidentialLocation:
		sees := careRole(role) || role == haven.RoleEditor
		return allowIf(sees && (act == Read || act == List) || role == haven.RoleEditor && isWrite(act), ReasonNoRule)
	case AuditLog:
		return allowIf((role == haven.RoleAdmin || role == haven.RoleSupervisor) && (act == Read || act == List || act == Export), ReasonNoRule)
	case Users, Settings:
		return allowIf(role == haven.RoleAdmin && act != Approve, ReasonNoRule)
	case Analytics:
		return allowIf((role == haven.RoleAnalyst || role == haven.RoleSupervisor) && (act == Read || act == List || act == Export), ReasonNoRule)
	case Training:
		return allowIf(act == Read || act == List || act == Update || role == haven.RoleAdmin && isWrite(act), ReasonNoRule)
	}
	return deny(ReasonNoRule)
}

func isWrite(a Action) bool { return a == Create || a == Update || a == Delete }

func allowIf(ok bool, reason string) Decision {
	if ok {
		return allow()
	}
	return deny(reason)
}
