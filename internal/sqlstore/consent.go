package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// ConsentEncryptedColumns lists the encrypted columns of consents, for the
// registry test.
func ConsentEncryptedColumns() []string { return []string{"note"} }

var errConsentNotFound = haven.Errorf(haven.NotFound, "Consent not found.")

const consentColumns = `c.id, c.survivor_id, c.recipient_kind, c.recipient, c.purpose, c.categories, c.method,
	COALESCE(c.witness_id, ''), c.language, c.explained_by, c.note_enc, c.given_at, c.expires_at, c.revoked_at,
	COALESCE(c.revoked_by, ''), COALESCE(o.name, '')`

// consentFrom joins the recipient organization for its name; a category
// recipient takes its need's name instead (consentName).
const consentFrom = ` FROM consents c LEFT JOIN hsds_organizations o ON c.recipient_kind = 'organization' AND o.id = c.recipient`

// Consents lists a survivor's consents, newest first, and records the
// read.
func (db *ConsentService) Consents(ctx context.Context, survivorID string) ([]haven.Consent, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Consent, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.Consent
	err = db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+consentColumns+consentFrom+` WHERE c.survivor_id = $1
			ORDER BY c.given_at DESC, c.id DESC`, survivorID)
		if err != nil {
			return fmt.Errorf("list consents: %w", err)
		}
		defer rows.Close()
		var sealed [][]byte
		for rows.Next() {
			c, note, err := scanConsent(rows)
			if err != nil {
				return err
			}
			out, sealed = append(out, *c), append(sealed, note)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.openConsentNotes(ctx, survivorID, out, sealed); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "consent.list", "survivor", survivorID))
	})
	return out, err
}

// Consent reads one consent, finding its survivor first so that access is
// decided on that record, and records the read.
func (db *ConsentService) Consent(ctx context.Context, consentID string) (*haven.Consent, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var survivorID string
	err = db.db.QueryRowContext(ctx, `SELECT survivor_id FROM consents WHERE id = $1`, consentID).Scan(&survivorID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errConsentNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find consent: %w", err)
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.Consent, survivorID)
	if err != nil {
		return nil, errConsentNotFound
	}
	var c *haven.Consent
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if c, err = tx.readConsent(ctx, survivorID, consentID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "consent.read", "consent", consentID))
	})
	return c, err
}

