package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// planFixture is a survivor on an advocate's care team, with a clock.
type planFixture struct {
	db         *sqlstoretest.Store
	clock      *fixedClock
	adv        *haven.User
	survivorID string
}

func newPlanFixture(t *testing.T, db *sqlstoretest.Store) *planFixture {
	t.Helper()
	f := &planFixture{db: db, clock: &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}}
	db.DB.Clock = f.clock
	f.adv = mustUser(t, db, "advocate", haven.RoleAdvocate)
	s, _, err := db.CreateSurvivor(actorCtx(f.adv), haven.NewSurvivor{Name: "Synthetic Planned", AgeBand: haven.Age25to34})
	if err != nil {
		t.Fatal(err)
	}
	f.survivorID = s.ID
	return f
}

func (f *planFixture) add(t *testing.T, domain, goal string) *haven.CarePlanNeed {
	t.Helper()
	n, err := f.db.AddNeed(actorCtx(f.adv), haven.NewNeed{SurvivorID: f.survivorID, Domain: domain, Goal: goal, Priority: "soon"})
	if err != nil {
		t.Fatalf("AddNeed(%s): %v", domain, err)
	}
	return n
}

func TestCarePlanRoundTripAndHistory(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newPlanFixture(t, db)
		ctx := actorCtx(f.adv)
		housing, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "housing", Rank: 2,
			Goal: "  Un lugar donde me sienta segura  ", Priority: "هذا الأسبوع"})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.t = f.clock.t.Add(time.Minute)
		// The directory's term ID names the same domain.
		food, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "a71e923e-1415-5bc4-8134-3c7180d9e48a", Rank: 1})
		if err != nil || food.Domain != "food" {
			t.Fatalf("AddNeed by term ID: %+v, %v", food, err)
		}
		declined := haven.NeedDeclined
		f.clock.t = f.clock.t.Add(time.Minute)
		if _, err := db.UpdateNeed(ctx, food.ID, haven.NeedUpdate{Status: &declined, Note: "Has family support for now"}); err != nil {
			t.Fatal(err)
		}
		goal := "A room of my own"
		f.clock.t = f.clock.t.Add(time.Minute)
		if _, err := db.UpdateNeed(ctx, housing.ID, haven.NeedUpdate{Goal: &goal}); err != nil {
			t.Fatal(err)
		}
		plan, err := db.CarePlan(ctx, f.survivorID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range plan.Needs {
			got = append(got, n.Domain+" "+string(n.Status)+" "+n.Goal+" | "+n.Priority)
		}
		want := []string{"food declined  | ", "housing identified A room of my own | هذا الأسبوع"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("plan (-want +got):\n%s", diff)
		}
		var hist []string
		for _, h := range plan.Needs[0].History {
			hist = append(hist, string(h.Change)+" "+string(h.Status)+" "+h.Note)
		}
		if diff := cmp.Diff([]string{"created identified ", "status declined Has family support for now"}, hist); diff != "" {
			t.Errorf("food history (-want +got):\n%s", diff)
		}
		if h := plan.Needs[1].History; len(h) != 2 || h[1].Change != haven.ChangeWords || h[1].ChangedBy != f.adv.ID {
			t.Errorf("housing history %+v, want created then words by the advocate", h)
		}
		// Saving the same words again changes nothing and adds no history.
		if n, err := db.UpdateNeed(ctx, housing.ID, haven.NeedUpdate{Goal: &goal}); err != nil || len(n.History) != 2 {
			t.Errorf("no-op update: %v, history %+v, want no new entry", err, n.History)
		}
		one, err := db.Need(ctx, housing.ID)
		if err != nil || one.Goal != goal || len(one.History) != 2 || plan.CaseNumber == "" {
			t.Errorf("Need=%+v, %v", one, err)
		}
		if last := lastAuditEntry(t, db); last.Action != "need.read" || last.ObjectID != housing.ID {
			t.Errorf("last audit entry %+v, want need.read", last)
		}
	})
}

