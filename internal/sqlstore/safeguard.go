package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// SafeguardEncryptedColumns lists the encrypted columns of mandated
// reports and family choices, for the registry test.
func SafeguardEncryptedColumns() []string { return []string{"report_number", "guardian_note", "who"} }

var errReportNotFound = haven.Errorf(haven.NotFound, "Mandated report not found.")

func reportAAD(column, id string) []byte { return vault.AAD("mandated_reports", column, id) }

// OpenMandatedReport opens a minor's mandated-report task and the
// guardian-notification task, both for the actor, who must be on the care
// team with a care role.
func (db *SafeguardService) OpenMandatedReport(ctx context.Context, survivorID string, n haven.NewMandatedReport) (*haven.MandatedReport, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Disclosure, survivorID); err != nil {
		return nil, err
	}
	if err := n.Validate(db.now()); err != nil {
		return nil, err
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	m := &haven.MandatedReport{ID: newID(), SurvivorID: survivorID, NewMandatedReport: n, OpenedBy: actor.UserID}
	err = db.inTx(ctx, func(tx *Tx) error {
		var minor bool
		if err := tx.QueryRowContext(ctx, `SELECT minor FROM survivors WHERE id = $1`, survivorID).Scan(&minor); err != nil {
			return fmt.Errorf("read survivor: %w", err)
		}
		if !minor {
			return haven.Errorf(haven.Conflict, "A mandated report is for a survivor under 18; this record is not a minor's.")
		}
		if err := tx.checkAssignee(ctx, survivorID, actor.UserID); err != nil {
			return err
		}
		report := &haven.Task{ID: newID(), SurvivorID: survivorID, AssigneeID: actor.UserID, DueOn: n.DueOn, Status: haven.TaskOpen,
			Kind: haven.TaskMandatedReport, CreatedBy: actor.UserID,
			Text: "Make the mandated report to " + n.Agency + " (" + n.Jurisdiction + "), then record it: what, to whom, when and the report number."}
		guardian := &haven.Task{ID: newID(), SurvivorID: survivorID, AssigneeID: actor.UserID, DueOn: n.DueOn, Status: haven.TaskOpen,
			Kind: haven.TaskGuardianNotification, CreatedBy: actor.UserID,
			Text: "Tell the guardian only after the safety check records that they are not implicated."}
		for _, t := range []*haven.Task{report, guardian} {
			if err := tx.insertTask(ctx, t, sealer.Seal([]byte(t.Text), taskAAD(t.ID))); err != nil {
				return err
			}
		}
		m.TaskID, m.GuardianTaskID, m.OpenedAt = report.ID, guardian.ID, tx.now
		if _, err := tx.ExecContext(ctx, `INSERT INTO mandated_reports (id, survivor_id, jurisdiction, agency_kind, agency, due_on,
			task_id, guardian_task_id, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			m.ID, survivorID, n.Jurisdiction, n.AgencyKind, n.Agency, n.DueOn, m.TaskID, m.GuardianTaskID, m.OpenedBy, m.OpenedAt); err != nil {
			return fmt.Errorf("insert mandated report: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "mandated_report.open", ObjectType: "mandated_report", ObjectID: m.ID,
			Reason: "survivor:" + survivorID})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

const reportColumns = `id, survivor_id, jurisdiction, agency_kind, agency, due_on, task_id, guardian_task_id, opened_by, opened_at,
	fields, reported_to, reported_on, report_number_enc, number, guardian_not_implicated, guardian_note_enc,
	COALESCE(guardian_checked_by, ''), guardian_checked_at`

// readReports reads the mandated reports of where, their sealed words
// opened with sealer.
func (tx *Tx) readReports(ctx context.Context, sealer *vault.Sealer, where string, args ...any) ([]haven.MandatedReport, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+reportColumns+` FROM mandated_reports `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read mandated reports: %w", err)
	}
	defer rows.Close()
	var out []haven.MandatedReport
	for rows.Next() {
		var m haven.MandatedReport
		var made haven.ReportMade
		var fields string
		var number, note []byte
		var notImplicated sql.NullBool
		var checkedBy string
		var checkedAt sql.NullTime
		if err := rows.Scan(&m.ID, &m.SurvivorID, &m.Jurisdiction, &m.AgencyKind, &m.Agency, &m.DueOn, &m.TaskID, &m.GuardianTaskID,
			&m.OpenedBy, &m.OpenedAt, &fields, &made.To, &made.ReportedOn, &number, &m.Number, &notImplicated, &note,
			&checkedBy, &checkedAt); err != nil {
			return nil, err
		}
		m.OpenedAt = m.OpenedAt.UTC()
		if m.Number != "" {
			made.Fields = strings.Fields(fields)
			if made.ReportNumber, err = openText(sealer, number, reportAAD("report_number", m.ID)); err != nil {
				return nil, err
			}
			m.Made = &made
		}
		if checkedAt.Valid {
			c := &haven.GuardianCheck{NotImplicated: notImplicated.Bool, CheckedBy: checkedBy, CheckedAt: checkedAt.Time.UTC()}
			if c.Note, err = openText(sealer, note, reportAAD("guardian_note", m.ID)); err != nil {
				return nil, err
			}
			m.GuardianCheck = c
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// reportFor decides act on the report id for the actor and returns its
// survivor and a sealer under the survivor's key.
func (db *store) reportFor(ctx context.Context, act access.Action, id string) (string, access.Relationship, *vault.Sealer, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return "", access.None, nil, err
	}
	var survivorID string
	err = db.db.QueryRowContext(ctx, `SELECT survivor_id FROM mandated_reports WHERE id = $1`, id).Scan(&survivorID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", access.None, nil, errReportNotFound
	} else if err != nil {
		return "", access.None, nil, fmt.Errorf("find mandated report: %w", err)
	}
	rel, _, err := db.authorizeAs(ctx, actor, act, access.Disclosure, survivorID)
	if err != nil {
		return "", rel, nil, errReportNotFound
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	return survivorID, rel, sealer, err
}

func (tx *Tx) readReport(ctx context.Context, sealer *vault.Sealer, id string) (*haven.MandatedReport, error) {
	ms, err := tx.readReports(ctx, sealer, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, errReportNotFound
	}
	return &ms[0], nil
}

// CompleteMandatedReport records the report made, completes its task and
// enters the report in the survivor's accounting of disclosures: its
// number, the agency, the day, the categories reported and the SHA-256 of
// what was recorded.
func (db *SafeguardService) CompleteMandatedReport(ctx context.Context, reportID string, made haven.ReportMade) (*haven.MandatedReport, error) {
	survivorID, _, sealer, err := db.reportFor(ctx, access.Update, reportID)
	if err != nil {
		return nil, err
	}
	if err := made.Validate(db.now()); err != nil {
		return nil, err
	}
	var m *haven.MandatedReport
	err = db.inTx(ctx, func(tx *Tx) error {
		if m, err = tx.readReport(ctx, sealer, reportID); err != nil {
			return err
		}
		if m.Made != nil {
			return haven.Errorf(haven.Conflict, "This report is already recorded as made.")
		}
		number := newDisclosureNumber()
		record, err := json.Marshal(struct {
			Number string `json:"disclosure_number"`
			haven.ReportMade
		}{number, made})
		if err != nil {
			return err
		}
		sum := sha256.Sum256(record)
		res, err := tx.ExecContext(ctx, `UPDATE mandated_reports SET fields = $2, reported_to = $3, reported_on = $4,
			report_number_enc = $5, number = $6 WHERE id = $1 AND number = ''`, reportID, strings.Join(made.Fields, " "), made.To,
			made.ReportedOn, sealer.Seal([]byte(made.ReportNumber), reportAAD("report_number", reportID)), number)
		if err != nil {
			return fmt.Errorf("record mandated report: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return haven.Errorf(haven.Conflict, "This report is already recorded as made.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET status = $2, completed_at = $3, updated_at = $3 WHERE id = $1`,
			m.TaskID, haven.TaskDone, tx.now); err != nil {
			return fmt.Errorf("complete report task: %w", err)
		}
		d := &haven.Disclosure{Number: number, SurvivorID: survivorID, PDFHash: hex.EncodeToString(sum[:]),
			NewDisclosure: haven.NewDisclosure{Agency: made.To, Basis: haven.BasisMandatedReport, Fields: made.Fields}}
		if err := tx.account(ctx, d); err != nil {
			return err
		}
		m.Made, m.Number = &made, number
		return tx.audit(ctx, haven.AuditEvent{Action: "mandated_report.complete", ObjectType: "mandated_report", ObjectID: reportID,
			Reason: "survivor:" + survivorID})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// MandatedReports lists a survivor's mandated reports, newest first.
func (db *SafeguardService) MandatedReports(ctx context.Context, survivorID string) ([]haven.MandatedReport, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Disclosure, survivorID)
	if err != nil {
		return nil, err
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.MandatedReport
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if out, err = tx.readReports(ctx, sealer, `WHERE survivor_id = $1 ORDER BY opened_at DESC, id DESC`, survivorID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "mandated_report.list", "survivor", survivorID))
	})
	return out, err
}

