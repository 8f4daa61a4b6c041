package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// ReferralEncryptedColumns lists the encrypted columns of referrals and
// their history, for the registry test.
func ReferralEncryptedColumns() []string { return []string{"note"} }

var errReferralNotFound = haven.Errorf(haven.NotFound, "Referral not found.")

// referralRow is a referral's coded columns, read before any decision.
type referralRow struct {
	haven.Referral
	purpose haven.ConsentPurpose
	note    []byte
}

const referralSelect = `SELECT r.id, r.survivor_id, sv.case_number, r.service_id, COALESCE(s.name, ''), r.organization_id, COALESCE(o.name, ''),
	COALESCE(r.need_id, ''), COALESCE(n.domain, ''), r.consent_id, r.purpose, r.categories, r.status, r.reason, r.note_enc,
	r.sender_id, r.created_at, r.updated_at,
	NOT EXISTS (SELECT 1 FROM users u WHERE u.organization_id = r.organization_id AND u.role = 'partner' AND u.disabled = $1)
	FROM referrals r
	JOIN survivors sv ON sv.id = r.survivor_id
	LEFT JOIN hsds_services s ON s.id = r.service_id
	LEFT JOIN hsds_organizations o ON o.id = r.organization_id
	LEFT JOIN needs n ON n.id = r.need_id`

func scanReferral(row scanner) (*referralRow, error) {
	var r referralRow
	var cats string
	err := row.Scan(&r.ID, &r.SurvivorID, &r.CaseNumber, &r.ServiceID, &r.ServiceName, &r.OrganizationID, &r.Organization, &r.NeedID,
		&r.NeedDomain, &r.ConsentID, &r.purpose, &cats, &r.Status, &r.Reason, &r.note, &r.SenderID, &r.CreatedAt, &r.UpdatedAt, &r.ByHand)
	if err != nil {
		return nil, err
	}
	r.Categories = splitCategories(cats)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

func splitCategories(s string) []haven.DataCategory {
	out := []haven.DataCategory{}
	for _, f := range strings.Fields(s) {
		out = append(out, haven.DataCategory(f))
	}
	return out
}

func joinCategories(cats []haven.DataCategory) string {
	s := make([]string, len(cats))
	for i, c := range cats {
		s[i] = string(c)
	}
	return strings.Join(s, " ")
}

func (db *store) referralRow(ctx context.Context, q querier, id string) (*referralRow, error) {
	r, err := scanReferral(q.QueryRowContext(ctx, referralSelect+` WHERE r.id = $2`, false, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errReferralNotFound
	} else if err != nil {
		return nil, fmt.Errorf("read referral: %w", err)
	}
	return r, nil
}

// consentScope is what the referral's consent allows its recipient at
// now: nothing once it is revoked or expired, coded fields while it is in
// force, and the referral's categories as far as it covers them (it
// always does, unless the two were forged apart).
func (db *store) consentScope(ctx context.Context, q querier, r *referralRow, now time.Time) (access.ConsentScope, error) {
	c, _, err := scanConsent(q.QueryRowContext(ctx, `SELECT `+consentColumns+consentFrom+` WHERE c.id = $1`, r.ConsentID))
	if errors.Is(err, sql.ErrNoRows) {
		return access.NoConsent, nil
	} else if err != nil {
		return access.NoConsent, fmt.Errorf("read consent: %w", err)
	}
	switch {
	case c.SurvivorID != r.SurvivorID || c.State(now) != haven.ConsentActiveState:
		return access.NoConsent, nil
	case c.Covers(now, c.Purpose, r.Categories):
		return access.ConsentCovers, nil
	}
	return access.ConsentActive, nil
}

// packetClass is the most protected field class a packet of cats holds.
func packetClass(cats []haven.DataCategory) haven.FieldClass {
	class := haven.Coded
	for _, c := range cats {
		switch c {
		case haven.CategoryIdentity, haven.CategoryContact:
			return haven.Identifying
		case haven.CategoryCare, haven.CategorySensitive, haven.CategoryScreening:
			class = haven.Sensitive
		}
	}
	return class
}

// actorOrganization is a partner's organization.
func (db *store) actorOrganization(ctx context.Context, actor haven.Actor) (string, error) {
	var org string
	err := db.db.QueryRowContext(ctx, `SELECT organization_id FROM users WHERE id = $1`, actor.UserID).Scan(&org)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read organization: %w", err)
	}
	return org, nil
}

// decideReferral finds a referral and decides act on it for the actor in
// ctx, touching fields up to class(r): the start of every method on one
// referral.
func (db *store) decideReferral(ctx context.Context, referralID string, act access.Action,
	class func(*referralRow) haven.FieldClass) (haven.Actor, *referralRow, access.Relationship, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return actor, nil, access.None, err
	}
	r, err := db.referralRow(ctx, db.db, referralID)
	if err != nil {
		return actor, nil, access.None, err
	}
	rel, err := db.authorizeReferral(ctx, actor, act, r, class(r))
	return actor, r, rel, err
}

