package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

// userID returns the ID of the account named username.
func (e *env) userID(t *testing.T, username string) string {
	t.Helper()
	var id string
	if err := e.db.SQL().QueryRow(`SELECT id FROM users WHERE username = $1`, username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func asUser(id string, role haven.Role) context.Context {
	return haven.WithActor(context.Background(), haven.Actor{UserID: id, Role: role})
}

// TestCareTeamSection: the lead sees the team with its forms and adds a
// clinician, who sees the team without forms and may not change it; a
// bad choice is refused in the section; the removed clinician's next
// request is refused; a hand-over moves the lead; emergency access reads
// the team, read-only.
func TestCareTeamSection(t *testing.T) {
	e := newEnv(t, false)
	adv, nurse := client(t), client(t)
	signIn(t, e, adv, "advocate", "")
	signIn(t, e, nurse, "nurse", "")
	path := createSurvivor(t, e, adv, survivorForm())
	nurseID := e.userID(t, "nurse")

	_, body := get(t, adv, e.srv.URL+path)
	for _, want := range []string{`id="team"`, `href="#team"`, "Ana Advocate", `class="tag">lead`, `id="team-add"`,
		`<option value="` + nurseID + `">nurse (clinician)</option>`, `id="team-handover"`} {
		if !strings.Contains(body, want) {
			t.Errorf("lead's record page lacks %q", want)
		}
	}
	if n := strings.Count(body, `id="team"`); n != 1 {
		t.Errorf("the care team section appears %d times, want once", n)
	}
	resp, _ := post(t, adv, e.srv.URL+path+"/team", url.Values{"user_id": {nurseID}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?team=added#team" {
		t.Fatalf("add: status=%d location=%q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := get(t, adv, e.srv.URL+path+"?team=added"); !strings.Contains(body, "Added to the care team.") {
		t.Error("no notice after adding")
	}

	resp, body = get(t, nurse, e.srv.URL+path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="team-members"`) {
		t.Fatalf("member: status=%d", resp.StatusCode)
	}
	for _, form := range []string{`id="team-add"`, `/team/remove"`, `/team/lead"`, `id="team-handover"`} {
		if strings.Contains(body, form) {
			t.Errorf("a member who is not the lead is offered %s", form)
		}
	}
	if resp, _ := post(t, nurse, e.srv.URL+path+"/team", url.Values{"user_id": {e.userID(t, "admin")}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("member adds: status=%d, want 403", resp.StatusCode)
	}

	// Bad input is refused in the section and changes nothing.
	for _, tt := range []struct {
		action, user string
		status       int
	}{
		{"/team", e.userID(t, "admin"), http.StatusBadRequest},
		{"/team", nurseID, http.StatusConflict},
		{"/team/remove", e.userID(t, "advocate"), http.StatusConflict},
		{"/team/handover", "", http.StatusBadRequest},
	} {
		resp, body := post(t, adv, e.srv.URL+path+tt.action, url.Values{"user_id": {tt.user}, "stay": {"1"}})
		if resp.StatusCode != tt.status || !strings.Contains(body, `id="team-error"`) {
			t.Errorf("POST %s %s: status=%d, want %d with the error in the section", tt.action, tt.user, resp.StatusCode, tt.status)
		}
	}

	// Removed, the nurse is refused on the next request.
	if resp, _ := post(t, adv, e.srv.URL+path+"/team/remove", url.Values{"user_id": {nurseID}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: status=%d", resp.StatusCode)
	}
	if resp, _ := get(t, nurse, e.srv.URL+path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removed member: status=%d, want 404", resp.StatusCode)
	}

	// The advocate hands the case to the nurse and leaves it.
	resp, _ = post(t, adv, e.srv.URL+path+"/team/handover", url.Values{"user_id": {nurseID}, "stay": {"0"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/survivors?left=1" {
		t.Fatalf("hand over: status=%d location=%q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get(t, adv, e.srv.URL+path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("advocate after handing over and leaving: status=%d, want 404", resp.StatusCode)
	}
	if _, body := get(t, nurse, e.srv.URL+path); !strings.Contains(body, `id="team-handover"`) || !strings.Contains(body, "(you)") {
		t.Error("the new lead is not offered the hand-over")
	}

	// Emergency access reads the team, read-only.
	er := mustUser(t, e.db, "er.nurse", "", haven.RoleClinician)
	if _, err := e.db.BreakGlass(asUser(er.ID, er.Role), strings.TrimPrefix(path, "/survivors/"), "Emergency department needs allergies now"); err != nil {
		t.Fatal(err)
	}
	erc := client(t)
	signIn(t, e, erc, "er.nurse", "")
	resp, body = get(t, erc, e.srv.URL+path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="team-members"`) {
		t.Fatalf("emergency access: status=%d, team shown=%v", resp.StatusCode, strings.Contains(body, `id="team-members"`))
	}
	if strings.Contains(body, "<form method=\"post\" action=\""+path+"/team") {
		t.Error("emergency access is offered a change of the team")
	}
	if resp, _ := post(t, erc, e.srv.URL+path+"/team", url.Values{"user_id": {er.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("emergency access adds: status=%d, want 403", resp.StatusCode)
	}
	if _, body := get(t, erc, e.srv.URL+"/survivors"); !strings.Contains(body, path) || !strings.Contains(body, "emergency access, read-only until") {
		t.Error("the list does not show the record opened in an emergency, marked as such")
	}
}

// TestCaseloadPage: a supervisor of the advocate's team sees the
// advocate's cases by case number, sortable, and never a name; the list
// of survivors marks them supervised; other roles are refused.
func TestCaseloadPage(t *testing.T) {
	e := newEnv(t, false)
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	first := createSurvivor(t, e, adv, survivorForm())
	second := createSurvivor(t, e, adv, survivorForm())
	sup := mustUser(t, e.db, "sup", "Sam Supervisor", haven.RoleSupervisor)
	admin := asUser(e.userID(t, "admin"), haven.RoleAdmin)
	team, err := e.db.CreateTeam(admin, "Clinic")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTeamMember(admin, team.ID, e.userID(t, "advocate"), false); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTeamMember(admin, team.ID, sup.ID, true); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := e.db.SQL().Exec(`INSERT INTO tasks (id, survivor_id, assignee_id, due_on, status, text_enc, created_by, created_at, updated_at)
		VALUES ('t1', $1, $2, '2000-01-01', 'open', $3, $2, $4, $4)`, strings.TrimPrefix(second, "/survivors/"), sup.ID, []byte{1}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SQL().Exec(`INSERT INTO contacts (id, survivor_id, user_id, channel, made_at) VALUES ('k1', $1, $2, 'sms', $3)`,
		strings.TrimPrefix(second, "/survivors/"), sup.ID, now); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	signIn(t, e, c, "sup", "")
	resp, body := get(t, c, e.srv.URL+"/caseload")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/caseload"`) {
		t.Fatalf("caseload: status=%d", resp.StatusCode)
	}
	for _, leak := range []string{"Synthetic", "Zed", "555-0100"} {
		if strings.Contains(body, leak) {
			t.Errorf("caseload shows %q", leak)
		}
	}
	// Longest without contact first: the first case (never contacted).
	if i, j := strings.Index(body, first), strings.Index(body, second); i < 0 || j < 0 || i > j || !strings.Contains(body, "Never") {
		t.Errorf("sorted by contact: first case at %d, second at %d, want both, the never-contacted first", i, j)
	}
	_, body = get(t, c, e.srv.URL+"/caseload?sort=overdue")
	if i, j := strings.Index(body, first), strings.Index(body, second); i < 0 || j < 0 || j > i || !strings.Contains(body, "<strong>1</strong>") {
		t.Errorf("sorted by overdue: first case at %d, second at %d, want the overdue case first", i, j)
	}
	if _, body := get(t, c, e.srv.URL+"/survivors"); !strings.Contains(body, first) || !strings.Contains(body, ">supervised<") {
		t.Error("the supervisor's list lacks the supervised cases")
	}
	if resp, _ := get(t, c, e.srv.URL+first); resp.StatusCode != http.StatusOK {
		t.Errorf("supervisor opens a supervised case: status=%d", resp.StatusCode)
	}
	if resp, _ := get(t, adv, e.srv.URL+"/caseload"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("advocate's caseload: status=%d, want 403", resp.StatusCode)
	}
}

// TestTeamsAdminPage: an administrator creates a team, adds a member as
// a supervisor, renames it and is told, beside the form, what is wrong.
func TestTeamsAdminPage(t *testing.T) {
	e := newEnv(t, false)
	sup := mustUser(t, e.db, "sup", "Sam Supervisor", haven.RoleSupervisor)
	c := client(t)
	signIn(t, e, c, "admin", e.code(t))
	resp, body := get(t, c, e.srv.URL+"/admin/teams")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/admin/teams"`) || !strings.Contains(body, `id="team-create"`) {
		t.Fatalf("teams page: status=%d", resp.StatusCode)
	}
	if resp, _ := post(t, c, e.srv.URL+"/admin/teams", url.Values{"name": {"Night team"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status=%d", resp.StatusCode)
	}
	teams, err := e.db.Teams(asUser(e.userID(t, "admin"), haven.RoleAdmin))
	if err != nil || len(teams) != 1 {
		t.Fatalf("teams %v, %v", teams, err)
	}
	id := teams[0].ID
	for _, tt := range []struct {
		path   string
		form   url.Values
		status int
	}{
		{"/admin/teams", url.Values{"name": {"night TEAM"}}, http.StatusBadRequest},
		{"/admin/teams", url.Values{"name": {" "}}, http.StatusBadRequest},
		{"/admin/teams/" + id + "/members", url.Values{"user_id": {e.userID(t, "advocate")}, "supervisor": {"1"}}, http.StatusBadRequest},
		{"/admin/teams/" + id + "/members", url.Values{"user_id": {sup.ID}, "supervisor": {"1"}}, http.StatusSeeOther},
		{"/admin/teams/" + id + "/members", url.Values{"user_id": {sup.ID}}, http.StatusConflict},
		{"/admin/teams/" + id + "/name", url.Values{"name": {"Evening team"}}, http.StatusSeeOther},
	} {
		resp, body := post(t, c, e.srv.URL+tt.path, tt.form)
		if resp.StatusCode != tt.status {
			t.Errorf("POST %s %v: status=%d, want %d", tt.path, tt.form, resp.StatusCode, tt.status)
		}
		if tt.status != http.StatusSeeOther && !strings.Contains(body, `id="teams-error"`) {
			t.Errorf("POST %s %v: no error shown", tt.path, tt.form)
		}
	}
	_, body = get(t, c, e.srv.URL+"/admin/teams?done=renamed")
	for _, want := range []string{"Evening team", "Sam Supervisor", "Stop supervising", "Team renamed."} {
		if !strings.Contains(body, want) {
			t.Errorf("teams page lacks %q", want)
		}
	}
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := post(t, nurse, e.srv.URL+"/admin/teams", url.Values{"name": {"Mine"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clinician creates a team: status=%d, want 403", resp.StatusCode)
	}
}
