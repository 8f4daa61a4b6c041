package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountTasks mounts the forms of the record's tasks section. The section
// itself is part of the record page (hub_tasks.html).
func (h *Handler) mountTasks(s *server.Server) {
	s.HandleFunc("POST /survivors/{id}/tasks", h.authed(h.taskAdd))
	s.HandleFunc("POST /survivors/{id}/tasks/{taskID}", h.authed(h.taskChange))
	s.HandleFunc("POST /survivors/{id}/tasks/reassign", h.authed(h.taskReassign))
}

// tasksView is the record's tasks section.
type tasksView struct {
	// Open are the open tasks by due date; Closed the done and cancelled
	// ones, shown folded (the store lists open tasks first).
	Open, Closed []taskRow
	Assignees    []Option
	// Form holds what was typed into the new-task form when it is shown
	// again with its problems; Fields names them.
	Form   haven.NewTask
	Fields map[string]string
	Today  string
}

// taskRow is one task as the section shows it.
type taskRow struct {
	ID, Text, Assignee, AssigneeID, Due, Status string
	// Short is the text cut to a line, for the reassign form's choice.
	Short         string
	Open, Overdue bool
	Completed     string
}

// today is the clinic's date.
func (h *Handler) today() string {
	return h.cfg.Clock.Now().In(h.cfg.TimeZone).Format(haven.DateLayout)
}

// loadTasks fills the record page's tasks section, when the task service
// is there. Names come from the care team's assignees; a task of someone
// who has left the team names them through the user directory.
func (h *Handler) loadTasks(r *http.Request, p *survivorPage) error {
	if h.cfg.Tasks == nil {
		return nil
	}
	tasks, err := h.cfg.Tasks.Tasks(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	assignees, err := h.cfg.Tasks.Assignees(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	v := &tasksView{Today: h.today(), Fields: map[string]string{}}
	names := map[string]string{}
	for _, a := range assignees {
		names[a.UserID] = a.Name
		v.Assignees = append(v.Assignees, Option{Value: a.UserID, Label: a.Name + " — " + p.T("role."+string(a.Role))})
	}
	for _, t := range tasks {
		row := taskRow{ID: t.ID, Text: t.Text, AssigneeID: t.AssigneeID, Due: t.DueOn, Status: p.T("task.status_" + t.Status),
			Open: t.Status == haven.TaskOpen, Overdue: t.Overdue(v.Today)}
		row.Assignee = names[t.AssigneeID]
		if row.Assignee == "" {
			// Someone who left the team: looked up once, however many tasks they hold.
			row.Assignee = h.userName(r, t.AssigneeID) + " — " + p.T("task.left_team")
			names[t.AssigneeID] = row.Assignee
		}
		if t.CompletedAt != nil {
			row.Completed = p.Date(*t.CompletedAt)
		}
		row.Short = shorten(t.Text, 60)
		if row.Open {
			v.Open = append(v.Open, row)
		} else {
			v.Closed = append(v.Closed, row)
		}
	}
	p.Tasks = v
	return nil
}

// Date formats t as a date in the clinic's time zone.
func (p *Page) Date(t time.Time) string { return t.In(p.zoneOrUTC()).Format(haven.DateLayout) }

// taskAdd adds a task from the section's form and goes back to the
// section; a problem shows the record again with the form as typed.
func (h *Handler) taskAdd(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateSurvivors); err != nil {
		return err
	}
	id := r.PathValue("id")
	nt := haven.NewTask{Text: r.PostFormValue("text"), AssigneeID: r.PostFormValue("assignee"), DueOn: r.PostFormValue("due_on")}
	_, err := h.cfg.Tasks.AddTask(r.Context(), id, nt)
	if err == nil {
		http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?task=added#tasks", http.StatusSeeOther)
		return nil
	}
	if !isKind(err, haven.Invalid) {
		return err
	}
	p, perr := h.survivorPage(r)
	if perr != nil {
		return perr
	}
	if p.Tasks != nil {
		p.Tasks.Form = nt
		for field := range haven.ErrorFields(err) {
			p.Tasks.Fields[field] = p.T("task.error_" + field)
		}
	}
	return h.render(w, http.StatusBadRequest, "survivor", p)
}

// taskActions maps a task form's action to the change it makes.
var taskActions = map[string]func(r *http.Request) haven.TaskChange{
	"done":   func(*http.Request) haven.TaskChange { return haven.TaskChange{Status: new(haven.TaskDone)} },
	"cancel": func(*http.Request) haven.TaskChange { return haven.TaskChange{Status: new(haven.TaskCancelled)} },
	"reopen": func(*http.Request) haven.TaskChange { return haven.TaskChange{Status: new(haven.TaskOpen)} },
	"reassign": func(r *http.Request) haven.TaskChange {
		return haven.TaskChange{AssigneeID: new(r.PostFormValue("assignee"))}
	},
	"due": func(r *http.Request) haven.TaskChange { return haven.TaskChange{DueOn: new(r.PostFormValue("due_on"))} },
}

// taskChange completes, cancels, reopens or reassigns a task. (The due
// date and the text change through the JSON API.)
func (h *Handler) taskChange(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateSurvivors); err != nil {
		return err
	}
	id := r.PathValue("id")
	action, ok := taskActions[r.PostFormValue("action")]
	if !ok {
		return haven.Errorf(haven.Invalid, "Choose what to do with the task.")
	}
	if _, err := h.cfg.Tasks.UpdateTask(r.Context(), id, r.PathValue("taskID"), action(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?task=saved#tasks", http.StatusSeeOther)
	return nil
}

// taskReassign hands the open task the form names to another member of
// the care team: one form for all the section's tasks.
func (h *Handler) taskReassign(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateSurvivors); err != nil {
		return err
	}
	id, assignee := r.PathValue("id"), r.PostFormValue("assignee")
	if _, err := h.cfg.Tasks.UpdateTask(r.Context(), id, r.PostFormValue("task"), haven.TaskChange{AssigneeID: &assignee}); err != nil {
		return err
	}
	http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?task=saved#tasks", http.StatusSeeOther)
	return nil
}

// shorten cuts s to at most n runes, marking a cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
