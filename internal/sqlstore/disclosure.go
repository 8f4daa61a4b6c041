package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/disclosurepdf"
	"github.com/haven-care/haven/internal/vault"
)

// DisclosureEncryptedColumns lists the encrypted columns of disclosures,
// for the registry test.
func DisclosureEncryptedColumns() []string { return []string{"documents", "decision", "pdf", "json"} }

var (
	errDisclosureNotFound = haven.Errorf(haven.NotFound, "Request for disclosure not found.")
	errNoPackage          = haven.Errorf(haven.Conflict, "This request has not been approved: it yields no package.")
)

// PackageLabels are the words of a package's PDF: packages go to agencies
// in English.
var PackageLabels = disclosurepdf.Labels{Title: "Disclosure of health information", Number: "Disclosure number",
	Recipient: "Recipient", Requester: "Requested by", Basis: "Legal basis", Case: "Case number", Generated: "Generated",
	Page: "page", NoValue: "(none recorded)"}

const disclosureColumns = `id, number, survivor_id, requester, agency, COALESCE(contact_id, ''), basis, COALESCE(consent_id, ''),
	documents_enc, deadline, fields, legal_hold_until, status, prepared_by, created_at, submitted_at, rounds,
	COALESCE(decided_by, ''), decided_at, decision_enc, pdf_hash, json_hash`

// newDisclosureNumber returns a random disclosure number such as
// DS-7KQ3-M9XD, as case numbers are made.
func newDisclosureNumber() string {
	b := make([]byte, 5)
	rand.Read(b)
	s := base32.StdEncoding.EncodeToString(b)
	return "DS-" + s[:4] + "-" + s[4:8]
}

func disclosureAAD(column, id string) []byte { return vault.AAD("disclosures", column, id) }

// ProposeDisclosure returns the fields basis allows for the survivor and
// those Haven proposes; under consent, the consent's categories exactly.
func (db *DisclosureService) ProposeDisclosure(ctx context.Context, survivorID string, basis haven.LegalBasis, consentID string) (allowed, proposed []string, err error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(haven.LegalBases, basis) {
		return nil, nil, haven.FieldError("basis", "Choose the legal basis of the request.")
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.Disclosure, survivorID)
	if err != nil {
		return nil, nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		cats, err := tx.consentedCategories(ctx, survivorID, basis, consentID)
		if err != nil {
			return err
		}
		allowed, proposed = haven.AllowedFields(basis, cats), haven.ProposedFields(basis, cats)
		return tx.auditRead(ctx, readEvent(rel, "disclosure.propose", "survivor", survivorID))
	})
	return allowed, proposed, err
}

// consentedCategories are the categories of the survivor's active consent
// consentID under the consent basis, nil otherwise.
func (tx *Tx) consentedCategories(ctx context.Context, survivorID string, basis haven.LegalBasis, consentID string) ([]haven.DataCategory, error) {
	if basis != haven.BasisConsent {
		return nil, nil
	}
	if consentID == "" {
		return nil, haven.FieldError("consent_id", "Choose the survivor's consent the request rests on.")
	}
	c, err := tx.readConsent(ctx, survivorID, consentID)
	if err != nil || c.State(tx.now) != haven.ConsentActiveState {
		return nil, haven.FieldError("consent_id", "Choose an active consent of this survivor.")
	}
	return c.Categories, nil
}

