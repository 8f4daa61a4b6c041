package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// caseloadBatch is how many cases one transaction of LoadCaseload writes.
const caseloadBatch = 500

// LoadCaseload writes a synthetic caseload (`haven demo cases`) in bulk:
// each survivor's record sealed under a data key of its own as
// CreateSurvivor would, with lead on its care team, one consent for any
// provider of its needs, and its screenings, needs and referrals as
// multi-row inserts, a batch of cases per transaction with one audit
// entry each. Only the demo system job may. progress, when not nil,
// hears how many cases are written.
func (db *GapService) LoadCaseload(ctx context.Context, cases []haven.SyntheticCase, lead string, progress func(done, total int)) error {
	if err := db.authorizeResource(ctx, access.Create, access.Survivor, "caseload.load"); err != nil {
		return err
	}
	for start := 0; start < len(cases); start += caseloadBatch {
		batch := cases[start:min(start+caseloadBatch, len(cases))]
		if err := db.loadBatch(ctx, batch, lead); err != nil {
			return err
		}
		if progress != nil {
			progress(start+len(batch), len(cases))
		}
	}
	return nil
}

// caseRows collects a batch's rows per table.
type caseRows struct {
	careTeam, consents, needs, referrals, screenings [][]any
}

func (db *GapService) loadBatch(ctx context.Context, batch []haven.SyntheticCase, lead string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var rows caseRows
		for i := range batch {
			if err := tx.loadCase(ctx, &batch[i], lead, &rows); err != nil {
				return err
			}
		}
		inserts := []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"care_team", []string{"survivor_id", "user_id", "added_at", "lead"}, rows.careTeam},
			{"consents", []string{"id", "survivor_id", "recipient_kind", "recipient", "purpose", "categories", "method",
				"language", "explained_by", "given_at", "expires_at"}, rows.consents},
			{"needs", []string{"id", "survivor_id", "domain", "status", "rank", "created_by", "created_at", "updated_at"}, rows.needs},
			{"referrals", []string{"id", "survivor_id", "service_id", "organization_id", "need_id", "consent_id", "purpose",
				"categories", "status", "reason", "sender_id", "created_at", "updated_at", "served_at"}, rows.referrals},
			{"screenings", []string{"id", "survivor_id", "instrument_id", "concern", "minor", "screened", "outcome",
				"response_enc", "result_enc", "created_by", "created_at"}, rows.screenings},
		}
		for _, in := range inserts {
			if err := tx.bulkInsert(ctx, in.table, in.cols, in.rows); err != nil {
				return err
			}
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "caseload.load", ObjectType: "survivor",
			Reason: fmt.Sprintf("synthetic cases: %d", len(batch))})
	})
}

// loadCase writes one survivor's record and adds the rest of the case to
// rows.
func (tx *Tx) loadCase(ctx context.Context, c *haven.SyntheticCase, lead string, rows *caseRows) error {
	s, err := c.Survivor.Normalize(c.Created)
	if err != nil {
		return err
	}
	id, dk, err := tx.db.newDataKey(ctx)
	if err != nil {
		return err
	}
	defer clear(dk)
	s.ID, s.CaseNumber, s.CreatedAt, s.UpdatedAt = id, newCaseNumber(), c.Created, c.Created
	if _, err := tx.writeSurvivor(ctx, &s, dk, true); err != nil {
		return err
	}
	rows.careTeam = append(rows.careTeam, []any{id, lead, c.Created, true})
	consent := newID()
	rows.consents = append(rows.consents, []any{consent, id, string(haven.RecipientCategory), "any", string(haven.PurposeReferral),
		"basic", string(haven.ConsentVerbal), "en", lead, c.Created, c.Created.AddDate(1, 0, 0)})
	for _, sc := range c.Screenings {
		if err := addScreening(rows, dk, id, lead, s.Minor, sc); err != nil {
			return err
		}
	}
	for k, n := range c.Needs {
		need := newID()
		rows.needs = append(rows.needs, []any{need, id, n.Domain, string(n.Status), k, lead, n.Created, n.Created})
		for _, r := range n.Referrals {
			var served any
			if r.ServedAfterDays >= 0 {
				served = r.Created.AddDate(0, 0, r.ServedAfterDays)
			}
			rows.referrals = append(rows.referrals, []any{newID(), id, r.ServiceID, r.OrganizationID, need, consent,
				string(haven.PurposeReferral), "basic", string(r.Status), string(r.Reason), lead, r.Created, r.Created, served})
		}
	}
	return nil
}

// addScreening seals a synthetic screening's answers and result (an
// empty response and a result of its level alone) under the survivor's
// key.
func addScreening(rows *caseRows, dk []byte, survivorID, lead string, minor bool, sc haven.SyntheticScreening) error {
	id := newID()
	sealer, err := vault.NewSealer(dk)
	if err != nil {
		return err
	}
	response := sealer.Seal([]byte(`{"resourceType":"QuestionnaireResponse","status":"completed"}`), vault.AAD("screenings", "response", id))
	result := sealer.Seal(fmt.Appendf(nil, `{"concern":%q}`, sc.Concern), vault.AAD("screenings", "result", id))
	rows.screenings = append(rows.screenings, []any{id, survivorID, sc.InstrumentID, sc.Concern, minor, sc.Screened,
		string(sc.Outcome), response, result, lead, sc.Created})
	return nil
}

// bulkInsert inserts rows into table in multi-row statements of at most
// about 1,000 arguments: SQLite numbers $N parameters in time that grows
// with the square of their count.
func (tx *Tx) bulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	per := max(1, 1000/len(cols))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(args)+j+1)
			}
			b.WriteString(")")
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}