// RecordGuardianCheck records the safety check of a report's guardian
// notification; a later check replaces it (a guardian found implicated
// blocks the notification again).
func (db *SafeguardService) RecordGuardianCheck(ctx context.Context, reportID string, notImplicated bool, note string) (*haven.MandatedReport, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	survivorID, _, sealer, err := db.reportFor(ctx, access.Update, reportID)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if note == "" || len([]rune(note)) > 2000 {
		return nil, haven.FieldError("note", "Say how the guardian was checked, in at most 2000 characters.")
	}
	var m *haven.MandatedReport
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE mandated_reports SET guardian_not_implicated = $2, guardian_note_enc = $3,
			guardian_checked_by = $4, guardian_checked_at = $5 WHERE id = $1`, reportID, notImplicated,
			sealer.Seal([]byte(note), reportAAD("guardian_note", reportID)), actor.UserID, tx.now); err != nil {
			return fmt.Errorf("record guardian check: %w", err)
		}
		if m, err = tx.readReport(ctx, sealer, reportID); err != nil {
			return err
		}
		outcome := "implicated"
		if notImplicated {
			outcome = "not_implicated"
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "mandated_report.guardian_check", ObjectType: "mandated_report", ObjectID: reportID,
			Reason: "survivor:" + survivorID + " " + outcome})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// checkTaskCompletion applies the rules of the tasks Haven opens when t
// is to be marked done or cancelled: a mandated report completes only by
// recording the report (and is never cancelled), and a guardian
// notification only once the safety check found the guardian not
// implicated.
func (tx *Tx) checkTaskCompletion(ctx context.Context, t haven.Task, status string) error {
	switch {
	case t.Kind == haven.TaskMandatedReport && status != haven.TaskOpen:
		return haven.FieldError("status", "A mandated-report task is completed by recording the report made: what, to whom, when and the report number.")
	case t.Kind == haven.TaskGuardianNotification && status == haven.TaskDone:
		var ok sql.NullBool
		err := tx.QueryRowContext(ctx, `SELECT guardian_not_implicated FROM mandated_reports WHERE guardian_task_id = $1`, t.ID).Scan(&ok)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read guardian check: %w", err)
		}
		if !ok.Valid || !ok.Bool {
			return haven.FieldError("status", "The guardian may be told only after a safety check records that they are not implicated.")
		}
	}
	return nil
}

// SetFamilyChoice records an adult survivor's choice about telling their
// family; the earlier choices stay, as its history.
func (db *SafeguardService) SetFamilyChoice(ctx context.Context, survivorID string, c haven.FamilyChoice) (*haven.FamilyChoice, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Survivor, survivorID); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	c.ID, c.RecordedBy = newID(), actor.UserID
	err = db.inTx(ctx, func(tx *Tx) error {
		var minor bool
		if err := tx.QueryRowContext(ctx, `SELECT minor FROM survivors WHERE id = $1`, survivorID).Scan(&minor); err != nil {
			return fmt.Errorf("read survivor: %w", err)
		}
		if minor {
			return haven.Errorf(haven.Conflict, "A minor's guardian is told through the mandated report's guardian notification, after its safety check.")
		}
		c.RecordedAt = tx.now
		var who []byte
		if c.Who != "" {
			who = sealer.Seal([]byte(c.Who), vault.AAD("family_choices", "who", c.ID))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO family_choices (id, survivor_id, notify, who_enc, what, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, survivorID, c.Notify, who, joinCategories(c.What), c.RecordedBy, c.RecordedAt); err != nil {
			return fmt.Errorf("record family choice: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "family_choice.set", ObjectType: "family_choice", ObjectID: c.ID,
			Reason: "survivor:" + survivorID})
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// FamilyChoices lists a survivor's choices about telling their family,
// newest (the one in force) first.
func (db *SafeguardService) FamilyChoices(ctx context.Context, survivorID string) ([]haven.FamilyChoice, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.Survivor, survivorID)
	if err != nil {
		return nil, err
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.FamilyChoice
	err = db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, notify, who_enc, what, recorded_by, recorded_at FROM family_choices
			WHERE survivor_id = $1 ORDER BY recorded_at DESC, id DESC`, survivorID)
		if err != nil {
			return fmt.Errorf("read family choices: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c haven.FamilyChoice
			var who []byte
			var what string
			if err := rows.Scan(&c.ID, &c.Notify, &who, &what, &c.RecordedBy, &c.RecordedAt); err != nil {
				return err
			}
			c.RecordedAt = c.RecordedAt.UTC()
			c.What = splitCategories(what)
			if c.Who, err = openText(sealer, who, vault.AAD("family_choices", "who", c.ID)); err != nil {
				return err
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "family_choice.list", "survivor", survivorID))
	})
	return out, err
}

