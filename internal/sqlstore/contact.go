package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// RecordContact records that the actor is about to contact a survivor
// through ch (a voicemail when voicemail is true). It checks the
// safe-contact plan with SafeContactPlan.AllowContact and writes the
// contact, or the refusal, to the audit log in one transaction; a refusal
// is returned as the plan's Forbidden error. The plan's channels and flags
// are read from their coded columns, so nothing is decrypted.
// Errors: NotFound (also when the actor may not see the record), Forbidden.
func (db *SurvivorService) RecordContact(ctx context.Context, id string, ch haven.ContactChannel, voicemail bool) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Survivor, id); err != nil {
		return err
	}
	var refusal error
	err = db.inTx(ctx, func(tx *Tx) error {
		plan, err := tx.contactPlan(ctx, id)
		if err != nil {
			return err
		}
		refusal = plan.AllowContact(ch, voicemail)
		return tx.audit(ctx, contactEvent(id, ch, voicemail, plan, refusal))
	})
	if err != nil {
		return err
	}
	return refusal
}

// contactPlan reads the coded part of a survivor's safe-contact plan: the
// channels, do-not-contact and voicemail flags.
func (tx *Tx) contactPlan(ctx context.Context, id string) (haven.SafeContactPlan, error) {
	var p haven.SafeContactPlan
	var channels string
	err := tx.QueryRowContext(ctx, `SELECT contact_channels, do_not_contact, voicemail_safe FROM survivors WHERE id = $1`, id).
		Scan(&channels, &p.DoNotContact, &p.VoicemailSafe)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errSurvivorNotFound
	} else if err != nil {
		return p, fmt.Errorf("read contact plan: %w", err)
	}
	for _, c := range strings.Fields(channels) {
		p.Channels = append(p.Channels, haven.ContactChannel(c))
	}
	return p, nil
}

// contactEvent is the audit entry of a contact or of its refusal. The
// reason holds only coded values: the channel and why it was refused.
func contactEvent(id string, ch haven.ContactChannel, voicemail bool, plan haven.SafeContactPlan, refusal error) haven.AuditEvent {
	ev := haven.AuditEvent{Action: "survivor.contact", ObjectType: "survivor", ObjectID: id, Reason: "channel:" + codedChannel(ch)}
	if voicemail {
		ev.Reason += " voicemail"
	}
	if refusal == nil {
		return ev
	}
	ev.Outcome = haven.OutcomeDenied
	switch {
	case plan.DoNotContact:
		ev.Reason += " refused:do_not_contact"
	case plan.AllowContact(ch, false) != nil:
		ev.Reason += " refused:channel_not_safe"
	default:
		ev.Reason += " refused:voicemail_not_safe"
	}
	return ev
}

// codedChannel keeps the audit reason coded: an unknown channel is
// recorded as "other", never as the text a client sent.
func codedChannel(ch haven.ContactChannel) string {
	if slices.Contains(haven.ContactChannels, ch) {
		return string(ch)
	}
	return "other"
}
