package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/vault"
)

// actorCtx signs a user in as the actor of a context.
func actorCtx(u *haven.User) context.Context {
	return haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
}

// canarySurvivor fills every identifying and sensitive field with a
// distinctive synthetic string.
func canarySurvivor() haven.NewSurvivor {
	return haven.NewSurvivor{
		Name: "CANARYNAME Qx", Aliases: []string{"CANARYALIAS"}, DateOfBirth: "1999-04-03",
		Phones: []string{"CANARYPHONE-555"}, Emails: []string{"canaryemail@example.invalid"},
		Addresses: []string{"CANARYADDRESS 1 Nowhere Lane"}, ImmigrationStatus: "CANARYIMMIGRATION",
		Notes: "CANARYNOTES narrative", CulturalConsiderations: "CANARYCULTURE", FaithConsiderations: "CANARYFAITH",
		Languages: []haven.LanguagePreference{{Code: "es", Dialect: "CANARYDIALECT Rioplatense", Interpreter: true}},
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelSMS}, SafeTimes: "CANARYTIMES",
			VoicemailMessage: "CANARYVOICEMAIL", CodeWord: "CANARYCODEWORD"},
	}
}

func TestRegistryMatchesEncryptedColumns(t *testing.T) {
	var registry []string
	for _, f := range haven.Fields {
		if f.Table == "survivors" && f.Class.Encrypted() {
			registry = append(registry, f.Column)
		}
	}
	got := sqlstore.SurvivorEncryptedColumns()
	slices.Sort(registry)
	slices.Sort(got)
	if diff := cmp.Diff(registry, got); diff != "" {
		t.Errorf("encrypted columns differ from the field registry (-registry +store):\n%s", diff)
	}
}

func TestSurvivorRoundTripAndAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		other := mustUser(t, db, "other", haven.RoleClinician)
		admin := mustUser(t, db, "admin", haven.RoleAdmin)
		created, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Survivor(actorCtx(adv), created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("read back differs (-created +read):\n%s", diff)
		}
		if got.AgeBand != haven.Age25to34 || got.Minor {
			t.Errorf("AgeBand=%q Minor=%v", got.AgeBand, got.Minor)
		}
		for name, u := range map[string]*haven.User{"stranger": other, "admin": admin} {
			if _, err := db.Survivor(actorCtx(u), created.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s read err=%v, want NotFound", name, err)
			}
		}
		if _, err := db.Survivor(actorCtx(adv), "missing"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("missing record err=%v, want NotFound", err)
		}
		if err := db.DeleteSurvivor(actorCtx(adv), created.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("advocate delete err=%v, want NotFound (only supervisors delete)", err)
		}
		list, err := db.Survivors(actorCtx(adv))
		if err != nil || len(list) != 1 || list[0].CaseNumber != created.CaseNumber {
			t.Errorf("Survivors=%+v,%v", list, err)
		}
		if list, _ := db.Survivors(actorCtx(other)); len(list) != 0 {
			t.Errorf("stranger lists %d survivors, want 0", len(list))
		}
		entries := auditActions(t, db)
		for _, want := range []string{"survivor.create", "survivor.read", "survivor.read/denied", "survivor.delete/denied", "survivor.list"} {
			if !slices.Contains(entries, want) {
				t.Errorf("audit log lacks %s: %v", want, entries)
			}
		}
	})
}

// auditActions lists the audit log as action or action/outcome.
func auditActions(t *testing.T, db *sqlstoretest.Store) []string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT action, outcome FROM audit_entries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, o string
		rows.Scan(&a, &o)
		if o != haven.OutcomeSuccess {
			a += "/" + o
		}
		out = append(out, a)
	}
	return out
}