// authorizeReferral decides act on a referral touching fields up to
// class: for a partner by their organization and the consent in force;
// for everyone else by their tie to the survivor's record. A denial is
// audited and answered NotFound.
func (db *store) authorizeReferral(ctx context.Context, actor haven.Actor, act access.Action, r *referralRow,
	class haven.FieldClass) (access.Relationship, error) {
	if actor.Role != haven.RolePartner {
		rel, _, err := db.authorizeAs(ctx, actor, act, access.Referral, r.SurvivorID)
		if err != nil {
			return rel, errReferralNotFound
		}
		return rel, nil
	}
	org, err := db.actorOrganization(ctx, actor)
	if err != nil {
		return access.None, err
	}
	rel, scope := access.None, access.NoConsent
	if org != "" && org == r.OrganizationID {
		rel = access.Recipient
		if scope, err = db.consentScope(ctx, db.db, r, db.now()); err != nil {
			return rel, err
		}
	}
	d := access.Decide(access.Request{Role: actor.Role, Action: act, Resource: access.Referral, Relationship: rel,
		Class: class, Consent: scope, Now: db.now()})
	if d.Allow {
		return rel, nil
	}
	err = db.auditAlone(ctx, haven.AuditEvent{Action: "referral." + string(act), ObjectType: "referral", ObjectID: r.ID,
		Outcome: haven.OutcomeDenied, Reason: d.Reason})
	if err != nil {
		return rel, err
	}
	return rel, errReferralNotFound
}

// CreateReferral sends a referral under the consent it names, which must
// be the survivor's, in force, name the service's organization (or a kind
// of service it provides) and cover the packet's categories: the server
// checks all of it, whatever the client sends.
func (db *ReferralService) CreateReferral(ctx context.Context, survivorID string, nr haven.NewReferral) (*haven.Referral, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Referral, survivorID); err != nil {
		return nil, err
	}
	if err := nr.Validate(); err != nil {
		return nil, err
	}
	var out *haven.Referral
	err = db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.checkReferral(ctx, survivorID, nr)
		if err != nil {
			return err
		}
		r.ID, r.SenderID, r.Status, r.CreatedAt, r.UpdatedAt = newID(), actor.UserID, haven.ReferralRequested, tx.now, tx.now
		r.Note = nr.Note
		note, err := tx.sealReferralNote(ctx, survivorID, "referrals", r.ID, nr.Note)
		if err != nil {
			return err
		}
		var need any
		if r.NeedID != "" {
			need = r.NeedID
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO referrals (id, survivor_id, service_id, organization_id, need_id, consent_id, purpose,
			categories, status, note_enc, sender_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
			r.ID, survivorID, r.ServiceID, r.OrganizationID, need, r.ConsentID, r.purpose, joinCategories(r.Categories), r.Status,
			note, actor.UserID, tx.now)
		if err != nil {
			return fmt.Errorf("insert referral: %w", err)
		}
		if err := tx.referralEvent(ctx, &r.Referral, haven.StatusChange{Status: haven.ReferralRequested}, actor); err != nil {
			return err
		}
		if err := tx.audit(ctx, haven.AuditEvent{Action: "referral.create", ObjectType: "referral", ObjectID: r.ID,
			Reason: "survivor:" + survivorID}); err != nil {
			return err
		}
		out = &r.Referral
		return nil
	})
	return out, err
}

