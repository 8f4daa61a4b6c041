package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// auditWorld is a survivor's record worked by an advocate whose team a
// supervisor supervises, opened by an emergency-department nurse under
// emergency access, and staff of every role around it.
type auditWorld struct {
	adv, sup, idle, er, other, analyst, partner, admin *haven.User
	survivor                                           *haven.Survivor
}

func newAuditWorld(t *testing.T, db *sqlstoretest.Store) auditWorld {
	t.Helper()
	db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	w := auditWorld{
		adv: mustUser(t, db, "advocate", haven.RoleAdvocate), sup: mustUser(t, db, "supervisor", haven.RoleSupervisor),
		idle: mustUser(t, db, "idle.sup", haven.RoleSupervisor), er: mustUser(t, db, "er.nurse", haven.RoleClinician),
		other: mustUser(t, db, "other.nurse", haven.RoleClinician), analyst: mustUser(t, db, "analyst", haven.RoleAnalyst),
		admin: mustUser(t, db, "root.admin", haven.RoleAdmin),
	}
	p, err := db.CreateUser(userAdd(context.Background()), haven.NewUser{Username: "partner", Role: haven.RolePartner,
		OrganizationID: "org-1", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	w.partner = p
	admin := actorCtx(w.admin)
	team, err := db.CreateTeam(admin, "Outreach")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		u   *haven.User
		sup bool
	}{{w.adv, false}, {w.sup, true}} {
		if err := db.AddTeamMember(admin, team.ID, m.u.ID, m.sup); err != nil {
			t.Fatal(err)
		}
	}
	if w.survivor, _, err = db.CreateSurvivor(actorCtx(w.adv), canarySurvivor()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Survivor(actorCtx(w.adv), w.survivor.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BreakGlass(actorCtx(w.er), w.survivor.ID, "Patient unconscious in the emergency department; need allergies"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Survivor(actorCtx(w.er), w.survivor.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

// noPersonalData fails if a row carries anything of the record's canary
// fields.
func noPersonalData(t *testing.T, rows []haven.AuditRow) {
	t.Helper()
	for _, r := range rows {
		if s := strings.ToUpper(r.ActorName + r.CaseNumber + r.ObjectID + r.Reason + r.Action); strings.Contains(s, "CANARY") {
			t.Errorf("audit row %d carries personal data: %+v", r.Index, r)
		}
	}
}

func TestAuditTrailSearch(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newAuditWorld(t, db)
		ctx := context.Background()
		page, err := db.SearchAudit(actorCtx(w.admin), haven.AuditQuery{CaseNumber: w.survivor.CaseNumber, Action: "survivor.read"})
		if err != nil {
			t.Fatal(err)
		}
		var sawAdv, sawEmergency bool
		for _, r := range page.Rows {
			if r.ObjectID != w.survivor.ID || r.CaseNumber != w.survivor.CaseNumber || r.Action != "survivor.read" {
				t.Errorf("row %+v outside the query", r)
			}
			sawAdv = sawAdv || r.ActorID == w.adv.ID && r.ActorName == "advocate"
			sawEmergency = sawEmergency || r.ActorID == w.er.ID && r.Reason == "emergency access"
		}
		if !sawAdv || !sawEmergency {
			t.Errorf("rows %+v: want the advocate's read by name and the nurse's emergency read", page.Rows)
		}
		noPersonalData(t, page.Rows)

		// Filters: actor, outcome, a date range, an action prefix.
		page, err = db.SearchAudit(actorCtx(w.admin), haven.AuditQuery{ActorID: w.er.ID, Action: "survivor.", Outcome: haven.OutcomeSuccess,
			From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)})
		if err != nil || len(page.Rows) == 0 {
			t.Fatalf("filtered search = %v, %v", page.Rows, err)
		}
		for _, r := range page.Rows {
			if r.ActorID != w.er.ID || !strings.HasPrefix(r.Action, "survivor.") || r.Outcome != haven.OutcomeSuccess {
				t.Errorf("row %+v outside the filter", r)
			}
		}
		byName, err := db.SearchAudit(actorCtx(w.admin), haven.AuditQuery{ActorID: "ER.Nurse", Action: "survivor.", Outcome: haven.OutcomeSuccess,
			From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)})
		if err != nil || len(byName.Rows) != len(page.Rows) {
			t.Errorf("search by username found %d rows, by id %d (%v)", len(byName.Rows), len(page.Rows), err)
		}
		if page, _ := db.SearchAudit(actorCtx(w.admin), haven.AuditQuery{To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}); len(page.Rows) != 0 {
			t.Errorf("search before any entry found %d rows", len(page.Rows))
		}

		// Paging: newest first, no overlap, no gap.
		size, _ := db.AuditSize(ctx)
		seen := map[int64]bool{}
		q := haven.AuditQuery{Limit: 3}
		for pages := 0; ; pages++ {
			p, err := db.SearchAudit(actorCtx(w.admin), q)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range p.Rows {
				if seen[r.Index] || i > 0 && r.Index >= p.Rows[i-1].Index {
					t.Fatalf("page %d repeats or misorders entry %d", pages, r.Index)
				}
				seen[r.Index] = true
			}
			if p.Next == 0 {
				break
			}
			q.Before = p.Next
		}
		if int64(len(seen)) < size {
			t.Errorf("paging saw %d entries of at least %d", len(seen), size)
		}

		// Bad input changes nothing and says why.
		for _, bad := range []haven.AuditQuery{{Outcome: "maybe"}, {Limit: 1000}, {Limit: -1}, {Before: -5},
			{From: time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
			{ActorID: strings.Repeat("x", 300)}} {
			if _, err := db.SearchAudit(actorCtx(w.admin), bad); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("search %+v: err=%v, want Invalid", bad, err)
			}
		}

		// Only administrators and supervisors search.
		for _, u := range []*haven.User{w.adv, w.er, w.analyst, w.partner} {
			if _, err := db.SearchAudit(actorCtx(u), haven.AuditQuery{}); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s searched the audit log: err=%v", u.Role, err)
			}
			if _, err := db.ExportAudit(actorCtx(u), haven.AuditQuery{}); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s exported the audit log: err=%v", u.Role, err)
			}
		}
	})
}

