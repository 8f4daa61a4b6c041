package sqlstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestReferralRegistryMatchesEncryptedColumns(t *testing.T) {
	var registry []string
	for _, f := range haven.Fields {
		if (f.Table == "referrals" || f.Table == "referral_history") && f.Class.Encrypted() && !slices.Contains(registry, f.Column) {
			registry = append(registry, f.Column)
		}
	}
	if got := sqlstore.ReferralEncryptedColumns(); !slices.Equal(registry, got) {
		t.Errorf("encrypted referral columns: registry %q, store %q", registry, got)
	}
}

// referralWorld is a directory of two organizations — one with a partner
// user in Haven, one without — each with a housing service, a survivor on
// an advocate's care team with a housing need, and a clock.
type referralWorld struct {
	db                     *sqlstoretest.Store
	clock                  *fixedClock
	adv, partner, partner2 *haven.User
	survivor               *haven.Survivor
	needID                 string
}

func newReferralWorld(t *testing.T, db *sqlstoretest.Store) *referralWorld {
	t.Helper()
	w := &referralWorld{db: db, clock: &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}}
	db.DB.Clock = w.clock
	housing, _ := haven.NeedByCode("housing")
	d := &haven.Directory{
		Organizations: []haven.Organization{{ID: "org-in", Name: "Harbor Housing"}, {ID: "org-paper", Name: "Paper Housing Co-op"},
			{ID: "org-other", Name: "Other Org"}},
		Services: []haven.Service{{ID: "svc-in", OrganizationID: "org-in", Name: "Transitional housing", Status: "active"},
			{ID: "svc-paper", OrganizationID: "org-paper", Name: "Rooms", Status: "active"},
			{ID: "svc-other", OrganizationID: "org-other", Name: "Food", Status: "active"},
			{ID: "svc-closed", OrganizationID: "org-in", Name: "Closed", Status: "defunct"}},
		Taxonomies:    []haven.Taxonomy{haven.NeedsTaxonomy},
		TaxonomyTerms: []haven.TaxonomyTerm{housing.TaxonomyTerm()},
		Attributes: []haven.Attribute{{ID: "a1", LinkID: "svc-in", TaxonomyTermID: housing.TermID, LinkEntity: "service"},
			{ID: "a2", LinkID: "svc-paper", TaxonomyTermID: housing.TermID, LinkEntity: "service"}},
	}
	if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	w.adv = mustUser(t, db, "advocate", haven.RoleAdvocate)
	var err error
	for _, p := range []struct {
		name, org string
		u         **haven.User
	}{{"partner", "org-in", &w.partner}, {"partner2", "org-other", &w.partner2}} {
		if *p.u, err = db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd), haven.NewUser{Username: p.name,
			Role: haven.RolePartner, Password: testPassword, OrganizationID: p.org}); err != nil {
			t.Fatal(err)
		}
	}
	if w.survivor, _, err = db.CreateSurvivor(actorCtx(w.adv), canarySurvivor()); err != nil {
		t.Fatal(err)
	}
	n, err := db.AddNeed(actorCtx(w.adv), haven.NewNeed{SurvivorID: w.survivor.ID, Domain: "housing", Goal: "A room of my own", Priority: "first"})
	if err != nil {
		t.Fatal(err)
	}
	w.needID = n.ID
	return w
}

