package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountTasks mounts a case's tasks and the token user's worklist: reads
// need api:read, changes api:write. The store checks the care team and
// audits each call.
func (h *Handler) mountTasks(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/tasks", s.RequireToken(haven.ScopeAPIRead, h.listTasks))
	s.Handle("POST /api/v1/survivors/{id}/tasks", s.RequireToken(haven.ScopeAPIWrite, h.addTask))
	s.Handle("PATCH /api/v1/survivors/{id}/tasks/{taskID}", s.RequireToken(haven.ScopeAPIWrite, h.updateTask))
	s.Handle("GET /api/v1/worklist", s.RequireToken(haven.ScopeAPIRead, h.worklist))
}

// Task is a task as the API returns it.
type Task struct {
	ID          string     `json:"id"`
	SurvivorID  string     `json:"survivor_id"`
	NeedID      *string    `json:"need_id"`
	AssigneeID  string     `json:"assignee_id"`
	DueOn       string     `json:"due_on"`
	Status      string     `json:"status"`
	Text        string     `json:"text"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	CompletedAt *time.Time `json:"completed_at"`
}

// TaskList is the body of GET /api/v1/survivors/{id}/tasks.
type TaskList struct {
	Tasks []Task `json:"tasks"`
}

// TaskInput is the body of POST /api/v1/survivors/{id}/tasks.
type TaskInput struct {
	Text       string `json:"text"`
	AssigneeID string `json:"assignee_id"`
	DueOn      string `json:"due_on"`
	NeedID     string `json:"need_id,omitempty"`
}

// TaskPatch is the body of PATCH: the fields present are changed.
type TaskPatch struct {
	Text       *string `json:"text,omitempty"`
	AssigneeID *string `json:"assignee_id,omitempty"`
	DueOn      *string `json:"due_on,omitempty"`
	Status     *string `json:"status,omitempty"`
}

// Worklist is the body of GET /api/v1/worklist.
type Worklist struct {
	Today           string      `json:"today"`
	Overdue         []WorkTask  `json:"overdue"`
	DueSoon         []WorkTask  `json:"due_soon"`
	NoRecentContact []StaleCase `json:"no_recent_contact"`
	Reviews         []Review    `json:"emergency_access_reviews"`
	More            bool        `json:"more"`
}

// WorkTask is a task on the worklist.
type WorkTask struct {
	ID         string `json:"id"`
	SurvivorID string `json:"survivor_id"`
	CaseNumber string `json:"case_number"`
	Text       string `json:"text"`
	DueOn      string `json:"due_on"`
}

// StaleCase is a case with no recent contact.
type StaleCase struct {
	SurvivorID  string     `json:"survivor_id"`
	CaseNumber  string     `json:"case_number"`
	LastContact *time.Time `json:"last_contact"`
	Since       time.Time  `json:"since"`
}

// Review is an emergency access waiting for a supervisor's review.
type Review struct {
	ID         string    `json:"id"`
	CaseNumber string    `json:"case_number"`
	CreatedAt  time.Time `json:"created_at"`
	Repeat     bool      `json:"repeat"`
}

func taskJSON(t *haven.Task) Task {
	out := Task{ID: t.ID, SurvivorID: t.SurvivorID, AssigneeID: t.AssigneeID, DueOn: t.DueOn, Status: t.Status, Text: t.Text,
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, CompletedAt: t.CompletedAt}
	if t.NeedID != "" {
		out.NeedID = &t.NeedID
	}
	return out
}

func (h *Handler) listTasks(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Tasks.Tasks(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := TaskList{Tasks: []Task{}}
	for i := range list {
		out.Tasks = append(out.Tasks, taskJSON(&list[i]))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) addTask(w http.ResponseWriter, r *http.Request) error {
	var in TaskInput
	if err := decodeBody(w, r, &in, "task"); err != nil {
		return err
	}
	id := r.PathValue("id")
	t, err := h.Tasks.AddTask(r.Context(), id, haven.NewTask{Text: in.Text, AssigneeID: in.AssigneeID, DueOn: in.DueOn, NeedID: in.NeedID})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/survivors/"+url.PathEscape(id)+"/tasks/"+url.PathEscape(t.ID))
	server.WriteJSON(w, http.StatusCreated, taskJSON(t))
	return nil
}

func (h *Handler) updateTask(w http.ResponseWriter, r *http.Request) error {
	var in TaskPatch
	if err := decodeBody(w, r, &in, "task change"); err != nil {
		return err
	}
	t, err := h.Tasks.UpdateTask(r.Context(), r.PathValue("id"), r.PathValue("taskID"),
		haven.TaskChange{Text: in.Text, AssigneeID: in.AssigneeID, DueOn: in.DueOn, Status: in.Status})
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, taskJSON(t))
	return nil
}

// today is the clinic's date: its time zone, UTC without one.
func (h *Handler) today() string {
	zone := h.TimeZone
	if zone == nil {
		zone = time.UTC
	}
	return h.now().In(zone).Format(haven.DateLayout)
}

// worklist answers for the clinic's today unless ?today= names a date.
func (h *Handler) worklist(w http.ResponseWriter, r *http.Request) error {
	q := haven.WorklistQuery{Today: r.URL.Query().Get("today"), SoonDays: h.DueSoonDays, StaleAfterDays: h.StaleContactDays}
	if q.Today == "" {
		q.Today = h.today()
	}
	if q.SoonDays == 0 {
		q.SoonDays = haven.DefaultDueSoonDays
	}
	if q.StaleAfterDays == 0 {
		q.StaleAfterDays = haven.DefaultStaleContactDays
	}
	wl, err := h.Tasks.Worklist(r.Context(), q)
	if err != nil {
		return err
	}
	out := Worklist{Today: q.Today, Overdue: workTasks(wl.Overdue), DueSoon: workTasks(wl.DueSoon), NoRecentContact: []StaleCase{},
		Reviews: []Review{}, More: wl.More}
	for _, s := range wl.Stale {
		out.NoRecentContact = append(out.NoRecentContact, StaleCase(s))
	}
	for _, g := range wl.Reviews {
		out.Reviews = append(out.Reviews, Review{ID: g.ID, CaseNumber: g.CaseNumber, CreatedAt: g.CreatedAt, Repeat: g.Repeat})
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func workTasks(ts []haven.WorkTask) []WorkTask {
	out := []WorkTask{}
	for _, t := range ts {
		out = append(out, WorkTask(t))
	}
	return out
}
