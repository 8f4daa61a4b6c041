package sqlstore

// This file holds the care plan: a survivor's needs in their own words,
// each change recorded in the need's history, and the need domains their
// screenings suggest, offered and never added without the survivor.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

var errNeedNotFound = haven.Errorf(haven.NotFound, "Need not found.")

// CarePlan reads a survivor's needs, in rank order, with their history,
// and records the read.
func (db *CarePlanService) CarePlan(ctx context.Context, survivorID string) (*haven.CarePlan, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.CarePlan, survivorID)
	if err != nil {
		return nil, err
	}
	plan := &haven.CarePlan{SurvivorID: survivorID}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT case_number FROM survivors WHERE id = $1`, survivorID).Scan(&plan.CaseNumber)
		if errors.Is(err, sql.ErrNoRows) {
			return errSurvivorNotFound
		} else if err != nil {
			return fmt.Errorf("read survivor: %w", err)
		}
		if plan.Needs, err = tx.readNeeds(ctx, survivorID, "survivor_id = $1", survivorID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "care_plan.read", "survivor", survivorID))
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// Need reads one need with its history and records the read.
func (db *CarePlanService) Need(ctx context.Context, needID string) (*haven.CarePlanNeed, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	survivorID, err := db.needSurvivor(ctx, db.db, needID)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.CarePlan, survivorID)
	if err != nil {
		return nil, errNeedNotFound
	}
	var n *haven.CarePlanNeed
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if n, err = tx.readNeed(ctx, needID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "need.read", "need", needID))
	})
	return n, err
}

// needSurvivor returns the survivor of a need; NotFound when there is no
// such need.
func (db *store) needSurvivor(ctx context.Context, q querier, needID string) (string, error) {
	var survivorID string
	err := q.QueryRowContext(ctx, `SELECT survivor_id FROM needs WHERE id = $1`, needID).Scan(&survivorID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNeedNotFound
	} else if err != nil {
		return "", fmt.Errorf("find need: %w", err)
	}
	return survivorID, nil
}

// AddNeed adds a need in the survivor's words, with its first history
// entry. A domain already open in the plan is a Conflict.
func (db *CarePlanService) AddNeed(ctx context.Context, nn haven.NewNeed) (*haven.CarePlanNeed, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.CarePlan, nn.SurvivorID); err != nil {
		return nil, err
	}
	if err := nn.Validate(); err != nil {
		return nil, err
	}
	n := &haven.CarePlanNeed{ID: newID(), SurvivorID: nn.SurvivorID, Domain: nn.Domain, Status: nn.Status, Rank: nn.Rank,
		Goal: nn.Goal, Priority: nn.Priority, ScreeningID: nn.ScreeningID, CreatedBy: actor.UserID}
	err = db.inTx(ctx, func(tx *Tx) error {
		if nn.ScreeningID != "" {
			if err := tx.checkScreening(ctx, nn.SurvivorID, nn.ScreeningID); err != nil {
				return err
			}
		}
		if err := tx.checkOpenDomain(ctx, n); err != nil {
			return err
		}
		if err := tx.insertNeed(ctx, n); err != nil {
			return err
		}
		if err := tx.insertNeedHistory(ctx, n, haven.ChangeCreated, ""); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "need.create", ObjectType: "need", ObjectID: n.ID})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// checkScreening makes sure a need's screening is one of its survivor's.
func (tx *Tx) checkScreening(ctx context.Context, survivorID, screeningID string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM screenings WHERE id = $1 AND survivor_id = $2`, screeningID, survivorID).Scan(&n)
	if err != nil {
		return fmt.Errorf("find screening: %w", err)
	}
	if n == 0 {
		return haven.FieldError("screening_id", "Name one of this survivor's screenings.")
	}
	return nil
}