func (w *referralWorld) consent(t *testing.T, kind haven.ConsentRecipientKind, recipient string, cats ...haven.DataCategory) *haven.Consent {
	t.Helper()
	c, err := w.db.RecordConsent(actorCtx(w.adv), w.survivor.ID, haven.NewConsent{RecipientKind: kind, Recipient: recipient,
		Purpose: haven.PurposeReferral, Categories: cats, Method: haven.ConsentVerbal, Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReferralNeedsACoveringConsent(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newReferralWorld(t, db)
		actx := actorCtx(w.adv)
		toIn := w.consent(t, haven.RecipientOrganization, "org-in", haven.CategoryContact)
		anyHousing := w.consent(t, haven.RecipientCategory, "housing")
		revoked := w.consent(t, haven.RecipientOrganization, "org-in", haven.CategoryContact)
		if _, err := db.RevokeConsent(actx, w.survivor.ID, revoked.ID); err != nil {
			t.Fatal(err)
		}
		other, _, _ := db.CreateSurvivor(actx, canarySurvivor())
		othersConsent, err := db.RecordConsent(actx, other.ID, haven.NewConsent{RecipientKind: haven.RecipientOrganization,
			Recipient: "org-in", Purpose: haven.PurposeReferral, Categories: []haven.DataCategory{haven.CategoryIdentity},
			Method: haven.ConsentWritten, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			nr    haven.NewReferral
			field string
		}{
			"no consent":               {haven.NewReferral{ServiceID: "svc-in"}, "consent_id"},
			"made-up consent":          {haven.NewReferral{ServiceID: "svc-in", ConsentID: "forged"}, "consent_id"},
			"another survivor's":       {haven.NewReferral{ServiceID: "svc-in", ConsentID: othersConsent.ID}, "consent_id"},
			"revoked":                  {haven.NewReferral{ServiceID: "svc-in", ConsentID: revoked.ID}, "consent_id"},
			"beyond its categories":    {haven.NewReferral{ServiceID: "svc-in", ConsentID: toIn.ID, Categories: []haven.DataCategory{haven.CategorySensitive}}, "categories"},
			"another organization":     {haven.NewReferral{ServiceID: "svc-other", ConsentID: toIn.ID}, "consent_id"},
			"a kind it does not offer": {haven.NewReferral{ServiceID: "svc-other", ConsentID: anyHousing.ID}, "consent_id"},
			"inactive service":         {haven.NewReferral{ServiceID: "svc-closed", ConsentID: toIn.ID}, "service_id"},
			"unknown service":          {haven.NewReferral{ServiceID: "svc-none", ConsentID: toIn.ID}, "service_id"},
			"another survivor's need":  {haven.NewReferral{ServiceID: "svc-in", ConsentID: toIn.ID, NeedID: "nope"}, "need_id"},
		} {
			if _, err := db.CreateReferral(actx, w.survivor.ID, tc.nr); haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: %v %v, want Invalid on %s", name, err, haven.ErrorFields(err), tc.field)
			}
			if _, err := db.PreviewPacket(actx, w.survivor.ID, tc.nr); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("%s: preview %v, want Invalid", name, err)
			}
		}
		if list, _ := db.Referrals(actx, w.survivor.ID); len(list) != 0 {
			t.Fatalf("refused referrals were stored: %d", len(list))
		}
		// A consent to any housing provider covers a housing service.
		if r, err := db.CreateReferral(actx, w.survivor.ID, haven.NewReferral{ServiceID: "svc-paper", ConsentID: anyHousing.ID}); err != nil ||
			!r.ByHand || r.Organization != "Paper Housing Co-op" {
			t.Errorf("category consent: %+v %v (want by hand: the co-op has no Haven users)", r, err)
		}
		// An outsider, the analyst and the admin may not refer.
		for _, role := range []haven.Role{haven.RoleClinician, haven.RoleAnalyst, haven.RoleAdmin} {
			u := mustUser(t, db, "x"+string(role), role)
			if _, err := db.CreateReferral(actorCtx(u), w.survivor.ID, haven.NewReferral{ServiceID: "svc-in", ConsentID: toIn.ID}); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s refers: %v", role, err)
			}
		}
	})
}

