package access

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

// rule is one allow rule of the expected matrix. The rules are written
// apart from Decide, as data, so that a change to either shows up as a
// difference. An empty set means "any"; everything no rule matches is
// expected to be denied.
type rule struct {
	roles     []haven.Role
	actions   []Action
	resources []Resource
	rels      []Relationship
	// when, if set, adds a condition on the class and flags.
	when func(Request) bool
}

var (
	care         = []haven.Role{haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor}
	survivorData = []Resource{Survivor, Screening, CarePlan, Task, Encounter, Membership, Referral, Consent, Disclosure}
	notTeam      = []Resource{Survivor, Screening, CarePlan, Task, Encounter, Referral, Consent, Disclosure}
	member       = []Relationship{CareTeam, CareLead}
	work         = []Action{Read, List, Create, Update, Export}
	reads        = []Action{Read, List, Export}
	writes       = []Action{Create, Update, Delete}
	sup          = []haven.Role{haven.RoleSupervisor}
	admin        = []haven.Role{haven.RoleAdmin}
	partner      = []haven.Role{haven.RolePartner}
	editor       = []haven.Role{haven.RoleEditor}
)

var expected = []rule{
	// Survivor data.
	{roles: care, actions: []Action{Create}, resources: []Resource{Survivor}, rels: []Relationship{None}},
	{roles: append(slices.Clone(care), haven.RoleAdmin), actions: work, resources: notTeam, rels: member},
	{roles: sup, actions: work, resources: notTeam, rels: []Relationship{TeamSupervisor}},
	{roles: sup, actions: []Action{Delete}, resources: notTeam, rels: []Relationship{CareTeam, CareLead, TeamSupervisor}},
	// The care team itself: members see it; the lead and supervisors change it.
	{roles: append(slices.Clone(care), haven.RoleAdmin), actions: reads, resources: []Resource{Membership}, rels: member},
	{roles: sup, actions: append(slices.Clone(reads), writes...), resources: []Resource{Membership}, rels: []Relationship{CareTeam, CareLead, TeamSupervisor}},
	{roles: care, actions: writes, resources: []Resource{Membership}, rels: []Relationship{CareLead}},
	{roles: sup, actions: []Action{Approve}, resources: []Resource{Disclosure}, rels: []Relationship{CareTeam, CareLead, TeamSupervisor},
		when: func(r Request) bool { return !r.OwnRequest }},
	// The accounting of disclosures of a crypto-shredded record: coded only.
	{roles: sup, actions: []Action{Read, List}, resources: []Resource{Disclosure}, rels: []Relationship{None},
		when: func(r Request) bool { return r.Class == haven.Coded }},
	{roles: care, actions: []Action{Read, List}, resources: survivorData, rels: []Relationship{BreakGlass},
		when: func(r Request) bool { return r.Now.Before(r.GrantExpires) }},
	{roles: partner, actions: []Action{Read, List}, resources: []Resource{Referral}, rels: []Relationship{Recipient},
		when: func(r Request) bool {
			return r.Consent == ConsentCovers || r.Consent == ConsentActive && r.Class == haven.Coded
		}},
	{roles: partner, actions: []Action{Update}, resources: []Resource{Referral}, rels: []Relationship{Recipient},
		when: func(r Request) bool { return r.Consent != NoConsent && r.Class == haven.Coded }},
	// Everything else.
	{actions: reads, resources: []Resource{Directory}},
	{roles: editor, actions: writes, resources: []Resource{Directory, ConfidentialLocation}},
	{roles: append(slices.Clone(care), haven.RoleEditor), actions: []Action{Read, List}, resources: []Resource{ConfidentialLocation}},
	{roles: []haven.Role{haven.RoleAdmin, haven.RoleSupervisor}, actions: reads, resources: []Resource{AuditLog}},
	{roles: admin, actions: []Action{Read, List, Create, Update, Delete, Export}, resources: []Resource{Users, Settings}},
	{roles: []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor}, actions: reads, resources: []Resource{Analytics}},
	{actions: []Action{Read, List, Update}, resources: []Resource{Training}},
	{roles: admin, actions: writes, resources: []Resource{Training}},
	{roles: care, actions: []Action{Create}, resources: []Resource{EmergencyAccess}},
	{roles: sup, actions: []Action{Read, List, Update}, resources: []Resource{EmergencyAccess}},
	{roles: append(slices.Clone(care), haven.RoleAnalyst), actions: []Action{Read, List}, resources: []Resource{Instruments}},
	{roles: admin, actions: writes, resources: []Resource{Instruments}},
	{roles: sup, actions: []Action{Read, List, Update}, resources: []Resource{DuplicateReview}},
	{roles: admin, actions: []Action{Read, List, Create, Update, Delete}, resources: []Resource{APITokens}},
}

