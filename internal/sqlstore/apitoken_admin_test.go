package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestAPITokenAdmin(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		admin := mustUser(t, db, "admin.ada", haven.RoleAdmin)
		clinician := mustUser(t, db, "clin.cy", haven.RoleClinician)
		actx := haven.WithActor(context.Background(), haven.Actor{UserID: admin.ID, Role: admin.Role})
		cctx := haven.WithActor(context.Background(), haven.Actor{UserID: clinician.ID, Role: clinician.Role})

		svc, err := db.CreateServiceAccount(actx, haven.NewServiceAccount{Username: "ehr.bridge", Role: haven.RoleClinician})
		if err != nil {
			t.Fatal(err)
		}
		// A service account never signs in with a password.
		for _, pw := range []string{"", testPassword} {
			if _, _, err := signIn(db, "ehr.bridge", pw, ""); haven.ErrorKind(err) != haven.Unauthenticated {
				t.Errorf("service account signs in with %q: err=%v", pw, err)
			}
		}
		if list, err := db.ServiceAccounts(actx); err != nil || len(list) != 1 || list[0].ID != svc.ID || list[0].Username != "ehr.bridge" {
			t.Errorf("ServiceAccounts=%v,%v, want ehr.bridge alone", list, err)
		}
		secret, tok, err := db.IssueAPIToken(actx, "EHR.Bridge", "fhir", []haven.Scope{haven.ScopeFHIRRead, haven.ScopeFHIRWrite}, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, u, err := db.AuthenticateAPIToken(context.Background(), secret)
		if err != nil || u.ID != svc.ID || u.Role != haven.RoleClinician {
			t.Fatalf("the issued token authenticates as %v, %v; want the service account", u, err)
		}
		if list, err := db.AccountAPITokens(actx, "ehr.bridge"); err != nil || len(list) != 1 || list[0].ID != tok.ID {
			t.Errorf("AccountAPITokens=%v,%v", list, err)
		}

		// An administrator issues only for service accounts: a person's
		// account and an unknown one answer alike.
		for _, name := range []string{"clin.cy", "nobody.here"} {
			if _, _, err := db.IssueAPIToken(actx, name, "x", []haven.Scope{haven.ScopeFHIRRead}, time.Hour); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("admin issues for %s: err=%v, want NotFound", name, err)
			}
		}
		// Other roles may not.
		if _, _, err := db.IssueAPIToken(cctx, "ehr.bridge", "x", []haven.Scope{haven.ScopeFHIRRead}, time.Hour); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician issues: err=%v, want Forbidden", err)
		}
		if _, err := db.CreateServiceAccount(cctx, haven.NewServiceAccount{Username: "mine", Role: haven.RoleClinician}); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician creates a service account: err=%v, want Forbidden", err)
		}
		if err := db.RevokeAccountAPIToken(cctx, "ehr.bridge", tok.ID); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician revokes: err=%v, want Forbidden", err)
		}
		// Bad input changes nothing.
		for _, bad := range []haven.NewServiceAccount{
			{Username: "root.svc", Role: haven.RoleAdmin},
			{Username: "x", Role: haven.RoleClinician},
			{Username: "partner.svc", Role: haven.RolePartner},
			{Username: "ehr.bridge", Role: haven.RoleClinician},
		} {
			if _, err := db.CreateServiceAccount(actx, bad); err == nil {
				t.Errorf("CreateServiceAccount(%+v) succeeded", bad)
			}
		}
		if _, _, err := db.IssueAPIToken(actx, "ehr.bridge", "", []haven.Scope{haven.ScopeFHIRRead}, time.Hour); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("a token without a name: err=%v", err)
		}
		if _, _, err := db.IssueAPIToken(actx, "ehr.bridge", "x", []haven.Scope{haven.ScopeFHIRRead}, 2*haven.MaxAPITokenLifetime); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("a token for two years: err=%v", err)
		}
		if list, _ := db.AccountAPITokens(actx, "ehr.bridge"); len(list) != 1 {
			t.Errorf("%d tokens after refused issues, want 1", len(list))
		}

		// A service account never becomes an administrator.
		if err := db.SetUserRole(actx, svc.ID, haven.RoleAdmin, ""); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("SetUserRole(service account, admin): %v, want Invalid", err)
		}
		// A partner service account acts for its organization.
		partner, err := db.CreateServiceAccount(actx, haven.NewServiceAccount{Username: "partner.cms", Role: haven.RolePartner, OrganizationID: "org-legal"})
		if err != nil {
			t.Fatal(err)
		}
		psecret, _, err := db.IssueAPIToken(actx, "partner.cms", "referrals", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, u, err := db.AuthenticateAPIToken(context.Background(), psecret); err != nil || u.ID != partner.ID || u.Role != haven.RolePartner ||
			u.OrganizationID != "org-legal" {
			t.Errorf("the partner's token acts as %+v (%v), want the partner of org-legal", u, err)
		}

		// The command line reaches any account.
		job := haven.WithSystem(context.Background(), access.JobAPITokens)
		if _, _, err := db.IssueAPIToken(job, "clin.cy", "cli", []haven.Scope{haven.ScopeAPIRead}, time.Hour); err != nil {
			t.Errorf("the api-tokens job issues for a person: %v", err)
		}
		if err := db.RevokeAccountAPIToken(actx, "ehr.bridge", tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAccountAPIToken(actx, "ehr.bridge", tok.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("revoke twice: err=%v, want NotFound", err)
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("revoked token: err=%v", err)
		}

		size, _ := db.AuditSize(context.Background())
		entries, _ := db.AuditEntries(context.Background(), 0, size)
		var got []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "api_token.") || e.Action == "user.create" && e.Reason == "service_account" {
				got = append(got, e.Action+" "+e.Outcome)
				if strings.Contains(e.ObjectID, "ehr") || strings.Contains(e.Reason, "bridge") {
					t.Errorf("audit entry %+v holds a name", e)
				}
			}
		}
		for _, want := range []string{"user.create success", "api_token.create success", "api_token.create denied", "api_token.revoke success"} {
			if !slices.Contains(got, want) {
				t.Errorf("audit %q lacks %q", got, want)
			}
		}
	})
}
