package sqlstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/training"
	"github.com/haven-care/haven/internal/vault"
)

// rightAnswers answers every question of module id rightly.
func rightAnswers(id string) map[string]int {
	m, _ := training.Module(id)
	out := map[string]int{}
	for _, q := range m.Questions {
		out[q.ID] = q.Answer
	}
	return out
}

func TestTrainingQuizAndCertificate(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		nurse := mustUser(t, db, "fl.nurse", haven.RoleClinician)
		other := mustUser(t, db, "other.nurse", haven.RoleClinician)
		ctx := context.Background()
		failed, err := db.SubmitQuiz(actorCtx(nurse), "indicators", map[string]int{"q1": 0})
		if err != nil || failed.Passed || failed.CEHours != 0 {
			t.Fatalf("a failed quiz = %+v, %v", failed, err)
		}
		before, _ := db.AuditSize(ctx)
		c, err := db.SubmitQuiz(actorCtx(nurse), "indicators", rightAnswers("indicators"))
		if err != nil || !c.Passed || c.Correct != 5 || c.CEHours != 2 {
			t.Fatalf("a passed quiz = %+v, %v", c, err)
		}
		if after, _ := db.AuditSize(ctx); after != before+1 {
			t.Error("the quiz is not audited")
		}
		if _, err := db.SubmitQuiz(actorCtx(nurse), "no-such-module", nil); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown module err=%v", err)
		}
		if _, err := db.SubmitQuiz(actorCtx(nurse), "indicators", map[string]int{"q1": -1}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("a negative answer err=%v", err)
		}
		got, err := db.TrainingCompletion(actorCtx(nurse), c.ID)
		if err != nil || got.ID != c.ID || !got.Passed {
			t.Errorf("own certificate = %+v, %v", got, err)
		}
		for _, u := range []*haven.User{other, mustUser(t, db, "admin", haven.RoleAdmin)} {
			if _, err := db.TrainingCompletion(actorCtx(u), c.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s opened another's certificate: %v", u.Username, err)
			}
		}
		list, err := db.TrainingCompletions(actorCtx(nurse))
		if err != nil || len(list) != 2 || list[0].ID != c.ID && list[1].ID != c.ID {
			t.Errorf("completions = %+v, %v", list, err)
		}
		if list, _ := db.TrainingCompletions(actorCtx(other)); len(list) != 0 {
			t.Errorf("another nurse sees %d completions", len(list))
		}
	})
}

func TestTrainingExternalCertificates(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		nurse := mustUser(t, db, "fl.nurse", haven.RoleClinician)
		other := mustUser(t, db, "other.nurse", haven.RoleClinician)
		admin := mustUser(t, db, "admin", haven.RoleAdmin)
		pdf := []byte("%PDF-1.4\n% synthetic certificate\n")
		good := haven.ExternalTraining{Provider: "State nursing association", Title: "Human trafficking CE", Hours: 2,
			CompletedOn: "2026-03-01", Approved: true}
		for name, bad := range map[string]struct {
			t    haven.ExternalTraining
			file []byte
		}{
			"no provider": {haven.ExternalTraining{Title: "x", Hours: 1, CompletedOn: "2026-03-01"}, nil},
			"zero hours":  {haven.ExternalTraining{Provider: "p", Title: "x", CompletedOn: "2026-03-01"}, nil},
			"future date": {haven.ExternalTraining{Provider: "p", Title: "x", Hours: 1, CompletedOn: "2026-06-01"}, nil},
			"bad date":    {haven.ExternalTraining{Provider: "p", Title: "x", Hours: 1, CompletedOn: "01/03/2026"}, nil},
			"html file":   {good, []byte("<html><script>alert(1)</script></html>")},
			"too large":   {good, append(append([]byte{}, pdf...), bytes.Repeat([]byte("a"), haven.CertificateMaxBytes)...)},
		} {
			if _, err := db.AddExternalTraining(actorCtx(nurse), bad.t, bad.file); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("%s: err=%v, want Invalid", name, err)
			}
		}
		if list, _ := db.ExternalTrainings(actorCtx(nurse)); len(list) != 0 {
			t.Fatalf("bad input stored %d trainings", len(list))
		}
		e, err := db.AddExternalTraining(actorCtx(nurse), good, pdf)
		if err != nil || e.CertificateType != "application/pdf" {
			t.Fatalf("add = %+v, %v", e, err)
		}
		file, ct, err := db.ExternalCertificate(actorCtx(nurse), e.ID)
		if err != nil || ct != "application/pdf" || !bytes.Equal(file, pdf) {
			t.Errorf("own certificate = %q, %q, %v", file, ct, err)
		}
		for _, u := range []*haven.User{other, admin} {
			if _, _, err := db.ExternalCertificate(actorCtx(u), e.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s downloaded another's certificate: %v", u.Username, err)
			}
			if list, _ := db.ExternalTrainings(actorCtx(u)); len(list) != 0 {
				t.Errorf("%s lists another's trainings", u.Username)
			}
		}
	})
}