// RequestDisclosure logs a request the actor prepared, pending a
// supervisor's approval.
func (db *DisclosureService) RequestDisclosure(ctx context.Context, survivorID string, nd haven.NewDisclosure) (*haven.Disclosure, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Disclosure, survivorID); err != nil {
		return nil, err
	}
	d := &haven.Disclosure{ID: newID(), Number: newDisclosureNumber(), SurvivorID: survivorID, Status: haven.DisclosurePending,
		PreparedBy: actor.UserID, Rounds: 1}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		cats, err := tx.consentedCategories(ctx, survivorID, nd.Basis, strings.TrimSpace(nd.ConsentID))
		if err != nil && nd.Basis == haven.BasisConsent {
			return err
		}
		if err := nd.Validate(tx.now, haven.AllowedFields(nd.Basis, cats)); err != nil {
			return err
		}
		if nd.ContactID != "" {
			if ok, err := tx.activeUser(ctx, nd.ContactID); err != nil {
				return err
			} else if !ok {
				return haven.FieldError("contact_id", "Choose the requester's contact among the active staff.")
			}
		}
		d.NewDisclosure = nd
		d.CreatedAt, d.SubmittedAt = tx.now, tx.now
		_, err = tx.ExecContext(ctx, `INSERT INTO disclosures (id, number, survivor_id, requester, agency, contact_id, basis,
			consent_id, documents_enc, deadline, fields, legal_hold_until, status, prepared_by, created_at, submitted_at, rounds)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			d.ID, d.Number, survivorID, nd.Requester, nd.Agency, nullable(nd.ContactID), nd.Basis, nullable(nd.ConsentID),
			sealer.Seal([]byte(nd.Documents), disclosureAAD("documents", d.ID)), nd.Deadline, strings.Join(nd.Fields, " "),
			nd.LegalHoldUntil, d.Status, d.PreparedBy, d.CreatedAt, d.SubmittedAt, d.Rounds)
		if err != nil {
			return fmt.Errorf("insert disclosure: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "disclosure.create", ObjectType: "disclosure", ObjectID: d.ID,
			Reason: "survivor:" + survivorID + " basis:" + string(nd.Basis)})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// activeUser reports whether userID is an active account.
func (tx *Tx) activeUser(ctx context.Context, userID string) (bool, error) {
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT disabled FROM users WHERE id = $1`, userID).Scan(&disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read user: %w", err)
	}
	return !disabled, nil
}

// Disclosures lists a survivor's requests, newest first.
func (db *DisclosureService) Disclosures(ctx context.Context, survivorID string) ([]haven.Disclosure, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Disclosure, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.Disclosure
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if out, err = tx.readDisclosures(ctx, `WHERE survivor_id = $1 ORDER BY created_at DESC, id DESC`, survivorID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "disclosure.list", "survivor", survivorID))
	})
	return out, err
}

// readDisclosures reads the disclosures of where and opens their sealed
// words, with one sealer a survivor.
func (tx *Tx) readDisclosures(ctx context.Context, where string, args ...any) ([]haven.Disclosure, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+disclosureColumns+` FROM disclosures `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read disclosures: %w", err)
	}
	defer rows.Close()
	var out []haven.Disclosure
	var sealed [][2][]byte
	for rows.Next() {
		var d haven.Disclosure
		var fields string
		var decided sql.NullTime
		var docs, decision []byte
		if err := rows.Scan(&d.ID, &d.Number, &d.SurvivorID, &d.Requester, &d.Agency, &d.ContactID, &d.Basis, &d.ConsentID,
			&docs, &d.Deadline, &fields, &d.LegalHoldUntil, &d.Status, &d.PreparedBy, &d.CreatedAt, &d.SubmittedAt, &d.Rounds,
			&d.DecidedBy, &decided, &decision, &d.PDFHash, &d.JSONHash); err != nil {
			return nil, err
		}
		d.Fields = strings.Fields(fields)
		d.CreatedAt, d.SubmittedAt = d.CreatedAt.UTC(), d.SubmittedAt.UTC()
		if decided.Valid {
			t := decided.Time.UTC()
			d.DecidedAt = &t
		}
		out, sealed = append(out, d), append(sealed, [2][]byte{docs, decision})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	sealers := map[string]*vault.Sealer{}
	for i := range out {
		d := &out[i]
		s, ok := sealers[d.SurvivorID]
		if !ok {
			if s, err = tx.db.sealerFor(ctx, d.SurvivorID); err != nil {
				return nil, err
			}
			sealers[d.SurvivorID] = s
		}
		if d.Documents, err = openText(s, sealed[i][0], disclosureAAD("documents", d.ID)); err != nil {
			return nil, err
		}
		if d.Decision, err = openText(s, sealed[i][1], disclosureAAD("decision", d.ID)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openText opens a sealed text; nil is the empty text.
func openText(s *vault.Sealer, sealed, aad []byte) (string, error) {
	if sealed == nil {
		return "", nil
	}
	plain, err := s.Open(sealed, aad)
	if err != nil {
		return "", fmt.Errorf("decrypt %s: %w", aad, err)
	}
	return string(plain), nil
}

// findDisclosure returns the survivor of a request, for the access
// decision, before anything of it is read.
func (db *store) findDisclosure(ctx context.Context, id string) (string, error) {
	var survivorID string
	err := db.db.QueryRowContext(ctx, `SELECT survivor_id FROM disclosures WHERE id = $1`, id).Scan(&survivorID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errDisclosureNotFound
	} else if err != nil {
		return "", fmt.Errorf("find disclosure: %w", err)
	}
	return survivorID, nil
}

// disclosureFor decides act on the request id for the actor and returns
// its survivor and the relationship allowed; a denial is NotFound.
func (db *store) disclosureFor(ctx context.Context, act access.Action, id string) (string, access.Relationship, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return "", access.None, err
	}
	survivorID, err := db.findDisclosure(ctx, id)
	if err != nil {
		return "", access.None, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, act, access.Disclosure, survivorID)
	if err != nil {
		return "", rel, errDisclosureNotFound
	}
	return survivorID, rel, nil
}

func (tx *Tx) readDisclosure(ctx context.Context, id string) (*haven.Disclosure, error) {
	ds, err := tx.readDisclosures(ctx, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, errDisclosureNotFound
	}
	return &ds[0], nil
}

// Disclosure reads one request and records the read.
func (db *DisclosureService) Disclosure(ctx context.Context, id string) (*haven.Disclosure, error) {
	_, rel, err := db.disclosureFor(ctx, access.Read, id)
	if err != nil {
		return nil, err
	}
	var d *haven.Disclosure
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if d, err = tx.readDisclosure(ctx, id); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "disclosure.read", "disclosure", id))
	})
	return d, err
}