// checkReferral checks a new referral against the store: the service is
// active, the need is the survivor's, and the consent covers it. It
// returns the referral's coded parts.
func (tx *Tx) checkReferral(ctx context.Context, survivorID string, nr haven.NewReferral) (*referralRow, error) {
	r := &referralRow{Referral: haven.Referral{SurvivorID: survivorID, ServiceID: nr.ServiceID, NeedID: nr.NeedID,
		ConsentID: nr.ConsentID, Categories: nr.Categories}}
	var status string
	err := tx.QueryRowContext(ctx, `SELECT s.organization_id, s.name, s.status, COALESCE(o.name, '') FROM hsds_services s
		LEFT JOIN hsds_organizations o ON o.id = s.organization_id WHERE s.id = $1`, nr.ServiceID).Scan(&r.OrganizationID,
		&r.ServiceName, &status, &r.Organization)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, haven.FieldError("service_id", "No service of the directory has this id.")
	case err != nil:
		return nil, fmt.Errorf("read service: %w", err)
	case status != "" && status != "active":
		return nil, haven.FieldError("service_id", "This service is not active: it takes no referrals.")
	case r.OrganizationID == "":
		return nil, haven.FieldError("service_id", "This service names no organization to receive the referral.")
	}
	var partners int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE organization_id = $1 AND role = 'partner' AND disabled = $2`,
		r.OrganizationID, false).Scan(&partners); err != nil {
		return nil, fmt.Errorf("count partners: %w", err)
	}
	r.ByHand = partners == 0
	if nr.NeedID != "" {
		var needSurvivor string
		err := tx.QueryRowContext(ctx, `SELECT survivor_id, domain FROM needs WHERE id = $1`, nr.NeedID).Scan(&needSurvivor, &r.NeedDomain)
		if errors.Is(err, sql.ErrNoRows) || err == nil && needSurvivor != survivorID {
			return nil, haven.FieldError("need_id", "This need is not in the survivor's care plan.")
		} else if err != nil {
			return nil, fmt.Errorf("read need: %w", err)
		}
	}
	c, _, err := scanConsent(tx.QueryRowContext(ctx, `SELECT `+consentColumns+consentFrom+` WHERE c.id = $1 AND c.survivor_id = $2`,
		nr.ConsentID, survivorID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, haven.FieldError("consent_id", "No consent of this survivor has this id: record the consent first.")
	} else if err != nil {
		return nil, fmt.Errorf("read consent: %w", err)
	}
	r.purpose = c.Purpose
	switch {
	case c.State(tx.now) != haven.ConsentActiveState:
		return nil, haven.FieldError("consent_id", "This consent is "+string(c.State(tx.now))+": it covers nothing. Record a new one if the survivor agrees.")
	case !c.Covers(tx.now, c.Purpose, nr.Categories):
		return nil, haven.FieldError("categories", "The consent does not cover every kind of information chosen: choose fewer, or record a wider consent if the survivor agrees.")
	}
	ok, err := tx.consentNamesService(ctx, c, r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, haven.FieldError("consent_id", "This consent does not name the service's organization, nor a kind of service it provides.")
	}
	return r, nil
}

// consentNamesService reports whether consent c names the referral's
// recipient (haven.Consent.Names): its organization, or a need the
// service is listed under.
func (tx *Tx) consentNamesService(ctx context.Context, c *haven.Consent, r *referralRow) (bool, error) {
	if c.RecipientKind == haven.RecipientOrganization {
		return c.Names(r.OrganizationID, nil), nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT taxonomy_term_id FROM hsds_attributes WHERE link_id = $1`, r.ServiceID)
	if err != nil {
		return false, fmt.Errorf("read service needs: %w", err)
	}
	defer rows.Close()
	var terms []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return false, err
		}
		terms = append(terms, t)
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	return c.Names(r.OrganizationID, haven.NeedCodes(terms)), nil
}

