package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestConsentRegistryMatchesEncryptedColumns(t *testing.T) {
	var registry []string
	for _, f := range haven.Fields {
		if f.Table == "consents" && f.Class.Encrypted() {
			registry = append(registry, f.Column)
		}
	}
	if got := sqlstore.ConsentEncryptedColumns(); !slices.Equal(registry, got) {
		t.Errorf("encrypted consent columns: registry %q, store %q", registry, got)
	}
}

// consentOrg imports a one-organization directory for consents to name.
func consentOrg(t *testing.T, db *sqlstoretest.Store) string {
	t.Helper()
	d := &haven.Directory{Organizations: []haven.Organization{{ID: "org-legal", Name: "Eastside Legal Aid"}}}
	if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	return "org-legal"
}

func TestConsentLedger(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		witness := mustUser(t, db, "witness", haven.RoleClinician)
		org := consentOrg(t, db)
		s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		actx := actorCtx(adv)
		nc := haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: org, Purpose: haven.PurposeLegalAdvocacy,
			Categories: []haven.DataCategory{haven.CategoryContact, haven.CategoryIdentity, haven.CategoryContact},
			Method:     haven.ConsentVerbal, WitnessID: witness.ID, Language: "es", Note: "CANARYCONSENTNOTE explained twice"}
		c, err := db.RecordConsent(actx, s.ID, nc)
		if err != nil {
			t.Fatal(err)
		}
		want := []haven.DataCategory{haven.CategoryBasic, haven.CategoryIdentity, haven.CategoryContact}
		if !slices.Equal(c.Categories, want) || c.RecipientName != "Eastside Legal Aid" || c.ExplainedBy != adv.ID {
			t.Errorf("recorded %+v: want categories %q (basic always, once each, in order), the organization's name, the explainer", c, want)
		}
		if d := c.ExpiresAt.Sub(c.GivenAt); d != 90*24*time.Hour {
			t.Errorf("default expiry after %v, want 90 days", d)
		}
		// A consent to any housing provider names the need.
		cat, err := db.RecordConsent(actx, s.ID, haven.NewConsent{RecipientKind: haven.RecipientCategory, Recipient: "housing",
			Purpose: haven.PurposeReferral, Method: haven.ConsentWritten, Language: "en", Days: 30})
		if err != nil || cat.RecipientName != "Housing" {
			t.Fatalf("category consent: %+v %v", cat, err)
		}
		list, err := db.Consents(actx, s.ID)
		if err != nil || len(list) != 2 || list[1].Note != nc.Note || list[0].ID != cat.ID {
			t.Fatalf("Consents = %+v, %v; want both, newest first, the note decrypted", list, err)
		}
		if !list[1].Covers(clock.t, haven.PurposeLegalAdvocacy, []haven.DataCategory{haven.CategoryBasic, haven.CategoryContact}) ||
			list[1].Covers(clock.t, haven.PurposeLegalAdvocacy, []haven.DataCategory{haven.CategorySensitive}) ||
			list[1].Covers(clock.t, haven.PurposeReferral, nil) {
			t.Errorf("Covers: want exactly its purpose and categories")
		}

		// Revocation takes effect at once; a second one conflicts.
		clock.t = clock.t.Add(time.Hour)
		r, err := db.RevokeConsent(actx, s.ID, c.ID)
		if err != nil || r.State(clock.t) != haven.ConsentRevoked || r.Covers(clock.t, haven.PurposeLegalAdvocacy, nil) {
			t.Fatalf("revoke: %+v %v", r, err)
		}
		if _, err := db.RevokeConsent(actx, s.ID, c.ID); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("second revocation: %v, want Conflict", err)
		}
		got, err := db.Consent(actx, c.ID)
		if err != nil || got.RevokedAt == nil || got.RevokedBy != adv.ID {
			t.Errorf("read after revocation: %+v %v", got, err)
		}
		// An expired consent acts as revoked, and cannot be revoked again.
		clock.t = clock.t.Add(31 * 24 * time.Hour)
		if got, _ := db.Consent(actx, cat.ID); got.State(clock.t) != haven.ConsentExpired ||
			got.Covers(clock.t, haven.PurposeReferral, nil) {
			t.Errorf("a 30-day consent after 31 days: %v", got.State(clock.t))
		}
		if _, err := db.RevokeConsent(actx, s.ID, cat.ID); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("revoking an expired consent: %v, want Conflict", err)
		}

		// Every step is in the audit log, with ids only.
		size, _ := db.AuditSize(context.Background())
		entries, _ := db.AuditEntries(context.Background(), 0, size)
		var actions []string
		for _, e := range entries {
			if e.ObjectType == "consent" || e.Action == "consent.list" {
				actions = append(actions, e.Action)
			}
		}
		for _, a := range []string{"consent.create", "consent.list", "consent.revoke", "consent.read"} {
			if !slices.Contains(actions, a) {
				t.Errorf("no %s audit entry in %q", a, actions)
			}
		}
	})
}

