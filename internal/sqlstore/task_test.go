package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// taskCase is a survivor opened by an advocate, with a clinician added to
// the care team, on a fixed clock (2026-05-01 08:00 UTC).
type taskCase struct {
	db         *sqlstoretest.Store
	clock      *fixedClock
	adv, nurse *haven.User
	survivor   *haven.Survivor
}

func newTaskCase(t *testing.T, db *sqlstoretest.Store) *taskCase {
	t.Helper()
	c := &taskCase{db: db, clock: &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}}
	db.DB.Clock = c.clock
	c.adv = mustUser(t, db, "advocate", haven.RoleAdvocate)
	c.nurse = mustUser(t, db, "nurse", haven.RoleClinician)
	s, _, err := db.CreateSurvivor(actorCtx(c.adv), canarySurvivor())
	if err != nil {
		t.Fatal(err)
	}
	c.survivor = s
	if err := db.AddCareTeamMember(actorCtx(c.adv), s.ID, c.nurse.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *taskCase) add(t *testing.T, text, assignee, due string) *haven.Task {
	t.Helper()
	task, err := c.db.AddTask(actorCtx(c.adv), c.survivor.ID, haven.NewTask{Text: text, AssigneeID: assignee, DueOn: due})
	if err != nil {
		t.Fatalf("AddTask(%q): %v", text, err)
	}
	return task
}

func ptr[T any](v T) *T { return &v }

func TestTasksAddListUpdate(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newTaskCase(t, db)
		actx := actorCtx(c.adv)
		later := c.add(t, "Call legal aid about the visa", c.nurse.ID, "2026-05-20")
		sooner := c.add(t, "  Book an interpreter  ", c.adv.ID, "2026-05-03")
		done := c.add(t, "Give the food bank's address", c.nurse.ID, "2026-05-02")
		if sooner.Text != "Book an interpreter" || sooner.Status != haven.TaskOpen || sooner.CreatedBy != c.adv.ID {
			t.Errorf("new task = %+v, want trimmed text, open, created by the advocate", sooner)
		}
		got, err := db.UpdateTask(actx, c.survivor.ID, done.ID, haven.TaskChange{Status: ptr(haven.TaskDone)})
		if err != nil || got.Status != haven.TaskDone || got.CompletedAt == nil || got.Text != "Give the food bank's address" {
			t.Fatalf("complete: %+v, %v", got, err)
		}
		if e := lastAuditEntry(t, db); e.Action != "task.update" || e.ObjectID != done.ID || e.Reason != "status:done" {
			t.Errorf("audit of completion = %+v", e)
		}
		list, err := db.Tasks(actorCtx(c.nurse), c.survivor.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tk := range list {
			ids = append(ids, tk.ID)
		}
		if want := []string{sooner.ID, later.ID, done.ID}; !slices.Equal(ids, want) {
			t.Errorf("order = %v, want open by due date, then closed %v", ids, want)
		}
		if e := lastAuditEntry(t, db); e.Action != "task.list" || e.ObjectID != c.survivor.ID {
			t.Errorf("audit of the list = %+v", e)
		}
		// Reopen, reassign, move and reword in one change.
		got, err = db.UpdateTask(actx, c.survivor.ID, done.ID, haven.TaskChange{Status: ptr(haven.TaskOpen),
			AssigneeID: ptr(c.adv.ID), DueOn: ptr("2026-06-01"), Text: ptr("Walk to the food bank together")})
		if err != nil || got.Status != haven.TaskOpen || got.CompletedAt != nil || got.AssigneeID != c.adv.ID ||
			got.DueOn != "2026-06-01" || got.Text != "Walk to the food bank together" {
			t.Fatalf("reopen and change: %+v, %v", got, err)
		}
		if e := lastAuditEntry(t, db); e.Reason != "status:open assignee due_on text" {
			t.Errorf("audit reason = %q, want the changed fields by name", e.Reason)
		}
		list, _ = db.Tasks(actx, c.survivor.ID)
		if list[2].Text != "Walk to the food bank together" {
			t.Errorf("stored text = %q", list[2].Text)
		}
		if _, err := db.UpdateTask(actx, c.survivor.ID, later.ID, haven.TaskChange{Status: ptr(haven.TaskCancelled)}); err != nil {
			t.Fatal(err)
		}
		as, err := db.Assignees(actx, c.survivor.ID)
		if err != nil || len(as) != 2 || as[0].UserID != c.adv.ID || as[1].UserID != c.nurse.ID {
			t.Errorf("assignees = %+v, %v; want advocate and nurse by name", as, err)
		}
	})
}

