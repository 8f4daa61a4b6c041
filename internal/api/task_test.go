package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// newTaskAPIEnv is the API with the task routes mounted, its schemas
// compiled, logging into logs; it returns the advocate too.
func newTaskAPIEnv(t *testing.T, db *sqlstoretest.Store, logs io.Writer) (*apiEnv, *haven.User) {
	t.Helper()
	s := server.New(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), db)
	s.APITokens = db
	(&api.Handler{Users: db, Survivors: db, Tasks: db, TimeZone: time.UTC}).Mount(s)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &apiEnv{url: ts.URL, schemas: compileSchemas(t, "Error", "Created", "Task", "TaskList", "Worklist")}
	adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
	e.write = mustToken(t, db, adv, haven.ScopeAPIRead, haven.ScopeAPIWrite)
	e.read = mustToken(t, db, adv, haven.ScopeAPIRead)
	e.stranger = mustToken(t, db, mustAPIUser(t, db, "stranger", haven.RoleClinician), haven.ScopeAPIRead, haven.ScopeAPIWrite)
	return e, adv
}

func TestTaskAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e, adv := newTaskAPIEnv(t, db, io.Discard)
		_, _, created := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		id := created["survivor"].(map[string]any)["id"].(string)
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(haven.DateLayout)
		path := "/api/v1/survivors/" + id + "/tasks"
		status, loc, task := e.call(t, "POST", path, e.write,
			`{"text": "Call legal aid", "assignee_id": "`+adv.ID+`", "due_on": "`+tomorrow+`"}`, "Task")
		if status != http.StatusCreated || task["status"] != "open" || task["need_id"] != nil || loc != path+"/"+task["id"].(string) {
			t.Fatalf("POST task: %d %q %v", status, loc, task)
		}
		_, _, list := e.call(t, "GET", path, e.read, "", "TaskList")
		if n := len(list["tasks"].([]any)); n != 1 {
			t.Errorf("list has %d tasks, want 1", n)
		}
		status, _, done := e.call(t, "PATCH", path+"/"+task["id"].(string), e.write, `{"status": "done"}`, "Task")
		if status != 200 || done["status"] != "done" || done["completed_at"] == nil || done["text"] != "Call legal aid" {
			t.Errorf("PATCH done: %d %v", status, done)
		}
		e.call(t, "PATCH", path+"/"+task["id"].(string), e.write, `{"status": "open"}`, "Task")
		status, _, wl := e.call(t, "GET", "/api/v1/worklist", e.read, "", "Worklist")
		soon, _ := wl["due_soon"].([]any)
		if status != 200 || len(soon) != 1 || soon[0].(map[string]any)["case_number"] != created["survivor"].(map[string]any)["case_number"] {
			t.Errorf("worklist: %d %v, want the task due soon by case number", status, wl)
		}
		// Asked for a week later, the task is overdue.
		later := time.Now().UTC().AddDate(0, 0, 8).Format(haven.DateLayout)
		_, _, wl = e.call(t, "GET", "/api/v1/worklist?today="+later, e.read, "", "Worklist")
		if over, _ := wl["overdue"].([]any); len(over) != 1 {
			t.Errorf("worklist a week later: %v, want the task overdue", wl)
		}
		_, _, wl = e.call(t, "GET", "/api/v1/worklist", e.stranger, "", "Worklist")
		if soon, _ := wl["due_soon"].([]any); len(soon) != 0 {
			t.Errorf("stranger's worklist: %v, want empty", wl)
		}

		tests := []struct {
			name, method, path, token, body string
			status                          int
			field                           string
		}{
			{"no token", "GET", path, "", "", 401, ""},
			{"read-only token adds", "POST", path, e.read, `{"text": "x", "assignee_id": "` + adv.ID + `", "due_on": "` + tomorrow + `"}`, 403, ""},
			{"stranger lists", "GET", path, e.stranger, "", 404, ""},
			{"stranger adds", "POST", path, e.stranger, `{"text": "x", "assignee_id": "` + adv.ID + `", "due_on": "` + tomorrow + `"}`, 404, ""},
			{"stranger patches", "PATCH", path + "/" + task["id"].(string), e.stranger, `{"status": "done"}`, 404, ""},
			{"no text", "POST", path, e.write, `{"text": "", "assignee_id": "` + adv.ID + `", "due_on": "` + tomorrow + `"}`, 400, "text"},
			{"bad date", "POST", path, e.write, `{"text": "x", "assignee_id": "` + adv.ID + `", "due_on": "31/12/2026"}`, 400, "due_on"},
			{"assignee off the team", "POST", path, e.write, `{"text": "x", "assignee_id": "nobody", "due_on": "` + tomorrow + `"}`, 400, "assignee"},
			{"unknown field", "POST", path, e.write, `{"txet": "x"}`, 400, ""},
			{"bad status", "PATCH", path + "/" + task["id"].(string), e.write, `{"status": "finished"}`, 400, "status"},
			{"empty patch", "PATCH", path + "/" + task["id"].(string), e.write, `{}`, 400, ""},
			{"no such task", "PATCH", path + "/no-such-task", e.write, `{"status": "done"}`, 404, ""},
			{"bad today", "GET", "/api/v1/worklist?today=tomorrow", e.read, "", 400, "today"},
		}
		for _, tt := range tests {
			status, _, body := e.call(t, tt.method, tt.path, tt.token, tt.body, "")
			errObj, _ := body["error"].(map[string]any)
			fields, _ := errObj["fields"].(map[string]any)
			if status != tt.status || tt.field != "" && fields[tt.field] == nil {
				t.Errorf("%s: status=%d error=%v, want %d naming field %q", tt.name, status, errObj, tt.status, tt.field)
			}
		}
		_, _, list = e.call(t, "GET", path, e.read, "", "TaskList")
		if n := len(list["tasks"].([]any)); n != 1 || list["tasks"].([]any)[0].(map[string]any)["status"] != "open" {
			t.Errorf("after refused calls: %v, want the one open task", list)
		}
	})
}

// TestTaskTextNotInLogs sends a canary task text through good and bad
// calls and checks that no log line carries it.
func TestTaskTextNotInLogs(t *testing.T) {
	db := sqlstoretest.MustOpen(t, "sqlite")
	var logs bytes.Buffer
	e, adv := newTaskAPIEnv(t, db, &logs)
	_, _, created := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
	path := "/api/v1/survivors/" + created["survivor"].(map[string]any)["id"].(string) + "/tasks"
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(haven.DateLayout)
	_, _, task := e.call(t, "POST", path, e.write, `{"text": "CANARYTASK call", "assignee_id": "`+adv.ID+`", "due_on": "`+tomorrow+`"}`, "Task")
	e.call(t, "PATCH", path+"/"+task["id"].(string), e.write, `{"text": "CANARYTASK again"}`, "Task")
	e.call(t, "POST", path, e.write, `{"text": "CANARYTASK bad", "assignee_id": "nobody", "due_on": "CANARYTASK"}`, "")
	e.call(t, "POST", path, e.stranger, `{"text": "CANARYTASK stranger", "assignee_id": "`+adv.ID+`", "due_on": "`+tomorrow+`"}`, "")
	e.call(t, "GET", "/api/v1/worklist", e.read, "", "Worklist")
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	if i := strings.Index(logs.String(), "CANARYTASK"); i >= 0 {
		t.Errorf("a log line carries the task text: %q", logs.String()[max(0, i-200):min(logs.Len(), i+50)])
	}
}
