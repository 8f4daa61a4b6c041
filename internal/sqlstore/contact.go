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
	"github.com/haven-care/haven/internal/vault"
)

// RecordContact records a contact the actor made with a survivor through
// c.Channel (a voicemail when c.Voicemail is true). It checks the
// safe-contact plan with SafeContactPlan.AllowContact and, in one
// transaction, stores the contact (its note sealed under the survivor's
// data key) with its audit entry, or audits the refusal alone: a refused
// contact is never stored, and the refusal is returned as the plan's
// Forbidden error. The plan's channels and flags are read from their
// coded columns, so nothing is decrypted.
// Errors: Invalid (outcome, note), NotFound (also when the actor may not
// see the record), Forbidden.
func (db *SurvivorService) RecordContact(ctx context.Context, id string, c haven.NewContact) error {
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
		refusal = plan.AllowContact(c.Channel, c.Voicemail)
		ev := contactEvent(id, c.Channel, c.Voicemail, plan, refusal)
		if refusal != nil {
			return tx.audit(ctx, ev)
		}
		// The plan first: a refused contact is refused, and audited,
		// whatever else the request got wrong.
		if err := c.Validate(); err != nil {
			return err
		}
		if err := tx.insertContact(ctx, id, c); err != nil {
			return err
		}
		ev.Reason += " outcome:" + string(c.Outcome)
		return tx.audit(ctx, ev)
	})
	if err != nil {
		return err
	}
	return refusal
}

// insertContact stores a contact the plan allowed, its note sealed.
func (tx *Tx) insertContact(ctx context.Context, survivorID string, c haven.NewContact) error {
	id := newID()
	var note []byte
	if c.Note != "" {
		dk, err := tx.db.dataKey(ctx, survivorID)
		if err != nil {
			return err
		}
		defer clear(dk)
		plain := []byte(c.Note)
		defer clear(plain)
		if note, err = vault.Seal(dk, plain, vault.AAD("contacts", "note", id)); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO contacts (id, survivor_id, user_id, channel, voicemail, outcome, note_enc, made_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, survivorID, tx.actor.UserID, string(c.Channel), c.Voicemail, string(c.Outcome), note, tx.now)
	if err != nil {
		return fmt.Errorf("insert contact: %w", err)
	}
	return nil
}

// Contacts lists the contacts made with a survivor, newest first, with
// who made them and their notes opened, and records the read.
func (db *SurvivorService) Contacts(ctx context.Context, survivorID string) ([]haven.Contact, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Survivor, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.Contact
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if out, err = tx.readContacts(ctx, survivorID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "survivor.contacts", "survivor", survivorID))
	})
	return out, err
}

func (tx *Tx) readContacts(ctx context.Context, survivorID string) ([]haven.Contact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.user_id, `+displayNameSQL+`, c.channel,
		c.voicemail, c.outcome, c.note_enc, c.made_at
		FROM contacts c JOIN users u ON u.id = c.user_id
		WHERE c.survivor_id = $1 ORDER BY c.made_at DESC, c.id DESC`, survivorID)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	var out []haven.Contact
	var sealed [][]byte
	for rows.Next() {
		c := haven.Contact{SurvivorID: survivorID}
		var note []byte
		if err := rows.Scan(&c.ID, &c.UserID, &c.UserName, &c.Channel, &c.Voicemail, &c.Outcome, &note, &c.MadeAt); err != nil {
			return nil, err
		}
		c.MadeAt = c.MadeAt.UTC()
		out, sealed = append(out, c), append(sealed, note)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	return out, tx.openNotes(ctx, survivorID, "contacts", sealed, func(i int) (string, *string) { return out[i].ID, &out[i].Note })
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
