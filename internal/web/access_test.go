package web_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/web"
)

// signedInOnly are the pages every signed-in user may open without asking
// the access decision: their own account and sessions, the home page, and
// the texts printed for survivors. Any other page must name its gate.
// (/account/tokens: everyone keeps their own API tokens there; its
// administrators' part asks its own gate.)
var signedInOnly = []string{"/", "/survivor-texts", "/sessions", "/account/two-step", "/account/password", "/account/tokens"}

// TestNavigationFollowsDecide: for each role, each navigation entry is
// shown exactly when access.Decide allows its page's action.
func TestNavigationFollowsDecide(t *testing.T) {
	for _, n := range web.NavEntries() {
		if n.SignedInOnly != slices.Contains(signedInOnly, n.Href) {
			t.Errorf("%s: signed-in-only=%v; only %q may skip the access decision", n.Href, n.SignedInOnly, signedInOnly)
		}
	}
	for _, role := range haven.Roles {
		shown := web.NavFor(role)
		for _, n := range web.NavEntries() {
			d := access.Decide(access.Request{Role: role, Action: n.Action, Resource: n.Resource, Relationship: n.Relationship, Class: haven.Coded,
				Consent: n.Consent})
			want := n.SignedInOnly || d.Allow
			if got := slices.Contains(shown, n.Href); got != want {
				t.Errorf("%s: %s shown=%v, want %v (Decide %s %s: %+v)", role, n.Href, got, want, n.Action, n.Resource, d)
			}
		}
	}
}

// gatedAt names, for an entry whose own page asks no gate, the page that
// carries the entry's gate: the survivors list is open to every signed-in
// user because the store decides each record (an administrator on a care
// team sees that record); the care roles' new-record form is gated.
var gatedAt = map[string]string{"/survivors": "/survivors/new"}

// TestPageGatesAgreeWithNavigation signs in as each role and opens every
// navigation entry's page: it answers exactly when the link is shown, and
// is Forbidden otherwise.
func TestPageGatesAgreeWithNavigation(t *testing.T) {
	e := newEnv(t, false)
	for _, role := range haven.Roles {
		c := client(t)
		if role == haven.RoleAdmin {
			signIn(t, e, c, "admin", e.code(t))
		} else {
			name := "as." + string(role)
			u, err := e.db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd),
				haven.NewUser{Username: name, Role: role, OrganizationID: orgFor(role), Password: testPassword})
			if err != nil {
				t.Fatal(err)
			}
			signIn(t, e, c, u.Username, "")
		}
		shown := web.NavFor(role)
		for _, n := range web.NavEntries() {
			page := n.Href
			if p, ok := gatedAt[page]; ok {
				if resp, _ := get(t, c, e.srv.URL+page); resp.StatusCode != http.StatusOK {
					t.Errorf("%s GET %s: status=%d, want 200", role, page, resp.StatusCode)
				}
				page = p
			}
			resp, _ := get(t, c, e.srv.URL+page)
			want := http.StatusForbidden
			if slices.Contains(shown, n.Href) {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Errorf("%s GET %s: status=%d, want %d", role, page, resp.StatusCode, want)
			}
		}
	}
}

func orgFor(role haven.Role) string {
	if role == haven.RolePartner {
		return "org-partner"
	}
	return ""
}