// checkOpenDomain refuses a second open need in the same domain.
func (tx *Tx) checkOpenDomain(ctx context.Context, n *haven.CarePlanNeed) error {
	if !n.Status.Open() {
		return nil
	}
	var count int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM needs WHERE survivor_id = $1 AND domain = $2 AND id <> $3
		AND status IN ('identified', 'planned', 'in_progress')`, n.SurvivorID, n.Domain, n.ID).Scan(&count)
	if err != nil {
		return fmt.Errorf("check open needs: %w", err)
	}
	if count > 0 {
		return errOpenDomain(n.Domain)
	}
	return nil
}

func errOpenDomain(domain string) error {
	return &haven.Error{Kind: haven.Conflict, Fields: map[string]string{"domain": "Already open in this plan."},
		Message: fmt.Sprintf("The plan already has an open need for %s: change that one, or close it first.", haven.NeedDomainCode(domain))}
}

// needSecrets are the sealed columns of needs, registered in haven.Fields.
var needSecrets = []string{"goal", "priority"}

// insertNeed seals the survivor's words and inserts the need.
func (tx *Tx) insertNeed(ctx context.Context, n *haven.CarePlanNeed) error {
	n.CreatedAt, n.UpdatedAt = tx.now, tx.now
	sealed, err := tx.sealNeedWords(ctx, n)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO needs (id, survivor_id, domain, status, rank, goal_enc, priority_enc, screening_id,
		created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		n.ID, n.SurvivorID, n.Domain, string(n.Status), n.Rank, sealed[0], sealed[1], sql.NullString{String: n.ScreeningID, Valid: n.ScreeningID != ""},
		n.CreatedBy, n.CreatedAt, n.UpdatedAt)
	if tx.db.dialect.uniqueViolation(err) {
		return errOpenDomain(n.Domain)
	} else if err != nil {
		return fmt.Errorf("insert need: %w", err)
	}
	return nil
}

// sealNeedWords seals the goal and the priority of n (nil when empty).
func (tx *Tx) sealNeedWords(ctx context.Context, n *haven.CarePlanNeed) ([][]byte, error) {
	plain := []string{n.Goal, n.Priority}
	sealed := make([][]byte, len(plain))
	dk, err := tx.db.dataKey(ctx, n.SurvivorID)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	for i, col := range needSecrets {
		if plain[i] == "" {
			continue
		}
		b := []byte(plain[i])
		sealed[i], err = vault.Seal(dk, b, vault.AAD("needs", col, n.ID))
		clear(b)
		if err != nil {
			return nil, err
		}
	}
	return sealed, nil
}

// insertNeedHistory records a change of n, with its status after the
// change and an optional note, sealed.
func (tx *Tx) insertNeedHistory(ctx context.Context, n *haven.CarePlanNeed, kind haven.NeedChange, note string) error {
	h := haven.NeedHistory{ID: newID(), NeedID: n.ID, Change: kind, Status: n.Status, Note: note,
		ChangedBy: tx.actor.UserID, ChangedAt: tx.now}
	var sealed []byte
	if note != "" {
		dk, err := tx.db.dataKey(ctx, n.SurvivorID)
		if err != nil {
			return err
		}
		b := []byte(note)
		sealed, err = vault.Seal(dk, b, vault.AAD("need_history", "note", h.ID))
		clear(dk)
		clear(b)
		if err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO need_history (id, need_id, survivor_id, status, note_enc, changed_by, changed_at, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, h.ID, n.ID, n.SurvivorID, string(h.Status), sealed, h.ChangedBy, h.ChangedAt, string(kind))
	if err != nil {
		return fmt.Errorf("insert need history: %w", err)
	}
	n.History = append(n.History, h)
	return nil
}

// UpdateNeed changes a need's status, words or rank, or adds a note, and
// records one history entry for the change.
func (db *CarePlanService) UpdateNeed(ctx context.Context, needID string, u haven.NeedUpdate) (*haven.CarePlanNeed, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	survivorID, err := db.needSurvivor(ctx, db.db, needID)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.CarePlan, survivorID); err != nil {
		return nil, errNeedNotFound
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var n *haven.CarePlanNeed
	err = db.inTx(ctx, func(tx *Tx) error {
		if n, err = tx.readNeed(ctx, needID); err != nil {
			return err
		}
		kind := applyNeedUpdate(n, u)
		if kind == haven.ChangeNote && u.Note == "" {
			// Nothing changed (the same words saved again): no history
			// entry, and the audit log records a read, which it was.
			return tx.auditRead(ctx, readEvent(access.CareTeam, "need.read", "need", n.ID))
		}
		if err := tx.checkOpenDomain(ctx, n); err != nil {
			return err
		}
		if err := tx.saveNeed(ctx, n); err != nil {
			return err
		}
		if err := tx.insertNeedHistory(ctx, n, kind, u.Note); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "need.update", ObjectType: "need", ObjectID: n.ID})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// applyNeedUpdate applies u to n and says what kind of change it was: a
// status change first, then the words, then the rank, else a note only.
func applyNeedUpdate(n *haven.CarePlanNeed, u haven.NeedUpdate) haven.NeedChange {
	kind := haven.ChangeNote
	if u.Rank != nil && *u.Rank != n.Rank {
		n.Rank, kind = *u.Rank, haven.ChangeRank
	}
	if u.Goal != nil && *u.Goal != n.Goal {
		n.Goal, kind = *u.Goal, haven.ChangeWords
	}
	if u.Priority != nil && *u.Priority != n.Priority {
		n.Priority, kind = *u.Priority, haven.ChangeWords
	}
	if u.Status != nil && *u.Status != n.Status {
		n.Status, kind = *u.Status, haven.ChangeStatus
	}
	return kind
}

// saveNeed writes n's status, rank and sealed words.
func (tx *Tx) saveNeed(ctx context.Context, n *haven.CarePlanNeed) error {
	n.UpdatedAt = tx.now
	sealed, err := tx.sealNeedWords(ctx, n)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE needs SET status = $2, rank = $3, goal_enc = $4, priority_enc = $5, updated_at = $6 WHERE id = $1`,
		n.ID, string(n.Status), n.Rank, sealed[0], sealed[1], n.UpdatedAt)
	if tx.db.dialect.uniqueViolation(err) {
		return errOpenDomain(n.Domain)
	} else if err != nil {
		return fmt.Errorf("update need: %w", err)
	}
	return nil
}