func (tx *Tx) sealReferralNote(ctx context.Context, survivorID, table, id, note string) ([]byte, error) {
	if note == "" {
		return nil, nil
	}
	dk, err := tx.db.dataKey(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	return vault.Seal(dk, []byte(note), vault.AAD(table, "note", id))
}

// referralEvent records a change of status in the referral's history.
func (tx *Tx) referralEvent(ctx context.Context, r *haven.Referral, sc haven.StatusChange, actor haven.Actor) error {
	id := newID()
	note, err := tx.sealReferralNote(ctx, r.SurvivorID, "referral_history", id, sc.Note)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO referral_history (id, referral_id, survivor_id, status, reason, note_enc, changed_by, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, r.ID, r.SurvivorID, sc.Status, sc.Reason, note, actor.UserID, tx.now)
	if err != nil {
		return fmt.Errorf("record referral history: %w", err)
	}
	return nil
}

// Referrals lists a survivor's referrals, newest first, with their
// history, for the care team.
func (db *ReferralService) Referrals(ctx context.Context, survivorID string) ([]haven.Referral, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Referral, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.Referral
	err = db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, referralSelect+` WHERE r.survivor_id = $2 ORDER BY r.created_at DESC, r.id DESC`, false, survivorID)
		if err != nil {
			return fmt.Errorf("list referrals: %w", err)
		}
		var list []*referralRow
		for rows.Next() {
			r, err := scanReferral(rows)
			if err != nil {
				rows.Close()
				return err
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.openReferrals(ctx, survivorID, list, true); err != nil {
			return err
		}
		for _, r := range list {
			out = append(out, r.Referral)
		}
		return tx.auditRead(ctx, readEvent(rel, "referral.list", "survivor", survivorID))
	})
	return out, err
}