func TestTrainingLicenceAndCompliance(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		nurse := mustUser(t, db, "fl.nurse", haven.RoleClinician)
		outsider := mustUser(t, db, "tx.nurse", haven.RoleClinician)
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		analyst := mustUser(t, db, "analyst", haven.RoleAnalyst)
		admin := mustUser(t, db, "admin", haven.RoleAdmin)
		actx := actorCtx(admin)
		team, err := db.CreateTeam(actx, "Clinic")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddTeamMember(actx, team.ID, nurse.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := db.AddTeamMember(actx, team.ID, sup.ID, true); err != nil {
			t.Fatal(err)
		}
		// The nurse sets her own licence; bad input changes nothing.
		for _, bad := range []haven.Licence{{Jurisdiction: "Florida", LicenceType: "rn", RenewalOn: "2027-01-31"},
			{Jurisdiction: "FL", LicenceType: "wizard", RenewalOn: "2027-01-31"}, {Jurisdiction: "FL", LicenceType: "rn", RenewalOn: "soon"}} {
			if err := db.SetLicence(actorCtx(nurse), bad); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("licence %+v: err=%v, want Invalid", bad, err)
			}
		}
		if err := db.SetLicence(actorCtx(nurse), haven.Licence{Jurisdiction: "fl", LicenceType: "rn", RenewalOn: "2027-01-31"}); err != nil {
			t.Fatal(err)
		}
		// Only an administrator sets or reads someone else's.
		if err := db.SetLicence(actx, haven.Licence{UserID: outsider.ID, Jurisdiction: "TX", LicenceType: "rn", RenewalOn: "2026-06-30"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []*haven.User{outsider, sup, analyst} {
			if err := db.SetLicence(actorCtx(u), haven.Licence{UserID: nurse.ID, Jurisdiction: "MI", LicenceType: "rn", RenewalOn: "2027-01-31"}); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s set the nurse's licence: %v", u.Username, err)
			}
			if _, err := db.Licence(actorCtx(u), nurse.ID); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s read the nurse's licence: %v", u.Username, err)
			}
		}
		if l, err := db.Licence(actorCtx(nurse), nurse.ID); err != nil || l == nil || l.Jurisdiction != "FL" {
			t.Errorf("own licence = %+v, %v", l, err)
		}
		if _, err := db.Licence(actx, "no-such-user"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown user's licence err=%v", err)
		}

		// Haven's modules count for Florida only once the administrators
		// record an approval of them.
		if _, err := db.SubmitQuiz(actorCtx(nurse), "indicators", rightAnswers("indicators")); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.MyCompliance(actorCtx(nurse)); c.Status != haven.ComplianceDue || c.HoursDone != 0 {
			t.Errorf("before approval: %+v", c)
		}
		if err := db.SetTrainingPolicy(actorCtx(sup), haven.TrainingPolicy{ModulesApproved: true}); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("a supervisor changed the policy: %v", err)
		}
		if err := db.SetTrainingPolicy(actx, haven.TrainingPolicy{ModulesApproved: true}); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.MyCompliance(actorCtx(nurse)); c.Status != haven.ComplianceCompliant || c.HoursDone != 2 || c.RuleID != "fl-456-0341-nursing" {
			t.Errorf("after approval: %+v", c)
		}

		// The supervisor sees their team's staff; the administrator
		// everyone; other roles no one.
		staff, err := db.StaffCompliance(actorCtx(sup))
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]haven.Compliance{}
		for _, c := range staff {
			byID[c.UserID] = c
		}
		if len(staff) != 2 || byID[nurse.ID].Status != haven.ComplianceCompliant || byID[sup.ID].Reason != "no_licence" {
			t.Errorf("supervisor's view = %+v", staff)
		}
		all, err := db.StaffCompliance(actx)
		if err != nil || len(all) != 5 {
			t.Errorf("administrator's view = %d rows, %v", len(all), err)
		}
		for _, c := range all {
			if c.UserID == outsider.ID && c.Status != haven.ComplianceDueSoon {
				t.Errorf("TX nurse renewing in June without a course: %+v", c)
			}
		}
		for _, u := range []*haven.User{nurse, analyst} {
			if _, err := db.StaffCompliance(actorCtx(u)); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s listed staff compliance: %v", u.Username, err)
			}
		}
	})
}