// readNeed reads one need with its history.
func (tx *Tx) readNeed(ctx context.Context, needID string) (*haven.CarePlanNeed, error) {
	needs, err := tx.readNeeds(ctx, "", "id = $1", needID)
	if err != nil {
		return nil, err
	}
	if len(needs) == 0 {
		return nil, errNeedNotFound
	}
	return &needs[0], nil
}

// readNeeds reads and opens the needs matching where, in plan order, with
// their history.
func (tx *Tx) readNeeds(ctx context.Context, survivorID, where string, arg string) ([]haven.CarePlanNeed, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, survivor_id, domain, status, rank, goal_enc, priority_enc, screening_id,
		created_by, created_at, updated_at FROM needs WHERE `+where+` ORDER BY rank, created_at, id`, arg)
	if err != nil {
		return nil, fmt.Errorf("list needs: %w", err)
	}
	defer rows.Close()
	needs := []haven.CarePlanNeed{}
	var sealed [][2][]byte
	for rows.Next() {
		var n haven.CarePlanNeed
		var s [2][]byte
		var status string
		var screeningID sql.NullString
		if err := rows.Scan(&n.ID, &n.SurvivorID, &n.Domain, &status, &n.Rank, &s[0], &s[1], &screeningID,
			&n.CreatedBy, &n.CreatedAt, &n.UpdatedAt); err != nil {
			return nil, err
		}
		n.Status, n.ScreeningID = haven.NeedStatus(status), screeningID.String
		n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
		needs, sealed = append(needs, n), append(sealed, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(needs) == 0 {
		return needs, nil
	}
	if survivorID == "" {
		survivorID = needs[0].SurvivorID
	}
	return needs, tx.openNeeds(ctx, survivorID, needs, sealed)
}

// openNeeds decrypts the words of needs and reads their history.
func (tx *Tx) openNeeds(ctx context.Context, survivorID string, needs []haven.CarePlanNeed, sealed [][2][]byte) error {
	dk, err := tx.db.dataKey(ctx, survivorID)
	if err != nil {
		return err
	}
	defer clear(dk)
	byID := map[string]*haven.CarePlanNeed{}
	for i := range needs {
		n := &needs[i]
		byID[n.ID] = n
		for j, dst := range []*string{&n.Goal, &n.Priority} {
			if sealed[i][j] == nil {
				continue
			}
			b, err := vault.Open(dk, sealed[i][j], vault.AAD("needs", needSecrets[j], n.ID))
			if err != nil {
				return fmt.Errorf("decrypt needs.%s of %s: %w", needSecrets[j], n.ID, err)
			}
			*dst = string(b)
			clear(b)
		}
	}
	return tx.readNeedHistory(ctx, survivorID, dk, byID)
}

// readNeedHistory appends to each need of byID its history, oldest first.
func (tx *Tx) readNeedHistory(ctx context.Context, survivorID string, dk []byte, byID map[string]*haven.CarePlanNeed) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, need_id, kind, status, note_enc, changed_by, changed_at FROM need_history
		WHERE survivor_id = $1 ORDER BY changed_at, id`, survivorID)
	if err != nil {
		return fmt.Errorf("list need history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h haven.NeedHistory
		var kind, status string
		var note []byte
		if err := rows.Scan(&h.ID, &h.NeedID, &kind, &status, &note, &h.ChangedBy, &h.ChangedAt); err != nil {
			return err
		}
		n, ok := byID[h.NeedID]
		if !ok {
			continue
		}
		h.Change, h.Status, h.ChangedAt = haven.NeedChange(kind), haven.NeedStatus(status), h.ChangedAt.UTC()
		if note != nil {
			b, err := vault.Open(dk, note, vault.AAD("need_history", "note", h.ID))
			if err != nil {
				return fmt.Errorf("decrypt need_history.note of %s: %w", h.ID, err)
			}
			h.Note = string(b)
			clear(b)
		}
		n.History = append(n.History, h)
	}
	return rows.Err()
}