func TestReferralClosedLoop(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newReferralWorld(t, db)
		actx, pctx := actorCtx(w.adv), actorCtx(w.partner)
		c := w.consent(t, haven.RecipientOrganization, "org-in", haven.CategoryIdentity, haven.CategoryContact)
		nr := haven.NewReferral{ServiceID: "svc-in", ConsentID: c.ID, NeedID: w.needID,
			Categories: []haven.DataCategory{haven.CategoryIdentity, haven.CategoryContact}, Note: "CANARYREFERRALNOTE call after 4"}
		preview, err := db.PreviewPacket(actx, w.survivor.ID, nr)
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.CreateReferral(actx, w.survivor.ID, nr)
		if err != nil || r.Status != haven.ReferralRequested || r.ByHand {
			t.Fatalf("create: %+v %v", r, err)
		}
		inbox, err := db.Inbox(pctx)
		if err != nil || len(inbox) != 1 || inbox[0].ID != r.ID || inbox[0].SurvivorID != "" || inbox[0].NeedDomain != "housing" {
			t.Fatalf("inbox: %+v %v", inbox, err)
		}
		// The partner receives exactly the preview: the consented categories and nothing else.
		p, err := db.Packet(pctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		preview.ReferralID = r.ID
		got, _ := json.Marshal(p)
		want, _ := json.Marshal(preview)
		if string(got) != string(want) {
			t.Errorf("packet differs from the preview:\n%s\n%s", got, want)
		}
		for _, leak := range []string{"CANARYIMMIGRATION", "CANARYNOTES", "CANARYCULTURE", "CANARYFAITH", "CANARYDIALECT", "A room of my own"} {
			if strings.Contains(string(got), leak) {
				t.Errorf("the packet carries %s, outside the consent", leak)
			}
		}
		for _, must := range []string{"CANARYNAME", "CANARYPHONE", "CANARYCODEWORD", "CANARYREFERRALNOTE", w.survivor.CaseNumber} {
			if !strings.Contains(string(got), must) {
				t.Errorf("the packet lacks %s, which the consent covers", must)
			}
		}
		// Another organization's partner sees nothing of it.
		p2 := actorCtx(w.partner2)
		if _, err := db.Referral(p2, r.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("another partner reads it: %v", err)
		}
		if _, err := db.Packet(p2, r.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("another partner reads the packet: %v", err)
		}
		if list, _ := db.Inbox(p2); len(list) != 0 {
			t.Errorf("another partner's inbox holds %d", len(list))
		}
		// The state machine: illegal moves say why; reasons where needed.
		if _, err := db.MoveReferral(pctx, r.ID, haven.StatusChange{Status: haven.ReferralCompleted}); haven.ErrorKind(err) != haven.Conflict ||
			!strings.Contains(haven.ErrorMessage(err), "accepted, rejected, cancelled") {
			t.Errorf("requested → completed: %v", err)
		}
		if _, err := db.MoveReferral(pctx, r.ID, haven.StatusChange{Status: haven.ReferralRejected}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("reject without a reason: %v", err)
		}
		if _, err := db.MoveReferral(pctx, r.ID, haven.StatusChange{Status: haven.ReferralCancelled, Reason: haven.ReasonOther}); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("the partner cancels: %v", err)
		}
		if _, err := db.MoveReferral(actx, r.ID, haven.StatusChange{Status: haven.ReferralAccepted}); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("the sender accepts for a partner in Haven: %v", err)
		}
		for _, st := range []haven.ReferralStatus{haven.ReferralAccepted, haven.ReferralInProgress, haven.ReferralCompleted} {
			if _, err := db.MoveReferral(pctx, r.ID, haven.StatusChange{Status: st, Note: "CANARYSTATUSNOTE"}); err != nil {
				t.Fatalf("→ %s: %v", st, err)
			}
		}
		if _, err := db.MoveReferral(pctx, r.ID, haven.StatusChange{Status: haven.ReferralFailed, Reason: haven.ReasonNoCapacity}); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("a completed referral moved again: %v", err)
		}
		// The outcome met the need; the sender sees the history.
		plan, err := db.CarePlan(actx, w.survivor.ID)
		if err != nil || len(plan.Needs) != 1 || plan.Needs[0].Status != haven.NeedMet {
			t.Errorf("need after completion: %+v %v", plan, err)
		}
		got2, err := db.Referral(actx, r.ID)
		if err != nil || len(got2.History) != 4 || got2.History[3].Status != haven.ReferralCompleted || got2.History[1].Note != "CANARYSTATUSNOTE" {
			t.Errorf("history: %+v %v", got2, err)
		}
	})
}