func TestSurvivorUpdateAndValidation(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		s, _, err := db.CreateSurvivor(actorCtx(adv), haven.NewSurvivor{Name: "Synthetic One", AgeBand: haven.Age15to17})
		if err != nil {
			t.Fatal(err)
		}
		if !s.Minor {
			t.Error("15-17 band not a minor")
		}
		ns := canarySurvivor()
		ns.Notes = "updated"
		up, err := db.UpdateSurvivor(actorCtx(adv), s.ID, ns)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := db.Survivor(actorCtx(adv), s.ID)
		if got.Notes != "updated" || got.CaseNumber != s.CaseNumber || up.Name != "CANARYNAME Qx" {
			t.Errorf("after update: %+v", got)
		}
		before, _ := db.Survivor(actorCtx(adv), s.ID)
		if _, err := db.UpdateSurvivor(actorCtx(adv), s.ID, haven.NewSurvivor{Name: "x", DateOfBirth: "nope"}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("bad update err=%v, want Invalid", err)
		}
		after, _ := db.Survivor(actorCtx(adv), s.ID)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("a refused update changed the record:\n%s", diff)
		}
	})
}

func TestPossibleDuplicatesByBlindIndex(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		a := mustUser(t, db, "adv.a", haven.RoleAdvocate)
		b := mustUser(t, db, "adv.b", haven.RoleAdvocate)
		first, _, _ := db.CreateSurvivor(actorCtx(a), haven.NewSurvivor{Name: "Synthetic Persona", DateOfBirth: "2001-02-03"})
		_, dups, err := db.CreateSurvivor(actorCtx(a), haven.NewSurvivor{Name: "  SYNTHETIC   persona ", DateOfBirth: "2001-02-03"})
		if err != nil || len(dups) != 1 || dups[0].ID != first.ID {
			t.Errorf("same team: dups=%+v err=%v, want the first record", dups, err)
		}
		_, dups, _ = db.CreateSurvivor(actorCtx(b), haven.NewSurvivor{Name: "Synthetic Persona", DateOfBirth: "2001-02-03"})
		if dups != nil {
			t.Errorf("other team: dups=%#v, want nil, as when there is no duplicate at all", dups)
		}
		_, dups, _ = db.CreateSurvivor(actorCtx(a), haven.NewSurvivor{Name: "Synthetic Persona", DateOfBirth: "2001-02-04"})
		if len(dups) != 0 {
			t.Errorf("other birth date: dups=%+v, want none", dups)
		}
	})
}

// A possible duplicate the creator may not see is never revealed to them
// (security finding 4): it waits for a supervisor, who sees the case
// numbers of the pair and records a finding, audited.
func TestDuplicateReviewQueue(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		a := mustUser(t, db, "adv.a", haven.RoleAdvocate)
		b := mustUser(t, db, "nurse.b", haven.RoleClinician)
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		first, _, err := db.CreateSurvivor(actorCtx(a), haven.NewSurvivor{Name: "Synthetic Persona", DateOfBirth: "2001-02-03"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.DuplicateReviewsPending(actorCtx(sup)); n != 0 || err != nil {
			t.Errorf("pending before=%d,%v, want 0", n, err)
		}
		second, dups, err := db.CreateSurvivor(actorCtx(b), haven.NewSurvivor{Name: "synthetic persona", DateOfBirth: "2001-02-03"})
		if err != nil || dups != nil {
			t.Fatalf("creator off the other care team: dups=%#v err=%v, want nil", dups, err)
		}
		if _, err := db.DuplicateReviews(actorCtx(b)); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician reads the queue err=%v, want Forbidden", err)
		}
		if _, err := db.DuplicateReviewsPending(actorCtx(a)); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("advocate counts the queue err=%v, want Forbidden", err)
		}
		if n, err := db.DuplicateReviewsPending(actorCtx(sup)); n != 1 || err != nil {
			t.Errorf("pending=%d,%v, want 1", n, err)
		}
		q, err := db.DuplicateReviews(actorCtx(sup))
		if err != nil || len(q) != 1 || q[0].SurvivorID != second.ID || q[0].SurvivorCase != second.CaseNumber ||
			q[0].OtherID != first.ID || q[0].OtherCase != first.CaseNumber {
			t.Fatalf("queue=%+v,%v; want the pair %s, %s", q, err, second.CaseNumber, first.CaseNumber)
		}
		if last := lastAuditEntry(t, db); last.Action != "duplicate_review.list" || last.ActorID != sup.ID {
			t.Errorf("reading the queue audited as %+v", last)
		}
		if err := db.ResolveDuplicateReview(actorCtx(b), q[0].ID, haven.DuplicateDistinct); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician resolves err=%v, want Forbidden", err)
		}
		if err := db.ResolveDuplicateReview(actorCtx(sup), q[0].ID, "maybe"); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("bad finding err=%v, want Invalid", err)
		}
		if err := db.ResolveDuplicateReview(actorCtx(sup), q[0].ID, haven.DuplicateSamePerson); err != nil {
			t.Fatal(err)
		}
		if last := lastAuditEntry(t, db); last.Action != "duplicate_review.resolve" || last.ActorID != sup.ID || last.ObjectID != q[0].ID || last.Reason != haven.DuplicateSamePerson {
			t.Errorf("resolution audited as %+v", last)
		}
		if err := db.ResolveDuplicateReview(actorCtx(sup), q[0].ID, haven.DuplicateDistinct); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("second resolution err=%v, want Conflict", err)
		}
		if err := db.ResolveDuplicateReview(actorCtx(sup), "no-such", haven.DuplicateDistinct); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown review err=%v, want NotFound", err)
		}
		if n, _ := db.DuplicateReviewsPending(actorCtx(sup)); n != 0 {
			t.Errorf("pending after resolving=%d, want 0", n)
		}
	})
}

