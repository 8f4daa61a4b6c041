package access

import "github.com/haven-care/haven"

// Decide is the one access decision. It denies by default: a request is
// allowed only when a rule below allows it, and every denial carries a
// reason code. It is pure, allocation-free and safe for concurrent use.
func Decide(r Request) Decision {
	switch {
	case r.Role == "" && r.System != "":
		return decideSystem(r)
	case !r.valid():
		return deny(ReasonInvalid)
	case r.Resource.survivorData():
		return decideSurvivorData(r)
	}
	return decideOther(r)
}

func allow() Decision             { return Decision{true, ReasonAllowed} }
func deny(reason string) Decision { return Decision{false, reason} }

func allowIf(ok bool, reason string) Decision {
	if ok {
		return allow()
	}
	return deny(reason)
}

// careRole reports whether role works with survivors directly.
func careRole(role haven.Role) bool {
	return role == haven.RoleClinician || role == haven.RoleAdvocate || role == haven.RoleSupervisor
}

// outsider is the reason a role without a care tie is denied a record.
func outsider(role haven.Role) string {
	switch {
	case careRole(role):
		return ReasonNotOnCareTeam
	case role == haven.RoleAdmin:
		return ReasonSeparationDuties
	case role == haven.RoleAnalyst:
		return ReasonAggregatesOnly
	}
	return ReasonNoRule
}

// decideSurvivorData: the care team (an administrator too, when on it)
// and the team's supervisor work the record; a care role may open a new
// one; partners see referrals under consent; break-glass reads.
func decideSurvivorData(r Request) Decision {
	if r.Resource == Membership && r.Role != haven.RoleAnalyst && r.Role != haven.RolePartner && isWrite(r.Action) {
		return decideTeamChange(r)
	}
	if r.Relationship == CareLead {
		r.Relationship = CareTeam // the lead is a member with more say over the team only
	}
	switch {
	case r.Role == haven.RoleAnalyst:
		return deny(ReasonAggregatesOnly)
	case r.Role == haven.RolePartner:
		return decidePartner(r)
	case r.Relationship == BreakGlass:
		return decideBreakGlass(r)
	case r.Relationship == CareTeam && (careRole(r.Role) || r.Role == haven.RoleAdmin),
		r.Relationship == TeamSupervisor && r.Role == haven.RoleSupervisor:
		return decideCareTeam(r)
	case r.Action == Create && r.Resource == Survivor && r.Relationship == None && careRole(r.Role):
		return allow() // the creator joins the new record's care team
	case r.Resource == Disclosure && r.Relationship == None && r.Role == haven.RoleSupervisor &&
		(r.Action == Read || r.Action == List) && r.Class == haven.Coded:
		// The accounting of disclosures of a crypto-shredded record: no care
		// team is left, and it holds coded fields only (no personal data).
		return allow()
	}
	return deny(outsider(r.Role))
}

// decideTeamChange: the care team's lead and supervisors (on the team,
// or supervising its staff) add and remove members, name the lead and
// hand the case over; other members only see the team. Emergency access
// changes nothing.
func decideTeamChange(r Request) Decision {
	switch {
	case r.Relationship == BreakGlass:
		return decideBreakGlass(r)
	case r.Relationship == CareLead && careRole(r.Role),
		r.Relationship == CareTeam && r.Role == haven.RoleSupervisor,
		r.Relationship == TeamSupervisor && r.Role == haven.RoleSupervisor:
		return allow()
	case r.Relationship == CareTeam || r.Relationship == CareLead:
		return deny(ReasonNoRule) // a member, but not one who may change the team
	}
	return deny(outsider(r.Role))
}

// decideCareTeam: the care team reads and works the record; deleting
// (crypto-shredding a survivor) is a supervisor's act, and approving a
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

// decideBreakGlass: emergency access is for care roles, read-only (no
// export either) and only while the grant lasts.
func decideBreakGlass(r Request) Decision {
	switch {
	case !careRole(r.Role):
		return deny(outsider(r.Role))
	case !r.Now.Before(r.GrantExpires):
		return deny(ReasonBreakGlassExpire)
	case r.Action != Read && r.Action != List:
		return deny(ReasonBreakGlassRead)
	}
	return allow()
}

// decidePartner: a receiving organization sees only referrals sent to it
// while a consent is active: coded fields always, others only as far as
// the consent's data categories cover them. It moves a referral through
// its status (an update of coded fields) but edits nothing else.
func decidePartner(r Request) Decision {
	switch {
	case r.Resource != Referral || r.Relationship != Recipient:
		return deny(ReasonNoRule)
	case r.Action != Read && r.Action != List && r.Action != Update:
		return deny(ReasonNoRule)
	case r.Consent == NoConsent:
		return deny(ReasonNoConsent)
	case r.Class == haven.Coded:
		return allow()
	case r.Action == Update:
		return deny(ReasonFieldClass)
	}
	return allowIf(r.Consent == ConsentCovers, ReasonOutsideConsent)
}

// decideOther covers what is not survivor data; the relationship and the
// field class do not matter there.
func decideOther(r Request) Decision {
	role, act := r.Role, r.Action
	reads := act == Read || act == List || act == Export
	switch r.Resource {
	case Directory:
		return allowIf(reads || role == haven.RoleEditor && isWrite(act), ReasonNoRule)
	case ConfidentialLocation:
		return decideConfidential(r)
	case AuditLog:
		return allowIf(reads && (role == haven.RoleAdmin || role == haven.RoleSupervisor), ReasonNoRule)
	case Users, Settings:
		return allowIf(role == haven.RoleAdmin && act != Approve, ReasonNoRule)
	case Analytics:
		return allowIf(reads && (role == haven.RoleAnalyst || role == haven.RoleSupervisor), ReasonNoRule)
	case Training:
		return allowIf(act == Read || act == List || act == Update || role == haven.RoleAdmin && isWrite(act), ReasonNoRule)
	case EmergencyAccess:
		return decideEmergencyAccess(r)
	case Instruments:
		return allowIf((act == Read || act == List) && (careRole(role) || role == haven.RoleAnalyst) ||
			role == haven.RoleAdmin && isWrite(act), ReasonNoRule)
	case DuplicateReview:
		return allowIf((act == Read || act == List || act == Update) && role == haven.RoleSupervisor, ReasonNoRule)
	case APITokens:
		return allowIf(role == haven.RoleAdmin && act != Approve && act != Export, ReasonNoRule)
	}
	return deny(ReasonNoRule)
}

// decideConfidential: shelters are seen by the roles that place survivors
// in them and maintained by directory editors; no one exports them.
func decideConfidential(r Request) Decision {
	role, act := r.Role, r.Action
	switch {
	case !careRole(role) && role != haven.RoleEditor:
		return deny(ReasonConfidential)
	case act == Read || act == List:
		return allow()
	}
	return allowIf(role == haven.RoleEditor && isWrite(act), ReasonNoRule)
}

// decideEmergencyAccess: a care role takes a break-glass grant (the
// record it opens is decided with Relationship BreakGlass); supervisors
// list, read and review (update) the grants.
func decideEmergencyAccess(r Request) Decision {
	switch r.Action {
	case Create:
		return allowIf(careRole(r.Role), ReasonNoRule)
	case Read, List, Update:
		return allowIf(r.Role == haven.RoleSupervisor, ReasonNoRule)
	}
	return deny(ReasonNoRule)
}

func isWrite(a Action) bool { return a == Create || a == Update || a == Delete }
