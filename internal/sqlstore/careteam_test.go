package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// caseFixture is one survivor's record with the people around it: the
// advocate who opened it (the lead), a nurse on its care team, a
// supervisor of a team that holds the nurse, and people with no tie.
type caseFixture struct {
	adv, nurse, sup, otherSup, outsider, analyst, partner, admin *haven.User
	survivorID, teamID                                           string
}

func newCaseFixture(t testing.TB, db *sqlstoretest.Store) *caseFixture {
	t.Helper()
	db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	f := &caseFixture{
		adv: mustUser(t, db, "advocate", haven.RoleAdvocate), nurse: mustUser(t, db, "nurse", haven.RoleClinician),
		sup: mustUser(t, db, "supervisor", haven.RoleSupervisor), otherSup: mustUser(t, db, "other.supervisor", haven.RoleSupervisor),
		outsider: mustUser(t, db, "outsider", haven.RoleClinician), analyst: mustUser(t, db, "analyst", haven.RoleAnalyst),
		admin: mustUser(t, db, "admin", haven.RoleAdmin),
	}
	p, err := db.CreateUser(userAdd(context.Background()), haven.NewUser{Username: "partner", Role: haven.RolePartner,
		OrganizationID: "org-1", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	f.partner = p
	s, _, err := db.CreateSurvivor(actorCtx(f.adv), canarySurvivor())
	if err != nil {
		t.Fatal(err)
	}
	f.survivorID = s.ID
	if err := db.AddCareTeamMember(actorCtx(f.adv), s.ID, f.nurse.ID); err != nil {
		t.Fatal(err)
	}
	admin := actorCtx(f.admin)
	team, err := db.CreateTeam(admin, "Clinic staff")
	if err != nil {
		t.Fatal(err)
	}
	f.teamID = team.ID
	if err := db.AddTeamMember(admin, team.ID, f.nurse.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTeamMember(admin, team.ID, f.sup.ID, true); err != nil {
		t.Fatal(err)
	}
	return f
}

func memberIDs(t *testing.T, db *sqlstoretest.Store, ctx context.Context, survivorID string) []string {
	t.Helper()
	team, err := db.CareTeam(ctx, survivorID)
	if err != nil {
		t.Fatalf("CareTeam: %v", err)
	}
	var out []string
	for _, m := range team {
		id := m.UserID
		if m.Lead {
			id += " lead"
		}
		out = append(out, id)
	}
	return out
}

func TestCareTeamAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newCaseFixture(t, db)
		// Who reads the team, and as whom the store sees them.
		for _, tt := range []struct {
			name string
			who  *haven.User
			want haven.Kind
		}{
			{"lead", f.adv, ""}, {"member", f.nurse, ""}, {"supervisor through a team", f.sup, ""},
			{"supervisor of no team of the case", f.otherSup, haven.NotFound}, {"outsider clinician", f.outsider, haven.NotFound},
			{"analyst", f.analyst, haven.NotFound}, {"partner", f.partner, haven.NotFound}, {"admin not on the team", f.admin, haven.NotFound},
		} {
			team, err := db.CareTeam(actorCtx(tt.who), f.survivorID)
			if got := haven.ErrorKind(err); got != tt.want {
				t.Errorf("%s reads the team: kind=%q (%v), want %q", tt.name, got, err, tt.want)
			}
			if tt.want != "" && team != nil {
				t.Errorf("%s: got %d members, want none", tt.name, len(team))
			}
			if tt.want == "" {
				continue
			}
			for _, ch := range []func() error{
				func() error { return db.AddCareTeamMember(actorCtx(tt.who), f.survivorID, tt.who.ID) },
				func() error { return db.SetCareTeamLead(actorCtx(tt.who), f.survivorID, f.nurse.ID) },
				func() error { return db.RemoveCareTeamMember(actorCtx(tt.who), f.survivorID, f.nurse.ID) },
				func() error { _, err := db.CareTeamCandidates(actorCtx(tt.who), f.survivorID); return err },
			} {
				if err := ch(); haven.ErrorKind(err) != haven.NotFound {
					t.Errorf("%s changes the team: err=%v, want NotFound", tt.name, err)
				}
			}
		}
		want := []string{f.adv.ID + " lead", f.nurse.ID}
		if got := memberIDs(t, db, actorCtx(f.nurse), f.survivorID); !cmp.Equal(got, want) {
			t.Errorf("team %v, want %v", got, want)
		}

		// A member who is not the lead may not change the team; the
		// supervisor through the team may.
		if err := db.AddCareTeamMember(actorCtx(f.nurse), f.survivorID, f.outsider.ID); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("member adds: err=%v, want Forbidden", err)
		}
		if err := db.HandOver(actorCtx(f.nurse), f.survivorID, f.outsider.ID, true); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("member hands over: err=%v, want Forbidden", err)
		}
		if err := db.AddCareTeamMember(actorCtx(f.sup), f.survivorID, f.outsider.ID); err != nil {
			t.Errorf("supervisor through the team adds: %v", err)
		}

		// A removed member is refused on their very next request.
		if _, err := db.Survivor(actorCtx(f.outsider), f.survivorID); err != nil {
			t.Fatalf("new member reads: %v", err)
		}
		if err := db.RemoveCareTeamMember(actorCtx(f.adv), f.survivorID, f.outsider.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Survivor(actorCtx(f.outsider), f.survivorID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("removed member reads: err=%v, want NotFound", err)
		}
		if list, _ := db.Survivors(actorCtx(f.outsider)); len(list) != 0 {
			t.Errorf("removed member lists %d records, want 0", len(list))
		}

		// The supervisor loses the case when its last team member leaves it.
		if err := db.RemoveCareTeamMember(actorCtx(f.adv), f.survivorID, f.nurse.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Survivor(actorCtx(f.sup), f.survivorID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("supervisor after the team's member left: err=%v, want NotFound", err)
		}
	})
}

func TestCareTeamUnderEmergencyAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newCaseFixture(t, db)
		er := actorCtx(f.outsider)
		g, err := db.BreakGlass(er, f.survivorID, "Emergency department needs allergies now")
		if err != nil {
			t.Fatal(err)
		}
		before, _ := db.AuditSize(context.Background())
		if _, err := db.CareTeam(er, f.survivorID); err != nil {
			t.Fatalf("break-glass reads the team: %v", err)
		}
		if got, want := lastAudit(t, db, before), "care_team.read emergency access success"; got != want {
			t.Errorf("audit %q, want %q", got, want)
		}
		if err := db.AddCareTeamMember(er, f.survivorID, f.outsider.ID); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("break-glass adds: err=%v, want Forbidden", err)
		}
		if err := db.SetCareTeamLead(er, f.survivorID, f.nurse.ID); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("break-glass names a lead: err=%v, want Forbidden", err)
		}
		list, err := db.Survivors(er)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != f.survivorID || !list[0].EmergencyUntil.Equal(g.ExpiresAt) || list[0].Supervised {
			t.Errorf("break-glass list %+v, want the record until %v", list, g.ExpiresAt)
		}
		// The grant ends: the list is empty again.
		db.DB.Clock = &fixedClock{g.ExpiresAt.Add(time.Second)}
		if list, _ := db.Survivors(er); len(list) != 0 {
			t.Errorf("after the grant: %d records listed, want 0", len(list))
		}
	})
}

func TestSurvivorsListsSupervisedCases(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newCaseFixture(t, db)
		own, _, err := db.CreateSurvivor(actorCtx(f.sup), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.Survivors(actorCtx(f.sup))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, s := range list {
			got[s.ID] = s.Supervised
		}
		if want := map[string]bool{f.survivorID: true, own.ID: false}; !cmp.Equal(got, want) {
			t.Errorf("supervisor's list (id → supervised) %v, want %v", got, want)
		}
		// A clinician in the same team supervises nothing.
		if list, _ := db.Survivors(actorCtx(f.nurse)); len(list) != 1 || list[0].Supervised {
			t.Errorf("nurse's list %+v, want their one case", list)
		}
		// Only the supervisor role supervises, even when marked so in the
		// database.
		if _, err := db.SQL().Exec(`UPDATE team_members SET supervisor = TRUE WHERE user_id = $1`, f.nurse.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.Survivors(actorCtx(f.nurse)); len(list) != 1 {
			t.Errorf("clinician marked supervisor lists %d records, want 1", len(list))
		}
	})
}

