package access

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

var update = flag.Bool("update", false, "rewrite docs/access.md")

// rule is one allow rule of the expected matrix. It is written apart from
// Decide, as data, so that a change to either shows up as a difference.
// Empty sets mean "any".
type rule struct {
	roles     []haven.Role
	actions   []Action
	resources []Resource
	rels      []Relationship
	// when, if set, adds a condition on the request's flags.
	when func(Request) bool
}

var (
	care         = []haven.Role{haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor}
	survivorData = []Resource{Survivor, Screening, CarePlan, Referral, Consent, Disclosure}
	work         = []Action{Read, List, Create, Update, Export}
	readish      = []Action{Read, List, Export}
	writes       = []Action{Create, Update, Delete}
	sup          = []haven.Role{haven.RoleSupervisor}
)

var expected = []rule{
	{roles: care, actions: []Action{Create}, resources: []Resource{Survivor}, rels: []Relationship{None}},
	{roles: append(slices.Clone(care), haven.RoleAdmin), actions: work, resources: survivorData, rels: []Relationship{CareTeam}},
	{roles: sup, actions: work, resources: survivorData, rels: []Relationship{TeamSupervisor}},
	{roles: sup, actions: []Action{Delete}, resources: survivorData, rels: []Relationship{CareTeam, TeamSupervisor}},
	{roles: sup, actions: []Action{Approve}, resources: []Resource{Disclosure}, rels: []Relationship{CareTeam, TeamSupervisor},
		when: func(r Request) bool { return !r.OwnRequest }},
	{roles: care, actions: []Action{Read, List}, resources: survivorData, rels: []Relationship{BreakGlass},
		when: func(r Request) bool { return r.Now.Before(r.GrantExpires) }},
	{roles: []haven.Role{haven.RolePartner}, actions: []Action{Read, List, Update}, resources: []Resource{Referral}, rels: []Relationship{Recipient},
		when: func(r Request) bool { return r.Class == haven.Coded || r.Consented }},
	{actions: readish, resources: []Resource{Directory}},
	{roles: []haven.Role{haven.RoleEditor}, actions: writes, resources: []Resource{Directory, ConfidentialLocation}},
	{roles: append(slices.Clone(care), haven.RoleEditor), actions: []Action{Read, List}, resources: []Resource{ConfidentialLocation}},
	{roles: []haven.Role{haven.RoleAdmin, haven.RoleSupervisor}, actions: readish, resources: []Resource{AuditLog}},
	{roles: []haven.Role{haven.RoleAdmin}, actions: []Action{Read, List, Create, Update, Delete, Export}, resources: []Resource{Users, Settings}},
	{roles: []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor}, actions: readish, resources: []Resource{Analytics}},
	{actions: []Action{Read, List, Update}, resources: []Resource{Training}},
	{roles: []haven.Role{haven.RoleAdmin}, actions: writes, resources: []Resource{Training}},
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

// everyRequest enumerates every role × action × resource × relationship ×
// field class × flag combination.
func everyRequest(fn func(Request)) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, role := range haven.Roles {
		for _, act := range Actions {
			for _, res := range Resources {
				for _, rel := range Relationships {
					for _, class := range haven.FieldClasses {
						for flags := 0; flags < 8; flags++ {
							expires := now.Add(-time.Minute)
							if flags&4 != 0 {
								expires = now.Add(time.Hour)
							}
							fn(Request{Role: role, Action: act, Resource: res, Relationship: rel, Class: class,
								OwnRequest: flags&1 != 0, Consented: flags&2 != 0, GrantExpires: expires, Now: now})
						}
					}
				}
			}
		}
	}
}

func TestAccessMatrix(t *testing.T) {
	n, allowed := 0, 0
	everyRequest(func(r Request) {
		n++
		got := Decide(r)
		if got.Allow != expectAllow(r) {
			t.Errorf("Decide(%s %s %s rel=%s class=%s own=%v consented=%v live=%v)=%v (%s), want %v",
				r.Role, r.Action, r.Resource, r.Relationship, r.Class, r.OwnRequest, r.Consented, r.Now.Before(r.GrantExpires),
				got.Allow, got.Reason, !got.Allow)
		}
		if got.Allow {
			allowed++
		} else if got.Reason == "" || got.Reason == ReasonAllowed {
			t.Errorf("a denial without a reason: %+v", r)
		}
	})
	t.Logf("%d requests checked, %d allowed", n, allowed)
}