func TestRevocationStopsThePartnerAtOnce(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newReferralWorld(t, db)
		actx, pctx := actorCtx(w.adv), actorCtx(w.partner)
		c := w.consent(t, haven.RecipientOrganization, "org-in", haven.CategoryIdentity)
		r, err := db.CreateReferral(actx, w.survivor.ID, haven.NewReferral{ServiceID: "svc-in", ConsentID: c.ID,
			Categories: []haven.DataCategory{haven.CategoryIdentity}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Packet(pctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RevokeConsent(actx, w.survivor.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Packet(pctx, r.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("packet after revocation: %v", err)
		}
		if _, err := db.Referral(pctx, r.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("referral after revocation: %v", err)
		}
		if _, err := db.MoveReferral(pctx, r.ID, haven.StatusChange{Status: haven.ReferralAccepted}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("status change after revocation: %v", err)
		}
		if list, _ := db.Inbox(pctx); len(list) != 0 {
			t.Errorf("inbox after revocation: %d", len(list))
		}
		// An expired consent acts as revoked.
		c2 := w.consent(t, haven.RecipientOrganization, "org-in")
		r2, err := db.CreateReferral(actx, w.survivor.ID, haven.NewReferral{ServiceID: "svc-in", ConsentID: c2.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Referral(pctx, r2.ID); err != nil {
			t.Fatal(err)
		}
		w.clock.t = w.clock.t.Add(91 * 24 * time.Hour)
		if _, err := db.Referral(pctx, r2.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("referral after expiry: %v", err)
		}
		// Every denial was audited.
		size, _ := db.AuditSize(context.Background())
		entries, _ := db.AuditEntries(context.Background(), 0, size)
		denied := 0
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "referral.") && e.Outcome == haven.OutcomeDenied && e.Reason == access.ReasonNoConsent {
				denied++
			}
		}
		if denied < 4 {
			t.Errorf("%d denials for lack of consent audited, want at least 4", denied)
		}
	})
}

func TestReferralByHand(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newReferralWorld(t, db)
		actx := actorCtx(w.adv)
		c := w.consent(t, haven.RecipientOrganization, "org-paper")
		r, err := db.CreateReferral(actx, w.survivor.ID, haven.NewReferral{ServiceID: "svc-paper", ConsentID: c.ID, NeedID: w.needID})
		if err != nil || !r.ByHand {
			t.Fatalf("%+v %v", r, err)
		}
		// The sender prints the packet and records what the organization says.
		if _, err := db.Packet(actx, r.ID); err != nil {
			t.Fatal(err)
		}
		for _, st := range []haven.StatusChange{{Status: haven.ReferralAccepted}, {Status: haven.ReferralCompleted, NeedNotMet: true}} {
			if _, err := db.MoveReferral(actx, r.ID, st); err != nil {
				t.Fatalf("%s by hand: %v", st.Status, err)
			}
		}
		// "Unless the worker says otherwise": the need stays open.
		plan, _ := db.CarePlan(actx, w.survivor.ID)
		if plan.Needs[0].Status == haven.NeedMet {
			t.Errorf("the need was met although the worker said it was not")
		}
		// A partner of another organization never sees it.
		if _, err := db.Referral(actorCtx(w.partner), r.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("partner of another organization: %v", err)
		}
	})
}

// TestReferralRemindersOncePerReferral: referrals left waiting raise one
// follow-up task each for their sender, even with several instances (here
// four store handles on one database, racing) running the job at once.
func TestReferralRemindersOncePerReferral(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		w := newReferralWorld(t, db)
		actx := actorCtx(w.adv)
		c := w.consent(t, haven.RecipientOrganization, "org-in")
		var ids []string
		for range 5 {
			r, err := db.CreateReferral(actx, w.survivor.ID, haven.NewReferral{ServiceID: "svc-in", ConsentID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		// One moves on, so it is not waiting; one is done.
		if _, err := db.MoveReferral(actorCtx(w.partner), ids[0], haven.StatusChange{Status: haven.ReferralRejected, Reason: haven.ReasonNoCapacity}); err != nil {
			t.Fatal(err)
		}
		job := haven.WithSystem(context.Background(), access.JobReferralReminders)
		if n, err := db.RemindWaitingReferrals(job, 7*24*time.Hour, "2026-05-01"); err != nil || n != 0 {
			t.Fatalf("fresh referrals reminded: %d %v", n, err)
		}
		w.clock.t = w.clock.t.Add(8 * 24 * time.Hour)
		// Four instances at once: each waiting referral raises exactly one task.
		handles := []*sqlstoretest.Store{db}
		for range 3 {
			handles = append(handles, sqlstoretest.NewStore(db.DB)) // separate service values over the same database
		}
		errs := make(chan error, len(handles))
		counts := make(chan int, len(handles))
		for _, h := range handles {
			go func() {
				n, err := h.RemindWaitingReferrals(job, 7*24*time.Hour, "2026-05-09")
				counts <- n
				errs <- err
			}()
		}
		total := 0
		for range handles {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			total += <-counts
		}
		var tasks int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM tasks WHERE survivor_id = $1 AND assignee_id = $2`, w.survivor.ID, w.adv.ID).Scan(&tasks); err != nil {
			t.Fatal(err)
		}
		if total != 4 || tasks != 4 {
			t.Errorf("raised %d, %d tasks stored; want 4 (one per waiting referral)", total, tasks)
		}
		if n, _ := db.RemindWaitingReferrals(job, 7*24*time.Hour, "2026-05-09"); n != 0 {
			t.Errorf("a second run raised %d more", n)
		}
		// Nobody else may run it.
		if _, err := db.RemindWaitingReferrals(actx, time.Hour, "2026-05-09"); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("an advocate runs the reminders: %v", err)
		}
	})
}
