package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/auditlog"
)

// auditRowSQL reads an entry with the actor's display name and, for a
// survivor's record or one of its parts (a screening, a need, a consent),
// the record's case number. The entry holds ids only: names and case
// numbers are looked up as it is shown.
const auditRowSQL = `SELECT e.idx, e.at, e.actor_id, e.action, e.object_type, e.object_id, e.outcome, e.reason,
	COALESCE(NULLIF(u.display_name, ''), u.username, ''),
	COALESCE(s.case_number, (SELECT s2.case_number FROM survivors s2 WHERE s2.id = CASE e.object_type
		WHEN 'screening' THEN (SELECT sc.survivor_id FROM screenings sc WHERE sc.id = e.object_id)
		WHEN 'need' THEN (SELECT n.survivor_id FROM needs n WHERE n.id = e.object_id)
		WHEN 'consent' THEN (SELECT c.survivor_id FROM consents c WHERE c.id = e.object_id) END), '')
	FROM audit_entries e
	LEFT JOIN users u ON u.id = e.actor_id
	LEFT JOIN survivors s ON e.object_type = 'survivor' AND s.id = e.object_id `

// supervisorScopeSQL limits a supervisor's search to the entries made by
// the staff of the teams they supervise (themselves included) and those
// about the records whose care teams hold any of that staff: the cases a
// supervisor works (access.TeamSupervisor). $%d is the supervisor's id.
const supervisorScopeSQL = ` AND (e.actor_id IN (SELECT m.user_id FROM team_members sv JOIN team_members m ON m.team_id = sv.team_id
		WHERE sv.user_id = $%[1]d AND sv.supervisor)
	OR e.actor_id = $%[1]d
	OR (e.object_type = 'survivor' AND e.object_id IN (SELECT c.survivor_id FROM team_members sv
		JOIN team_members m ON m.team_id = sv.team_id JOIN care_team c ON c.user_id = m.user_id
		WHERE sv.user_id = $%[1]d AND sv.supervisor)))`

// auditOutcomes are the outcomes a search may ask for.
var auditOutcomes = map[string]bool{haven.OutcomeSuccess: true, haven.OutcomeDenied: true, haven.OutcomeFailure: true}

// auditWhere builds the WHERE clause of q for actor, with its arguments.
func auditWhere(actor haven.Actor, q haven.AuditQuery) (string, []any, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(q.ActorID) > 200 || len(q.Action) > 200 || len(q.ObjectType) > 200 || len(q.ObjectID) > 200 || len(q.CaseNumber) > 200 {
		return "", nil, haven.Errorf(haven.Invalid, "A search field is too long (at most 200 characters).")
	}
	if q.ActorID != "" {
		conds = append(conds, "e.actor_id = "+arg(q.ActorID))
	}
	switch {
	case strings.HasSuffix(q.Action, "."):
		// A prefix: every action on one object type. The object type is
		// the action's part before the dot, so the index on it serves.
		conds = append(conds, "e.action LIKE "+arg(strings.NewReplacer("%", "", "_", "\\_").Replace(q.Action)+"%")+` ESCAPE '\'`)
	case q.Action != "":
		conds = append(conds, "e.action = "+arg(q.Action))
	}
	if q.ObjectType != "" {
		conds = append(conds, "e.object_type = "+arg(q.ObjectType))
	}
	if q.ObjectID != "" {
		conds = append(conds, "e.object_id = "+arg(q.ObjectID))
	}
	if q.CaseNumber != "" {
		conds = append(conds, "e.object_type = 'survivor' AND e.object_id = (SELECT id FROM survivors WHERE case_number = "+arg(q.CaseNumber)+")")
	}
	if q.Outcome != "" {
		if !auditOutcomes[q.Outcome] {
			return "", nil, haven.FieldError("outcome", "Choose success, denied or failure.")
		}
		conds = append(conds, "e.outcome = "+arg(q.Outcome))
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return "", nil, haven.FieldError("to", "The end of the period must come after its start.")
	}
	if !q.From.IsZero() {
		conds = append(conds, "e.at >= "+arg(q.From.UTC()))
	}
	if !q.To.IsZero() {
		conds = append(conds, "e.at < "+arg(q.To.UTC()))
	}
	if q.Before < 0 {
		return "", nil, haven.Errorf(haven.Invalid, "The page cursor is not valid.")
	}
	if q.Before > 0 {
		conds = append(conds, "e.idx < "+arg(q.Before))
	}
	where := "WHERE TRUE"
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	if actor.Role == haven.RoleSupervisor {
		args = append(args, actor.UserID)
		where += fmt.Sprintf(supervisorScopeSQL, len(args))
	}
	return where, args, nil
}

