package haven

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Task statuses. A task is open until it is done or cancelled; a closed
// task can be reopened.
const (
	TaskOpen      = "open"
	TaskDone      = "done"
	TaskCancelled = "cancelled"
)

// TaskStatuses lists every task status, open first.
var TaskStatuses = []string{TaskOpen, TaskDone, TaskCancelled}

// Limits on tasks.
const (
	// TaskTextMax is the most characters a task's text may hold: a
	// follow-up is a line or two, not a note.
	TaskTextMax = 500
	// TaskDueBefore is how far in the past a due date may lie (a task
	// recorded late), and TaskDueAfter how far ahead: beyond them a date
	// is a typing error, not a plan.
	TaskDueBefore = 366 * 24 * time.Hour
	TaskDueAfter  = 5 * 366 * 24 * time.Hour
	// DateLayout is how a civil date (a due date) is written.
	DateLayout = "2006-01-02"
)

// Task is a follow-up on a survivor's case: what to do (sealed under the
// survivor's data key, since it may describe their situation), who does
// it (a member of the care team with a care role), and by when. DueOn is
// a civil date, YYYY-MM-DD, in the clinic's time zone.
type Task struct {
	ID         string
	SurvivorID string
	// NeedID names the need of the care plan the task serves, if any.
	NeedID      string
	AssigneeID  string
	DueOn       string
	Status      string
	Text        string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
	// Kind is empty for the tasks staff add; Haven opens tasks of the
	// kinds below for disclosures, each with its own rule for completion.
	Kind string
}

// The kinds of task Haven opens itself.
const (
	// TaskSurvivorNotification: tell the survivor about a disclosure.
	TaskSurvivorNotification = "survivor_notification"
	// TaskMandatedReport: make the report the law requires for a minor;
	// it completes only by recording the report.
	TaskMandatedReport = "mandated_report"
	// TaskGuardianNotification: tell a minor's guardian; it stays blocked
	// until a safety check records that the guardian is not implicated.
	TaskGuardianNotification = "guardian_notification"
)

// Overdue reports whether an open task's due date is before today
// (YYYY-MM-DD, in the clinic's time zone).
func (t Task) Overdue(today string) bool { return t.Status == TaskOpen && t.DueOn < today }

// NewTask is the input of a new task.
type NewTask struct {
	Text       string
	AssigneeID string
	DueOn      string
	NeedID     string
}

// TaskChange is a change of a task: each field set is changed, the
// others kept. Status "done" completes a task, "cancelled" cancels it and
// "open" reopens it.
type TaskChange struct {
	Text       *string
	AssigneeID *string
	DueOn      *string
	Status     *string
}

// Empty reports whether the change changes nothing.
func (c TaskChange) Empty() bool {
	return c.Text == nil && c.AssigneeID == nil && c.DueOn == nil && c.Status == nil
}

// Normalize checks a new task against now (the store's clock) and returns
// it trimmed. Every problem is reported by field. The assignee's place
// on the care team is the store's to check.
func (n NewTask) Normalize(now time.Time) (NewTask, error) {
	n.Text, n.AssigneeID, n.DueOn, n.NeedID = strings.TrimSpace(n.Text), strings.TrimSpace(n.AssigneeID),
		strings.TrimSpace(n.DueOn), strings.TrimSpace(n.NeedID)
	fields := map[string]string{}
	if msg := taskTextProblem(n.Text); msg != "" {
		fields["text"] = msg
	}
	if n.AssigneeID == "" {
		fields["assignee"] = "Choose who does this task: a member of the care team."
	}
	if msg := DueDateProblem(n.DueOn, now); msg != "" {
		fields["due_on"] = msg
	}
	if len(fields) > 0 {
		return n, &Error{Kind: Invalid, Message: "The task has problems; see each field.", Fields: fields}
	}
	return n, nil
}

// Normalize checks a change against now and returns it trimmed.
func (c TaskChange) Normalize(now time.Time) (TaskChange, error) {
	if c.Empty() {
		return c, Errorf(Invalid, "Say what to change: the text, the assignee, the due date or the status.")
	}
	fields := map[string]string{}
	trim := func(p *string) *string {
		if p == nil {
			return nil
		}
		s := strings.TrimSpace(*p)
		return &s
	}
	c.Text, c.AssigneeID, c.DueOn, c.Status = trim(c.Text), trim(c.AssigneeID), trim(c.DueOn), trim(c.Status)
	if c.Text != nil {
		if msg := taskTextProblem(*c.Text); msg != "" {
			fields["text"] = msg
		}
	}
	if c.AssigneeID != nil && *c.AssigneeID == "" {
		fields["assignee"] = "Choose who does this task: a member of the care team."
	}
	if c.DueOn != nil {
		if msg := DueDateProblem(*c.DueOn, now); msg != "" {
			fields["due_on"] = msg
		}
	}
	if c.Status != nil && !validTaskStatus(*c.Status) {
		fields["status"] = "The status must be open, done or cancelled."
	}
	if len(fields) > 0 {
		return c, &Error{Kind: Invalid, Message: "The change has problems; see each field.", Fields: fields}
	}
	return c, nil
}