func TestFocusedRules(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name   string
		req    Request
		allow  bool
		reason string
	}{
		{"admin without care team sees no survivor", Request{Role: haven.RoleAdmin, Action: Read, Resource: Survivor, Relationship: None, Class: haven.Coded}, false, ReasonSeparationDuties},
		{"admin on care team", Request{Role: haven.RoleAdmin, Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Identifying}, true, ReasonAllowed},
		{"break-glass write", Request{Role: haven.RoleClinician, Action: Update, Resource: Survivor, Relationship: BreakGlass, GrantExpires: now.Add(time.Hour), Now: now}, false, ReasonBreakGlassRead},
		{"break-glass expired", Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: BreakGlass, GrantExpires: now, Now: now}, false, ReasonBreakGlassExpire},
		{"break-glass read", Request{Role: haven.RoleAdvocate, Action: Read, Resource: Survivor, Relationship: BreakGlass, GrantExpires: now.Add(time.Minute), Now: now}, true, ReasonAllowed},
		{"supervisor approves own request", Request{Role: haven.RoleSupervisor, Action: Approve, Resource: Disclosure, Relationship: TeamSupervisor, OwnRequest: true}, false, ReasonSecondPerson},
		{"partner identifying without consent", Request{Role: haven.RolePartner, Action: Read, Resource: Referral, Relationship: Recipient, Class: haven.Identifying}, false, ReasonNotConsented},
		{"partner survivor record", Request{Role: haven.RolePartner, Action: Read, Resource: Survivor, Relationship: Recipient, Class: haven.Coded, Consented: true}, false, ReasonNoRule},
		{"analyst record", Request{Role: haven.RoleAnalyst, Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Coded}, false, ReasonAggregatesOnly},
		{"stranger clinician", Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: None, Class: haven.Coded}, false, ReasonNotOnCareTeam},
		{"unknown role", Request{Role: "root", Action: Read, Resource: Directory}, false, ReasonNoRule},
	}
	for _, tt := range tests {
		got := Decide(tt.req)
		if got.Allow != tt.allow || got.Reason != tt.reason {
			t.Errorf("%s: Decide=%+v, want allow=%v reason=%s", tt.name, got, tt.allow, tt.reason)
		}
	}
}

// TestMatrixDoc keeps docs/access.md, the readable matrix, in step with
// Decide; run with -update to rewrite it.
func TestMatrixDoc(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Access matrix\n\nGenerated by `go test ./internal/access -update` from `access.Decide`; do not edit.\n\n")
	b.WriteString("Each cell lists the actions a role may take on a resource for each relationship, when the field class is\n")
	b.WriteString("identifying, the actor did not request what is approved, there is no consent (partners) and any\n")
	b.WriteString("break-glass grant is live. Everything not listed is denied.\n\n")
	b.WriteString("| resource | relationship | " + strings.Join(roleNames(), " | ") + " |\n|---|---|" + strings.Repeat("---|", len(haven.Roles)) + "\n")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, res := range Resources {
		for _, rel := range Relationships {
			row := fmt.Sprintf("| %s | %s |", res, rel)
			for _, role := range haven.Roles {
				var acts []string
				for _, act := range Actions {
					r := Request{Role: role, Action: act, Resource: res, Relationship: rel, Class: haven.Identifying, GrantExpires: now.Add(time.Hour), Now: now}
					if Decide(r).Allow {
						acts = append(acts, string(act))
					}
				}
				row += " " + strings.Join(acts, ", ") + " |"
			}
			b.WriteString(row + "\n")
		}
	}
	const path = "../../docs/access.md"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != b.String() {
		t.Errorf("docs/access.md is stale: run go test ./internal/access -update (%v)", err)
	}
}

func roleNames() []string {
	var out []string
	for _, r := range haven.Roles {
		out = append(out, string(r))
	}
	return out
}

func BenchmarkDecide(b *testing.B) {
	r := Request{Role: haven.RoleClinician, Action: Read, Resource: Survivor, Relationship: CareTeam, Class: haven.Identifying}
	b.ReportAllocs()
	for b.Loop() {
		Decide(r)
	}
}