// expectedSystem is what each system job may do, written apart from
// SystemGrants: "action resource" pairs.
var expectedSystem = map[haven.SystemJob][]string{
	JobUserAdd:           {"create users"},
	JobUserAdmin:         {"list users", "update users"},
	JobDemo:              {"create users", "create survivor", "update directory", "update confidential_location"},
	JobImportHSDS:        {"update directory", "update confidential_location"},
	JobExportHSDS:        {"export directory", "export confidential_location"},
	JobImportInstruments: {"update instruments"},
	JobDirectoryIndex:    {"read directory", "read confidential_location"},
	JobReferralReminders: {"create task"},
	JobAPITokens:         {"read api_tokens", "list api_tokens", "create api_tokens", "update api_tokens"},
}

func in[T comparable](set []T, v T) bool { return len(set) == 0 || slices.Contains(set, v) }

func expectAllow(r Request) bool {
	for _, ru := range expected {
		if in(ru.roles, r.Role) && in(ru.actions, r.Action) && in(ru.resources, r.Resource) && in(ru.rels, r.Relationship) &&
			(ru.when == nil || ru.when(r)) {
			return true
		}
	}
	return false
}

var matrixNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// conditions is every combination of the request fields beyond role,
// action, resource and relationship.
type conditions struct {
	class   haven.FieldClass
	consent ConsentScope
	own     bool
	live    bool
}

func everyCondition(fn func(conditions)) {
	for _, class := range haven.FieldClasses {
		for _, consent := range ConsentScopes {
			for _, own := range []bool{false, true} {
				for _, live := range []bool{false, true} {
					fn(conditions{class, consent, own, live})
				}
			}
		}
	}
}

func request(role haven.Role, act Action, res Resource, rel Relationship, c conditions) Request {
	expires := matrixNow // a grant that ends now is over
	if c.live {
		expires = matrixNow.Add(time.Hour)
	}
	return Request{Role: role, Action: act, Resource: res, Relationship: rel, Class: c.class,
		OwnRequest: c.own, Consent: c.consent, GrantExpires: expires, Now: matrixNow}
}

// everyRequest enumerates every role × action × resource × relationship ×
// field class × consent × own request × grant state.
func everyRequest(fn func(Request)) {
	for _, role := range haven.Roles {
		for _, act := range Actions {
			for _, res := range Resources {
				for _, rel := range Relationships {
					everyCondition(func(c conditions) { fn(request(role, act, res, rel, c)) })
				}
			}
		}
	}
}

var reasonCode = regexp.MustCompile(`^[a-z_]+$`)

func TestAccessMatrix(t *testing.T) {
	n, allowed := 0, 0
	everyRequest(func(r Request) {
		n++
		got := Decide(r)
		if want := expectAllow(r); got.Allow != want {
			t.Errorf("Decide(%s %s %s rel=%s class=%s own=%v %s live=%v)=%v (%s), want %v",
				r.Role, r.Action, r.Resource, r.Relationship, r.Class, r.OwnRequest, r.Consent, r.Now.Before(r.GrantExpires),
				got.Allow, got.Reason, want)
		}
		switch {
		case got.Allow:
			allowed++
			if got.Reason != ReasonAllowed {
				t.Errorf("Decide(%+v) allows with reason %q, want %q", r, got.Reason, ReasonAllowed)
			}
		case got.Reason == ReasonAllowed || !slices.Contains(Reasons, got.Reason) || !reasonCode.MatchString(got.Reason):
			t.Errorf("Decide(%+v) denies with reason %q, want a listed reason code", r, got.Reason)
		}
	})
	if want := len(haven.Roles) * len(Actions) * len(Resources) * len(Relationships) * len(haven.FieldClasses) * len(ConsentScopes) * 4; n != want {
		t.Errorf("checked %d requests, want %d", n, want)
	}
	t.Logf("%d requests checked, %d allowed", n, allowed)
}