// PendingDisclosures lists the pending requests the actor may decide,
// oldest first: those of their caseload they neither prepared nor are the
// requester's contact for.
func (db *DisclosureService) PendingDisclosures(ctx context.Context) ([]haven.Disclosure, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out []haven.Disclosure
	err = db.inTx(ctx, func(tx *Tx) error {
		if actor.Role != haven.RoleSupervisor {
			return tx.audit(ctx, haven.AuditEvent{Action: "disclosure.queue", ObjectType: "disclosure"})
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, survivor_id, prepared_by, COALESCE(contact_id, '') FROM disclosures
			WHERE status = $1 ORDER BY submitted_at, id`, haven.DisclosurePending)
		if err != nil {
			return fmt.Errorf("list pending disclosures: %w", err)
		}
		type pending struct{ id, survivor, preparer, contact string }
		var ps []pending
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.id, &p.survivor, &p.preparer, &p.contact); err != nil {
				rows.Close()
				return err
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range ps {
			rel, _, err := tx.db.relationship(ctx, tx, actor, p.survivor)
			if err != nil {
				return err
			}
			req := approvalRequest(actor, rel, p.preparer, p.contact, tx.now)
			if !access.Decide(req).Allow {
				continue
			}
			d, err := tx.readDisclosure(ctx, p.id)
			if err != nil {
				return err
			}
			out = append(out, *d)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "disclosure.queue", ObjectType: "disclosure"})
	})
	return out, err
}

// approvalRequest is the access request of actor approving a request
// prepared by preparer, whose requester's contact in Haven is contact.
func approvalRequest(actor haven.Actor, rel access.Relationship, preparer, contact string, now time.Time) access.Request {
	return access.Request{Role: actor.Role, Action: access.Approve, Resource: access.Disclosure, Relationship: rel,
		Class: haven.Identifying, OwnRequest: actor.UserID == preparer || contact != "" && actor.UserID == contact, Now: now}
}

// PreviewDisclosure builds the package of a request from the record as
// it stands, as the recipient would receive it, and records the preview.
func (db *DisclosureService) PreviewDisclosure(ctx context.Context, id string) (*haven.Package, error) {
	survivorID, rel, err := db.disclosureFor(ctx, access.Read, id)
	if err != nil {
		return nil, err
	}
	var p *haven.Package
	err = db.inReadTx(ctx, func(tx *Tx) error {
		d, err := tx.readDisclosure(ctx, id)
		if err != nil {
			return err
		}
		if p, err = tx.buildPackage(ctx, survivorID, d); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "disclosure.preview", "disclosure", id))
	})
	return p, err
}

// buildPackage reads what d's fields need of the record and builds its
// package, generated now.
func (tx *Tx) buildPackage(ctx context.Context, survivorID string, d *haven.Disclosure) (*haven.Package, error) {
	s, err := tx.readSurvivor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	rec := haven.Record{Survivor: s}
	for _, key := range d.Fields {
		switch key {
		case "encounters.note":
			rec.Encounters, err = tx.readEncounters(ctx, survivorID)
		case "contacts.outcome":
			rec.Contacts, err = tx.readContacts(ctx, survivorID)
		case "screenings.concern":
			rec.Screenings, err = tx.screeningSummaries(ctx, survivorID)
		}
		if err != nil {
			return nil, err
		}
	}
	return haven.BuildPackage(d, rec, tx.now), nil
}

// DecideDisclosure approves or refuses a pending request. The access
// decision requires a supervisor of the case who neither prepared the
// request nor is the requester's contact in Haven. Approval builds the
// package once, seals its PDF and JSON, records their SHA-256, enters the
// disclosure in the survivor's accounting and, unless a legal hold is
// recorded, opens a task to tell the survivor.
func (db *DisclosureService) DecideDisclosure(ctx context.Context, id string, approve bool, reason string) (*haven.Disclosure, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	survivorID, err := db.findDisclosure(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := db.authorizeApproval(ctx, actor, survivorID, id); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 2000 {
		return nil, haven.FieldError("reason", "Give the reason for the decision, in at most 2000 characters.")
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	var d *haven.Disclosure
	err = db.inTx(ctx, func(tx *Tx) error {
		if d, err = tx.readDisclosure(ctx, id); err != nil {
			return err
		}
		if d.Status != haven.DisclosurePending {
			return haven.Errorf(haven.Conflict, "This request is not waiting for a decision.")
		}
		at := tx.now
		d.DecidedBy, d.DecidedAt, d.Decision = actor.UserID, &at, reason
		var pdf, js []byte
		action := "disclosure.refuse"
		d.Status = haven.DisclosureRefused
		if approve {
			action, d.Status = "disclosure.approve", haven.DisclosureApproved
			if pdf, js, err = tx.renderPackage(ctx, survivorID, d); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE disclosures SET status = $2, decided_by = $3, decided_at = $4, decision_enc = $5,
			pdf_enc = $6, json_enc = $7, pdf_hash = $8, json_hash = $9 WHERE id = $1 AND status = $10`,
			id, d.Status, actor.UserID, at, sealer.Seal([]byte(reason), disclosureAAD("decision", id)),
			sealOrNil(sealer, pdf, disclosureAAD("pdf", id)), sealOrNil(sealer, js, disclosureAAD("json", id)),
			d.PDFHash, d.JSONHash, haven.DisclosurePending)
		if err != nil {
			return fmt.Errorf("decide disclosure: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return haven.Errorf(haven.Conflict, "This request is not waiting for a decision.")
		}
		if approve {
			if err := tx.account(ctx, d); err != nil {
				return err
			}
			if err := tx.notifySurvivor(ctx, sealer, d); err != nil {
				return err
			}
		}
		return tx.audit(ctx, haven.AuditEvent{Action: action, ObjectType: "disclosure", ObjectID: id,
			Reason: "survivor:" + survivorID})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// auditAlone writes ev in a transaction of its own: a refusal, or a read
// that changed nothing.
func (db *store) auditAlone(ctx context.Context, ev haven.AuditEvent) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.audit(ctx, ev) })
}

func sealOrNil(s *vault.Sealer, plain, aad []byte) []byte {
	if plain == nil {
		return nil
	}
	return s.Seal(plain, aad)
}

// authorizeApproval asks the access decision whether actor may approve
// the request id of survivorID: a second person is required. A denial is
// audited; the preparer and the requester's contact get Forbidden (they
// see the request), anyone else NotFound.
func (db *store) authorizeApproval(ctx context.Context, actor haven.Actor, survivorID, id string) error {
	var preparer, contact string
	err := db.db.QueryRowContext(ctx, `SELECT prepared_by, COALESCE(contact_id, '') FROM disclosures WHERE id = $1`, id).
		Scan(&preparer, &contact)
	if err != nil {
		return errDisclosureNotFound
	}
	rel, _, err := db.relationship(ctx, db.db, actor, survivorID)
	if err != nil {
		return err
	}
	d := access.Decide(approvalRequest(actor, rel, preparer, contact, db.now()))
	if d.Allow {
		return nil
	}
	if err := db.auditAlone(ctx, haven.AuditEvent{Action: "disclosure.approve", ObjectType: "disclosure", ObjectID: id,
		Outcome: haven.OutcomeDenied, Reason: d.Reason}); err != nil {
		return err
	}
	switch d.Reason {
	case access.ReasonSecondPerson:
		return haven.Errorf(haven.Forbidden, "A second person must decide: you prepared this request or are the requester's contact.")
	case access.ReasonNoRule:
		if rel != access.None {
			return haven.Errorf(haven.Forbidden, "Only a supervisor approves or refuses a disclosure.")
		}
	}
	return errDisclosureNotFound
}

// renderPackage builds d's package and renders it as PDF and JSON,
// setting d's hashes.
func (tx *Tx) renderPackage(ctx context.Context, survivorID string, d *haven.Disclosure) (pdf, js []byte, err error) {
	p, err := tx.buildPackage(ctx, survivorID, d)
	if err != nil {
		return nil, nil, err
	}
	return RenderPackage(p, d)
}

// RenderPackage renders p as PDF and JSON and sets d's hashes; exported
// for the benchmark of package generation.
func RenderPackage(p *haven.Package, d *haven.Disclosure) (pdf, js []byte, err error) {
	if pdf, err = disclosurepdf.Render(p, PackageLabels); err != nil {
		return nil, nil, err
	}
	if js, err = json.MarshalIndent(p, "", "  "); err != nil {
		return nil, nil, fmt.Errorf("package json: %w", err)
	}
	ph, jh := sha256.Sum256(pdf), sha256.Sum256(js)
	d.PDFHash, d.JSONHash = hex.EncodeToString(ph[:]), hex.EncodeToString(jh[:])
	return pdf, js, nil
}

// account enters an approved disclosure in the survivor's accounting.
func (tx *Tx) account(ctx context.Context, d *haven.Disclosure) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO disclosure_accounting (number, survivor_id, disclosed_at, agency, basis, categories,
		hash, kept_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.Number, d.SurvivorID, tx.now, d.Agency, d.Basis,
		joinCategories(haven.CategoriesOf(d.Fields)), strings.TrimSpace(d.PDFHash+" "+d.JSONHash), tx.now.AddDate(haven.AccountingYears, 0, 0))
	if err != nil {
		return fmt.Errorf("account disclosure: %w", err)
	}
	return nil
}

