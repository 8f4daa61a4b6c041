package sqlstore

// This file builds the start page's worklist: the signed-in user's open
// tasks that are overdue or due soon, the cases on their care teams with
// no recent contact, and, for supervisors, the emergency accesses waiting
// for review. A bounded number of indexed queries, whatever the caseload;
// only the tasks shown are decrypted, each survivor's key unwrapped once.

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

// Worklist builds the signed-in user's worklist for q and records one
// read. A task or case counts only while the user is on its care team:
// a removed member's tasks leave their worklist at once. Roles that work
// no cases get an empty list (and, for supervisors, the reviews).
func (db *TaskService) Worklist(ctx context.Context, q haven.WorklistQuery) (*haven.Worklist, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	// The care team's own relationship is what every row stands on; a
	// role that may not read tasks there (analyst, partner) gets none.
	cases := access.Decide(access.Request{Role: actor.Role, Action: access.List, Resource: access.Task,
		Relationship: access.CareTeam, Class: haven.Identifying, Now: db.now()}).Allow
	reviews := access.Allowed(actor.Role, access.List, access.EmergencyAccess)
	w, err := db.readWorklist(ctx, actor.UserID, q, cases, reviews)
	if err != nil {
		return nil, err
	}
	err = db.auditAlone(ctx, haven.AuditEvent{Action: "worklist.read", ObjectType: "user", ObjectID: actor.UserID})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// readWorklist reads the parts of the worklist: the overdue and the
// due-soon tasks and the cases without recent contact when cases is set,
// the pending reviews when reviews is; then it decrypts the tasks shown.
// The queries run one after another: run at once, on connections of
// their own, they measured no faster on two busy cores, and a busy
// server gains nothing from one page taking four connections.
func (db *store) readWorklist(ctx context.Context, userID string, q haven.WorklistQuery, cases, reviews bool) (*haven.Worklist, error) {
	w := &haven.Worklist{}
	var sealed [2][][]byte
	var more [3]bool
	var errs [4]error
	if cases {
		// Overdue: from the oldest due date a task may have to yesterday.
		w.Overdue, sealed[0], more[0], errs[0] = db.workTaskRows(ctx, userID, "0000-00-00", haven.AddDays(q.Today, -1))
		w.DueSoon, sealed[1], more[1], errs[1] = db.workTaskRows(ctx, userID, q.Today, haven.AddDays(q.Today, q.SoonDays))
		w.Stale, more[2], errs[2] = db.staleCases(ctx, userID, q.StaleAfterDays)
	}
	if reviews {
		w.Reviews, errs[3] = db.pendingGrants(ctx, false)
	}
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	w.More = more[0] || more[1] || more[2]
	if err := db.openWorkTasks(ctx, [][]haven.WorkTask{w.Overdue, w.DueSoon}, sealed[:]); err != nil {
		return nil, err
	}
	return w, nil
}

// openWorkTasks decrypts the texts of the tasks shown under their
// survivors' keys, read from the key store in one query.
func (db *store) openWorkTasks(ctx context.Context, lists [][]haven.WorkTask, sealed [][][]byte) error {
	var ids []string
	for _, list := range lists {
		for _, t := range list {
			ids = append(ids, t.SurvivorID)
		}
	}
	sealers, err := db.sealersFor(ctx, ids)
	if err != nil {
		return err
	}
	for i, list := range lists {
		for j := range list {
			list[j].Text = openTaskText(sealers[list[j].SurvivorID], sealed[i][j], list[j].ID)
		}
	}
	return nil
}

// workTaskRows reads the open tasks assigned to userID, due from from to
// to (YYYY-MM-DD), on cases whose care team they are on, by due date; at
// most WorklistLimit of them, with their sealed texts.
func (db *store) workTaskRows(ctx context.Context, userID, from, to string) ([]haven.WorkTask, [][]byte, bool, error) {
	rows, err := db.query(ctx, `SELECT t.id, t.survivor_id, s.case_number, t.due_on, t.text_enc
		FROM tasks t JOIN survivors s ON s.id = t.survivor_id
		WHERE t.assignee_id = $1 AND t.status = $2 AND t.due_on >= $3 AND t.due_on <= $4
			AND EXISTS (SELECT 1 FROM care_team ct WHERE ct.survivor_id = t.survivor_id AND ct.user_id = t.assignee_id)
		ORDER BY t.due_on, t.id LIMIT $5`, userID, haven.TaskOpen, from, to, haven.WorklistLimit+1)
	if err != nil {
		return nil, nil, false, fmt.Errorf("read worklist tasks: %w", err)
	}
	defer rows.Close()
	var out []haven.WorkTask
	var sealed [][]byte
	for rows.Next() {
		var t haven.WorkTask
		var s []byte
		if err := rows.Scan(&t.ID, &t.SurvivorID, &t.CaseNumber, &t.DueOn, &s); err != nil {
			return nil, nil, false, err
		}
		out, sealed = append(out, t), append(sealed, s)
	}
	more := len(out) > haven.WorklistLimit
	if more {
		out, sealed = out[:haven.WorklistLimit], sealed[:haven.WorklistLimit]
	}
	return out, sealed, more, rows.Err()
}

// sealersFor returns a sealer for each of the survivors ids names (with
// repeats), their wrapped keys read from the key store in one query and
// each unwrapped once; the keys themselves are cleared at once. A
// survivor whose key is gone (crypto-shredded) has no sealer.
func (db *store) sealersFor(ctx context.Context, ids []string) (map[string]*vault.Sealer, error) {
	out := map[string]*vault.Sealer{}
	var marks []string
	var args []any
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = nil
			args = append(args, id)
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	clear(out)
	kdb, err := db.keyDB()
	if err != nil {
		return nil, err
	}
	rows, err := kdb.QueryContext(ctx, `SELECT survivor_id, wrapped_key FROM survivor_keys WHERE survivor_id IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var wrapped []byte
		if err := rows.Scan(&id, &wrapped); err != nil {
			return nil, err
		}
		dk, err := db.unwrap(id, wrapped)
		if err != nil {
			return nil, err
		}
		sl, err := vault.NewSealer(dk)
		clear(dk)
		if err != nil {
			return nil, err
		}
		out[id] = sl
	}
	return out, rows.Err()
}

// staleCases lists the cases on userID's care teams with no contact made
// since days ago (counted from the record's creation when there was
// none), longest without contact first.
func (db *store) staleCases(ctx context.Context, userID string, days int) ([]haven.StaleCase, bool, error) {
	cutoff := db.now().AddDate(0, 0, -days)
	// A case is stale when it is older than the cutoff and has no contact
	// since: one index probe each. Only the stale ones have their last
	// contact looked up, for the order.
	rows, err := db.query(ctx, `SELECT id, case_number, created_at, last_contact FROM (
		SELECT s.id, s.case_number, s.created_at,
			(SELECT MAX(c.made_at) FROM contacts c WHERE c.survivor_id = s.id) AS last_contact
		FROM survivors s WHERE s.id IN (SELECT ct.survivor_id FROM care_team ct WHERE ct.user_id = $1) AND s.created_at < $2
			AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.survivor_id = s.id AND c.made_at >= $2)) stale
		ORDER BY COALESCE(last_contact, created_at), id LIMIT $3`,
		userID, cutoff, haven.WorklistLimit+1)
	if err != nil {
		return nil, false, fmt.Errorf("read cases without contact: %w", err)
	}
	defer rows.Close()
	var out []haven.StaleCase
	for rows.Next() {
		var c haven.StaleCase
		var last anyTime
		if err := rows.Scan(&c.SurvivorID, &c.CaseNumber, &c.Since, &last); err != nil {
			return nil, false, err
		}
		c.Since = c.Since.UTC()
		if last.valid {
			c.LastContact, c.Since = &last.t, last.t
		}
		out = append(out, c)
	}
	more := len(out) > haven.WorklistLimit
	if more {
		out = out[:haven.WorklistLimit]
	}
	return out, more, rows.Err()
}

// query runs a read outside a transaction through the statement cache
// (see stmtCache): on SQLite, parsing and planning the worklist's queries
// afresh is a good part of their cost.
func (db *store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.db.QueryContext(ctx, query, args...)
}

// anyTime scans a time that an engine may return as a string: SQLite
// knows no type for an expression such as MAX(made_at), so its driver
// hands back the text it stored.
type anyTime struct {
	t     time.Time
	valid bool
}

// sqliteTimeLayouts are the forms in which SQLite's driver stores times:
// time.Time.String, and the forms it reads.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"}

// Scan implements sql.Scanner.
func (a *anyTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*a = anyTime{}
		return nil
	case time.Time:
		*a = anyTime{v.UTC(), true}
		return nil
	case []byte:
		return a.Scan(string(v))
	case string:
		for _, layout := range sqliteTimeLayouts {
			if t, err := time.Parse(layout, v); err == nil {
				*a = anyTime{t.UTC(), true}
				return nil
			}
		}
	}
	return fmt.Errorf("scan time: unexpected %T", v)
}