func TestFocusedRules(t *testing.T) {
	now := matrixNow
	live, over := now.Add(time.Hour), now.Add(-time.Second)
	tests := []struct {
		name   string
		req    Request
		allow  bool
		reason string
	}{
		{"admin without care team sees no survivor", Request{Role: haven.RoleAdmin, Action: Read, Resource: Survivor, Relationship: None, Class: haven.Coded}, false, ReasonSeparationDuties},
		{"admin without care team lists no referral", Request{Role: haven.RoleAdmin, Action: List, Resource: Referral, Relationship: None, Class: haven.Coded}, false, ReasonSeparationDuties},
		{"admin may not break glass", Request{Role: haven.RoleAdmin, Action: Read, Resource: Survivor, Relationship: BreakGlass, Class: haven.Coded, GrantExpires: live, Now: now}, false, ReasonSeparationDuties},
		{"admin on care team", Request{Role: haven.RoleAdmin, Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Identifying}, true, ReasonAllowed},
		{"admin manages users", Request{Role: haven.RoleAdmin, Action: Update, Resource: Users, Relationship: None}, true, ReasonAllowed},
		{"break-glass read", Request{Role: haven.RoleAdvocate, Action: Read, Resource: Survivor, Relationship: BreakGlass, Class: haven.Sensitive, GrantExpires: live, Now: now}, true, ReasonAllowed},
		{"break-glass write", Request{Role: haven.RoleClinician, Action: Update, Resource: Survivor, Relationship: BreakGlass, Class: haven.Coded, GrantExpires: live, Now: now}, false, ReasonBreakGlassRead},
		{"break-glass export", Request{Role: haven.RoleSupervisor, Action: Export, Resource: CarePlan, Relationship: BreakGlass, Class: haven.Coded, GrantExpires: live, Now: now}, false, ReasonBreakGlassRead},
		{"break-glass expired a second ago", Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: BreakGlass, Class: haven.Coded, GrantExpires: over, Now: now}, false, ReasonBreakGlassExpire},
		{"break-glass expiring now", Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: BreakGlass, Class: haven.Coded, GrantExpires: now, Now: now}, false, ReasonBreakGlassExpire},
		{"break-glass without a grant", Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: BreakGlass, Class: haven.Coded, Now: now}, false, ReasonBreakGlassExpire},
		{"break-glass expired write", Request{Role: haven.RoleClinician, Action: Delete, Resource: Survivor, Relationship: BreakGlass, Class: haven.Coded, GrantExpires: over, Now: now}, false, ReasonBreakGlassExpire},
		{"supervisor approves a colleague's request", Request{Role: haven.RoleSupervisor, Action: Approve, Resource: Disclosure, Relationship: TeamSupervisor, Class: haven.Sensitive}, true, ReasonAllowed},
		{"supervisor approves own request", Request{Role: haven.RoleSupervisor, Action: Approve, Resource: Disclosure, Relationship: TeamSupervisor, Class: haven.Sensitive, OwnRequest: true}, false, ReasonSecondPerson},
		{"supervisor on care team approves own request", Request{Role: haven.RoleSupervisor, Action: Approve, Resource: Disclosure, Relationship: CareTeam, Class: haven.Coded, OwnRequest: true}, false, ReasonSecondPerson},
		{"clinician approves", Request{Role: haven.RoleClinician, Action: Approve, Resource: Disclosure, Relationship: CareTeam, Class: haven.Coded}, false, ReasonNoRule},
		{"partner coded with active consent", Request{Role: haven.RolePartner, Action: Read, Resource: Referral, Relationship: Recipient, Class: haven.Coded, Consent: ConsentActive}, true, ReasonAllowed},
		{"partner coded without consent", Request{Role: haven.RolePartner, Action: Read, Resource: Referral, Relationship: Recipient, Class: haven.Coded, Consent: NoConsent}, false, ReasonNoConsent},
		{"partner identifying outside consent", Request{Role: haven.RolePartner, Action: Read, Resource: Referral, Relationship: Recipient, Class: haven.Identifying, Consent: ConsentActive}, false, ReasonOutsideConsent},
		{"partner sensitive outside consent", Request{Role: haven.RolePartner, Action: List, Resource: Referral, Relationship: Recipient, Class: haven.Sensitive, Consent: ConsentActive}, false, ReasonOutsideConsent},
		{"partner identifying covered", Request{Role: haven.RolePartner, Action: Read, Resource: Referral, Relationship: Recipient, Class: haven.Identifying, Consent: ConsentCovers}, true, ReasonAllowed},
		{"partner moves status", Request{Role: haven.RolePartner, Action: Update, Resource: Referral, Relationship: Recipient, Class: haven.Coded, Consent: ConsentActive}, true, ReasonAllowed},
		{"partner edits sensitive", Request{Role: haven.RolePartner, Action: Update, Resource: Referral, Relationship: Recipient, Class: haven.Sensitive, Consent: ConsentCovers}, false, ReasonFieldClass},
		{"partner another org's referral", Request{Role: haven.RolePartner, Action: Read, Resource: Referral, Relationship: None, Class: haven.Coded, Consent: ConsentCovers}, false, ReasonNoRule},
		{"partner survivor record", Request{Role: haven.RolePartner, Action: Read, Resource: Survivor, Relationship: Recipient, Class: haven.Coded, Consent: ConsentCovers}, false, ReasonNoRule},
		{"partner shelter", Request{Role: haven.RolePartner, Action: Read, Resource: ConfidentialLocation, Relationship: None}, false, ReasonConfidential},
		{"analyst shelter", Request{Role: haven.RoleAnalyst, Action: List, Resource: ConfidentialLocation, Relationship: None}, false, ReasonConfidential},
		{"editor shelter", Request{Role: haven.RoleEditor, Action: Update, Resource: ConfidentialLocation, Relationship: None}, true, ReasonAllowed},
		{"editor exports shelters", Request{Role: haven.RoleEditor, Action: Export, Resource: ConfidentialLocation, Relationship: None}, false, ReasonNoRule},
		{"analyst record", Request{Role: haven.RoleAnalyst, Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Coded}, false, ReasonAggregatesOnly},
		{"analyst aggregates", Request{Role: haven.RoleAnalyst, Action: Export, Resource: Analytics, Relationship: None}, true, ReasonAllowed},
		{"stranger clinician", Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: None, Class: haven.Coded}, false, ReasonNotOnCareTeam},
		{"advocate deletes", Request{Role: haven.RoleAdvocate, Action: Delete, Resource: Survivor, Relationship: CareTeam, Class: haven.Coded}, false, ReasonNoRule},
		{"admin creates a user", Request{Role: haven.RoleAdmin, Action: Create, Resource: Users, Relationship: None}, true, ReasonAllowed},
		{"admin disables a user", Request{Role: haven.RoleAdmin, Action: Update, Resource: Users, Relationship: None}, true, ReasonAllowed},
		{"supervisor creates a user", Request{Role: haven.RoleSupervisor, Action: Create, Resource: Users, Relationship: None}, false, ReasonNoRule},
		{"supervisor changes a role", Request{Role: haven.RoleSupervisor, Action: Update, Resource: Users, Relationship: None}, false, ReasonNoRule},
		{"editor changes a role", Request{Role: haven.RoleEditor, Action: Update, Resource: Users, Relationship: None}, false, ReasonNoRule},
		{"clinician takes emergency access", Request{Role: haven.RoleClinician, Action: Create, Resource: EmergencyAccess, Relationship: None}, true, ReasonAllowed},
		{"admin takes emergency access", Request{Role: haven.RoleAdmin, Action: Create, Resource: EmergencyAccess, Relationship: None}, false, ReasonNoRule},
		{"supervisor reviews emergency access", Request{Role: haven.RoleSupervisor, Action: Update, Resource: EmergencyAccess, Relationship: None}, true, ReasonAllowed},
		{"advocate reviews emergency access", Request{Role: haven.RoleAdvocate, Action: Update, Resource: EmergencyAccess, Relationship: None}, false, ReasonNoRule},
		{"partner instruments", Request{Role: haven.RolePartner, Action: Read, Resource: Instruments, Relationship: None}, false, ReasonNoRule},
		{"admin imports an instrument", Request{Role: haven.RoleAdmin, Action: Update, Resource: Instruments, Relationship: None}, true, ReasonAllowed},
		{"no actor", Request{Action: Read, Resource: Directory, Relationship: None}, false, ReasonInvalid},
		{"no actor, survivor", Request{Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Coded}, false, ReasonInvalid},
		{"user add", Request{System: JobUserAdd, Action: Create, Resource: Users}, true, ReasonAllowed},
		{"user add changes a role", Request{System: JobUserAdd, Action: Update, Resource: Users}, false, ReasonSystemJob},
		{"user admin changes a role", Request{System: JobUserAdmin, Action: Update, Resource: Users}, true, ReasonAllowed},
		{"user admin creates no user", Request{System: JobUserAdmin, Action: Create, Resource: Users}, false, ReasonSystemJob},
		{"user admin changes no setting", Request{System: JobUserAdmin, Action: Update, Resource: Settings}, false, ReasonSystemJob},
		{"unknown job", Request{System: "backup", Action: Create, Resource: Users}, false, ReasonSystemJob},
		{"actor and job at once", Request{Role: haven.RoleAdmin, System: JobUserAdd, Action: Create, Resource: Users, Relationship: None}, false, ReasonInvalid},
	}
	for _, tt := range tests {
		got := Decide(tt.req)
		if got.Allow != tt.allow || got.Reason != tt.reason {
			t.Errorf("%s: Decide=%+v, want allow=%v reason=%s", tt.name, got, tt.allow, tt.reason)
		}
	}
}

