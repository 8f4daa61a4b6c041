package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/web"
)

func actorOf(t *testing.T, e *env, username string, role haven.Role) context.Context {
	return haven.WithActor(context.Background(), haven.Actor{UserID: userID(t, e, username), Role: role})
}

var taskID = regexp.MustCompile(`id="task-([0-9a-f-]{36})"`)

// TestTaskOnAssigneesStartPage: the advocate assigns the clinician a task
// due tomorrow; it appears on the clinician's start page, linking to the
// case's tasks, and on no one else's; done, it leaves it.
func TestTaskOnAssigneesStartPage(t *testing.T) {
	e := newEnv(t, false)
	mustUser(t, e.db, "other.nurse", "", haven.RoleClinician)
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	path := createSurvivor(t, e, adv, survivorForm())
	id := strings.TrimPrefix(path, "/survivors/")
	if err := e.db.AddCareTeamMember(actorOf(t, e, "advocate", haven.RoleAdvocate), id, userID(t, e, "nurse")); err != nil {
		t.Fatal(err)
	}
	_, page := get(t, adv, e.srv.URL+path)
	for _, want := range []string{`href="#tasks"`, `id="tasks"`, `action="` + path + `/tasks"`, `type="date"`, `<option value="` + userID(t, e, "nurse") + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("record page lacks %s", want)
		}
	}
	resp, body := post(t, adv, e.srv.URL+path+"/tasks", url.Values{"text": {""}, "assignee": {userID(t, e, "nurse")}, "due_on": {"soon"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="task-text-error"`) || !strings.Contains(body, `id="task-due-error"`) {
		t.Errorf("bad task: status=%d, want 400 with the problems beside the text and the date", resp.StatusCode)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(haven.DateLayout)
	resp, _ = post(t, adv, e.srv.URL+path+"/tasks", url.Values{"text": {"Bring the interpreter to the visit"},
		"assignee": {userID(t, e, "nurse")}, "due_on": {tomorrow}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != path+"?task=added#tasks" {
		t.Fatalf("add task: status=%d Location=%q", resp.StatusCode, loc)
	}
	_, page = get(t, adv, e.srv.URL+path+"?task=added")
	if !strings.Contains(page, "Task added.") || !strings.Contains(page, "Bring the interpreter to the visit") {
		t.Error("the record does not show the new task and its notice")
	}
	caseNumber := regexp.MustCompile(`<span class="case">([^<]+)</span>`).FindStringSubmatch(page)[1]

	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	_, home := get(t, nurse, e.srv.URL+"/")
	for _, want := range []string{"Due in the next 7 days", "Bring the interpreter to the visit", caseNumber, `href="` + path + `#tasks"`, "No contact for 14 days"} {
		if !strings.Contains(home, want) {
			t.Errorf("the nurse's start page lacks %q", want)
		}
	}
	if strings.Contains(home, "Synthetic Person") {
		t.Error("the start page shows a name")
	}
	if strings.Contains(home, `<ul class="cards">`) {
		t.Error("the start page repeats the menu")
	}
	for _, who := range []string{"advocate", "other.nurse"} {
		c := client(t)
		signIn(t, e, c, who, "")
		if _, other := get(t, c, e.srv.URL+"/"); strings.Contains(other, "Bring the interpreter") {
			t.Errorf("%s's start page shows the nurse's task", who)
		}
	}

	m := taskID.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no task id on the record page")
	}
	resp, _ = post(t, nurse, e.srv.URL+path+"/tasks/"+m[1], url.Values{"action": {"done"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("done: status=%d", resp.StatusCode)
	}
	if _, home = get(t, nurse, e.srv.URL+"/"); strings.Contains(home, "Bring the interpreter") {
		t.Error("a done task stays on the start page")
	}
	_, page = get(t, nurse, e.srv.URL+path)
	if !strings.Contains(page, `value="reopen"`) {
		t.Error("a done task offers no reopen")
	}
}

// TestTasksReadOnlyUnderEmergencyAccess: emergency access shows the tasks
// and no form.
func TestTasksReadOnlyUnderEmergencyAccess(t *testing.T) {
	e := newEnv(t, false)
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	path := createSurvivor(t, e, adv, survivorForm())
	id := strings.TrimPrefix(path, "/survivors/")
	due := time.Now().UTC().AddDate(0, 0, -2).Format(haven.DateLayout)
	if _, err := e.db.AddTask(actorOf(t, e, "advocate", haven.RoleAdvocate), id,
		haven.NewTask{Text: "Overdue check-in", AssigneeID: userID(t, e, "advocate"), DueOn: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.BreakGlass(actorOf(t, e, "nurse", haven.RoleClinician), id, "Emergency department needs the allergies now"); err != nil {
		t.Fatal(err)
	}
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	_, page := get(t, nurse, e.srv.URL+path)
	if !strings.Contains(page, "Overdue check-in") || !strings.Contains(page, `<strong class="tag">Overdue</strong>`) {
		t.Error("emergency access does not show the task, marked overdue in words")
	}
	if strings.Contains(page, path+"/tasks") {
		t.Error("emergency access offers a task form")
	}
	resp, _ := post(t, nurse, e.srv.URL+path+"/tasks", url.Values{"text": {"x"}, "assignee": {userID(t, e, "nurse")}, "due_on": {due}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("task added under emergency access: status=%d, want 404", resp.StatusCode)
	}
	_, home := get(t, adv, e.srv.URL+"/")
	if !strings.Contains(home, "Overdue check-in") || !strings.Contains(home, `id="work-overdue"`) {
		t.Error("the advocate's start page lacks the overdue task")
	}
	if strings.Contains(home, `id="work-reviews"`) {
		t.Error("an advocate's start page offers emergency-access reviews")
	}
	// A supervisor's start page lists the grant to review, by case number.
	mustUser(t, e.db, "supervisor", "", haven.RoleSupervisor)
	sup := client(t)
	signIn(t, e, sup, "supervisor", "")
	_, home = get(t, sup, e.srv.URL+"/")
	caseNumber := regexp.MustCompile(`<span class="case">([^<]+)</span>`).FindStringSubmatch(page)[1]
	reviews := strings.SplitN(strings.SplitN(home, `id="work-reviews"`, 2)[1], "</section>", 2)[0]
	if !strings.Contains(reviews, caseNumber) || !strings.Contains(reviews, `href="/review/emergency-access"`) {
		t.Errorf("the supervisor's reviews %q lack the grant's case number and the queue", reviews)
	}
}

// TestStartPageForRolesWithoutCases: the start page says what the role
// does and offers its main pages, without repeating the whole menu.
func TestStartPageForRolesWithoutCases(t *testing.T) {
	e := newEnv(t, false)
	mustUser(t, e.db, "analyst", "", haven.RoleAnalyst)
	mustUser(t, e.db, "editor", "", haven.RoleEditor)
	for _, tt := range []struct{ user, intro, link string }{
		{"analyst", "suppressed aggregates", `href="/screening-accuracy"`},
		{"editor", "service directory", `href="/directory"`},
	} {
		c := client(t)
		signIn(t, e, c, tt.user, "")
		_, home := get(t, c, e.srv.URL+"/")
		main := strings.SplitN(home, "<main", 2)[1]
		if !strings.Contains(main, tt.intro) || !strings.Contains(main, tt.link) {
			t.Errorf("%s start page lacks %q or %s", tt.user, tt.intro, tt.link)
		}
		if strings.Contains(main, `href="/sessions"`) || strings.Contains(main, "Overdue") {
			t.Errorf("%s start page repeats the menu or shows a worklist", tt.user)
		}
	}
}

// TestWorklistInTheClinicsCalendar: "today" is the clinic's date. Where
// it is already tomorrow (UTC+14), a task due on the clinic's today is
// due today, and one due on UTC's today is overdue; the page also obeys
// --due-soon-days and --stale-contact-days.
func TestWorklistInTheClinicsCalendar(t *testing.T) {
	zone := time.FixedZone("LINT", 14*60*60)
	e := newEnvWith(t, false, func(c *web.Config) { c.TimeZone, c.DueSoonDays, c.StaleContactDays = zone, 3, 30 })
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	id := strings.TrimPrefix(createSurvivor(t, e, adv, survivorForm()), "/survivors/")
	ctx := actorOf(t, e, "advocate", haven.RoleAdvocate)
	clinicToday := time.Now().In(zone).Format(haven.DateLayout)
	yesterday := time.Now().In(zone).AddDate(0, 0, -1).Format(haven.DateLayout)
	for text, due := range map[string]string{"Clinic today": clinicToday, "Clinic yesterday": yesterday} {
		if _, err := e.db.AddTask(ctx, id, haven.NewTask{Text: text, AssigneeID: userID(t, e, "advocate"), DueOn: due}); err != nil {
			t.Fatal(err)
		}
	}
	_, home := get(t, adv, e.srv.URL+"/")
	overdue := strings.SplitN(strings.SplitN(home, `id="work-overdue"`, 2)[1], `id="work-soon"`, 2)
	if !strings.Contains(overdue[0], "Clinic yesterday") || !strings.Contains(overdue[1], "Clinic today") ||
		!strings.Contains(overdue[1], "due today") {
		t.Errorf("want yesterday's task overdue and today's due today in the clinic's calendar")
	}
	if !strings.Contains(home, "Due in the next 3 days") || !strings.Contains(home, "No contact for 30 days") {
		t.Error("the headings do not follow the configured days")
	}
}