// searchAudit reads the rows q selects, newest first, at most limit.
func (db *store) searchAudit(ctx context.Context, actor haven.Actor, q haven.AuditQuery, limit int) ([]haven.AuditRow, error) {
	if q.ActorID != "" && len(q.ActorID) <= 200 {
		// A username stands for its user's id; the search itself stays an
		// equality that walks audit_entries_actor.
		var id string
		err := db.db.QueryRowContext(ctx, `SELECT id FROM users WHERE lower(username) = lower($1)`, q.ActorID).Scan(&id)
		if err == nil {
			q.ActorID = id
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read user: %w", err)
		}
	}
	where, args, err := auditWhere(actor, q)
	if err != nil {
		return nil, err
	}
	args = append(args, limit)
	return queryAuditRows(ctx, db.db, where+fmt.Sprintf(" ORDER BY e.idx DESC LIMIT $%d", len(args)), args...)
}

// queryAuditRows reads audit rows through q.
func queryAuditRows(ctx context.Context, q auditQueryer, where string, args ...any) ([]haven.AuditRow, error) {
	rows, err := q.QueryContext(ctx, auditRowSQL+where, args...)
	if err != nil {
		return nil, fmt.Errorf("search audit entries: %w", err)
	}
	defer rows.Close()
	var out []haven.AuditRow
	for rows.Next() {
		var r haven.AuditRow
		if err := rows.Scan(&r.Index, &r.Time, &r.ActorID, &r.Action, &r.ObjectType, &r.ObjectID, &r.Outcome, &r.Reason,
			&r.ActorName, &r.CaseNumber); err != nil {
			return nil, fmt.Errorf("search audit entries: %w", err)
		}
		r.Time = r.Time.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// SearchAudit returns one page of the entries q selects that the actor may
// see: administrators every entry, supervisors those of their teams' staff
// and cases. The search itself is audited (without its terms, which may
// name a person's id). Errors: Invalid, Forbidden.
func (db *AuditTrailService) SearchAudit(ctx context.Context, q haven.AuditQuery) (haven.AuditPage, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return haven.AuditPage{}, err
	}
	if err := db.authorize(ctx, actor, access.List, access.AuditLog, ""); err != nil {
		return haven.AuditPage{}, err
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = haven.AuditPageSize
	case limit < 0 || limit > haven.AuditPageMax:
		return haven.AuditPage{}, haven.Errorf(haven.Invalid, "A page holds 1 to %d entries.", haven.AuditPageMax)
	}
	rows, err := db.searchAudit(ctx, actor, q, limit+1)
	if err != nil {
		return haven.AuditPage{}, err
	}
	var page haven.AuditPage
	if len(rows) > limit {
		rows = rows[:limit]
		page.Next = rows[limit-1].Index
	}
	page.Rows = rows
	err = db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: "audit_log.search", ObjectType: "audit_log"})
	})
	return page, err
}

// ExportAudit returns up to haven.AuditExportMax entries q selects, newest
// first, for a CSV export, and audits the export. Errors: Invalid,
// Forbidden.
func (db *AuditTrailService) ExportAudit(ctx context.Context, q haven.AuditQuery) ([]haven.AuditRow, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Export, access.AuditLog, ""); err != nil {
		return nil, err
	}
	rows, err := db.searchAudit(ctx, actor, q, haven.AuditExportMax)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: "audit_log.export", ObjectType: "audit_log",
			Reason: fmt.Sprintf("rows=%d", len(rows))})
	})
	return rows, err
}