// SuggestedNeeds lists the need domains the survivor's screenings point
// to (haven.IndicatorNeeds) that are not open in the plan. It reads coded
// fields only, adds nothing, and records the read.
func (db *CarePlanService) SuggestedNeeds(ctx context.Context, survivorID string) ([]haven.SuggestedNeed, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.CarePlan, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.SuggestedNeed
	err = db.inReadTx(ctx, func(tx *Tx) error {
		screenings, err := tx.flaggedScreenings(ctx, survivorID)
		if err != nil {
			return err
		}
		open, err := tx.openDomains(ctx, survivorID)
		if err != nil {
			return err
		}
		out = haven.SuggestNeeds(screenings, open)
		return tx.auditRead(ctx, readEvent(rel, "care_plan.suggestions", "survivor", survivorID))
	})
	return out, err
}

// flaggedScreenings lists the survivor's screenings that flagged a domain,
// newest first, coded fields only.
func (tx *Tx) flaggedScreenings(ctx context.Context, survivorID string) ([]haven.ScreeningSummary, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, flagged, screened, created_at FROM screenings
		WHERE survivor_id = $1 AND flagged <> '' ORDER BY created_at DESC, id DESC`, survivorID)
	if err != nil {
		return nil, fmt.Errorf("list screenings: %w", err)
	}
	defer rows.Close()
	var out []haven.ScreeningSummary
	for rows.Next() {
		var s haven.ScreeningSummary
		var flagged string
		var screened sql.NullBool
		if err := rows.Scan(&s.ID, &flagged, &screened, &s.CreatedAt); err != nil {
			return nil, err
		}
		s.Flagged, s.Screened, s.CreatedAt = strings.Fields(flagged), !screened.Valid || screened.Bool, s.CreatedAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// openDomains lists the domains of the survivor's open needs.
func (tx *Tx) openDomains(ctx context.Context, survivorID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT domain FROM needs WHERE survivor_id = $1
		AND status IN ('identified', 'planned', 'in_progress')`, survivorID)
	if err != nil {
		return nil, fmt.Errorf("list open needs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