func TestScreeningTrainingGate(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		nurse := mustUser(t, db, "nurse", haven.RoleClinician)
		admin := mustUser(t, db, "admin", haven.RoleAdmin)
		if m, err := db.ScreeningTrainingMissing(actorCtx(nurse)); err != nil || len(m) != 0 {
			t.Errorf("policy off: missing %v, %v", m, err)
		}
		if err := db.SetTrainingPolicy(actorCtx(admin), haven.TrainingPolicy{ScreeningRequiresTraining: true}); err != nil {
			t.Fatal(err)
		}
		if m, _ := db.ScreeningTrainingMissing(actorCtx(nurse)); len(m) != 2 {
			t.Errorf("untrained: missing %v, want indicators and safety-checklist", m)
		}
		db.SubmitQuiz(actorCtx(nurse), "indicators", rightAnswers("indicators"))
		db.SubmitQuiz(actorCtx(nurse), "safety-checklist", map[string]int{}) // failed
		if m, _ := db.ScreeningTrainingMissing(actorCtx(nurse)); len(m) != 1 || m[0] != "safety-checklist" {
			t.Errorf("half trained: missing %v", m)
		}
		db.SubmitQuiz(actorCtx(nurse), "safety-checklist", rightAnswers("safety-checklist"))
		if m, _ := db.ScreeningTrainingMissing(actorCtx(nurse)); len(m) != 0 {
			t.Errorf("trained: missing %v", m)
		}
		clock.t = clock.t.AddDate(2, 1, 0) // the passes grow stale
		if m, _ := db.ScreeningTrainingMissing(actorCtx(nurse)); len(m) != 2 {
			t.Errorf("after 25 months: missing %v", m)
		}
		if p, err := db.TrainingPolicy(actorCtx(nurse)); err != nil || !p.ScreeningRequiresTraining {
			t.Errorf("policy = %+v, %v", p, err)
		}
	})
}

