package sqlstore

// This file holds the screening area: the instruments (shipped and
// imported FHIR Questionnaires) and the screenings run with them.

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/screening"
	"github.com/haven-care/haven/internal/vault"
)

var errInstrumentNotFound = haven.Errorf(haven.NotFound, "Instrument not found.")

// shippedInstruments returns the instruments Haven ships, as stored
// instruments: a copy, as callers may change it, of what is parsed once
// (they are compiled in and never change; parsing them on every list
// cost the record page more than its own queries).
func shippedInstruments() ([]haven.Instrument, error) {
	all, err := parsedInstruments()
	if err != nil {
		return nil, err
	}
	out := slices.Clone(all)
	for i := range out {
		out[i].JSON = slices.Clone(out[i].JSON)
	}
	return out, nil
}

var parsedInstruments = sync.OnceValues(parseShippedInstruments)

func parseShippedInstruments() ([]haven.Instrument, error) {
	qs, err := screening.Instruments()
	if err != nil {
		return nil, err
	}
	out := make([]haven.Instrument, len(qs))
	for i, q := range qs {
		b, err := q.MarshalJSON()
		if err != nil {
			return nil, err
		}
		out[i] = haven.Instrument{ID: q.ID, URL: q.URL, Version: q.Version, Title: q.Title, Status: q.Status, Shipped: true, JSON: b}
	}
	return out, nil
}