// openReferrals decrypts the referrals' notes and, with history, reads
// and decrypts their histories, under one data key.
func (tx *Tx) openReferrals(ctx context.Context, survivorID string, list []*referralRow, history bool) error {
	if len(list) == 0 {
		return nil
	}
	dk, err := tx.db.dataKey(ctx, survivorID)
	if err != nil {
		return err
	}
	defer clear(dk)
	byID := map[string]*referralRow{}
	for _, r := range list {
		byID[r.ID] = r
		if r.note != nil {
			plain, err := vault.Open(dk, r.note, vault.AAD("referrals", "note", r.ID))
			if err != nil {
				return fmt.Errorf("decrypt referrals.note of %s: %w", r.ID, err)
			}
			r.Note = string(plain)
		}
	}
	if !history {
		return nil
	}
	q, args := `SELECT id, referral_id, status, reason, note_enc, changed_by, changed_at FROM referral_history WHERE survivor_id = $1`, []any{survivorID}
	if len(list) == 1 {
		q, args = q+` AND referral_id = $2`, append(args, list[0].ID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY changed_at, id`, args...)
	if err != nil {
		return fmt.Errorf("read referral history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, rid string
		var ev haven.ReferralEvent
		var note []byte
		if err := rows.Scan(&id, &rid, &ev.Status, &ev.Reason, &note, &ev.ChangedBy, &ev.ChangedAt); err != nil {
			return err
		}
		r, ok := byID[rid]
		if !ok {
			continue
		}
		if note != nil {
			plain, err := vault.Open(dk, note, vault.AAD("referral_history", "note", id))
			if err != nil {
				return fmt.Errorf("decrypt referral_history.note of %s: %w", id, err)
			}
			ev.Note = string(plain)
		}
		ev.ChangedAt = ev.ChangedAt.UTC()
		r.History = append(r.History, ev)
	}
	return rows.Err()
}

// Referral reads one referral, for the care team (with its history) or
// for the receiving organization while the consent is in force (coded
// fields and the sender's message, no survivor id, no history notes).
func (db *ReferralService) Referral(ctx context.Context, referralID string) (*haven.Referral, error) {
	_, r, rel, err := db.decideReferral(ctx, referralID, access.Read, func(r *referralRow) haven.FieldClass { return haven.Coded })
	if err != nil {
		return nil, err
	}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.openReferrals(ctx, r.SurvivorID, []*referralRow{r}, rel != access.Recipient); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "referral.read", "referral", r.ID))
	})
	if err != nil {
		return nil, err
	}
	if rel == access.Recipient {
		r.SurvivorID = ""
	}
	return &r.Referral, nil
}

// Packet is what the referral's recipient receives, read from the record
// now: a change of the record shows, and a revoked consent stops it.
func (db *ReferralService) Packet(ctx context.Context, referralID string) (*haven.Packet, error) {
	_, r, rel, err := db.decideReferral(ctx, referralID, access.Read, func(r *referralRow) haven.FieldClass { return packetClass(r.Categories) })
	if err != nil {
		return nil, err
	}
	var p *haven.Packet
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.openReferrals(ctx, r.SurvivorID, []*referralRow{r}, false); err != nil {
			return err
		}
		if p, err = tx.packet(ctx, r.SurvivorID, r.Categories, r.NeedDomain, r.Note); err != nil {
			return err
		}
		p.ReferralID = r.ID
		return tx.auditRead(ctx, readEvent(rel, "referral.packet", "referral", r.ID))
	})
	return p, err
}

// PreviewPacket is the packet a new referral would carry, exactly as its
// recipient would receive it, after the same checks as CreateReferral.
func (db *ReferralService) PreviewPacket(ctx context.Context, survivorID string, nr haven.NewReferral) (*haven.Packet, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Create, access.Referral, survivorID)
	if err != nil {
		return nil, err
	}
	if err := nr.Validate(); err != nil {
		return nil, err
	}
	var p *haven.Packet
	err = db.inReadTx(ctx, func(tx *Tx) error {
		r, err := tx.checkReferral(ctx, survivorID, nr)
		if err != nil {
			return err
		}
		if p, err = tx.packet(ctx, survivorID, r.Categories, r.NeedDomain, nr.Note); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "referral.preview", "survivor", survivorID))
	})
	return p, err
}

// packet builds the minimum necessary from the record: the basics, and
// each other category only when cats holds it. Narrative notes never
// travel; screenings travel as their coded outcome, never the answers.
func (tx *Tx) packet(ctx context.Context, survivorID string, cats []haven.DataCategory, needDomain, note string) (*haven.Packet, error) {
	s, err := tx.readSurvivor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	p := &haven.Packet{CaseNumber: s.CaseNumber, AgeBand: s.AgeBand, Minor: s.Minor, NeedDomain: needDomain,
		Languages: []haven.LanguagePreference{}, Categories: cats, Note: note}
	has := func(c haven.DataCategory) bool { return slices.Contains(cats, c) }
	for _, l := range s.Languages {
		lp := haven.LanguagePreference{Code: l.Code, Interpreter: l.Interpreter}
		if has(haven.CategoryCare) {
			lp.Dialect = l.Dialect
		}
		p.Languages = append(p.Languages, lp)
	}
	if has(haven.CategoryIdentity) {
		p.Identity = &haven.PacketIdentity{Name: s.Name, Aliases: nonNil(s.Aliases), DateOfBirth: s.DateOfBirth}
	}
	if has(haven.CategoryContact) {
		p.Contact = &haven.PacketContact{Phones: nonNil(s.Phones), Emails: nonNil(s.Emails), SafeContact: s.SafeContact}
		if p.Contact.SafeContact.Channels == nil {
			p.Contact.SafeContact.Channels = []haven.ContactChannel{}
		}
	}
	if has(haven.CategoryCare) {
		p.Care = &haven.PacketCare{CulturalConsiderations: s.CulturalConsiderations, FaithConsiderations: s.FaithConsiderations,
			PreferredGender: string(s.PreferredProviderGender)}
	}
	if has(haven.CategorySensitive) {
		p.Sensitive = &haven.PacketSensitive{ImmigrationStatus: s.ImmigrationStatus}
	}
	if has(haven.CategoryScreening) {
		var sc haven.PacketScreening
		var flagged string
		err := tx.QueryRowContext(ctx, `SELECT instrument_id, concern, flagged, created_at FROM screenings WHERE survivor_id = $1
			ORDER BY created_at DESC, id DESC LIMIT 1`, survivorID).Scan(&sc.Instrument, &sc.Concern, &flagged, &sc.Screened)
		if err == nil {
			sc.Flagged, sc.Screened = nonNil(strings.Fields(flagged)), sc.Screened.UTC()
			p.Screening = &sc
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read screening: %w", err)
		}
	}
	return p, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Inbox lists the referrals sent to the partner's organization whose
// consent is in force, newest first: coded fields only.
func (db *ReferralService) Inbox(ctx context.Context) ([]haven.Referral, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	org := ""
	if actor.Role == haven.RolePartner {
		if org, err = db.actorOrganization(ctx, actor); err != nil {
			return nil, err
		}
	}
	rel := access.None
	if org != "" {
		rel = access.Recipient
	}
	d := access.Decide(access.Request{Role: actor.Role, Action: access.List, Resource: access.Referral, Relationship: rel,
		Class: haven.Coded, Consent: access.ConsentActive, Now: db.now()})
	if !d.Allow {
		err := db.auditAlone(ctx, haven.AuditEvent{Action: "referral.inbox", ObjectType: "referral", Outcome: haven.OutcomeDenied, Reason: d.Reason})
		if err != nil {
			return nil, err
		}
		return nil, haven.Errorf(haven.Forbidden, "Only a receiving organization's staff have a referral inbox.")
	}
	var out []haven.Referral
	err = db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, referralSelect+` JOIN consents c ON c.id = r.consent_id
			WHERE r.organization_id = $2 AND c.revoked_at IS NULL AND c.expires_at > $3
			ORDER BY r.created_at DESC, r.id DESC LIMIT 200`, false, org, tx.now)
		if err != nil {
			return fmt.Errorf("list inbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReferral(rows)
			if err != nil {
				return err
			}
			r.SurvivorID = ""
			out = append(out, r.Referral)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.auditRead(ctx, haven.AuditEvent{Action: "referral.inbox", ObjectType: "referral"})
	})
	return out, err
}

// MoveReferral changes a referral's status under the state machine. The
// receiving organization accepts, rejects and reports progress while the
// consent is in force; the care team cancels, and records every status by
// hand for an organization with no Haven users. A completed referral moves
// its care-plan need to met unless the change says otherwise.
func (db *ReferralService) MoveReferral(ctx context.Context, referralID string, sc haven.StatusChange) (*haven.Referral, error) {
	actor, r, rel, err := db.decideReferral(ctx, referralID, access.Update, func(r *referralRow) haven.FieldClass { return haven.Coded })
	if err != nil {
		return nil, err
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	switch {
	case rel == access.Recipient && sc.Status == haven.ReferralCancelled:
		return nil, haven.Errorf(haven.Forbidden, "The sender cancels a referral; the receiving organization rejects it or reports it failed.")
	case rel != access.Recipient && sc.Status != haven.ReferralCancelled && !r.ByHand:
		return nil, haven.Errorf(haven.Forbidden, "The receiving organization moves this referral in Haven; the sender may only cancel it.")
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		cur, err := tx.db.referralRow(ctx, tx, referralID) // under the transaction, for the compare-and-set below
		if err != nil {
			return err
		}
		if err := cur.Status.CheckMove(sc.Status); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $1, reason = $2, updated_at = $3,
			served_at = CASE WHEN served_at IS NULL AND $1 IN ('in-progress', 'completed') THEN $3 ELSE served_at END
			WHERE id = $4 AND status = $5`,
			sc.Status, sc.Reason, tx.now, referralID, cur.Status)
		if err != nil {
			return fmt.Errorf("move referral: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return haven.Errorf(haven.Conflict, "The referral changed meanwhile: reload it and try again.")
		}
		r.Status, r.Reason, r.UpdatedAt = sc.Status, sc.Reason, tx.now
		if err := tx.referralEvent(ctx, &r.Referral, sc, actor); err != nil {
			return err
		}
		if sc.Status == haven.ReferralCompleted && r.NeedID != "" && !sc.NeedNotMet {
			if err := tx.meetNeed(ctx, r.SurvivorID, r.NeedID, actor); err != nil {
				return err
			}
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "referral.status", ObjectType: "referral", ObjectID: referralID,
			Reason: string(sc.Status)})
	})
	if err != nil {
		return nil, err
	}
	if rel == access.Recipient {
		r.SurvivorID = ""
	}
	r.History = nil
	return &r.Referral, nil
}