// TestInvalidRequests: anything outside the enumerations is denied, even
// where every known value would be allowed.
func TestInvalidRequests(t *testing.T) {
	ok := Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Coded}
	if got := Decide(ok); !got.Allow {
		t.Fatalf("Decide(%+v)=%+v, want allowed", ok, got)
	}
	tests := []struct {
		name   string
		change func(*Request)
	}{
		{"role", func(r *Request) { r.Role = "root" }},
		{"empty role", func(r *Request) { r.Role = "" }},
		{"action", func(r *Request) { r.Action = "READ" }},
		{"resource", func(r *Request) { r.Resource = "survivors" }},
		{"relationship", func(r *Request) { r.Relationship = "" }},
		{"field class", func(r *Request) { r.Class = "" }},
		{"consent", func(r *Request) { r.Consent = 7 }},
	}
	for _, tt := range tests {
		r := ok
		tt.change(&r)
		if got := Decide(r); got.Allow || got.Reason != ReasonInvalid {
			t.Errorf("%s: Decide(%+v)=%+v, want denied with %s", tt.name, r, got, ReasonInvalid)
		}
	}
	dir := Request{Role: haven.RoleAnalyst, Action: Read, Resource: Directory, Relationship: None}
	if got := Decide(dir); !got.Allow {
		t.Errorf("Decide(%+v)=%+v, want allowed: field class is ignored outside survivor data", dir, got)
	}
}