func TestCareTeamChanges(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newCaseFixture(t, db)
		lead := actorCtx(f.adv)
		disabled := mustUser(t, db, "gone", haven.RoleAdvocate)
		if err := db.SetUserDisabled(actorCtx(f.admin), disabled.ID, true); err != nil {
			t.Fatal(err)
		}
		bad := []struct {
			name string
			call func() error
			want haven.Kind
		}{
			{"add unknown user", func() error { return db.AddCareTeamMember(lead, f.survivorID, "no-such-user") }, haven.Invalid},
			{"add an analyst", func() error { return db.AddCareTeamMember(lead, f.survivorID, f.analyst.ID) }, haven.Invalid},
			{"add an admin", func() error { return db.AddCareTeamMember(lead, f.survivorID, f.admin.ID) }, haven.Invalid},
			{"add a disabled user", func() error { return db.AddCareTeamMember(lead, f.survivorID, disabled.ID) }, haven.Invalid},
			{"add a member again", func() error { return db.AddCareTeamMember(lead, f.survivorID, f.nurse.ID) }, haven.Conflict},
			{"remove the lead", func() error { return db.RemoveCareTeamMember(lead, f.survivorID, f.adv.ID) }, haven.Conflict},
			{"remove a non-member", func() error { return db.RemoveCareTeamMember(lead, f.survivorID, f.outsider.ID) }, haven.Invalid},
			{"lead a non-member", func() error { return db.SetCareTeamLead(lead, f.survivorID, f.outsider.ID) }, haven.Invalid},
			{"hand over to oneself", func() error { return db.HandOver(lead, f.survivorID, f.adv.ID, true) }, haven.Invalid},
			{"hand over to an analyst", func() error { return db.HandOver(lead, f.survivorID, f.analyst.ID, true) }, haven.Invalid},
			{"supervisor hands over", func() error { return db.HandOver(actorCtx(f.sup), f.survivorID, f.outsider.ID, true) }, haven.Forbidden},
			{"missing record", func() error { return db.AddCareTeamMember(lead, "no-such-record", f.nurse.ID) }, haven.NotFound},
		}
		want := []string{f.adv.ID + " lead", f.nurse.ID}
		for _, tt := range bad {
			before, _ := db.AuditSize(context.Background())
			if err := tt.call(); haven.ErrorKind(err) != tt.want {
				t.Errorf("%s: err=%v, want %s", tt.name, err, tt.want)
			}
			if got := lastAudit(t, db, before); got != "" && tt.want != haven.NotFound && tt.want != haven.Forbidden {
				t.Errorf("%s wrote %q, want nothing", tt.name, got)
			}
			if got := memberIDs(t, db, lead, f.survivorID); !cmp.Equal(got, want) {
				t.Errorf("%s changed the team: %v, want %v", tt.name, got, want)
			}
		}

		// Every change is audited with ids only.
		steps := []struct {
			name  string
			call  func() error
			entry string
			team  []string
		}{
			{"add", func() error { return db.AddCareTeamMember(lead, f.survivorID, f.outsider.ID) },
				"care_team.add user:" + f.outsider.ID + " success", []string{f.adv.ID + " lead", f.nurse.ID, f.outsider.ID}},
			{"remove", func() error { return db.RemoveCareTeamMember(lead, f.survivorID, f.outsider.ID) },
				"care_team.remove user:" + f.outsider.ID + " success", []string{f.adv.ID + " lead", f.nurse.ID}},
			{"lead", func() error { return db.SetCareTeamLead(lead, f.survivorID, f.nurse.ID) },
				"care_team.lead user:" + f.nurse.ID + " success", []string{f.nurse.ID + " lead", f.adv.ID}},
		}
		for _, st := range steps {
			before, _ := db.AuditSize(context.Background())
			if err := st.call(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got := lastAudit(t, db, before); got != st.entry {
				t.Errorf("%s: audit %q, want %q", st.name, got, st.entry)
			}
			if got := memberIDs(t, db, lead, f.survivorID); !cmp.Equal(got, st.team) {
				t.Errorf("%s: team %v, want %v", st.name, got, st.team)
			}
		}
		// The former lead is a member now, and may no longer change the team.
		if err := db.AddCareTeamMember(lead, f.survivorID, f.outsider.ID); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("former lead adds: err=%v, want Forbidden", err)
		}
		// The nurse hands the case to the outsider and leaves.
		if err := db.HandOver(actorCtx(f.nurse), f.survivorID, f.outsider.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, want := memberIDs(t, db, lead, f.survivorID), []string{f.outsider.ID + " lead", f.adv.ID}; !cmp.Equal(got, want) {
			t.Errorf("after hand-over: %v, want %v", got, want)
		}
		// The outsider hands it back to the advocate, a member, and stays.
		if err := db.HandOver(actorCtx(f.outsider), f.survivorID, f.adv.ID, true); err != nil {
			t.Fatal(err)
		}
		if got, want := memberIDs(t, db, lead, f.survivorID), []string{f.adv.ID + " lead", f.outsider.ID}; !cmp.Equal(got, want) {
			t.Errorf("after second hand-over: %v, want %v", got, want)
		}
		// Candidates: active care-role users not on the team.
		cands, err := db.CareTeamCandidates(lead, f.survivorID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cands {
			got = append(got, c.DisplayName)
		}
		if want := []string{"nurse", "other.supervisor", "supervisor"}; !cmp.Equal(got, want) {
			t.Errorf("candidates %v, want %v", got, want)
		}
	})
}

