package sqlstore_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestBreakGlass(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		owner := mustUser(t, db, "owner", haven.RoleAdvocate)
		er := mustUser(t, db, "er.nurse", haven.RoleClinician)
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		analyst := mustUser(t, db, "analyst", haven.RoleAnalyst)
		s, _, err := db.CreateSurvivor(actorCtx(owner), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.BreakGlass(actorCtx(er), s.ID, "too short"); haven.ErrorFields(err)["reason"] == "" {
			t.Errorf("short reason err=%v, want a reason field error", err)
		}
		if _, err := db.BreakGlass(actorCtx(analyst), s.ID, "analysts never get records, whatever the reason"); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("analyst break-glass err=%v, want Forbidden", err)
		}
		if _, err := db.Survivor(actorCtx(er), s.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Fatalf("before break-glass err=%v, want NotFound", err)
		}
		if id, err := db.SurvivorIDByCaseNumber(actorCtx(er), " "+strings.ToLower(s.CaseNumber)); err != nil || id != s.ID {
			t.Errorf("SurvivorIDByCaseNumber=%q,%v, want %s", id, err, s.ID)
		}
		if _, err := db.SurvivorIDByCaseNumber(actorCtx(er), "HV-0000-0000"); haven.ErrorFields(err)["case_number"] == "" {
			t.Errorf("unknown case number err=%v, want a case_number field error", err)
		}
		if _, err := db.SurvivorIDByCaseNumber(actorCtx(analyst), s.CaseNumber); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("analyst lookup err=%v, want Forbidden", err)
		}
		g, err := db.BreakGlass(actorCtx(er), s.ID, "Patient unconscious in the emergency department; need allergies and safe contact")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.Survivor(actorCtx(er), s.ID); err != nil || !got.EmergencyUntil.Equal(g.ExpiresAt) {
			t.Errorf("read under break-glass: %v, emergency until %v, want %v", err, got, g.ExpiresAt)
		}
		if last := lastAuditEntry(t, db); last.Action != "survivor.read" || last.ActorID != er.ID || last.Reason != "emergency access" {
			t.Errorf("emergency read audited as %+v, want reason \"emergency access\"", last)
		}
		if got, _ := db.Survivor(actorCtx(owner), s.ID); !got.EmergencyUntil.IsZero() {
			t.Errorf("care-team read says emergency access until %v", got.EmergencyUntil)
		}
		if last := lastAuditEntry(t, db); last.Action != "survivor.read" || last.Reason != "" {
			t.Errorf("care-team read audited as %+v", last)
		}
		if _, err := db.UpdateSurvivor(actorCtx(er), s.ID, canarySurvivor()); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("write under break-glass err=%v, want refused", err)
		}
		clock.t = clock.t.Add(61 * time.Minute)
		if _, err := db.Survivor(actorCtx(er), s.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("read after the hour err=%v, want NotFound", err)
		}
		if _, err := db.BreakGlassQueue(actorCtx(er)); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician reads the queue err=%v", err)
		}
		if _, err := db.BreakGlassPending(actorCtx(er)); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician counts the queue err=%v", err)
		}
		if n, err := db.BreakGlassPending(actorCtx(sup)); n != 1 || err != nil {
			t.Errorf("pending=%d,%v, want 1", n, err)
		}
		queue, err := db.BreakGlassQueue(actorCtx(sup))
		if err != nil || len(queue) != 1 || queue[0].ID != g.ID || queue[0].Reason != g.Reason || queue[0].CaseNumber != s.CaseNumber {
			t.Fatalf("queue=%+v,%v", queue, err)
		}
		if err := db.ReviewBreakGlass(actorCtx(sup), g.ID, "maybe"); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("bad finding err=%v", err)
		}
		if err := db.ReviewBreakGlass(actorCtx(sup), g.ID, haven.ReviewJustified); err != nil {
			t.Fatal(err)
		}
		if err := db.ReviewBreakGlass(actorCtx(sup), g.ID, haven.ReviewJustified); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("second review err=%v, want Conflict", err)
		}
		if queue, _ := db.BreakGlassQueue(actorCtx(sup)); len(queue) != 0 {
			t.Errorf("queue after review has %d", len(queue))
		}
		if n, _ := db.BreakGlassPending(actorCtx(sup)); n != 0 {
			t.Errorf("pending after review=%d", n)
		}
		var stored []byte
		db.SQL().QueryRow(`SELECT reason_enc FROM break_glass`).Scan(&stored)
		if string(stored) == g.Reason || len(findCanaries("x", stored)) > 0 || containsBytes(stored, "unconscious") {
			t.Error("break-glass reason stored in the clear")
		}
	})
}