// accessReportWhere selects the entries about one survivor's record and
// its parts, as (object type, object id) pairs: the planner joins the
// few pairs to audit_entries_object (object_id, idx) rather than scan
// the log, which an OR of the four kinds made it do (2.5 s over 10
// million entries; docs/performance.md).
const accessReportWhere = `WHERE (e.object_type, e.object_id) IN (
		SELECT 'survivor', CAST($1 AS TEXT)
		UNION ALL SELECT 'screening', id FROM screenings WHERE survivor_id = $1
		UNION ALL SELECT 'need', id FROM needs WHERE survivor_id = $1
		UNION ALL SELECT 'consent', id FROM consents WHERE survivor_id = $1)
	ORDER BY e.idx DESC LIMIT $2`

// AccessReport returns who opened survivorID's record and its parts, when
// and why (a read under emergency access says so), newest first. The care
// team's lead and the supervisors who may change the care team read it
// (the access decision for changing the team's membership); everyone else,
// emergency access included, gets NotFound. Errors: NotFound.
func (db *AuditTrailService) AccessReport(ctx context.Context, survivorID string) ([]haven.AuditRow, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.relationship(ctx, db.db, actor, survivorID)
	if err != nil {
		return nil, err
	}
	d := access.Decide(access.Request{Role: actor.Role, Action: access.Update, Resource: access.Membership,
		Relationship: rel, Class: haven.Coded, Now: db.now()})
	if !d.Allow {
		err := db.inTx(ctx, func(tx *Tx) error {
			return tx.audit(ctx, haven.AuditEvent{Action: "survivor.access_report", ObjectType: "survivor", ObjectID: survivorID,
				Outcome: haven.OutcomeDenied, Reason: d.Reason})
		})
		if err != nil {
			return nil, err
		}
		return nil, errSurvivorNotFound
	}
	rows, err := queryAuditRows(ctx, db.db, accessReportWhere, survivorID, haven.AuditExportMax)
	if err != nil {
		return nil, err
	}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		return tx.auditRead(ctx, readEvent(rel, "survivor.access_report", "survivor", survivorID))
	})
	return rows, err
}

// AuditStatus reports the log's size, how much of it is hashed, and the
// latest signed checkpoint: whether v accepts its signature and the stored
// tree extends it. Recomputing every entry's hash is `haven audit verify`'s
// work (minutes on a large log), not a page's. Errors: Forbidden.
func (db *AuditTrailService) AuditStatus(ctx context.Context, v haven.CheckpointVerifier) (haven.AuditStatus, error) {
	st := haven.AuditStatus{CheckpointSize: -1}
	actor, err := actorOf(ctx)
	if err != nil {
		return st, err
	}
	if err := db.authorize(ctx, actor, access.Read, access.AuditLog, ""); err != nil {
		return st, err
	}
	snap, err := db.auditSnapshot(ctx)
	if err != nil {
		return st, err
	}
	defer snap.Rollback()
	if st.Size, err = auditHead(ctx, snap); err != nil {
		return st, err
	}
	if st.Hashed, err = auditTreeSize(ctx, snap); err != nil {
		return st, err
	}
	var msg string
	err = snap.QueryRowContext(ctx, `SELECT note, signed_at FROM audit_checkpoints ORDER BY size DESC, id DESC LIMIT 1`).Scan(&msg, &st.CheckpointAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		st.Message = "No checkpoint has been signed yet."
		return st, nil
	case err != nil:
		return st, fmt.Errorf("read audit checkpoint: %w", err)
	}
	st.CheckpointAt = st.CheckpointAt.UTC()
	cp, err := auditlog.ParseCheckpoint([]byte(msg))
	if err != nil {
		st.Checked, st.Message = true, "The latest checkpoint cannot be read."
		return st, nil
	}
	st.CheckpointSize = cp.Size
	if v == nil {
		st.Message = "No verifier key is configured, so the checkpoint's signature was not checked."
		return st, nil
	}
	st.Checked = true
	if _, err := auditlog.Open([]byte(msg), v); err != nil {
		st.Message = "The latest checkpoint's signature does not verify."
		return st, nil
	}
	root, err := tlog.TreeHash(st.Hashed, auditHashReader(ctx, snap))
	if err == nil {
		err = auditlog.CheckCheckpoint(cp, st.Hashed, root, auditHashReader(ctx, snap))
	}
	if err != nil {
		st.Message = "The stored log does not extend the latest signed checkpoint: run haven audit verify."
		return st, nil
	}
	st.Verified = true
	st.Message = fmt.Sprintf("The stored log extends the signed checkpoint of %d entries.", cp.Size)
	return st, nil
}