// notifySurvivor opens the task to tell the survivor of d, unless a legal
// hold is recorded: for the preparer when they are on the care team with
// a care role, else for its lead or another such member.
func (tx *Tx) notifySurvivor(ctx context.Context, sealer *vault.Sealer, d *haven.Disclosure) error {
	if d.LegalHoldUntil != "" {
		return nil
	}
	var assignee string
	err := tx.QueryRowContext(ctx, `SELECT ct.user_id FROM care_team ct JOIN users u ON u.id = ct.user_id
		WHERE ct.survivor_id = $1 AND u.disabled = $2 AND u.role IN ($3, $4, $5)
		ORDER BY CASE WHEN ct.user_id = $6 THEN 0 WHEN ct.lead THEN 1 ELSE 2 END, ct.user_id LIMIT 1`,
		d.SurvivorID, false, haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor, d.PreparedBy).Scan(&assignee)
	if errors.Is(err, sql.ErrNoRows) {
		return haven.Errorf(haven.Conflict, "The care team has no one to tell the survivor of this disclosure; add a member first.")
	} else if err != nil {
		return fmt.Errorf("find assignee: %w", err)
	}
	t := &haven.Task{ID: newID(), SurvivorID: d.SurvivorID, AssigneeID: assignee, Status: haven.TaskOpen,
		DueOn: tx.now.AddDate(0, 0, 30).Format(haven.DateLayout), Kind: haven.TaskSurvivorNotification,
		Text:      "Tell the survivor of disclosure " + d.Number + " to " + d.Agency + ", and offer them their accounting of disclosures.",
		CreatedBy: tx.actor.UserID}
	return tx.insertTask(ctx, t, sealer.Seal([]byte(t.Text), taskAAD(t.ID)))
}

