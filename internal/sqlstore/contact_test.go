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

func TestRecordContactFollowsThePlanAndAuditsBoth(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		stranger := mustUser(t, db, "stranger", haven.RoleClinician)
		ns := canarySurvivor() // SMS only, voicemail not safe
		s, _, err := db.CreateSurvivor(actorCtx(adv), ns)
		if err != nil {
			t.Fatal(err)
		}
		ns.SafeContact.DoNotContact = true
		dnc, _, err := db.CreateSurvivor(actorCtx(adv), ns)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name      string
			id        string
			ch        haven.ContactChannel
			voicemail bool
			wantKind  haven.Kind
			wantEntry string // the audit reason and outcome; empty when none is written
		}{
			{"safe channel", s.ID, haven.ChannelSMS, false, "", "survivor.contact channel:sms outcome:reached success"},
			{"channel not marked safe", s.ID, haven.ChannelPhoneCall, false, haven.Forbidden, "survivor.contact channel:phone_call refused:channel_not_safe denied"},
			{"voicemail not safe", s.ID, haven.ChannelSMS, true, haven.Forbidden, "survivor.contact channel:sms voicemail refused:voicemail_not_safe denied"},
			{"unknown channel stays coded", s.ID, "carrier pigeon", false, haven.Forbidden, "survivor.contact channel:other refused:channel_not_safe denied"},
			{"do not contact", dnc.ID, haven.ChannelSMS, false, haven.Forbidden, "survivor.contact channel:sms refused:do_not_contact denied"},
			{"missing record", "no-such-id", haven.ChannelSMS, false, haven.NotFound, "survivor.update not_on_care_team denied"},
		}
		for _, tt := range tests {
			before, _ := db.AuditSize(context.Background())
			err := db.RecordContact(actorCtx(adv), tt.id, haven.NewContact{Channel: tt.ch, Voicemail: tt.voicemail, Outcome: haven.ContactReached})
			if got := haven.ErrorKind(err); got != tt.wantKind {
				t.Errorf("%s: kind=%q (%v), want %q", tt.name, got, err, tt.wantKind)
			}
			if got := lastAudit(t, db, before); got != tt.wantEntry {
				t.Errorf("%s: audit=%q, want %q", tt.name, got, tt.wantEntry)
			}
		}
		before, _ := db.AuditSize(context.Background())
		if err := db.RecordContact(actorCtx(stranger), s.ID, haven.NewContact{Channel: haven.ChannelSMS, Outcome: haven.ContactReached}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("stranger: err=%v, want NotFound", err)
		}
		if got, want := lastAudit(t, db, before), "survivor.update not_on_care_team denied"; got != want {
			t.Errorf("stranger: audit=%q, want %q", got, want)
		}
	})
}

// lastAudit returns "action reason outcome" of the one entry appended since
// size before, or "" when none was; more than one is an error.
func lastAudit(t *testing.T, db *sqlstoretest.Store, before int64) string {
	t.Helper()
	size, err := db.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if size == before {
		return ""
	}
	entries, err := db.AuditEntries(context.Background(), before, size)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Reason+" "+e.Outcome)
	}
	if len(got) != 1 {
		t.Fatalf("%d audit entries appended, want 1: %q", len(got), got)
	}
	return got[0]
}

func TestContactHistory(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor()) // SMS only, voicemail not safe
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RecordContact(actorCtx(adv), s.ID, haven.NewContact{Channel: haven.ChannelSMS, Outcome: haven.ContactNoAnswer}); err != nil {
			t.Fatal(err)
		}
		clock.t = clock.t.Add(time.Hour)
		if err := db.RecordContact(actorCtx(adv), s.ID, haven.NewContact{Channel: haven.ChannelSMS, Outcome: haven.ContactReached,
			Note: "Synthetic: agreed to meet Tuesday."}); err != nil {
			t.Fatal(err)
		}
		// Refused, and bad input: nothing stored.
		if err := db.RecordContact(actorCtx(adv), s.ID, haven.NewContact{Channel: haven.ChannelPhoneCall, Outcome: haven.ContactReached,
			Note: "Synthetic refused."}); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("unsafe channel: %v, want Forbidden", err)
		}
		// The plan comes first: refused, and the refusal audited, even when
		// the rest of the request is wrong too.
		before := mustSize(t, db)
		if err := db.RecordContact(actorCtx(adv), s.ID, haven.NewContact{Channel: haven.ChannelEmail}); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("unsafe channel without outcome: %v, want Forbidden", err)
		}
		if got, want := lastAudit(t, db, before), "survivor.contact channel:email refused:channel_not_safe denied"; got != want {
			t.Errorf("unsafe channel without outcome audited as %q, want %q", got, want)
		}
		for name, c := range map[string]haven.NewContact{
			"no outcome":     {Channel: haven.ChannelSMS},
			"unknown":        {Channel: haven.ChannelSMS, Outcome: "maybe"},
			"over-long note": {Channel: haven.ChannelSMS, Outcome: haven.ContactReached, Note: strings.Repeat("x", haven.MaxContactNote+1)},
		} {
			if err := db.RecordContact(actorCtx(adv), s.ID, c); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("%s: %v, want Invalid", name, err)
			}
		}
		got, err := db.Contacts(actorCtx(adv), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := lastAudit(t, db, mustSize(t, db)-1), "survivor.contacts  success"; got != want {
			t.Errorf("read audited as %q, want %q", got, want)
		}
		want := []haven.Contact{
			{ID: got[0].ID, SurvivorID: s.ID, UserID: adv.ID, UserName: "advocate", Channel: haven.ChannelSMS, Outcome: haven.ContactReached,
				Note: "Synthetic: agreed to meet Tuesday.", MadeAt: clock.t},
			{ID: got[1].ID, SurvivorID: s.ID, UserID: adv.ID, UserName: "advocate", Channel: haven.ChannelSMS, Outcome: haven.ContactNoAnswer,
				MadeAt: clock.t.Add(-time.Hour)},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Contacts (-want +got):\n%s", diff)
		}
		assertAuditHasNoText(t, db, "Synthetic")
	})
}

func mustSize(t *testing.T, db *sqlstoretest.Store) int64 {
	t.Helper()
	n, err := db.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