// TestExternalCertificateSealed: a certificate file is stored sealed
// under the master key, bound to its row, and stays readable across a
// key rotation.
func TestExternalCertificateSealed(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		oldKey, newKey := vault.NewDataKey(), vault.NewDataKey()
		oldRing, _ := vault.NewKeyring(oldKey)
		db.DB.Keys, db.DB.Secrets = oldRing, oldRing
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		nurse := mustUser(t, db, "nurse", haven.RoleClinician)
		pdf := []byte("%PDF-1.4\nCANARYCERTIFICATE synthetic\n")
		in := haven.ExternalTraining{Provider: "p", Title: "t", Hours: 1, CompletedOn: "2026-03-01"}
		a, err := db.AddExternalTraining(actorCtx(nurse), in, pdf)
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.AddExternalTraining(actorCtx(nurse), in, []byte("%PDF-1.4\nanother\n"))
		if err != nil {
			t.Fatal(err)
		}
		var stored []byte
		db.SQL().QueryRow(`SELECT certificate FROM external_trainings WHERE id = $1`, a.ID).Scan(&stored)
		if bytes.Contains(stored, []byte("CANARYCERTIFICATE")) || len(stored) == 0 {
			t.Fatal("the certificate is stored in the clear")
		}
		rotating, _ := vault.NewKeyring(newKey, oldKey)
		db.DB.Keys, db.DB.Secrets = rotating, rotating
		if _, err := db.RotateKeys(context.Background()); err != nil {
			t.Fatal(err)
		}
		newOnly, _ := vault.NewKeyring(newKey)
		db.DB.Keys, db.DB.Secrets = newOnly, newOnly
		if got, _, err := db.ExternalCertificate(actorCtx(nurse), a.ID); err != nil || !bytes.Equal(got, pdf) {
			t.Fatalf("after rotation: %q, %v", got, err)
		}
		db.SQL().Exec(`UPDATE external_trainings SET certificate = (SELECT certificate FROM external_trainings WHERE id = $1) WHERE id = $2`, a.ID, b.ID)
		if _, _, err := db.ExternalCertificate(actorCtx(nurse), b.ID); err == nil {
			t.Error("a sealed file moved to another row opened")
		}
	})
}

// TestTrainingAndTrailAudited: every training change, the staff
// compliance list, a certificate download and every audit trail search
// write an entry, and no entry carries what the user typed.
func TestTrainingAndTrailAudited(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		ctx := context.Background()
		nurse := mustUser(t, db, "nurse", haven.RoleClinician)
		admin := mustUser(t, db, "admin", haven.RoleAdmin)
		n, a := actorCtx(nurse), actorCtx(admin)
		var extID string
		steps := []struct {
			name string
			run  func() error
		}{
			{"SubmitQuiz", func() error { _, err := db.SubmitQuiz(n, "minors", rightAnswers("minors")); return err }},
			{"AddExternalTraining", func() error {
				e, err := db.AddExternalTraining(n, haven.ExternalTraining{Provider: "CANARYPROVIDER", Title: "CANARYTITLE", Hours: 1,
					CompletedOn: "2026-03-01"}, []byte("%PDF-1.4\n"))
				if e != nil {
					extID = e.ID
				}
				return err
			}},
			{"ExternalCertificate", func() error { _, _, err := db.ExternalCertificate(n, extID); return err }},
			{"SetLicence", func() error {
				return db.SetLicence(n, haven.Licence{Jurisdiction: "MI", LicenceType: "rn", RenewalOn: "2027-01-01"})
			}},
			{"SetLicence/remove", func() error { return db.SetLicence(n, haven.Licence{}) }},
			{"SetTrainingPolicy", func() error { return db.SetTrainingPolicy(a, haven.TrainingPolicy{ScreeningRequiresTraining: true}) }},
			{"StaffCompliance", func() error { _, err := db.StaffCompliance(a); return err }},
			{"SearchAudit", func() error { _, err := db.SearchAudit(a, haven.AuditQuery{ActorID: nurse.ID}); return err }},
			{"ExportAudit", func() error { _, err := db.ExportAudit(a, haven.AuditQuery{}); return err }},
		}
		for _, st := range steps {
			before, _ := db.AuditSize(ctx)
			if err := st.run(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if after, _ := db.AuditSize(ctx); after <= before {
				t.Errorf("%s wrote no audit entry", st.name)
			}
		}
		if l, _ := db.Licence(n, nurse.ID); l != nil {
			t.Errorf("the licence was not removed: %+v", l)
		}
		size, _ := db.AuditSize(ctx)
		entries, _ := db.AuditEntries(ctx, 0, size)
		for _, e := range entries {
			if s := e.Action + e.ObjectID + e.Reason; bytes.Contains([]byte(s), []byte("CANARY")) {
				t.Errorf("entry %d carries typed text: %+v", e.Index, e)
			}
		}
	})
}