func TestTaskBadInput(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newTaskCase(t, db)
		actx := actorCtx(c.adv)
		admin := mustUser(t, db, "admin.on.team", haven.RoleAdmin)
		stranger := mustUser(t, db, "stranger", haven.RoleClinician)
		if _, err := db.SQL().Exec(`INSERT INTO care_team (survivor_id, user_id, added_at) VALUES ($1, $2, $3)`,
			c.survivor.ID, admin.ID, c.clock.t); err != nil {
			t.Fatal(err)
		}
		ok := haven.NewTask{Text: "Follow up", AssigneeID: c.nurse.ID, DueOn: "2026-05-10"}
		cases := []struct {
			name, field string
			change      func(*haven.NewTask)
		}{
			{"no text", "text", func(n *haven.NewTask) { n.Text = "   " }},
			{"long text", "text", func(n *haven.NewTask) { n.Text = strings.Repeat("x", haven.TaskTextMax+1) }},
			{"control characters", "text", func(n *haven.NewTask) { n.Text = "call\x00back" }},
			{"no assignee", "assignee", func(n *haven.NewTask) { n.AssigneeID = "" }},
			{"assignee off the team", "assignee", func(n *haven.NewTask) { n.AssigneeID = stranger.ID }},
			{"admin on the team has no care role", "assignee", func(n *haven.NewTask) { n.AssigneeID = admin.ID }},
			{"no such user", "assignee", func(n *haven.NewTask) { n.AssigneeID = "no-such-user" }},
			{"no date", "due_on", func(n *haven.NewTask) { n.DueOn = "" }},
			{"not a date", "due_on", func(n *haven.NewTask) { n.DueOn = "2026-02-30" }},
			{"other format", "due_on", func(n *haven.NewTask) { n.DueOn = "05/10/2026" }},
			{"long ago", "due_on", func(n *haven.NewTask) { n.DueOn = "2024-01-01" }},
			{"far ahead", "due_on", func(n *haven.NewTask) { n.DueOn = "2040-01-01" }},
			{"need of nobody", "need", func(n *haven.NewTask) { n.NeedID = "no-such-need" }},
		}
		before, _ := db.AuditSize(context.Background())
		for _, tt := range cases {
			nt := ok
			tt.change(&nt)
			_, err := db.AddTask(actx, c.survivor.ID, nt)
			if haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)[tt.field] == "" {
				t.Errorf("%s: err=%v fields=%v, want Invalid on %s", tt.name, err, haven.ErrorFields(err), tt.field)
			}
		}
		task, err := db.AddTask(actx, c.survivor.ID, ok)
		if err != nil {
			t.Fatal(err)
		}
		changes := []struct {
			name string
			c    haven.TaskChange
			kind haven.Kind
		}{
			{"nothing", haven.TaskChange{}, haven.Invalid},
			{"bad status", haven.TaskChange{Status: ptr("finished")}, haven.Invalid},
			{"empty text", haven.TaskChange{Text: ptr("")}, haven.Invalid},
			{"bad date", haven.TaskChange{DueOn: ptr("tomorrow")}, haven.Invalid},
			{"stranger", haven.TaskChange{AssigneeID: ptr(stranger.ID)}, haven.Invalid},
		}
		for _, tt := range changes {
			if _, err := db.UpdateTask(actx, c.survivor.ID, task.ID, tt.c); haven.ErrorKind(err) != tt.kind {
				t.Errorf("change %s: err=%v, want %s", tt.name, err, tt.kind)
			}
		}
		other, _, err := db.CreateSurvivor(actx, canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateTask(actx, other.ID, task.ID, haven.TaskChange{Status: ptr(haven.TaskDone)}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("task through another survivor: err=%v, want NotFound", err)
		}
		after, _ := db.AuditSize(context.Background())
		// Only the good task, the other record and the audited reads wrote.
		if entries, _ := db.AuditEntries(context.Background(), before, after); countAction(entries, "task.update") != 0 {
			t.Errorf("a refused change was audited as made")
		}
		list, _ := db.Tasks(actx, c.survivor.ID)
		if len(list) != 1 || list[0].Status != haven.TaskOpen || list[0].AssigneeID != c.nurse.ID || list[0].DueOn != "2026-05-10" {
			t.Errorf("after refused changes: %+v, want the task unchanged", list)
		}
	})
}