// Instruments lists the shipped instruments, then the imported ones by
// title.
func (db *ScreeningService) Instruments(ctx context.Context) ([]haven.Instrument, error) {
	out, err := shippedInstruments()
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+instrumentColumns+` FROM instruments ORDER BY title, id`)
	if err != nil {
		return nil, fmt.Errorf("list instruments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanInstrument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	return out, rows.Err()
}

const instrumentColumns = `id, url, version, title, status, json, imported_at`

func scanInstrument(row interface{ Scan(...any) error }) (*haven.Instrument, error) {
	var in haven.Instrument
	var js string
	if err := row.Scan(&in.ID, &in.URL, &in.Version, &in.Title, &in.Status, &js, &in.ImportedAt); err != nil {
		return nil, err
	}
	in.JSON, in.ImportedAt = []byte(js), in.ImportedAt.UTC()
	return &in, nil
}

// Instrument returns a shipped or imported instrument by id.
func (db *ScreeningService) Instrument(ctx context.Context, id string) (*haven.Instrument, error) {
	return db.findInstrument(ctx, db.db, instrumentKey{id: id})
}

// instrumentKey names an instrument by id, by url, or by url and version.
type instrumentKey struct {
	id, url, version string
	versioned        bool
}

func (k instrumentKey) matches(in haven.Instrument) bool {
	if k.id != "" {
		return in.ID == k.id
	}
	return in.URL == k.url && (!k.versioned || in.Version == k.version)
}

func (k instrumentKey) where() (string, []any) {
	switch {
	case k.id != "":
		return "id = $1", []any{k.id}
	case k.versioned:
		return "url = $1 AND version = $2", []any{k.url, k.version}
	}
	return "url = $1 ORDER BY imported_at DESC LIMIT 1", []any{k.url}
}

// findInstrument looks among the shipped instruments, then the table.
func (db *store) findInstrument(ctx context.Context, q querier, k instrumentKey) (*haven.Instrument, error) {
	shipped, err := shippedInstruments()
	if err != nil {
		return nil, err
	}
	for _, in := range shipped {
		if k.matches(in) {
			return &in, nil
		}
	}
	where, args := k.where()
	in, err := scanInstrument(q.QueryRowContext(ctx, `SELECT `+instrumentColumns+` FROM instruments WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errInstrumentNotFound
	} else if err != nil {
		return nil, fmt.Errorf("read instrument: %w", err)
	}
	return in, nil
}

// instrumentFor resolves the instrument a response names in its
// questionnaire element: url|version, url, or Questionnaire/{id}.
func (db *store) instrumentFor(ctx context.Context, q querier, canonical string) (*haven.Instrument, error) {
	if canonical == "" {
		return nil, haven.FieldError("questionnaire", "Name the instrument the response answers.")
	}
	if id, ok := strings.CutPrefix(canonical, "Questionnaire/"); ok {
		return db.findInstrument(ctx, q, instrumentKey{id: id})
	}
	if url, version, ok := strings.Cut(canonical, "|"); ok {
		return db.findInstrument(ctx, q, instrumentKey{url: url, version: version, versioned: true})
	}
	return db.findInstrument(ctx, q, instrumentKey{url: canonical})
}

// ImportInstrument checks a Questionnaire and stores it as given. The same
// url and version again replace the stored one. Only an administrator, or
// `haven instruments import` as a system job, may (access.Instruments);
// Unauthenticated or Forbidden otherwise.
func (db *ScreeningService) ImportInstrument(ctx context.Context, data []byte) (*haven.Instrument, bool, error) {
	if err := db.authorizeResource(ctx, access.Update, access.Instruments, "instrument.import"); err != nil {
		return nil, false, err
	}
	q, err := screening.ParseImport(data)
	if err != nil {
		return nil, false, err
	}
	shipped, err := shippedInstruments()
	if err != nil {
		return nil, false, err
	}
	for _, s := range shipped {
		if s.URL == q.URL {
			return nil, false, haven.Errorf(haven.Conflict, "%s is an instrument Haven ships; give the import its own url.", q.URL)
		}
	}
	in := &haven.Instrument{URL: q.URL, Version: q.Version, Title: q.Title, Status: q.Status, JSON: data}
	if in.URL == "" {
		// url is optional in R4. Haven keys such an import by its own id
		// (urn:uuid:{id}); it is served as imported, without a url, and
		// responses name it as Questionnaire/{id}. Each import of it is
		// a new instrument: nothing identifies it with an earlier one.
		in.ID = newID()
		in.URL = haven.UnnamedInstrumentURL(in.ID)
	}
	created := false
	err = db.inTx(ctx, func(tx *Tx) error {
		var err error
		if created, err = tx.saveInstrument(ctx, in); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "instrument.import", ObjectType: "instrument", ObjectID: in.ID})
	})
	if err != nil {
		return nil, false, err
	}
	return in, created, nil
}

// saveInstrument inserts in, or updates the row with its url and version.
func (tx *Tx) saveInstrument(ctx context.Context, in *haven.Instrument) (bool, error) {
	in.ImportedAt = tx.now
	id := in.ID
	err := tx.QueryRowContext(ctx, `SELECT id FROM instruments WHERE url = $1 AND version = $2`, in.URL, in.Version).Scan(&in.ID)
	if errors.Is(err, sql.ErrNoRows) {
		in.ID = cmp.Or(id, newID())
		_, err = tx.ExecContext(ctx, `INSERT INTO instruments (`+instrumentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			in.ID, in.URL, in.Version, in.Title, in.Status, string(in.JSON), in.ImportedAt)
		if err != nil {
			return false, fmt.Errorf("insert instrument: %w", err)
		}
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("find instrument: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE instruments SET title = $2, status = $3, json = $4, imported_at = $5 WHERE id = $1`,
		in.ID, in.Title, in.Status, string(in.JSON), in.ImportedAt)
	if err != nil {
		return false, fmt.Errorf("update instrument: %w", err)
	}
	return false, nil
}

// screeningSecrets are the encrypted columns of screenings, registered in
// haven.Fields.
var screeningSecrets = []string{"response", "result"}

// ScreeningEncryptedColumns lists the encrypted columns of screenings, for
// the registry test.
func ScreeningEncryptedColumns() []string { return slices.Clone(screeningSecrets) }

// CreateScreening validates a QuestionnaireResponse against its
// instrument, scores it for the survivor (a minor gets the child codes and
// a mandated-report step) and stores it sealed under the survivor's data
// key, with the coded outcome in the clear.
func (db *ScreeningService) CreateScreening(ctx context.Context, ns haven.NewScreening) (*haven.Screening, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Screening, ns.SurvivorID); err != nil {
		return nil, err
	}
	r, err := screening.ParseQuestionnaireResponse(ns.Response)
	if err != nil {
		return nil, err
	}
	in, q, err := db.screeningInstrument(ctx, ns.InstrumentID, r.Questionnaire)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Questionnaire == "" && in.URL == haven.UnnamedInstrumentURL(in.ID):
		r.Questionnaire = "Questionnaire/" + in.ID
	case r.Questionnaire == "":
		r.Questionnaire = in.URL + "|" + in.Version
	}
	sc := &haven.Screening{ID: newID(), SurvivorID: ns.SurvivorID, InstrumentID: in.ID, CreatedBy: actor.UserID}
	r.ID = sc.ID
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.scoreScreening(ctx, sc, q, r); err != nil {
			return err
		}
		if err := tx.insertScreening(ctx, sc); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "screening.create", ObjectType: "screening", ObjectID: sc.ID})
	})
	if err != nil {
		return nil, err
	}
	return sc, nil
}