func (tx *Tx) readConsent(ctx context.Context, survivorID, consentID string) (*haven.Consent, error) {
	c, note, err := scanConsent(tx.QueryRowContext(ctx, `SELECT `+consentColumns+consentFrom+
		` WHERE c.id = $1 AND c.survivor_id = $2`, consentID, survivorID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errConsentNotFound
	} else if err != nil {
		return nil, fmt.Errorf("read consent: %w", err)
	}
	one := []haven.Consent{*c}
	if err := tx.openConsentNotes(ctx, survivorID, one, [][]byte{note}); err != nil {
		return nil, err
	}
	return &one[0], nil
}

type scanner interface{ Scan(dest ...any) error }

func scanConsent(row scanner) (*haven.Consent, []byte, error) {
	var c haven.Consent
	var cats, orgName string
	var note []byte
	var revoked sql.NullTime
	err := row.Scan(&c.ID, &c.SurvivorID, &c.RecipientKind, &c.Recipient, &c.Purpose, &cats, &c.Method, &c.WitnessID,
		&c.Language, &c.ExplainedBy, &note, &c.GivenAt, &c.ExpiresAt, &revoked, &c.RevokedBy, &orgName)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range strings.Fields(cats) {
		c.Categories = append(c.Categories, haven.DataCategory(f))
	}
	c.GivenAt, c.ExpiresAt = c.GivenAt.UTC(), c.ExpiresAt.UTC()
	if revoked.Valid {
		t := revoked.Time.UTC()
		c.RevokedAt = &t
	}
	c.RecipientName = orgName
	if c.RecipientKind == haven.RecipientCategory {
		if n, ok := haven.NeedByCode(c.Recipient); ok {
			c.RecipientName = n.Name
		}
	}
	return &c, note, nil
}

// openConsentNotes decrypts the notes of a survivor's consents, with one
// data key for all of them.
func (tx *Tx) openConsentNotes(ctx context.Context, survivorID string, cs []haven.Consent, sealed [][]byte) error {
	if len(cs) == 0 {
		return nil
	}
	dk, err := tx.db.dataKey(ctx, survivorID)
	if err != nil {
		return err
	}
	defer clear(dk)
	for i := range cs {
		if sealed[i] == nil {
			continue
		}
		plain, err := vault.Open(dk, sealed[i], vault.AAD("consents", "note", cs[i].ID))
		if err != nil {
			return fmt.Errorf("decrypt consents.note of %s: %w", cs[i].ID, err)
		}
		cs[i].Note = string(plain)
		clear(plain)
	}
	return nil
}

// RecordConsent records a consent the actor explained. The recipient
// organization must be in the directory; a witness must be another active
// staff member.
func (db *ConsentService) RecordConsent(ctx context.Context, survivorID string, nc haven.NewConsent) (*haven.Consent, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Consent, survivorID); err != nil {
		return nil, err
	}
	if err := nc.Validate(); err != nil {
		return nil, err
	}
	c := &haven.Consent{ID: newID(), SurvivorID: survivorID, RecipientKind: nc.RecipientKind, Recipient: nc.Recipient,
		Purpose: nc.Purpose, Categories: nc.Categories, Method: nc.Method, WitnessID: nc.WitnessID, Language: nc.Language,
		ExplainedBy: actor.UserID, Note: nc.Note}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkConsentParties(ctx, c, actor); err != nil {
			return err
		}
		c.GivenAt = tx.now
		c.ExpiresAt = tx.now.Add(time.Duration(nc.Days) * 24 * time.Hour)
		var note []byte
		if c.Note != "" {
			dk, err := tx.db.dataKey(ctx, survivorID)
			if err != nil {
				return err
			}
			defer clear(dk)
			if note, err = vault.Seal(dk, []byte(c.Note), vault.AAD("consents", "note", c.ID)); err != nil {
				return err
			}
		}
		cats := make([]string, len(c.Categories))
		for i, cat := range c.Categories {
			cats[i] = string(cat)
		}
		var witness any
		if c.WitnessID != "" {
			witness = c.WitnessID
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO consents (id, survivor_id, recipient_kind, recipient, purpose, categories, method,
			witness_id, language, explained_by, note_enc, given_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			c.ID, survivorID, c.RecipientKind, c.Recipient, c.Purpose, strings.Join(cats, " "), c.Method, witness, c.Language,
			c.ExplainedBy, note, c.GivenAt, c.ExpiresAt)
		if err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "consent.create", ObjectType: "consent", ObjectID: c.ID,
			Reason: "survivor:" + survivorID})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkConsentParties checks that the recipient organization exists (and
// names it) and that the witness is another active staff member.
func (tx *Tx) checkConsentParties(ctx context.Context, c *haven.Consent, actor haven.Actor) error {
	if c.RecipientKind == haven.RecipientOrganization {
		err := tx.QueryRowContext(ctx, `SELECT name FROM hsds_organizations WHERE id = $1`, c.Recipient).Scan(&c.RecipientName)
		if errors.Is(err, sql.ErrNoRows) {
			return haven.FieldError("recipient", "No organization of the directory has this id.")
		} else if err != nil {
			return fmt.Errorf("find recipient: %w", err)
		}
	} else if n, ok := haven.NeedByCode(c.Recipient); ok {
		c.RecipientName = n.Name
	}
	if c.WitnessID == "" {
		return nil
	}
	if c.WitnessID == actor.UserID {
		return haven.FieldError("witness_id", "The witness must be someone other than the person who explained the consent.")
	}
	if ok, err := tx.activeUser(ctx, c.WitnessID); err != nil || ok {
		return err
	}
	return haven.FieldError("witness_id", "Choose a witness among the active staff.")
}

// RevokeConsent ends a consent at once: from this moment it covers
// nothing, and whatever it allowed stops on the recipient's next request.
func (db *ConsentService) RevokeConsent(ctx context.Context, survivorID, consentID string) (*haven.Consent, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Consent, survivorID); err != nil {
		return nil, err
	}
	var c *haven.Consent
	err = db.inTx(ctx, func(tx *Tx) error {
		if c, err = tx.readConsent(ctx, survivorID, consentID); err != nil {
			return err
		}
		switch c.State(tx.now) {
		case haven.ConsentRevoked:
			return haven.Errorf(haven.Conflict, "This consent was already revoked.")
		case haven.ConsentExpired:
			return haven.Errorf(haven.Conflict, "This consent has expired: it already covers nothing.")
		}
		res, err := tx.ExecContext(ctx, `UPDATE consents SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL`,
			tx.now, actor.UserID, consentID)
		if err != nil {
			return fmt.Errorf("revoke consent: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return haven.Errorf(haven.Conflict, "This consent was already revoked.")
		}
		at := tx.now
		c.RevokedAt, c.RevokedBy = &at, actor.UserID
		return tx.audit(ctx, haven.AuditEvent{Action: "consent.revoke", ObjectType: "consent", ObjectID: consentID,
			Reason: "survivor:" + survivorID})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