func countAction(es []haven.AuditEntry, action string) int {
	n := 0
	for _, e := range es {
		if e.Action == action && e.Outcome == haven.OutcomeSuccess {
			n++
		}
	}
	return n
}

func TestTaskAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newTaskCase(t, db)
		task := c.add(t, "Check the shelter bed", c.nurse.ID, "2026-05-02")
		today := haven.WorklistQuery{Today: "2026-05-01", SoonDays: 7, StaleAfterDays: 14}
		outsiders := map[string]*haven.User{
			"clinician": mustUser(t, db, "outsider", haven.RoleClinician),
			"analyst":   mustUser(t, db, "analyst", haven.RoleAnalyst),
			"partner":   mustPartner(t, db),
			"admin":     mustUser(t, db, "admin", haven.RoleAdmin),
		}
		for name, u := range outsiders {
			ctx := actorCtx(u)
			if list, err := db.Tasks(ctx, c.survivor.ID); haven.ErrorKind(err) != haven.NotFound || list != nil {
				t.Errorf("%s Tasks: %v, %v; want NotFound", name, list, err)
			}
			if _, err := db.AddTask(ctx, c.survivor.ID, haven.NewTask{Text: "x", AssigneeID: u.ID, DueOn: "2026-05-02"}); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s AddTask: %v, want NotFound", name, err)
			}
			if _, err := db.UpdateTask(ctx, c.survivor.ID, task.ID, haven.TaskChange{Status: ptr(haven.TaskDone)}); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s UpdateTask: %v, want NotFound", name, err)
			}
			if as, err := db.Assignees(ctx, c.survivor.ID); haven.ErrorKind(err) != haven.NotFound || as != nil {
				t.Errorf("%s Assignees: %v, %v; want NotFound", name, as, err)
			}
			w, err := db.Worklist(ctx, today)
			if err != nil || len(w.Overdue)+len(w.DueSoon)+len(w.Stale) != 0 {
				t.Errorf("%s Worklist: %+v, %v; want nothing", name, w, err)
			}
		}
		if e := lastAuditEntry(t, db); e.Action != "worklist.read" {
			t.Errorf("last entry %+v, want the worklist read", e)
		}
		// Emergency access reads the tasks and changes none.
		er := outsiders["clinician"]
		if _, err := db.BreakGlass(actorCtx(er), c.survivor.ID, "Emergency department needs the care plan now"); err != nil {
			t.Fatal(err)
		}
		list, err := db.Tasks(actorCtx(er), c.survivor.ID)
		if err != nil || len(list) != 1 || list[0].Text != "Check the shelter bed" {
			t.Errorf("break-glass Tasks: %+v, %v", list, err)
		}
		if e := lastAuditEntry(t, db); e.Action != "task.list" || e.Reason != "emergency access" {
			t.Errorf("break-glass read audited as %+v", e)
		}
		if _, err := db.UpdateTask(actorCtx(er), c.survivor.ID, task.ID, haven.TaskChange{Status: ptr(haven.TaskDone)}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("break-glass UpdateTask: %v, want refused", err)
		}
		if _, err := db.AddTask(actorCtx(er), c.survivor.ID, haven.NewTask{Text: "x", AssigneeID: c.nurse.ID, DueOn: "2026-05-02"}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("break-glass AddTask: %v, want refused", err)
		}
		// A removed member's tasks leave their worklist at once.
		w, err := db.Worklist(actorCtx(c.nurse), today)
		if err != nil || len(w.DueSoon) != 1 || w.DueSoon[0].ID != task.ID {
			t.Fatalf("nurse worklist before removal: %+v, %v", w, err)
		}
		if _, err := db.SQL().Exec(`DELETE FROM care_team WHERE survivor_id = $1 AND user_id = $2`, c.survivor.ID, c.nurse.ID); err != nil {
			t.Fatal(err)
		}
		w, err = db.Worklist(actorCtx(c.nurse), today)
		if err != nil || len(w.Overdue)+len(w.DueSoon)+len(w.Stale) != 0 {
			t.Errorf("removed member's worklist: %+v, %v; want empty", w, err)
		}
		if _, err := db.Tasks(actorCtx(c.nurse), c.survivor.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("removed member's Tasks: %v, want NotFound", err)
		}
	})
}