// screeningInstrument finds the instrument by id, or else by the
// response's questionnaire element, and parses it.
func (db *ScreeningService) screeningInstrument(ctx context.Context, id, canonical string) (*haven.Instrument, *screening.Questionnaire, error) {
	var in *haven.Instrument
	var err error
	if id != "" {
		in, err = db.Instrument(ctx, id)
	} else {
		in, err = db.instrumentFor(ctx, db.db, canonical)
	}
	if err != nil {
		return nil, nil, err
	}
	q, err := screening.ParseQuestionnaire(in.JSON)
	if err != nil {
		return nil, nil, fmt.Errorf("stored instrument %s: %w", in.ID, err)
	}
	return in, q, nil
}

// scoreScreening scores r for the survivor of sc and fills in its result
// and response.
func (tx *Tx) scoreScreening(ctx context.Context, sc *haven.Screening, q *screening.Questionnaire, r *screening.QuestionnaireResponse) error {
	err := tx.QueryRowContext(ctx, `SELECT minor, case_number FROM survivors WHERE id = $1`, sc.SurvivorID).Scan(&sc.Minor, &sc.CaseNumber)
	if errors.Is(err, sql.ErrNoRows) {
		return errSurvivorNotFound
	} else if err != nil {
		return fmt.Errorf("read survivor: %w", err)
	}
	res, err := screening.Score(q, r, screening.Patient{Minor: sc.Minor})
	if err != nil {
		return err
	}
	sc.Result = resultOf(res)
	sc.Concern, sc.Flagged, sc.CreatedAt = sc.Result.Concern, sc.Result.Flagged, tx.now
	sc.Response, err = r.MarshalJSON()
	return err
}

func resultOf(res screening.Result) haven.ScreeningResult {
	out := haven.ScreeningResult{Concern: string(res.Concern), Screened: res.Screened, Summary: res.Summary, Flagged: res.Flagged, Notice: res.Notice}
	for _, s := range res.NextSteps {
		out.NextSteps = append(out.NextSteps, haven.ScreeningStep{Kind: s.Kind, Text: s.Text})
	}
	for _, c := range res.Codes {
		out.Codes = append(out.Codes, haven.ScreeningCode{Code: c.Code, Display: c.Display})
	}
	if out.Flagged == nil {
		out.Flagged = []string{}
	}
	return out
}

// insertScreening seals the response and the result under the survivor's
// data key and inserts the row.
func (tx *Tx) insertScreening(ctx context.Context, sc *haven.Screening) error {
	dk, err := tx.db.dataKey(ctx, sc.SurvivorID)
	if err != nil {
		return err
	}
	defer clear(dk)
	result, err := json.Marshal(sc.Result)
	if err != nil {
		return err
	}
	plain := [][]byte{sc.Response, result}
	sealed := make([][]byte, len(plain))
	for i, col := range screeningSecrets {
		if sealed[i], err = vault.Seal(dk, plain[i], vault.AAD("screenings", col, sc.ID)); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO screenings (id, survivor_id, instrument_id, concern, flagged, minor,
		response_enc, result_enc, created_by, created_at, screened) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		sc.ID, sc.SurvivorID, sc.InstrumentID, sc.Concern, strings.Join(sc.Flagged, " "), sc.Minor,
		sealed[0], sealed[1], sc.CreatedBy, sc.CreatedAt, sc.Result.Screened)
	if err != nil {
		return fmt.Errorf("insert screening: %w", err)
	}
	return nil
}

var errScreeningNotFound = haven.Errorf(haven.NotFound, "Screening not found.")

// Screening reads a screening of a survivor the actor may see, and records
// the read.
func (db *ScreeningService) Screening(ctx context.Context, id string) (*haven.Screening, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var survivorID string
	err = db.db.QueryRowContext(ctx, `SELECT survivor_id FROM screenings WHERE id = $1`, id).Scan(&survivorID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errScreeningNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find screening: %w", err)
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.Screening, survivorID)
	if err != nil {
		return nil, errScreeningNotFound
	}
	var sc *haven.Screening
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if sc, err = tx.readScreening(ctx, id); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "screening.read", "screening", id))
	})
	return sc, err
}