func TestAuditTrailSupervisorScope(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newAuditWorld(t, db)
		page, err := db.SearchAudit(actorCtx(w.sup), haven.AuditQuery{Limit: haven.AuditPageMax})
		if err != nil {
			t.Fatal(err)
		}
		var sawEmergency bool
		for _, r := range page.Rows {
			onCase := r.ObjectType == "survivor" && r.ObjectID == w.survivor.ID
			if r.ActorID != w.adv.ID && r.ActorID != w.sup.ID && !onCase {
				t.Errorf("supervisor sees an entry outside their teams: %+v", r)
			}
			sawEmergency = sawEmergency || r.ActorID == w.er.ID && onCase
		}
		if !sawEmergency {
			t.Error("the supervisor does not see the emergency read of their team's case")
		}
		// A supervisor of no team sees only their own entries.
		page, err = db.SearchAudit(actorCtx(w.idle), haven.AuditQuery{Limit: haven.AuditPageMax})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rows {
			if r.ActorID != w.idle.ID {
				t.Errorf("a supervisor of no team sees %+v", r)
			}
		}
		// Admin sees the team's creation; the supervisor does not.
		all, _ := db.SearchAudit(actorCtx(w.admin), haven.AuditQuery{Action: "team.create"})
		mine, _ := db.SearchAudit(actorCtx(w.sup), haven.AuditQuery{Action: "team.create"})
		if len(all.Rows) != 1 || len(mine.Rows) != 0 {
			t.Errorf("team.create: admin sees %d, supervisor %d; want 1 and 0", len(all.Rows), len(mine.Rows))
		}
	})
}