func TestWorklistBuckets(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newTaskCase(t, db)
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		// Created 2026-05-01; the clock then moves to 2026-05-20.
		quiet := c.survivor
		contacted, _, err := db.CreateSurvivor(actorCtx(c.adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		longAgo, _, err := db.CreateSurvivor(actorCtx(c.adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*haven.Survivor{contacted, longAgo} {
			if err := db.AddCareTeamMember(actorCtx(c.adv), s.ID, c.nurse.ID); err != nil {
				t.Fatal(err)
			}
		}
		contact := func(s *haven.Survivor, at time.Time) {
			if _, err := db.SQL().Exec(`INSERT INTO contacts (id, survivor_id, user_id, channel, made_at) VALUES ($1, $2, $3, $4, $5)`,
				s.ID+at.Format("0102"), s.ID, c.adv.ID, "phone", at); err != nil {
				t.Fatal(err)
			}
		}
		contact(contacted, time.Date(2026, 5, 18, 9, 0, 0, 0, time.UTC))
		contact(longAgo, time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC))
		contact(longAgo, time.Date(2026, 5, 3, 9, 0, 0, 0, time.UTC))
		overdue := c.add(t, "Overdue follow-up", c.nurse.ID, "2026-05-19")
		today := c.add(t, "Today's call", c.nurse.ID, "2026-05-20")
		edge := c.add(t, "Due in seven days", c.nurse.ID, "2026-05-27")
		c.add(t, "Due in eight days", c.nurse.ID, "2026-05-28")
		c.add(t, "The advocate's own", c.adv.ID, "2026-05-19")
		closed := c.add(t, "Done already", c.nurse.ID, "2026-05-18")
		if _, err := db.UpdateTask(actorCtx(c.adv), quiet.ID, closed.ID, haven.TaskChange{Status: ptr(haven.TaskDone)}); err != nil {
			t.Fatal(err)
		}
		c.clock.t = time.Date(2026, 5, 20, 8, 0, 0, 0, time.UTC)
		// Opened today and not contacted yet: not stale.
		fresh, _, err := db.CreateSurvivor(actorCtx(c.adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddCareTeamMember(actorCtx(c.adv), fresh.ID, c.nurse.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.BreakGlass(actorCtx(mustUser(t, db, "er.nurse", haven.RoleClinician)), quiet.ID, "Emergency department needs the allergies now"); err != nil {
			t.Fatal(err)
		}
		q := haven.WorklistQuery{Today: "2026-05-20", SoonDays: 7, StaleAfterDays: 14}
		before, _ := db.AuditSize(context.Background())
		w, err := db.Worklist(actorCtx(c.nurse), q)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := db.AuditSize(context.Background())
		if after != before+1 || lastAuditEntry(t, db).Action != "worklist.read" {
			t.Errorf("worklist wrote %d audit entries, want one worklist.read", after-before)
		}
		if got := workIDs(w.Overdue); !slices.Equal(got, []string{overdue.ID}) || w.Overdue[0].Text != "Overdue follow-up" ||
			w.Overdue[0].CaseNumber != quiet.CaseNumber {
			t.Errorf("overdue = %+v, want the one task due yesterday, with its text and case number", w.Overdue)
		}
		if got := workIDs(w.DueSoon); !slices.Equal(got, []string{today.ID, edge.ID}) {
			t.Errorf("due soon = %v, want today's and the one due in seven days", w.DueSoon)
		}
		var stale []string
		for _, s := range w.Stale {
			stale = append(stale, s.CaseNumber)
		}
		if want := []string{quiet.CaseNumber, longAgo.CaseNumber}; !slices.Equal(stale, want) {
			t.Errorf("stale = %v, want the never-contacted case (from its creation) then the one last contacted 05-03 %v", stale, want)
		}
		if len(w.Stale) == 2 && (w.Stale[0].LastContact != nil || w.Stale[1].LastContact == nil ||
			!w.Stale[1].LastContact.Equal(time.Date(2026, 5, 3, 9, 0, 0, 0, time.UTC))) {
			t.Errorf("last contacts = %v, %v; want none, then 2026-05-03 09:00", w.Stale[0].LastContact, w.Stale[1].LastContact)
		}
		if w.Reviews != nil {
			t.Errorf("a clinician's worklist holds reviews: %+v", w.Reviews)
		}
		sw, err := db.Worklist(actorCtx(sup), q)
		if err != nil || len(sw.Reviews) != 1 || sw.Reviews[0].CaseNumber != quiet.CaseNumber || sw.Reviews[0].Reason != "" {
			t.Errorf("supervisor's reviews = %+v, %v; want the one grant by case number, without its reason", sw, err)
		}
		for _, bad := range []haven.WorklistQuery{{Today: "20-05-2026", SoonDays: 7, StaleAfterDays: 14},
			{Today: "2026-05-20", SoonDays: -1, StaleAfterDays: 14}, {Today: "2026-05-20", SoonDays: 7}} {
			if _, err := db.Worklist(actorCtx(c.nurse), bad); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("Worklist(%+v) err=%v, want Invalid", bad, err)
			}
		}
	})
}

func workIDs(ts []haven.WorkTask) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// mustPartner creates a partner of a receiving organization.
func mustPartner(t *testing.T, db *sqlstoretest.Store) *haven.User {
	t.Helper()
	u, err := db.CreateUser(userAdd(context.Background()), haven.NewUser{Username: "partner", Role: haven.RolePartner,
		OrganizationID: "org-partner", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRegistryHasTaskText: the task's text is registered as sensitive,
// the rest of the task as coded.
func TestRegistryHasTaskText(t *testing.T) {
	for col, want := range map[string]haven.FieldClass{"text": haven.Sensitive, "assignee_id": haven.Coded, "due_on": haven.Coded,
		"status": haven.Coded, "need_id": haven.Coded} {
		if got, ok := haven.FieldClassOf("tasks", col); !ok || got != want {
			t.Errorf("tasks.%s class=%v registered=%v, want %v", col, got, ok, want)
		}
	}
}

// TestDamagedTaskText: a task whose text does not open (a damaged row)
// still shows, as unreadable, in the list and the worklist, which do not
// fail for it.
func TestDamagedTaskText(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newTaskCase(t, db)
		task := c.add(t, "Call back", c.nurse.ID, "2026-05-01")
		if _, err := db.SQL().Exec(`UPDATE tasks SET text_enc = $1 WHERE id = $2`, []byte{1, 2, 3}, task.ID); err != nil {
			t.Fatal(err)
		}
		list, err := db.Tasks(actorCtx(c.nurse), c.survivor.ID)
		if err != nil || len(list) != 1 || list[0].Text != "(unreadable)" {
			t.Errorf("Tasks = %+v, %v; want the task, unreadable", list, err)
		}
		w, err := db.Worklist(actorCtx(c.nurse), haven.WorklistQuery{Today: "2026-05-01", SoonDays: 7, StaleAfterDays: 14})
		if err != nil || len(w.DueSoon) != 1 || w.DueSoon[0].Text != "(unreadable)" {
			t.Errorf("Worklist = %+v, %v; want the task, unreadable", w, err)
		}
	})
}
