package access

import "github.com/haven-care/haven"

// The system jobs: work cmd/haven runs with no one signed in. Each is
// named here with what it may do, and nowhere else; a store method called
// with neither an actor nor one of these jobs is denied
// (Unauthenticated in the store; Decide finds such a request invalid).
// Migrations, key rotation, audit integration and verification work on
// the database below the access decision and need no job.
const (
	// JobUserAdd is `haven user add`: how the first administrator (and
	// any account, by whoever holds the database) is created.
	JobUserAdd haven.SystemJob = "user-add"
	// JobUserAdmin is `haven user list|disable|enable|role|reset`: user
	// administration by whoever holds the database, as the first
	// administrator is made.
	JobUserAdmin haven.SystemJob = "user-admin"
	// JobDemo is `serve --demo`, `haven demo directory` and `haven demo
	// cases`: demo accounts, a synthetic directory, shelters included, and
	// a synthetic caseload.
	JobDemo haven.SystemJob = "demo"
	// JobImportHSDS is `haven import hsds`, shelters included.
	JobImportHSDS haven.SystemJob = "import-hsds"
	// JobExportHSDS is `haven export hsds`; with --include-confidential it
	// exports shelters, which no role may.
	JobExportHSDS haven.SystemJob = "export-hsds"
	// JobImportInstruments is `haven instruments import`.
	JobImportInstruments haven.SystemJob = "import-instruments"
	// JobReferralReminders is serve's loop that raises a follow-up task for
	// the sender of each referral left waiting too long. It writes that
	// task, whose fixed text names nothing of the survivor, and reads no
	// survivor data.
	JobReferralReminders haven.SystemJob = "referral-reminders"
	// JobDirectoryIndex is serve's matching index, which loads every site,
	// shelters included, and hides them per role when it answers
	// (CanSeeConfidential).
	JobDirectoryIndex haven.SystemJob = "directory-index"
	// JobAPITokens is `haven token create|list|revoke`: API tokens for a
	// named account, issued, listed and revoked by whoever holds the
	// database.
	JobAPITokens haven.SystemJob = "api-tokens"
)

// SystemGrant is what one system job may do: every listed action on every
// listed resource.
type SystemGrant struct {
	Job       haven.SystemJob
	Actions   []Action
	Resources []Resource
}

// SystemGrants is the one list of system jobs and their rights.
var SystemGrants = []SystemGrant{
	{JobUserAdd, []Action{Create}, []Resource{Users}},
	{JobUserAdmin, []Action{List, Update}, []Resource{Users}},
	{JobDemo, []Action{Create}, []Resource{Users, Survivor}},
	{JobDemo, []Action{Update}, []Resource{Directory, ConfidentialLocation}},
	{JobImportHSDS, []Action{Update}, []Resource{Directory, ConfidentialLocation}},
	{JobExportHSDS, []Action{Export}, []Resource{Directory, ConfidentialLocation}},
	{JobImportInstruments, []Action{Update}, []Resource{Instruments}},
	{JobDirectoryIndex, []Action{Read}, []Resource{Directory, ConfidentialLocation}},
	{JobReferralReminders, []Action{Create}, []Resource{Task}},
	{JobAPITokens, []Action{Read, List, Create, Update}, []Resource{APITokens}},
}

// SystemJobs lists every job of SystemGrants once, in order.
func SystemJobs() []haven.SystemJob {
	var out []haven.SystemJob
	for _, g := range SystemGrants {
		if len(out) == 0 || out[len(out)-1] != g.Job {
			out = append(out, g.Job)
		}
	}
	return out
}

// decideSystem allows a system job what its grants list; none reads
// survivor data, which only a person on the care team may (the reminders
// job writes a follow-up task of fixed text, nothing more).
func decideSystem(r Request) Decision {
	for _, g := range SystemGrants {
		if g.Job == r.System && contains(g.Actions, r.Action) && contains(g.Resources, r.Resource) {
			return allow()
		}
	}
	return deny(ReasonSystemJob)
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Allowed reports whether role may take act on res with no relationship
// to a record (the least protected field class): the gate for pages,
// navigation and other whole-resource checks, derived from Decide.
func Allowed(role haven.Role, act Action, res Resource) bool {
	return Decide(Request{Role: role, Action: act, Resource: res, Relationship: None, Class: haven.Coded}).Allow
}

// CanSeeConfidential reports whether role may see confidential locations
// (shelters): Decide's answer to reading one. The directory's matching
// index, its PostgreSQL query and every surface that shows locations ask
// this; an empty role (no one signed in) may not.
func CanSeeConfidential(role haven.Role) bool {
	return Allowed(role, Read, ConfidentialLocation)
}