// ResubmitDisclosure narrows a refused request to fields, a subset of
// those it held, and submits it again.
func (db *DisclosureService) ResubmitDisclosure(ctx context.Context, id string, fields []string) (*haven.Disclosure, error) {
	survivorID, _, err := db.disclosureFor(ctx, access.Update, id)
	if err != nil {
		return nil, err
	}
	var d *haven.Disclosure
	err = db.inTx(ctx, func(tx *Tx) error {
		if d, err = tx.readDisclosure(ctx, id); err != nil {
			return err
		}
		if d.Status != haven.DisclosureRefused {
			return haven.Errorf(haven.Conflict, "Only a refused request can be narrowed and submitted again.")
		}
		if msg := haven.FieldsProblem(fields, d.Fields); msg != "" {
			return haven.FieldError("fields", "Choose at least one of the fields the request held, and no other.")
		}
		d.Fields, d.Status, d.SubmittedAt, d.Rounds = haven.NormalizeFieldKeys(fields), haven.DisclosurePending, tx.now, d.Rounds+1
		d.DecidedBy, d.DecidedAt, d.Decision = "", nil, ""
		res, err := tx.ExecContext(ctx, `UPDATE disclosures SET fields = $2, status = $3, submitted_at = $4, rounds = $5,
			decided_by = NULL, decided_at = NULL, decision_enc = NULL WHERE id = $1 AND status = $6`,
			id, strings.Join(d.Fields, " "), d.Status, d.SubmittedAt, d.Rounds, haven.DisclosureRefused)
		if err != nil {
			return fmt.Errorf("resubmit disclosure: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return haven.Errorf(haven.Conflict, "Only a refused request can be narrowed and submitted again.")
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "disclosure.resubmit", ObjectType: "disclosure", ObjectID: id,
			Reason: "survivor:" + survivorID})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DisclosurePackage returns the sealed package of an approved request as
// built at approval, "pdf" or "json", and records the export; a pending
// or refused request yields nothing, and the refusal is audited.
func (db *DisclosureService) DisclosurePackage(ctx context.Context, id, format string) ([]byte, error) {
	if format != "pdf" && format != "json" {
		return nil, haven.FieldError("format", "Choose pdf or json.")
	}
	survivorID, _, err := db.disclosureFor(ctx, access.Export, id)
	if err != nil {
		return nil, err
	}
	var status string
	var sealed []byte
	err = db.db.QueryRowContext(ctx, `SELECT status, `+format+`_enc FROM disclosures WHERE id = $1`, id).Scan(&status, &sealed)
	if err != nil {
		return nil, errDisclosureNotFound
	}
	if status != string(haven.DisclosureApproved) || sealed == nil {
		if err := db.auditAlone(ctx, haven.AuditEvent{Action: "disclosure.package", ObjectType: "disclosure", ObjectID: id,
			Outcome: haven.OutcomeDenied, Reason: "not_approved"}); err != nil {
			return nil, err
		}
		return nil, errNoPackage
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	plain, err := sealer.Open(sealed, disclosureAAD(format, id))
	if err != nil {
		return nil, fmt.Errorf("decrypt package: %w", err)
	}
	if err := db.auditAlone(ctx, haven.AuditEvent{Action: "disclosure.package", ObjectType: "disclosure", ObjectID: id, Reason: format}); err != nil {
		return nil, err
	}
	return plain, nil
}

// Accounting lists a survivor's accounting of disclosures, newest first.
// While the record lives its care team and supervisors read it; once the
// record is crypto-shredded, supervisors still do, since it holds no
// personal data (access.Decide: coded fields of a record with no tie).
func (db *DisclosureService) Accounting(ctx context.Context, survivorID string) ([]haven.AccountingEntry, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var live int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM survivors WHERE id = $1`, survivorID).Scan(&live); err != nil {
		return nil, fmt.Errorf("find survivor: %w", err)
	}
	rel := access.None
	if live > 0 {
		if rel, _, err = db.authorizeAs(ctx, actor, access.List, access.Disclosure, survivorID); err != nil {
			return nil, err
		}
	} else if d := access.Decide(access.Request{Role: actor.Role, Action: access.List, Resource: access.Disclosure,
		Relationship: access.None, Class: haven.Coded, Now: db.now()}); !d.Allow {
		if err := db.auditAlone(ctx, haven.AuditEvent{Action: "disclosure.accounting", ObjectType: "survivor", ObjectID: survivorID,
			Outcome: haven.OutcomeDenied, Reason: d.Reason}); err != nil {
			return nil, err
		}
		return nil, errSurvivorNotFound
	}
	var out []haven.AccountingEntry
	err = db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT number, survivor_id, disclosed_at, agency, basis, categories, hash, kept_until
			FROM disclosure_accounting WHERE survivor_id = $1 ORDER BY disclosed_at DESC, number`, survivorID)
		if err != nil {
			return fmt.Errorf("read accounting: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e haven.AccountingEntry
			var cats string
			if err := rows.Scan(&e.Number, &e.SurvivorID, &e.DisclosedAt, &e.Agency, &e.Basis, &cats, &e.Hash, &e.KeptUntil); err != nil {
				return err
			}
			e.DisclosedAt, e.KeptUntil = e.DisclosedAt.UTC(), e.KeptUntil.UTC()
			e.Categories = splitCategories(cats)
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if live == 0 && len(out) == 0 {
			return errSurvivorNotFound
		}
		return tx.auditRead(ctx, readEvent(rel, "disclosure.accounting", "survivor", survivorID))
	})
	return out, err
}