func validTaskStatus(s string) bool { return s == TaskOpen || s == TaskDone || s == TaskCancelled }

// taskTextProblem says what is wrong with a task's text, or "".
func taskTextProblem(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "Say what is to be done."
	case n > TaskTextMax:
		return "Use at most 500 characters; a task is a line or two."
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "The text holds characters that cannot be shown."
	}
	return ""
}

// DueDateProblem says what is wrong with a due date (YYYY-MM-DD), or ""
// when it is a real date no more than TaskDueBefore before now and no
// more than TaskDueAfter after it.
func DueDateProblem(s string, now time.Time) string {
	d, err := time.Parse(DateLayout, s)
	switch {
	case s == "":
		return "Give a due date."
	case err != nil:
		return "Give the due date as a date, YYYY-MM-DD."
	case d.Before(now.Add(-TaskDueBefore)):
		return "The due date is more than a year ago."
	case d.After(now.Add(TaskDueAfter)):
		return "The due date is more than five years ahead."
	}
	return ""
}

// AddDays returns the civil date days after date (YYYY-MM-DD), or date
// unchanged when it is not one.
func AddDays(date string, days int) string {
	d, err := time.Parse(DateLayout, date)
	if err != nil {
		return date
	}
	return d.AddDate(0, 0, days).Format(DateLayout)
}

// Assignee is a member of a survivor's care team who may be given tasks:
// one with a care role (clinician, advocate, supervisor).
type Assignee struct {
	UserID string
	// Name is the display name, or the username when there is none.
	Name string
	Role Role
}

// WorklistQuery asks for the signed-in user's worklist. Today is the
// clinic's date (YYYY-MM-DD in its time zone); tasks due within SoonDays
// after it are due soon; a case on the user's care teams with no contact
// for StaleAfterDays (counted from its creation when never contacted) is
// stale.
type WorklistQuery struct {
	Today          string
	SoonDays       int
	StaleAfterDays int
}

// Defaults of the worklist (serve's --due-soon-days and
// --stale-contact-days).
const (
	DefaultDueSoonDays      = 7
	DefaultStaleContactDays = 14
	// WorklistLimit is the most rows each part of the worklist shows;
	// Worklist.More says when there were more.
	WorklistLimit = 50
)

// Validate checks the query.
func (q WorklistQuery) Validate() error {
	if _, err := time.Parse(DateLayout, q.Today); err != nil {
		return FieldError("today", "Give today's date as YYYY-MM-DD.")
	}
	if q.SoonDays < 0 || q.SoonDays > 365 {
		return FieldError("soon_days", "Due soon is 0 to 365 days.")
	}
	if q.StaleAfterDays < 1 || q.StaleAfterDays > 3650 {
		return FieldError("stale_after_days", "No contact is counted over 1 to 3650 days.")
	}
	return nil
}

// Worklist is what the signed-in user has to do: their open tasks that
// are overdue or due soon, the cases on their care teams with no recent
// contact, and, for supervisors, the emergency accesses waiting for their
// review. Cases are named by case number only.
type Worklist struct {
	Overdue []WorkTask
	DueSoon []WorkTask
	Stale   []StaleCase
	// Reviews are the emergency-access grants awaiting review, without
	// their reasons (the review queue shows those); nil unless the user
	// reviews them.
	Reviews []BreakGlassGrant
	// More is set when a part held more than WorklistLimit rows.
	More bool
}

// WorkTask is a task on the worklist.
type WorkTask struct {
	ID         string
	SurvivorID string
	CaseNumber string
	Text       string
	DueOn      string
}

// StaleCase is a case with no contact for the worklist's period.
type StaleCase struct {
	SurvivorID string
	CaseNumber string
	// LastContact is nil when the case was never contacted; Since is
	// then its creation.
	LastContact *time.Time
	Since       time.Time
}

// TaskService keeps a case's tasks and builds the start page's worklist.
// Only the survivor's care team works tasks; emergency access reads them.
// Every read and change is audited.
type TaskService interface {
	// Tasks lists a survivor's tasks: open ones by due date, then the
	// closed ones, latest change first. Errors: NotFound (also when the
	// actor may not see the record), Unauthenticated.
	Tasks(ctx context.Context, survivorID string) ([]Task, error)
	// AddTask adds an open task. Errors: Invalid (by field; an assignee
	// not on the care team with a care role; a need not of this
	// survivor), NotFound, Unauthenticated.
	AddTask(ctx context.Context, survivorID string, nt NewTask) (*Task, error)
	// UpdateTask completes, cancels, reopens, reassigns a task or changes
	// its due date or text. Errors: Invalid, NotFound, Unauthenticated.
	UpdateTask(ctx context.Context, survivorID, taskID string, c TaskChange) (*Task, error)
	// Assignees lists the care team's members who may be given tasks, by
	// name. Errors: NotFound, Unauthenticated.
	Assignees(ctx context.Context, survivorID string) ([]Assignee, error)
	// Worklist is the signed-in user's worklist. Errors: Invalid,
	// Unauthenticated.
	Worklist(ctx context.Context, q WorklistQuery) (*Worklist, error)
}
