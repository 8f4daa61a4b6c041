package web

import (
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// gate is what a page asks the access decision before it answers: may the
// signed-in user's role take action on resource? The navigation offers a
// link exactly when its page's gate allows the role, so the two cannot
// drift apart. The zero gate admits every signed-in user: their own
// account and sessions, and texts meant for survivors.
type gate struct {
	action   access.Action
	resource access.Resource
}

// The gates of the web interface, each used by its pages, its navigation
// entry and any control that leads to it.
var (
	signedInOnly = gate{}
	// gateSurvivors: care roles open and work survivors' records (each
	// record is decided again, with the actor's relationship, by the store).
	gateSurvivors     = gate{access.Create, access.Survivor}
	gateDirectory     = gate{access.Read, access.Directory}
	gateDirectoryEdit = gate{access.Update, access.Directory}
	gateAccuracy      = gate{access.Read, access.Analytics}
	// gateGap: the gap and equity report, suppressed aggregates only.
	gateGap              = gate{access.Read, access.Analytics}
	gateBreakGlass       = gate{access.Create, access.EmergencyAccess}
	gateBreakGlassReview = gate{access.Update, access.EmergencyAccess}
	gateTranslations     = gate{access.Update, access.Settings}
	gateDuplicates       = gate{access.Update, access.DuplicateReview}
	// gateCaseload: a supervisor lists the cases of the teams they
	// supervise (the store decides which those are); see reachedThrough.
	gateCaseload = gate{access.List, access.Survivor}
	// gateTeams: administrators, who manage users, keep the teams of staff.
	gateTeams = gate{access.Update, access.Users}
	// gateUsers: administrators add users, change roles, disable and
	// enable accounts, reset two-step sign-in and set its policy.
	gateUsers = gate{access.Update, access.Users}
	// gateInbox: a receiving organization's partners, who reach referrals
	// as their recipient (each is decided again with its consent).
	gateInbox = gate{access.List, access.Referral}
	// gateAudit: administrators and supervisors search the audit trail
	// (the store narrows a supervisor's to their teams' staff and cases).
	gateAudit       = gate{access.List, access.AuditLog}
	gateAuditExport = gate{access.Export, access.AuditLog}
	// gateTraining: every role takes training and keeps its own records.
	gateTraining = gate{access.Read, access.Training}
	// gateTrainingPolicy: administrators change the training settings and
	// other users' licences.
	gateTrainingPolicy = gate{access.Update, access.Settings}
	// gateApprovals: supervisors decide the requests for disclosure of the
	// cases they supervise (each is decided again, with the second-person
	// rule, by the store).
	gateApprovals = gate{access.Approve, access.Disclosure}
)

// reachedThrough names, for a gate whose page reaches records through a
// relationship rather than none, that relationship: a caseload lists the
// records a supervisor supervises.
var reachedThrough = map[gate]access.Relationship{gateCaseload: access.TeamSupervisor, gateInbox: access.Recipient,
	gateApprovals: access.TeamSupervisor}

// allows reports whether g admits role, asking access.Allowed (Decide with
// no relationship to a record).
func (g gate) allows(role haven.Role) bool {
	if rel, ok := reachedThrough[g]; ok {
		// A recipient reaches referrals while a consent is in force.
		return access.Decide(access.Request{Role: role, Action: g.action, Resource: g.resource, Relationship: rel,
			Class: haven.Coded, Consent: access.ConsentActive}).Allow
	}
	return g == signedInOnly || access.Allowed(role, g.action, g.resource)
}

// require returns Unauthenticated without a session and Forbidden unless g
// admits the signed-in user's role.
func require(r *http.Request, g gate) error {
	s, ok := signedIn(r.Context())
	if !ok {
		return haven.Errorf(haven.Unauthenticated, "Please sign in.")
	}
	if !g.allows(s.user.Role) {
		return errForbidden
	}
	return nil
}