// TestimonyTimeline is the actor's own dated entries for a survivor, to
// prepare testimony: the encounters they wrote, the screenings they ran
// and the contacts they made, oldest first. It is an export (never under
// emergency access) and is audited as one; it is no disclosure outside
// the care team, so it is not in the accounting.
func (db *SafeguardService) TestimonyTimeline(ctx context.Context, survivorID string) ([]haven.TimelineEntry, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Export, access.Encounter, survivorID); err != nil {
		return nil, err
	}
	var out []haven.TimelineEntry
	err = db.inTx(ctx, func(tx *Tx) error {
		encs, err := tx.readEncounters(ctx, survivorID)
		if err != nil {
			return err
		}
		for _, e := range encs {
			if e.AuthorID == actor.UserID {
				out = append(out, haven.TimelineEntry{Date: e.OccurredOn, Kind: "encounter", Text: e.Note})
			}
		}
		contacts, err := tx.readContacts(ctx, survivorID)
		if err != nil {
			return err
		}
		for _, c := range contacts {
			if c.UserID == actor.UserID {
				text := string(c.Channel) + " · " + string(c.Outcome)
				if c.Note != "" {
					text += " · " + c.Note
				}
				out = append(out, haven.TimelineEntry{Date: c.MadeAt.Format(haven.DateLayout), Kind: "contact", Text: text})
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT instrument_id, concern, flagged, created_at FROM screenings
			WHERE survivor_id = $1 AND created_by = $2`, survivorID, actor.UserID)
		if err != nil {
			return fmt.Errorf("read screenings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s haven.ScreeningSummary
			var flagged string
			if err := rows.Scan(&s.InstrumentID, &s.Concern, &flagged, &s.CreatedAt); err != nil {
				return err
			}
			text := s.InstrumentID + " · " + s.Concern
			if flagged != "" {
				text += " · " + flagged
			}
			out = append(out, haven.TimelineEntry{Date: s.CreatedAt.UTC().Format(haven.DateLayout), Kind: "screening", Text: text})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		haven.SortTimeline(out)
		return tx.audit(ctx, haven.AuditEvent{Action: "testimony.export", ObjectType: "survivor", ObjectID: survivorID,
			Reason: fmt.Sprintf("entries:%d", len(out))})
	})
	return out, err
}