func TestConsentBadInputChangesNothing(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		disabled := mustUser(t, db, "gone", haven.RoleClinician)
		if err := db.SetUserDisabled(adminCtx(t, db, "root.admin"), disabled.ID, true); err != nil {
			t.Fatal(err)
		}
		org := consentOrg(t, db)
		s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		good := haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: org, Purpose: haven.PurposeReferral,
			Method: haven.ConsentWritten, Language: "en"}
		for name, tc := range map[string]struct {
			edit  func(*haven.NewConsent)
			field string
		}{
			"no kind":          {func(c *haven.NewConsent) { c.RecipientKind = "" }, "recipient_kind"},
			"unknown org":      {func(c *haven.NewConsent) { c.Recipient = "org-none" }, "recipient"},
			"unknown need":     {func(c *haven.NewConsent) { c.RecipientKind, c.Recipient = haven.RecipientCategory, "yachts" }, "recipient"},
			"purpose":          {func(c *haven.NewConsent) { c.Purpose = "marketing" }, "purpose"},
			"category":         {func(c *haven.NewConsent) { c.Categories = []haven.DataCategory{"everything"} }, "categories"},
			"method":           {func(c *haven.NewConsent) { c.Method = "implied" }, "method"},
			"language":         {func(c *haven.NewConsent) { c.Language = "Spanish" }, "language"},
			"too long":         {func(c *haven.NewConsent) { c.Days = 366 }, "days"},
			"negative":         {func(c *haven.NewConsent) { c.Days = -1 }, "days"},
			"self witness":     {func(c *haven.NewConsent) { c.WitnessID = adv.ID }, "witness_id"},
			"disabled witness": {func(c *haven.NewConsent) { c.WitnessID = disabled.ID }, "witness_id"},
			"no such witness":  {func(c *haven.NewConsent) { c.WitnessID = "nobody" }, "witness_id"},
		} {
			nc := good
			tc.edit(&nc)
			_, err := db.RecordConsent(actorCtx(adv), s.ID, nc)
			if haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: err=%v fields=%v, want Invalid on %s", name, err, haven.ErrorFields(err), tc.field)
			}
		}
		if list, _ := db.Consents(actorCtx(adv), s.ID); len(list) != 0 {
			t.Errorf("bad input recorded %d consents", len(list))
		}
	})
}

func TestConsentAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		er := mustUser(t, db, "er.nurse", haven.RoleClinician)
		org := consentOrg(t, db)
		s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.RecordConsent(actorCtx(adv), s.ID, haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: org,
			Purpose: haven.PurposeReferral, Method: haven.ConsentWritten, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		outsiders := []*haven.User{er, mustUser(t, db, "analyst", haven.RoleAnalyst), mustUser(t, db, "admin", haven.RoleAdmin),
			mustUser(t, db, "editor", haven.RoleEditor)}
		partner, err := db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd), haven.NewUser{Username: "partner",
			Role: haven.RolePartner, Password: testPassword, OrganizationID: org})
		if err != nil {
			t.Fatal(err)
		}
		outsiders = append(outsiders, partner)
		for _, u := range outsiders {
			ctx := actorCtx(u)
			if _, err := db.Consents(ctx, s.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s lists consents: %v", u.Role, err)
			}
			if _, err := db.Consent(ctx, c.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s reads a consent: %v", u.Role, err)
			}
			if _, err := db.RevokeConsent(ctx, s.ID, c.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s revokes a consent: %v", u.Role, err)
			}
		}
		// Emergency access reads the ledger but changes nothing.
		if _, err := db.BreakGlass(actorCtx(er), s.ID, "Emergency department needs the record now"); err != nil {
			t.Fatal(err)
		}
		if list, err := db.Consents(actorCtx(er), s.ID); err != nil || len(list) != 1 {
			t.Errorf("break-glass read: %d, %v", len(list), err)
		}
		if _, err := db.RevokeConsent(actorCtx(er), s.ID, c.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("break-glass revocation: %v, want refused", err)
		}
		// Revoking through another survivor's record reaches nothing.
		s2, _, _ := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if _, err := db.RevokeConsent(actorCtx(adv), s2.ID, c.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("consent revoked through another survivor: %v", err)
		}
		// Crypto-shredding takes the ledger with the record.
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		if err := db.AddCareTeamMember(actorCtx(adv), s.ID, sup.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSurvivor(actorCtx(sup), s.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM consents WHERE survivor_id = $1`, s.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d consents left after the record was deleted (%v)", n, err)
		}
	})
}