func TestCaseload(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newCaseFixture(t, db)
		other, _, err := db.CreateSurvivor(actorCtx(f.outsider), canarySurvivor()) // no one of the team on it
		if err != nil {
			t.Fatal(err)
		}
		sqlDB := db.SQL()
		now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := sqlDB.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// One need in each status, each in a domain of its own (a plan holds
		// one open need per domain).
		domains := []string{"food", "housing", "legal", "safety", "employment", "education"}
		for i, st := range []string{"identified", "planned", "in_progress", "met", "not_met", "declined"} {
			for _, sid := range []string{f.survivorID, other.ID} {
				exec(`INSERT INTO needs (id, survivor_id, domain, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
					sid+st, sid, domains[i], st, f.adv.ID, now)
			}
		}
		for i, task := range []struct{ due, status string }{{"2026-04-30", "open"}, {"2026-04-01", "open"}, {"2026-05-01", "open"},
			{"2026-04-01", "done"}, {"2026-04-01", "cancelled"}} {
			exec(`INSERT INTO tasks (id, survivor_id, assignee_id, due_on, status, text_enc, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $3, $7, $7)`, "task"+string(rune('a'+i)), f.survivorID, f.nurse.ID, task.due, task.status, []byte{1}, now)
		}
		last := now.Add(-48 * time.Hour)
		exec(`INSERT INTO contacts (id, survivor_id, user_id, channel, made_at) VALUES ('c1', $1, $2, 'sms', $3)`, f.survivorID, f.adv.ID, last.Add(-time.Hour))
		exec(`INSERT INTO contacts (id, survivor_id, user_id, channel, made_at) VALUES ('c2', $1, $2, 'sms', $3)`, f.survivorID, f.adv.ID, last)

		before, _ := db.AuditSize(context.Background())
		rows, err := db.Caseload(actorCtx(f.sup), "2026-05-01")
		if err != nil {
			t.Fatal(err)
		}
		if got := lastAudit(t, db, before); got != "survivor.caseload  success" {
			t.Errorf("audit %q", got)
		}
		s, err := db.Survivor(actorCtx(f.adv), f.survivorID)
		if err != nil {
			t.Fatal(err)
		}
		want := []haven.CaseloadRow{{SurvivorID: f.survivorID, CaseNumber: s.CaseNumber, AgeBand: s.AgeBand, Minor: s.Minor,
			OpenNeeds: 3, OverdueTasks: 2, LastContact: last, Lead: "advocate"}}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("caseload (-want +got):\n%s", diff)
		}
		// The supervisor's own case counts too, with no contact yet.
		own, _, err := db.CreateSurvivor(actorCtx(f.sup), haven.NewSurvivor{Name: "Synthetic Own", AgeBand: haven.Age15to17})
		if err != nil {
			t.Fatal(err)
		}
		rows, _ = db.Caseload(actorCtx(f.sup), "2026-05-01")
		if len(rows) != 2 {
			t.Fatalf("caseload has %d rows, want 2", len(rows))
		}
		for _, r := range rows {
			if r.SurvivorID == own.ID && (!r.LastContact.IsZero() || r.OpenNeeds != 0 || !r.Minor || r.Lead != "supervisor") {
				t.Errorf("own case %+v", r)
			}
		}
		// Others have no caseload; bad dates are refused.
		for _, u := range []*haven.User{f.nurse, f.adv, f.admin, f.analyst, f.partner} {
			if _, err := db.Caseload(actorCtx(u), "2026-05-01"); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s: err=%v, want Forbidden", u.Role, err)
			}
		}
		if _, err := db.Caseload(actorCtx(f.sup), "May 1"); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("bad date: err=%v, want Invalid", err)
		}
		if rows, _ := db.Caseload(actorCtx(f.otherSup), "2026-05-01"); len(rows) != 0 {
			t.Errorf("supervisor of no team: %d rows, want 0", len(rows))
		}
	})
}

func TestTeams(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newCaseFixture(t, db)
		admin := actorCtx(f.admin)
		if _, err := db.CreateTeam(admin, "  clinic STAFF "); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("duplicate name: err=%v, want Invalid", err)
		}
		for _, name := range []string{"", "   ", string(make([]rune, 101))} {
			if _, err := db.CreateTeam(admin, name); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("name %q: err=%v, want Invalid", name, err)
			}
		}
		if err := db.AddTeamMember(admin, f.teamID, f.adv.ID, true); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("advocate as supervisor: err=%v, want Invalid", err)
		}
		if err := db.AddTeamMember(admin, f.teamID, f.analyst.ID, false); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("analyst: err=%v, want Invalid", err)
		}
		if err := db.AddTeamMember(admin, f.teamID, f.nurse.ID, false); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("member again: err=%v, want Conflict", err)
		}
		if err := db.AddTeamMember(admin, "no-such-team", f.nurse.ID, false); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("no team: err=%v, want NotFound", err)
		}
		if err := db.RenameTeam(admin, "no-such-team", "X"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("rename missing: err=%v, want NotFound", err)
		}
		if err := db.SetTeamSupervisor(admin, f.teamID, f.nurse.ID, true); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("nurse as supervisor: err=%v, want Invalid", err)
		}
		before, _ := db.AuditSize(context.Background())
		if err := db.RenameTeam(admin, f.teamID, "Day team"); err != nil {
			t.Fatal(err)
		}
		if got, want := lastAudit(t, db, before), "team.rename  success"; got != want {
			t.Errorf("audit %q, want %q", got, want)
		}
		if err := db.SetTeamSupervisor(admin, f.teamID, f.sup.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveTeamMember(admin, f.teamID, f.nurse.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateTeam(admin, "Empty team"); err != nil {
			t.Fatal(err)
		}
		teams, err := db.Teams(admin)
		if err != nil {
			t.Fatal(err)
		}
		want := []haven.Team{{ID: f.teamID, Name: "Day team", Members: []haven.TeamMember{{UserID: f.sup.ID, DisplayName: "supervisor", Role: haven.RoleSupervisor}}},
			{Name: "Empty team"}}
		for i := range teams {
			teams[i].CreatedAt = time.Time{}
			if teams[i].Name == "Empty team" {
				teams[i].ID = ""
			}
		}
		if diff := cmp.Diff(want, teams); diff != "" {
			t.Errorf("teams (-want +got):\n%s", diff)
		}
		// Only administrators keep teams.
		for _, u := range []*haven.User{f.sup, f.adv, f.analyst} {
			ctx := actorCtx(u)
			if _, err := db.Teams(ctx); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s lists teams: err=%v, want Forbidden", u.Role, err)
			}
			if err := db.AddTeamMember(ctx, f.teamID, u.ID, false); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("%s joins a team: err=%v, want Forbidden", u.Role, err)
			}
		}
		if _, err := db.CreateTeam(haven.WithSystem(context.Background(), access.JobDemo), "Job team"); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("system job creates a team: err=%v, want Forbidden", err)
		}
	})
}
