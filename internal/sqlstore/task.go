package sqlstore

// This file holds a case's tasks and follow-ups: their list, a new task,
// a change of one, and who on the care team may be given one. The start
// page's worklist is in task_worklist.go.

import (
	"cmp"
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

var errTaskNotFound = haven.Errorf(haven.NotFound, "Task not found.")

// taskColumns are read by scanTask, the sealed text last.
const taskColumns = `id, survivor_id, COALESCE(need_id, ''), assignee_id, due_on, status, created_by, created_at, updated_at,
	completed_at, text_enc, kind`

// taskAAD binds a task's sealed text to its row.
func taskAAD(id string) []byte { return vault.AAD("tasks", "text", id) }

// Tasks lists a survivor's tasks, open ones first by due date, then the
// closed ones, latest change first, and records one read.
func (db *TaskService) Tasks(ctx context.Context, survivorID string) ([]haven.Task, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.List, access.Task, survivorID)
	if err != nil {
		return nil, err
	}
	out, err := db.readTasks(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		return tx.auditRead(ctx, readEvent(rel, "task.list", "survivor", survivorID))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readTasks loads and opens a survivor's tasks under one sealer.
func (db *store) readTasks(ctx context.Context, survivorID string) ([]haven.Task, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE survivor_id = $1`, survivorID)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	var out []haven.Task
	var sealed [][]byte
	for rows.Next() {
		t, s, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out, sealed = append(out, t), append(sealed, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Text = openTaskText(sealer, sealed[i], out[i].ID)
	}
	slices.SortStableFunc(out, compareTasks)
	return out, nil
}

// unreadableText stands for a task's text that does not open under its
// survivor's key (a damaged row): the list and the worklist still show
// that the task is there, as the review queue does for a reason.
const unreadableText = "(unreadable)"

// openTaskText opens a task's sealed text, or says it is unreadable.
func openTaskText(sealer *vault.Sealer, sealed []byte, id string) string {
	if sealer == nil {
		return unreadableText
	}
	p, err := sealer.Open(sealed, taskAAD(id))
	if err != nil {
		return unreadableText
	}
	defer clear(p)
	return string(p)
}

// compareTasks orders open tasks by due date before closed ones, which go
// by latest change.
func compareTasks(a, b haven.Task) int {
	ao, bo := a.Status == haven.TaskOpen, b.Status == haven.TaskOpen
	switch {
	case ao != bo:
		if ao {
			return -1
		}
		return 1
	case ao:
		return cmp.Or(strings.Compare(a.DueOn, b.DueOn), strings.Compare(a.ID, b.ID))
	}
	return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), strings.Compare(a.ID, b.ID))
}

func scanTask(row interface{ Scan(...any) error }) (haven.Task, []byte, error) {
	var t haven.Task
	var completed sql.NullTime
	var sealed []byte
	err := row.Scan(&t.ID, &t.SurvivorID, &t.NeedID, &t.AssigneeID, &t.DueOn, &t.Status, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt,
		&completed, &sealed, &t.Kind)
	if err != nil {
		return t, nil, err
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	if completed.Valid {
		c := completed.Time.UTC()
		t.CompletedAt = &c
	}
	return t, sealed, nil
}

// sealerFor returns a sealer under a survivor's data key; the key itself
// is cleared at once.
func (db *store) sealerFor(ctx context.Context, survivorID string) (*vault.Sealer, error) {
	dk, err := db.dataKey(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	return vault.NewSealer(dk)
}

// AddTask adds an open task to a survivor's case, its text sealed under
// the survivor's data key. The assignee must be on the care team with a
// care role; a need, if named, must be one of this survivor's.
func (db *TaskService) AddTask(ctx context.Context, survivorID string, nt haven.NewTask) (*haven.Task, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Task, survivorID); err != nil {
		return nil, err
	}
	nt, err = nt.Normalize(db.now())
	if err != nil {
		return nil, err
	}
	t := &haven.Task{ID: newID(), SurvivorID: survivorID, NeedID: nt.NeedID, AssigneeID: nt.AssigneeID, DueOn: nt.DueOn,
		Status: haven.TaskOpen, Text: nt.Text, CreatedBy: actor.UserID}
	sealer, err := db.sealerFor(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	sealed := sealer.Seal([]byte(t.Text), taskAAD(t.ID))
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkAssignee(ctx, survivorID, t.AssigneeID); err != nil {
			return err
		}
		if err := tx.checkNeed(ctx, survivorID, t.NeedID); err != nil {
			return err
		}
		return tx.insertTask(ctx, t, sealed)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// insertTask stores t, its text sealed, created now, and audits it.
func (tx *Tx) insertTask(ctx context.Context, t *haven.Task, sealed []byte) error {
	t.CreatedAt, t.UpdatedAt = tx.now, tx.now
	var need any
	if t.NeedID != "" {
		need = t.NeedID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, survivor_id, need_id, assignee_id, due_on, status, text_enc,
		created_by, created_at, updated_at, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.SurvivorID, need, t.AssigneeID, t.DueOn, t.Status, sealed, t.CreatedBy, t.CreatedAt, t.UpdatedAt, t.Kind); err != nil {
		return fmt.Errorf("insert task: %w", err)
	}
	return tx.audit(ctx, haven.AuditEvent{Action: "task.create", ObjectType: "task", ObjectID: t.ID,
		Reason: strings.TrimSpace("survivor:" + t.SurvivorID + " " + t.Kind)})
}

var errNotAssignable = haven.FieldError("assignee", "Tasks go to members of this survivor's care team who work with survivors (clinician, advocate or supervisor).")

// checkAssignee requires userID to be an active member of the survivor's
// care team with a care role.
func (tx *Tx) checkAssignee(ctx context.Context, survivorID, userID string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM care_team ct JOIN users u ON u.id = ct.user_id
		WHERE ct.survivor_id = $1 AND ct.user_id = $2 AND u.disabled = $3 AND u.role IN ($4, $5, $6)`,
		survivorID, userID, false, haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor).Scan(&n)
	if err != nil {
		return fmt.Errorf("check assignee: %w", err)
	}
	if n == 0 {
		return errNotAssignable
	}
	return nil
}

// checkNeed requires a named need to be one of the survivor's.
func (tx *Tx) checkNeed(ctx context.Context, survivorID, needID string) error {
	if needID == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM needs WHERE id = $1 AND survivor_id = $2`, needID, survivorID).Scan(&n); err != nil {
		return fmt.Errorf("check need: %w", err)
	}
	if n == 0 {
		return haven.FieldError("need", "The task can only serve a need of this survivor's care plan.")
	}
	return nil
}

// UpdateTask changes a task of the survivor's: its status (done,
// cancelled, reopened), assignee, due date or text. The audit entry names
// what changed, by field name only.
func (db *TaskService) UpdateTask(ctx context.Context, survivorID, taskID string, c haven.TaskChange) (*haven.Task, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Task, survivorID); err != nil {
		return nil, err
	}
	c, err = c.Normalize(db.now())
	if err != nil {
		return nil, err
	}
	var sealer *vault.Sealer
	if c.Text != nil {
		if sealer, err = db.sealerFor(ctx, survivorID); err != nil {
			return nil, err
		}
	}
	var t haven.Task
	err = db.inTx(ctx, func(tx *Tx) error {
		var sealed []byte
		t, sealed, err = scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = $1 AND survivor_id = $2`,
			taskID, survivorID))
		if errors.Is(err, sql.ErrNoRows) {
			return errTaskNotFound
		} else if err != nil {
			return fmt.Errorf("read task: %w", err)
		}
		if c.AssigneeID != nil && *c.AssigneeID != t.AssigneeID {
			if err := tx.checkAssignee(ctx, survivorID, *c.AssigneeID); err != nil {
				return err
			}
		}
		if c.Status != nil && *c.Status != t.Status {
			if err := tx.checkTaskCompletion(ctx, t, *c.Status); err != nil {
				return err
			}
		}
		changed := applyTaskChange(&t, c, tx.now)
		if c.Text != nil {
			sealed = sealer.Seal([]byte(t.Text), taskAAD(t.ID))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET assignee_id = $2, due_on = $3, status = $4, text_enc = $5,
			updated_at = $6, completed_at = $7 WHERE id = $1`,
			t.ID, t.AssigneeID, t.DueOn, t.Status, sealed, t.UpdatedAt, t.CompletedAt); err != nil {
			return fmt.Errorf("update task: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "task.update", ObjectType: "task", ObjectID: t.ID, Reason: strings.Join(changed, " ")})
	})
	if err != nil {
		return nil, err
	}
	if c.Text == nil {
		if t.Text, err = db.openTaskText(ctx, t); err != nil {
			return nil, err
		}
	}
	return &t, nil
}

// applyTaskChange applies c to t at now and returns the coded names of
// what changed ("status:done", "assignee", "due_on", "text").
func applyTaskChange(t *haven.Task, c haven.TaskChange, now time.Time) []string {
	var changed []string
	if c.Status != nil && *c.Status != t.Status {
		t.Status = *c.Status
		t.CompletedAt = nil
		if t.Status == haven.TaskDone {
			t.CompletedAt = &now
		}
		changed = append(changed, "status:"+t.Status)
	}
	if c.AssigneeID != nil && *c.AssigneeID != t.AssigneeID {
		t.AssigneeID, changed = *c.AssigneeID, append(changed, "assignee")
	}
	if c.DueOn != nil && *c.DueOn != t.DueOn {
		t.DueOn, changed = *c.DueOn, append(changed, "due_on")
	}
	if c.Text != nil {
		t.Text, changed = *c.Text, append(changed, "text")
	}
	if len(changed) == 0 {
		changed = []string{"unchanged"}
	}
	t.UpdatedAt = now
	return changed
}

// openTaskText reads and opens the stored text of t.
func (db *store) openTaskText(ctx context.Context, t haven.Task) (string, error) {
	var sealed []byte
	if err := db.db.QueryRowContext(ctx, `SELECT text_enc FROM tasks WHERE id = $1`, t.ID).Scan(&sealed); err != nil {
		return "", fmt.Errorf("read task text: %w", err)
	}
	sealer, err := db.sealerFor(ctx, t.SurvivorID)
	if err != nil {
		return "", err
	}
	p, err := sealer.Open(sealed, taskAAD(t.ID))
	if err != nil {
		return "", fmt.Errorf("decrypt tasks.text of %s: %w", t.ID, err)
	}
	defer clear(p)
	return string(p), nil
}

// Assignees lists the members of a survivor's care team who may be given
// tasks, by name, and records the read.
func (db *TaskService) Assignees(ctx context.Context, survivorID string) ([]haven.Assignee, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.Task, survivorID)
	if err != nil {
		return nil, err
	}
	out, err := db.careTeamAssignees(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		return tx.auditRead(ctx, readEvent(rel, "task.assignees", "survivor", survivorID))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// careTeamAssignees reads the active care-role members of a survivor's
// care team, by name. (The care team's own service, kept elsewhere, lists
// the whole team; this is the one question tasks ask of it.)
func (db *store) careTeamAssignees(ctx context.Context, survivorID string) ([]haven.Assignee, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT u.id, `+displayNameSQL+`, u.role FROM care_team ct JOIN users u ON u.id = ct.user_id
		WHERE ct.survivor_id = $1 AND u.disabled = $2 AND u.role IN ($3, $4, $5)`,
		survivorID, false, haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor)
	if err != nil {
		return nil, fmt.Errorf("read care team: %w", err)
	}
	defer rows.Close()
	var out []haven.Assignee
	for rows.Next() {
		var a haven.Assignee
		if err := rows.Scan(&a.UserID, &a.Name, &a.Role); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b haven.Assignee) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.UserID, b.UserID))
	})
	return out, rows.Err()
}