// TestSystemJobs compares every system job (and one that is not listed)
// × action × resource × relationship with expectedSystem: a job reaches no
// survivor data and nothing beyond its grant.
func TestSystemJobs(t *testing.T) {
	jobs := SystemJobs()
	if got, want := len(jobs), len(expectedSystem); got != want {
		t.Errorf("SystemJobs()=%q: %d jobs, want %d", jobs, got, want)
	}
	for _, job := range append(jobs, "backup", "") {
		for _, act := range Actions {
			for _, res := range Resources {
				for _, rel := range Relationships {
					r := Request{System: job, Action: act, Resource: res, Relationship: rel, Class: haven.Coded}
					got := Decide(r)
					want := slices.Contains(expectedSystem[job], string(act)+" "+string(res))
					if got.Allow != want {
						t.Errorf("Decide(job=%q %s %s rel=%s)=%+v, want allow=%v", job, act, res, rel, got, want)
					}
					if !got.Allow && job == "" && got.Reason != ReasonInvalid {
						t.Errorf("Decide(no actor, %s %s)=%+v, want %s", act, res, got, ReasonInvalid)
					}
				}
			}
		}
	}
}

// TestCanSeeConfidential ties the one confidentiality check the directory
// uses to Decide and to the expected matrix.
func TestCanSeeConfidential(t *testing.T) {
	for _, role := range append(slices.Clone(haven.Roles), "", "root") {
		got := CanSeeConfidential(role)
		r := Request{Role: role, Action: Read, Resource: ConfidentialLocation, Relationship: None, Class: haven.Coded}
		if want := Decide(r).Allow; got != want {
			t.Errorf("CanSeeConfidential(%q)=%v, Decide says %v", role, got, want)
		}
		if want := role.Valid() && expectAllow(r); got != want {
			t.Errorf("CanSeeConfidential(%q)=%v, want %v", role, got, want)
		}
	}
}

func TestConsentScopeString(t *testing.T) {
	var got []string
	for _, c := range append(slices.Clone(ConsentScopes), 9) {
		got = append(got, c.String())
	}
	want := []string{"no consent", "consent active", "consent covers", "invalid"}
	if !slices.Equal(got, want) {
		t.Errorf("String=%q, want %q", got, want)
	}
}

// BenchmarkDecide times the common path and the longest ones.
func BenchmarkDecide(b *testing.B) {
	live := matrixNow.Add(time.Hour)
	reqs := []struct {
		name string
		req  Request
	}{
		{"care_team", Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Identifying}},
		{"break_glass", Request{Role: haven.RoleAdvocate, Action: Read, Resource: Screening, Relationship: BreakGlass, Class: haven.Sensitive, GrantExpires: live, Now: matrixNow}},
		{"partner", Request{Role: haven.RolePartner, Action: Read, Resource: Referral, Relationship: Recipient, Class: haven.Identifying, Consent: ConsentActive}},
		{"training", Request{Role: haven.RoleAdmin, Action: Delete, Resource: Training, Relationship: None}},
	}
	for _, r := range reqs {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Decide(r.req)
			}
		})
	}
}