func TestCarePlanBadInput(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newPlanFixture(t, db)
		ctx := actorCtx(f.adv)
		housing := f.add(t, "housing", "A safe place")
		bad := haven.NeedStatus("failed")
		long := strings.Repeat("x", haven.MaxNeedGoal+1)
		rank := -1
		tests := []struct {
			name  string
			call  func() error
			kind  haven.Kind
			field string
		}{
			{"unknown domain", func() error {
				_, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "trafficking"})
				return err
			}, haven.Invalid, "domain"},
			{"no domain", func() error { _, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID}); return err }, haven.Invalid, "domain"},
			{"unknown status", func() error {
				_, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "food", Status: bad})
				return err
			}, haven.Invalid, "status"},
			{"goal too long", func() error {
				_, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "food", Goal: long})
				return err
			}, haven.Invalid, "goal"},
			{"priority too long", func() error {
				_, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "food", Priority: long})
				return err
			}, haven.Invalid, "priority"},
			{"duplicate open domain", func() error {
				_, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "housing"})
				return err
			}, haven.Conflict, "domain"},
			{"foreign screening", func() error {
				_, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "food", ScreeningID: "not-a-screening"})
				return err
			}, haven.Invalid, "screening_id"},
			{"update unknown status", func() error {
				_, err := db.UpdateNeed(ctx, housing.ID, haven.NeedUpdate{Status: &bad})
				return err
			}, haven.Invalid, "status"},
			{"update note too long", func() error {
				_, err := db.UpdateNeed(ctx, housing.ID, haven.NeedUpdate{Note: strings.Repeat("n", haven.MaxNeedNote+1)})
				return err
			}, haven.Invalid, "note"},
			{"update rank negative", func() error {
				_, err := db.UpdateNeed(ctx, housing.ID, haven.NeedUpdate{Rank: &rank})
				return err
			}, haven.Invalid, "rank"},
			{"update nothing", func() error { _, err := db.UpdateNeed(ctx, housing.ID, haven.NeedUpdate{}); return err }, haven.Invalid, ""},
			{"update unknown need", func() error {
				_, err := db.UpdateNeed(ctx, "no-such-need", haven.NeedUpdate{Note: "x"})
				return err
			}, haven.NotFound, ""},
		}
		for _, tt := range tests {
			before, _ := db.AuditSize(context.Background())
			err := tt.call()
			if haven.ErrorKind(err) != tt.kind || (tt.field != "" && haven.ErrorFields(err)[tt.field] == "") {
				t.Errorf("%s: err=%v (fields %v), want %v on %q", tt.name, err, haven.ErrorFields(err), tt.kind, tt.field)
			}
			if after, _ := db.AuditSize(context.Background()); after != before {
				t.Errorf("%s wrote %d audit entries, want none", tt.name, after-before)
			}
		}
		if !strings.Contains(haven.ErrorMessage(tests[5].call()), "already has an open need for housing") {
			t.Errorf("duplicate message %q", haven.ErrorMessage(tests[5].call()))
		}
		plan, _ := db.CarePlan(ctx, f.survivorID)
		if len(plan.Needs) != 1 || len(plan.Needs[0].History) != 1 {
			t.Errorf("bad input changed the plan: %+v", plan.Needs)
		}
	})
}

// TestCarePlanOpenDomainOnce: a domain is open at most once, and a closed
// need may not be reopened beside an open one; a met need's domain may
// be opened again.
func TestCarePlanOpenDomainOnce(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newPlanFixture(t, db)
		ctx := actorCtx(f.adv)
		first := f.add(t, "legal", "")
		met := haven.NeedMet
		if _, err := db.UpdateNeed(ctx, first.ID, haven.NeedUpdate{Status: &met}); err != nil {
			t.Fatal(err)
		}
		f.add(t, "legal", "Help with the court date")
		reopen := haven.NeedInProgress
		_, err := db.UpdateNeed(ctx, first.ID, haven.NeedUpdate{Status: &reopen})
		if haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("reopen beside an open need err=%v, want Conflict", err)
		}
		// A closed need in the same domain may be added (recorded as met).
		if _, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "legal", Status: haven.NeedMet}); err != nil {
			t.Errorf("closed need beside an open one: %v", err)
		}
	})
}

func TestCarePlanAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newPlanFixture(t, db)
		need := f.add(t, "safety", "CANARYGOAL")
		outsiders := map[string]context.Context{
			"outsider clinician": actorCtx(mustUser(t, db, "outsider", haven.RoleClinician)),
			"analyst":            actorCtx(mustUser(t, db, "analyst", haven.RoleAnalyst)),
			"partner":            actorCtx(&haven.User{ID: "partner-of-another-org", Role: haven.RolePartner, OrganizationID: "org"}),
			"admin not on team":  adminCtx(t, db, "root.admin"),
			"supervisor not on":  actorCtx(mustUser(t, db, "sup", haven.RoleSupervisor)),
		}
		status := haven.NeedMet
		for who, ctx := range outsiders {
			checks := map[string]error{}
			_, checks["CarePlan"] = db.CarePlan(ctx, f.survivorID)
			_, checks["Need"] = db.Need(ctx, need.ID)
			_, checks["SuggestedNeeds"] = db.SuggestedNeeds(ctx, f.survivorID)
			_, checks["AddNeed"] = db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "food"})
			_, checks["UpdateNeed"] = db.UpdateNeed(ctx, need.ID, haven.NeedUpdate{Status: &status})
			for m, err := range checks {
				if haven.ErrorKind(err) != haven.NotFound {
					t.Errorf("%s: %s err=%v, want NotFound", who, m, err)
				}
			}
			if last := lastAuditEntry(t, db); last.Outcome != haven.OutcomeDenied {
				t.Errorf("%s: last audit entry %+v, want a denial", who, last)
			}
		}
		// Emergency access reads, audited as such, and never writes.
		er := mustUser(t, db, "er.nurse", haven.RoleClinician)
		if _, err := db.BreakGlass(actorCtx(er), f.survivorID, "Patient unconscious in the emergency department; need allergies and safe contact"); err != nil {
			t.Fatal(err)
		}
		plan, err := db.CarePlan(actorCtx(er), f.survivorID)
		if err != nil || len(plan.Needs) != 1 || plan.Needs[0].Goal != "CANARYGOAL" {
			t.Errorf("break-glass read: %+v, %v", plan, err)
		}
		if last := lastAuditEntry(t, db); last.Action != "care_plan.read" || last.Reason != "emergency access" {
			t.Errorf("break-glass read audited as %+v", last)
		}
		if _, err := db.AddNeed(actorCtx(er), haven.NewNeed{SurvivorID: f.survivorID, Domain: "food"}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("break-glass AddNeed err=%v, want refused", err)
		}
		if _, err := db.UpdateNeed(actorCtx(er), need.ID, haven.NeedUpdate{Status: &status}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("break-glass UpdateNeed err=%v, want refused", err)
		}
		if n, _ := db.Need(actorCtx(f.adv), need.ID); n.Status != haven.NeedIdentified || len(n.History) != 1 {
			t.Errorf("refused writes changed the need: %+v", n)
		}
	})
}

