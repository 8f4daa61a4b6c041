package fhir_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// roleToken creates a user with role (a partner belongs to org-x) and a
// fhir:read and fhir:write token for them.
func roleToken(t *testing.T, db *sqlstoretest.Store, name string, role haven.Role) (context.Context, string) {
	t.Helper()
	nu := haven.NewUser{Username: name, Role: role, Password: "a long pass phrase"}
	if role == haven.RolePartner {
		nu.OrganizationID = "org-x"
	}
	u, err := db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd), nu)
	if err != nil {
		t.Fatal(err)
	}
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
	return ctx, token(t, db, ctx, haven.ScopeFHIRRead, haven.ScopeFHIRWrite)
}

// TestFHIRAccessByRole: the pseudonymous Patient and the survivor's
// QuestionnaireResponses reach the care team only. An analyst, a partner,
// an administrator and a clinician not on the team read nothing (404, an
// empty search) and create nothing; under emergency access a clinician
// reads but cannot write.
func TestFHIRAccessByRole(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newEnv(t, db)
		qr := e.screen(t, 1)[0]
		s, _ := db.Survivor(e.adv, e.survivorID)
		outsiders := map[string]string{"stranger clinician": e.other}
		for name, role := range map[string]haven.Role{"analyst": haven.RoleAnalyst, "partner": haven.RolePartner, "admin": haven.RoleAdmin} {
			_, outsiders[name] = roleToken(t, db, "fhir."+name, role)
		}
		bgCtx, bgTok := roleToken(t, db, "fhir.emergency", haven.RoleClinician)
		if _, err := db.BreakGlass(bgCtx, e.survivorID, "unconscious patient arrived at the emergency department"); err != nil {
			t.Fatal(err)
		}
		p := "Patient/" + e.survivorID
		for name, tok := range outsiders {
			for _, path := range []string{"/fhir/R4/" + p, "/fhir/R4/QuestionnaireResponse/" + qr} {
				if code, _, body := e.do(t, "GET", path, tok, nil); code != 404 || bytes.Contains(body, []byte(s.CaseNumber)) {
					t.Errorf("%s GET %s: %d %s, want 404", name, path, code, body)
				}
			}
			code, _, body := e.do(t, "GET", "/fhir/R4/QuestionnaireResponse?patient="+p, tok, nil)
			if b := decodeBundle(t, body); code != 200 || b.Total != 0 || len(b.Entry) != 0 {
				t.Errorf("%s searches the survivor's responses: %d total %d", name, code, b.Total)
			}
			if code, _, _ := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", tok, rapid(p, false)); code != 404 && code != 403 {
				t.Errorf("%s creates a response: %d, want 404 or 403", name, code)
			}
		}
		// Emergency access reads the record (audited as such) but writes nothing.
		if code, _, body := e.do(t, "GET", "/fhir/R4/"+p, bgTok, nil); code != 200 || !bytes.Contains(body, []byte(s.CaseNumber)) {
			t.Errorf("emergency access reads Patient: %d %s", code, body)
		}
		if code, _, body := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", bgTok, rapid(p, false)); code < 400 {
			t.Errorf("emergency access creates a response: %d %s", code, body)
		}
		if n, _ := db.Screenings(e.adv, e.survivorID); len(n) != 1 {
			t.Errorf("%d screenings, want the care team's one", len(n))
		}
	})
}
