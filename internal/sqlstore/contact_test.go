package sqlstore_test

import (
	"context"
	"testing"
	"time"

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
			{"safe channel", s.ID, haven.ChannelSMS, false, "", "survivor.contact channel:sms success"},
			{"channel not marked safe", s.ID, haven.ChannelPhoneCall, false, haven.Forbidden, "survivor.contact channel:phone_call refused:channel_not_safe denied"},
			{"voicemail not safe", s.ID, haven.ChannelSMS, true, haven.Forbidden, "survivor.contact channel:sms voicemail refused:voicemail_not_safe denied"},
			{"unknown channel stays coded", s.ID, "carrier pigeon", false, haven.Forbidden, "survivor.contact channel:other refused:channel_not_safe denied"},
			{"do not contact", dnc.ID, haven.ChannelSMS, false, haven.Forbidden, "survivor.contact channel:sms refused:do_not_contact denied"},
			{"missing record", "no-such-id", haven.ChannelSMS, false, haven.NotFound, "survivor.update not_on_care_team denied"},
		}
		for _, tt := range tests {
			before, _ := db.AuditSize(context.Background())
			err := db.RecordContact(actorCtx(adv), tt.id, tt.ch, tt.voicemail)
			if got := haven.ErrorKind(err); got != tt.wantKind {
				t.Errorf("%s: kind=%q (%v), want %q", tt.name, got, err, tt.wantKind)
			}
			if got := lastAudit(t, db, before); got != tt.wantEntry {
				t.Errorf("%s: audit=%q, want %q", tt.name, got, tt.wantEntry)
			}
		}
		before, _ := db.AuditSize(context.Background())
		if err := db.RecordContact(actorCtx(stranger), s.ID, haven.ChannelSMS, false); haven.ErrorKind(err) != haven.NotFound {
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