func TestMovedCiphertextFailsToDecrypt(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		s1, _, _ := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		// Another column of the same row: name moved into notes.
		if _, err := db.SQL().Exec(`UPDATE survivors SET notes_enc = name_enc WHERE id = $1`, s1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Survivor(actorCtx(adv), s1.ID); err == nil {
			t.Error("a ciphertext moved to another column decrypted")
		}
		// Another row: both survivors share one data key to rule out the key
		// as the reason, so only the record binding can stop it.
		s2, _, _ := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		s3, _, _ := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if _, err := db.KeyStoreSQL().Exec(`UPDATE survivor_keys SET wrapped_key = (SELECT wrapped_key FROM survivor_keys WHERE survivor_id = $1) WHERE survivor_id = $2`, s2.ID, s3.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Survivor(actorCtx(adv), s3.ID); err == nil {
			t.Error("a wrapped key moved to another survivor unwrapped")
		}
		db.SQL().Exec(`UPDATE survivors SET name_enc = (SELECT name_enc FROM survivors WHERE id = $1) WHERE id = $2`, s2.ID, s1.ID)
		if _, err := db.Survivor(actorCtx(adv), s1.ID); err == nil {
			t.Error("a ciphertext moved to another row decrypted")
		}
	})
}

func TestKeyRotationKeepsDataReadable(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		oldKey, newKey := vault.NewDataKey(), vault.NewDataKey()
		oldRing, _ := vault.NewKeyring(oldKey)
		db.DB.Keys, db.DB.Secrets = oldRing, oldRing
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		s, _, _ := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		rotating, _ := vault.NewKeyring(newKey, oldKey)
		db.DB.Keys, db.DB.Secrets = rotating, rotating
		n, err := db.RotateKeys(context.Background())
		if err != nil || n < 2 {
			t.Fatalf("RotateKeys=%d,%v, want the data key and the index key", n, err)
		}
		newOnly, _ := vault.NewKeyring(newKey)
		db.DB.Keys, db.DB.Secrets = newOnly, newOnly
		got, err := db.Survivor(actorCtx(adv), s.ID)
		if err != nil || got.Name != "CANARYNAME Qx" {
			t.Fatalf("after rotation: %v", err)
		}
		_, dups, _ := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if len(dups) != 1 {
			t.Errorf("blind index changed with the master key: %d duplicates, want 1", len(dups))
		}
		db.DB.Keys = oldRing
		if _, err := db.Survivor(actorCtx(adv), s.ID); err == nil {
			t.Error("the retired master key still opens the record")
		}
	})
}