// meetNeed moves an open need to met, with a history entry, because the
// referral serving it completed.
func (tx *Tx) meetNeed(ctx context.Context, survivorID, needID string, actor haven.Actor) error {
	res, err := tx.ExecContext(ctx, `UPDATE needs SET status = 'met', updated_at = $1 WHERE id = $2 AND survivor_id = $3
		AND status IN ('identified', 'planned', 'in_progress')`, tx.now, needID, survivorID)
	if err != nil {
		return fmt.Errorf("meet need: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // already closed, or declined: left as the survivor and worker set it
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO need_history (id, need_id, survivor_id, kind, status, changed_by, changed_at)
		VALUES ($1, $2, $3, 'status', 'met', $4, $5)`, newID(), needID, survivorID, actor.UserID, tx.now)
	if err != nil {
		return fmt.Errorf("record need history: %w", err)
	}
	return tx.audit(ctx, haven.AuditEvent{Action: "need.update", ObjectType: "need", ObjectID: needID, Reason: "referral_completed"})
}

// ReminderText is the follow-up task a waiting referral raises for its
// sender. It names nothing of the survivor or the service: the task
// links to the case, where the referral shows.
const ReminderText = "Follow up: a referral on this case has had no change for a while. Call the organization, then record what they say."

// RemindWaitingReferrals raises, for each open referral whose status has
// not changed for olderThan, one follow-up task for its sender, due
// today (a date in the clinic's zone). Each referral is claimed by a
// conditional update of reminded_at before its task is written, in one
// transaction per referral, so that several instances on one database
// raise exactly one reminder per referral whichever runs first. It
// returns how many reminders it raised.
func (db *ReferralService) RemindWaitingReferrals(ctx context.Context, olderThan time.Duration, today string) (int, error) {
	job, ok := haven.SystemFrom(ctx)
	d := access.Decide(access.Request{System: job, Action: access.Create, Resource: access.Task})
	if !ok || !d.Allow {
		if _, isActor := haven.ActorFrom(ctx); !ok && !isActor {
			return 0, errNoSession
		}
		return 0, haven.Errorf(haven.Forbidden, "Only the referral-reminders job raises reminders.")
	}
	cutoff := db.now().Add(-olderThan)
	open := []any{haven.ReferralRequested, haven.ReferralAccepted, haven.ReferralInProgress, haven.ReferralOnHold}
	rows, err := db.db.QueryContext(ctx, `SELECT id, survivor_id, sender_id FROM referrals
		WHERE status IN ($1, $2, $3, $4) AND updated_at < $5 AND reminded_at IS NULL ORDER BY updated_at LIMIT 1000`,
		append(open, cutoff)...)
	if err != nil {
		return 0, fmt.Errorf("find waiting referrals: %w", err)
	}
	type waiting struct{ id, survivor, sender string }
	var list []waiting
	for rows.Next() {
		var w waiting
		if err := rows.Scan(&w.id, &w.survivor, &w.sender); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	raised := 0
	for _, w := range list {
		err := db.inTx(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE referrals SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL`, tx.now, w.id)
			if err != nil {
				return fmt.Errorf("claim referral: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // another instance raised it
			}
			taskID := newID()
			dk, err := tx.db.dataKey(ctx, w.survivor)
			if err != nil {
				return err
			}
			defer clear(dk)
			text, err := vault.Seal(dk, []byte(ReminderText), vault.AAD("tasks", "text", taskID))
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO tasks (id, survivor_id, assignee_id, due_on, status, text_enc, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $7)`, taskID, w.survivor, w.sender, today, text, "system:"+string(job), tx.now)
			if err != nil {
				return fmt.Errorf("raise reminder: %w", err)
			}
			raised++
			return tx.audit(ctx, haven.AuditEvent{Action: "task.create", ObjectType: "task", ObjectID: taskID, Reason: "referral_reminder:" + w.id})
		})
		if err != nil {
			return raised, err
		}
	}
	return raised, nil
}