// readScreening loads and decrypts one screening, with its record's case
// number.
func (tx *Tx) readScreening(ctx context.Context, id string) (*haven.Screening, error) {
	var sc haven.Screening
	var flagged string
	sealed := make([][]byte, len(screeningSecrets))
	err := tx.QueryRowContext(ctx, `SELECT sc.id, sc.survivor_id, sv.case_number, sc.instrument_id, sc.concern, sc.flagged, sc.minor,
		sc.outcome, sc.created_by, sc.created_at, sc.response_enc, sc.result_enc
		FROM screenings sc JOIN survivors sv ON sv.id = sc.survivor_id WHERE sc.id = $1`, id).Scan(&sc.ID, &sc.SurvivorID,
		&sc.CaseNumber, &sc.InstrumentID, &sc.Concern, &flagged, &sc.Minor, &sc.Outcome, &sc.CreatedBy, &sc.CreatedAt, &sealed[0], &sealed[1])
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errScreeningNotFound
	} else if err != nil {
		return nil, fmt.Errorf("read screening: %w", err)
	}
	sc.CreatedAt, sc.Flagged = sc.CreatedAt.UTC(), strings.Fields(flagged)
	dk, err := tx.db.dataKey(ctx, sc.SurvivorID)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	plain := make([][]byte, len(sealed))
	for i, col := range screeningSecrets {
		if plain[i], err = vault.Open(dk, sealed[i], vault.AAD("screenings", col, id)); err != nil {
			return nil, fmt.Errorf("decrypt screenings.%s of %s: %w", col, id, err)
		}
	}
	sc.Response = plain[0]
	if err := json.Unmarshal(plain[1], &sc.Result); err != nil {
		return nil, fmt.Errorf("decode screening result: %w", err)
	}
	return &sc, nil
}

// Screenings lists a survivor's screenings, newest first, with coded
// fields only, and records the listing.
func (db *ScreeningService) Screenings(ctx context.Context, survivorID string) ([]haven.ScreeningSummary, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Screening, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.ScreeningSummary
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if out, err = tx.screeningSummaries(ctx, survivorID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "screening.list", "survivor", survivorID))
	})
	return out, err
}

// screeningSummaries lists a survivor's screenings, newest first, coded
// fields only.
func (tx *Tx) screeningSummaries(ctx context.Context, survivorID string) ([]haven.ScreeningSummary, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, survivor_id, instrument_id, concern, flagged, screened, created_at FROM screenings
		WHERE survivor_id = $1 ORDER BY created_at DESC, id DESC`, survivorID)
	if err != nil {
		return nil, fmt.Errorf("list screenings: %w", err)
	}
	defer rows.Close()
	var out []haven.ScreeningSummary
	for rows.Next() {
		var s haven.ScreeningSummary
		var flagged string
		var screened sql.NullBool // NULL: stored before the column, shown as screened
		if err := rows.Scan(&s.ID, &s.SurvivorID, &s.InstrumentID, &s.Concern, &flagged, &screened, &s.CreatedAt); err != nil {
			return nil, err
		}
		s.Flagged, s.CreatedAt = strings.Fields(flagged), s.CreatedAt.UTC()
		s.Screened = !screened.Valid || screened.Bool
		out = append(out, s)
	}
	return out, rows.Err()
}

// RecordScreeningOutcome records what staff later confirmed about a
// screened person (confirmed or ruled out, or empty to take it back): the
// reference standard of the programme's accuracy figures. Only the care
// team may, as for any change of the record; the change is audited.
func (db *ScreeningService) RecordScreeningOutcome(ctx context.Context, id string, outcome haven.ScreeningOutcome) error {
	if outcome != haven.OutcomeUnknown && !slices.Contains(haven.ScreeningOutcomes, outcome) {
		return haven.FieldError("outcome", "Choose confirmed, ruled out, or not known.")
	}
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	var survivorID string
	err = db.db.QueryRowContext(ctx, `SELECT survivor_id FROM screenings WHERE id = $1`, id).Scan(&survivorID)
	if errors.Is(err, sql.ErrNoRows) {
		return errScreeningNotFound
	} else if err != nil {
		return fmt.Errorf("find screening: %w", err)
	}
	if _, _, err := db.authorizeAs(ctx, actor, access.Update, access.Screening, survivorID); err != nil {
		if haven.ErrorKind(err) == haven.NotFound {
			return errScreeningNotFound
		}
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.execAudited(ctx, haven.AuditEvent{Action: "screening.outcome", ObjectType: "screening", ObjectID: id},
			`UPDATE screenings SET outcome = $2 WHERE id = $1`, id, string(outcome))
		return err
	})
}
