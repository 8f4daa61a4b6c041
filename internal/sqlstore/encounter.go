package sqlstore

// This file holds the encounters: dated, sealed notes with the ICD-10-CM
// codes a clinician accepted from a screening's suggestions. They are
// append-only: nothing here updates or deletes one.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/screening"
	"github.com/haven-care/haven/internal/vault"
)

// AddEncounter checks ne, seals its note under the survivor's data key and
// stores it with its accepted codes and its audit entry (ids only), in
// one transaction. Codes come only from a clinician and only from the
// suggestions of a screening of the same survivor.
func (db *EncounterService) AddEncounter(ctx context.Context, ne haven.NewEncounter) (*haven.Encounter, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Encounter, ne.SurvivorID); err != nil {
		return nil, err
	}
	if ne, err = ne.Normalize(db.now()); err != nil {
		return nil, err
	}
	if len(ne.Codes) > 0 && actor.Role != haven.RoleClinician {
		return nil, haven.Errorf(haven.Forbidden, "Only a clinician may accept diagnosis codes.")
	}
	e := &haven.Encounter{ID: newID(), SurvivorID: ne.SurvivorID, AuthorID: actor.UserID, OccurredOn: ne.OccurredOn,
		ScreeningID: ne.ScreeningID, Note: ne.Note}
	err = db.inTx(ctx, func(tx *Tx) error {
		if e.Codes, err = tx.acceptCodes(ctx, ne); err != nil {
			return err
		}
		e.CreatedAt = tx.now
		if err := tx.insertEncounter(ctx, e); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "encounter.create", ObjectType: "encounter", ObjectID: e.ID})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

var errNotThisScreening = haven.FieldError("screening_id", "Choose one of this survivor's screenings.")

// acceptCodes checks the screening ne names belongs to its survivor and
// that each code is among its suggestions, with its 7th character.
func (tx *Tx) acceptCodes(ctx context.Context, ne haven.NewEncounter) ([]haven.EncounterCode, error) {
	if ne.ScreeningID == "" {
		return nil, nil
	}
	var survivorID string
	err := tx.QueryRowContext(ctx, `SELECT survivor_id FROM screenings WHERE id = $1`, ne.ScreeningID).Scan(&survivorID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && survivorID != ne.SurvivorID {
		return nil, errNotThisScreening
	} else if err != nil {
		return nil, fmt.Errorf("find screening: %w", err)
	}
	if len(ne.Codes) == 0 {
		return nil, nil
	}
	sc, err := tx.readScreening(ctx, ne.ScreeningID)
	if err != nil {
		return nil, err
	}
	suggested := make([]screening.Code, len(sc.Result.Codes))
	for i, c := range sc.Result.Codes {
		suggested[i] = screening.Code{Code: c.Code, Display: c.Display}
	}
	out := make([]haven.EncounterCode, len(ne.Codes))
	for i, code := range ne.Codes {
		c, err := screening.AcceptCode(suggested, code)
		if err != nil {
			return nil, err
		}
		out[i] = haven.EncounterCode{Code: c.Code, Display: c.Display}
	}
	return out, nil
}

// insertEncounter seals the note and inserts the encounter and its codes.
func (tx *Tx) insertEncounter(ctx context.Context, e *haven.Encounter) error {
	dk, err := tx.db.dataKey(ctx, e.SurvivorID)
	if err != nil {
		return err
	}
	defer clear(dk)
	sealer, err := vault.NewSealer(dk)
	if err != nil {
		return err
	}
	plain := []byte(e.Note)
	defer clear(plain)
	var screeningID sql.NullString
	if e.ScreeningID != "" {
		screeningID = sql.NullString{String: e.ScreeningID, Valid: true}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO encounters (id, survivor_id, author_id, occurred_on, screening_id, note_enc, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.SurvivorID, e.AuthorID, e.OccurredOn, screeningID,
		sealer.Seal(plain, vault.AAD("encounters", "note", e.ID)), e.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert encounter: %w", err)
	}
	for _, c := range e.Codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO encounter_codes (encounter_id, code) VALUES ($1, $2)`, e.ID, c.Code); err != nil {
			return fmt.Errorf("insert encounter code: %w", err)
		}
	}
	return nil
}

// Encounters lists a survivor's encounters, newest first (by date, then
// by when they were written), with their notes opened and their codes
// described, and records the read.
func (db *EncounterService) Encounters(ctx context.Context, survivorID string) ([]haven.Encounter, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Encounter, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.Encounter
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if out, err = tx.readEncounters(ctx, survivorID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "encounter.list", "survivor", survivorID))
	})
	return out, err
}

// readEncounters loads, opens and describes a survivor's encounters.
func (tx *Tx) readEncounters(ctx context.Context, survivorID string) ([]haven.Encounter, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.author_id, `+displayNameSQL+`, e.occurred_on,
		COALESCE(e.screening_id, ''), e.note_enc, e.created_at
		FROM encounters e JOIN users u ON u.id = e.author_id
		WHERE e.survivor_id = $1 ORDER BY e.occurred_on DESC, e.created_at DESC, e.id DESC`, survivorID)
	if err != nil {
		return nil, fmt.Errorf("list encounters: %w", err)
	}
	defer rows.Close()
	var out []haven.Encounter
	var sealed [][]byte
	index := map[string]int{}
	for rows.Next() {
		e := haven.Encounter{SurvivorID: survivorID}
		var note []byte
		if err := rows.Scan(&e.ID, &e.AuthorID, &e.AuthorName, &e.OccurredOn, &e.ScreeningID, &note, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		index[e.ID] = len(out)
		out, sealed = append(out, e), append(sealed, note)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	if err := tx.openNotes(ctx, survivorID, "encounters", sealed, func(i int) (string, *string) { return out[i].ID, &out[i].Note }); err != nil {
		return nil, err
	}
	return out, tx.encounterCodes(ctx, survivorID, out, index)
}

// encounterCodes adds each encounter's codes, described.
func (tx *Tx) encounterCodes(ctx context.Context, survivorID string, out []haven.Encounter, index map[string]int) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.encounter_id, c.code FROM encounter_codes c JOIN encounters e ON e.id = c.encounter_id
		WHERE e.survivor_id = $1 ORDER BY c.code`, survivorID)
	if err != nil {
		return fmt.Errorf("list encounter codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, code string
		if err := rows.Scan(&id, &code); err != nil {
			return err
		}
		c, _ := screening.Describe(code)
		i := index[id]
		out[i].Codes = append(out[i].Codes, haven.EncounterCode{Code: code, Display: c.Display})
	}
	return rows.Err()
}

// openNotes opens the sealed notes of one survivor's rows of table, under
// its data key once: row(i) names the i-th row and where its note goes.
// A nil ciphertext is an empty note.
func (tx *Tx) openNotes(ctx context.Context, survivorID, table string, sealed [][]byte, row func(i int) (string, *string)) error {
	dk, err := tx.db.dataKey(ctx, survivorID)
	if err != nil {
		return err
	}
	defer clear(dk)
	sealer, err := vault.NewSealer(dk)
	if err != nil {
		return err
	}
	for i, ct := range sealed {
		id, note := row(i)
		if ct == nil {
			continue
		}
		plain, err := sealer.Open(ct, vault.AAD(table, "note", id))
		if err != nil {
			return fmt.Errorf("decrypt %s.note of %s: %w", table, id, err)
		}
		*note = string(plain)
		clear(plain)
	}
	return nil
}