// TestCarePlanAudit: every change and read writes an entry with ids only.
func TestCarePlanAudit(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newPlanFixture(t, db)
		ctx := actorCtx(f.adv)
		var need *haven.CarePlanNeed
		goal := "CANARYGOAL2"
		steps := []struct {
			name, action, object string
			run                  func() error
		}{
			{"AddNeed", "need.create", "", func() (err error) {
				need, err = db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: "food", Goal: "CANARYGOAL", Priority: "CANARYPRIORITY"})
				return err
			}},
			{"UpdateNeed", "need.update", "", func() error {
				_, err := db.UpdateNeed(ctx, need.ID, haven.NeedUpdate{Goal: &goal, Note: "CANARYNOTE"})
				return err
			}},
			{"CarePlan", "care_plan.read", f.survivorID, func() error { _, err := db.CarePlan(ctx, f.survivorID); return err }},
			{"Need", "need.read", "", func() error { _, err := db.Need(ctx, need.ID); return err }},
			{"SuggestedNeeds", "care_plan.suggestions", f.survivorID, func() error { _, err := db.SuggestedNeeds(ctx, f.survivorID); return err }},
		}
		for _, st := range steps {
			if err := st.run(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			last := lastAuditEntry(t, db)
			want := st.object
			if want == "" {
				want = need.ID
			}
			if last.Action != st.action || last.ObjectID != want || last.ActorID != f.adv.ID {
				t.Errorf("%s audited as %+v, want %s of %s", st.name, last, st.action, want)
			}
			if s := last.Action + last.ObjectType + last.ObjectID + last.Reason; strings.Contains(s, "CANARY") {
				t.Errorf("%s audit entry holds text: %+v", st.name, last)
			}
		}
	})
}

// TestSuggestedNeedsNeverAddedSilently: a screening's flagged domains are
// offered as needs, with the screening they come from; nothing is added
// until the worker confirms one with the survivor's words, and a confirmed
// domain is no longer offered.
func TestSuggestedNeedsNeverAddedSilently(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newPlanFixture(t, db)
		ctx := actorCtx(f.adv)
		sc, err := db.CreateScreening(ctx, haven.NewScreening{SurvivorID: f.survivorID, Response: rapidResponse(f.survivorID, "r-papers", "r-sex")})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.SuggestedNeeds(ctx, f.survivorID)
		if err != nil {
			t.Fatal(err)
		}
		var domains []string
		for _, s := range got {
			domains = append(domains, s.Domain+"<"+s.IndicatorDomain)
			if s.ScreeningID != sc.ID {
				t.Errorf("suggestion %+v does not name screening %s", s, sc.ID)
			}
		}
		want := []string{"sexual-reproductive-health<sex", "legal<labor", "employment<labor", "safety<labor"}
		if diff := cmp.Diff(want, domains); diff != "" {
			t.Errorf("suggestions (-want +got):\n%s", diff)
		}
		if plan, _ := db.CarePlan(ctx, f.survivorID); len(plan.Needs) != 0 {
			t.Fatalf("suggestions added needs silently: %+v", plan.Needs)
		}
		n, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: f.survivorID, Domain: got[3].Domain, ScreeningID: got[3].ScreeningID,
			Goal: "To stop being afraid on the way home"})
		if err != nil || n.ScreeningID != sc.ID {
			t.Fatalf("confirm suggestion: %+v, %v", n, err)
		}
		got, _ = db.SuggestedNeeds(ctx, f.survivorID)
		for _, s := range got {
			if s.Domain == "safety" {
				t.Errorf("safety still suggested after it was confirmed: %+v", got)
			}
		}
		if plan, _ := db.CarePlan(ctx, f.survivorID); len(plan.Needs) != 1 {
			t.Errorf("plan has %d needs, want only the confirmed one", len(plan.Needs))
		}
	})
}