func containsBytes(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

// lastAuditEntry returns the newest audit entry.
func lastAuditEntry(t *testing.T, db *sqlstoretest.Store) haven.AuditEntry {
	t.Helper()
	ctx := context.Background()
	n, err := db.AuditSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	es, err := db.AuditEntries(ctx, n-1, n)
	if err != nil || len(es) != 1 {
		t.Fatalf("last audit entry: %v, %v", es, err)
	}
	return es[0]
}

// Every read of a survivor's data under emergency access says so in the
// audit log: the screenings and their list as well as the record.
func TestBreakGlassScreeningReadsAudited(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		owner := mustUser(t, db, "owner", haven.RoleAdvocate)
		er := mustUser(t, db, "er.nurse", haven.RoleClinician)
		s, _, err := db.CreateSurvivor(actorCtx(owner), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		sc, err := db.CreateScreening(actorCtx(owner), haven.NewScreening{SurvivorID: s.ID, Response: rapidResponse(s.ID, "r-papers")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.BreakGlass(actorCtx(er), s.ID, "Patient unconscious in the emergency department; need allergies and safe contact"); err != nil {
			t.Fatal(err)
		}
		reads := []struct {
			action string
			read   func(context.Context) error
		}{
			{"screening.list", func(ctx context.Context) error { _, err := db.Screenings(ctx, s.ID); return err }},
			{"screening.read", func(ctx context.Context) error { _, err := db.Screening(ctx, sc.ID); return err }},
		}
		for _, r := range reads {
			if err := r.read(actorCtx(er)); err != nil {
				t.Fatalf("%s under emergency access: %v", r.action, err)
			}
			if last := lastAuditEntry(t, db); last.Action != r.action || last.ActorID != er.ID || last.Reason != "emergency access" {
				t.Errorf("%s under emergency access audited as %+v, want reason \"emergency access\"", r.action, last)
			}
			if err := r.read(actorCtx(owner)); err != nil {
				t.Fatal(err)
			}
			if last := lastAuditEntry(t, db); last.Action != r.action || last.Reason != "" {
				t.Errorf("care-team %s audited as %+v, want no reason", r.action, last)
			}
		}
	})
}

// Emergency access has limits (security finding 7): a repeat while a
// grant is live does not extend it; the next grant within 24 hours needs a
// fuller reason and comes first in the queue; a "not justified" finding
// ends the grant at once and bars new ones on the record; more than
// haven.BreakGlassMaxInWindow grants in 24 hours are refused.
func TestBreakGlassLimits(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		owner := mustUser(t, db, "owner", haven.RoleAdvocate)
		er := mustUser(t, db, "er.nurse", haven.RoleClinician)
		other := mustUser(t, db, "other.nurse", haven.RoleClinician)
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		s, _, err := db.CreateSurvivor(actorCtx(owner), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		const first = "Patient unconscious in the emergency department; need allergies and safe contact"
		const fuller = "Patient returned by ambulance after a seizure; I need the medication list and the safe contact plan again to call the right person"
		for _, weak := range []string{"xxxxxxxxxxxxxxxxxxxx", "test test test test test", "asdf asdf asdf asdf asdf", "aaaa bbbb cccc dddd eeee"} {
			if _, err := db.BreakGlass(actorCtx(er), s.ID, weak); haven.ErrorFields(err)["reason"] == "" {
				t.Errorf("reason %q err=%v, want a reason field error", weak, err)
			}
		}
		g1, err := db.BreakGlass(actorCtx(er), s.ID, first)
		if err != nil || g1.Repeat {
			t.Fatalf("first grant: %+v, %v", g1, err)
		}
		clock.t = clock.t.Add(30 * time.Minute)
		again, err := db.BreakGlass(actorCtx(er), s.ID, first)
		if err != nil || again.ID != g1.ID || !again.ExpiresAt.Equal(g1.ExpiresAt) {
			t.Errorf("grant while live = %+v, %v; want the live grant %s until %v, unchanged", again, err, g1.ID, g1.ExpiresAt)
		}
		if q, _ := db.BreakGlassQueue(actorCtx(sup)); len(q) != 1 {
			t.Errorf("queue has %d grants after a repeat while live, want 1", len(q))
		}
		clock.t = clock.t.Add(31 * time.Minute) // the first grant has ended
		if _, err := db.BreakGlass(actorCtx(er), s.ID, first); haven.ErrorFields(err)["reason"] == "" {
			t.Errorf("repeat within 24 h with a first-time reason err=%v, want a reason field error", err)
		}
		g2, err := db.BreakGlass(actorCtx(er), s.ID, fuller)
		if err != nil || !g2.Repeat {
			t.Fatalf("repeat grant: %+v, %v; want Repeat", g2, err)
		}
		if _, err := db.BreakGlass(actorCtx(other), s.ID, first); err != nil {
			t.Fatal(err)
		}
		q, err := db.BreakGlassQueue(actorCtx(sup))
		if err != nil || len(q) != 3 || q[0].ID != g2.ID || !q[0].Repeat {
			t.Fatalf("queue = %+v, %v; want the repeat first of 3", q, err)
		}
		if _, err := db.Survivor(actorCtx(er), s.ID); err != nil {
			t.Fatalf("read under the repeat grant: %v", err)
		}
		if err := db.ReviewBreakGlass(actorCtx(sup), g2.ID, haven.ReviewNotJustified); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Survivor(actorCtx(er), s.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("read after a not-justified finding err=%v, want NotFound at once", err)
		}
		if _, err := db.Screenings(actorCtx(er), s.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("screenings after a not-justified finding err=%v, want NotFound", err)
		}
		clock.t = clock.t.Add(48 * time.Hour)
		if _, err := db.BreakGlass(actorCtx(er), s.ID, first); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("grant after a not-justified finding err=%v, want Forbidden", err)
		}
		if last := lastAuditEntry(t, db); last.Action != "survivor.break_glass" || last.Outcome != haven.OutcomeDenied {
			t.Errorf("refused grant audited as %+v", last)
		}
		// other.nurse: three grants in 24 hours, then no more.
		clock.t = clock.t.Add(2 * time.Hour)
		for i := range haven.BreakGlassMaxInWindow {
			if _, err := db.BreakGlass(actorCtx(other), s.ID, fuller); err != nil {
				t.Fatalf("grant %d: %v", i+1, err)
			}
			clock.t = clock.t.Add(61 * time.Minute)
		}
		if _, err := db.BreakGlass(actorCtx(other), s.ID, fuller); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("grant %d in 24 h err=%v, want Forbidden", haven.BreakGlassMaxInWindow+1, err)
		}
	})
}