func TestAuditTrailExportAndStatus(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newAuditWorld(t, db)
		ctx := context.Background()
		before, _ := db.AuditSize(ctx)
		rows, err := db.ExportAudit(actorCtx(w.admin), haven.AuditQuery{})
		if err != nil || int64(len(rows)) != before {
			t.Fatalf("export = %d rows, %v; want %d", len(rows), err, before)
		}
		noPersonalData(t, rows)
		if p, _ := db.SearchAudit(actorCtx(w.admin), haven.AuditQuery{Action: "audit_log.export"}); len(p.Rows) != 1 || p.Rows[0].ActorID != w.admin.ID {
			t.Errorf("the export is not audited: %+v", p.Rows)
		}

		st, err := db.AuditStatus(actorCtx(w.admin), nil)
		if err != nil || st.Size == 0 || st.CheckpointSize != -1 || st.Checked {
			t.Fatalf("status before a checkpoint = %+v, %v", st, err)
		}
		signer, verifier, err := auditlog.LoadOrCreateSigner(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignCheckpoint(ctx, signer); err != nil {
			t.Fatal(err)
		}
		st, err = db.AuditStatus(actorCtx(w.sup), verifier)
		if err != nil || !st.Checked || !st.Verified || st.CheckpointSize <= 0 || st.CheckpointAt.IsZero() {
			t.Errorf("status after a checkpoint = %+v, %v", st, err)
		}
		otherSigner, _, _ := auditlog.LoadOrCreateSigner(t.TempDir())
		_, otherVerifier, _ := auditlog.LoadOrCreateSigner(t.TempDir())
		_ = otherSigner
		if st, _ := db.AuditStatus(actorCtx(w.admin), otherVerifier); !st.Checked || st.Verified {
			t.Errorf("a foreign key verified the checkpoint: %+v", st)
		}
		if _, err := db.AuditStatus(actorCtx(w.adv), verifier); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("advocate status err=%v, want Forbidden", err)
		}
	})
}

func TestAccessReport(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newAuditWorld(t, db)
		ctx := context.Background()
		for _, u := range []*haven.User{w.adv, w.sup} {
			rows, err := db.AccessReport(actorCtx(u), w.survivor.ID)
			if err != nil {
				t.Fatalf("%s: %v", u.Username, err)
			}
			var emergency bool
			for _, r := range rows {
				emergency = emergency || r.ActorID == w.er.ID && r.Action == "survivor.read" && r.Reason == "emergency access"
				if r.CaseNumber != w.survivor.CaseNumber {
					t.Errorf("row %+v is not about the record", r)
				}
			}
			if !emergency {
				t.Errorf("%s's access report misses the emergency read", u.Username)
			}
			noPersonalData(t, rows)
		}
		// Emergency access reads the record but not who else did; no one
		// outside the team's lead and supervisors learns it exists.
		before, _ := db.AuditSize(ctx)
		for _, u := range []*haven.User{w.er, w.other, w.idle, w.analyst, w.partner, w.admin} {
			if _, err := db.AccessReport(actorCtx(u), w.survivor.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s (%s) read the access report: err=%v, want NotFound", u.Username, u.Role, err)
			}
		}
		after, _ := db.AuditSize(ctx)
		if after-before != 6 {
			t.Errorf("%d denials audited, want 6", after-before)
		}
		// A member who does not lead the team does not read it either.
		if err := db.AddCareTeamMember(actorCtx(w.adv), w.survivor.ID, w.other.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AccessReport(actorCtx(w.other), w.survivor.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("a member who is not the lead read the access report: %v", err)
		}
		if p, _ := db.SearchAudit(actorCtx(w.admin), haven.AuditQuery{Action: "survivor.access_report", Outcome: haven.OutcomeSuccess}); len(p.Rows) != 2 {
			t.Errorf("%d successful access-report reads audited, want 2", len(p.Rows))
		}
	})
}
