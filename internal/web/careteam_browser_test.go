package web_test

import (
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/web"
)

// TestBrowserCareTeam walks the care-team pages in English and Spanish
// with axe-core: the advocate adds the clinician to a record's team from
// its "Care team" section, the supervisor of their team opens the
// caseload, and the administrator the teams page.
func TestBrowserCareTeam(t *testing.T) {
	staff, _ := web.Catalogs()
	src := axeSource(t)
	e := newEnv(t, false)
	advID, nurseID := e.userID(t, "advocate"), e.userID(t, "nurse")
	mustUser(t, e.db, "sup", "Sam Supervisor", haven.RoleSupervisor)
	admin := asUser(e.userID(t, "admin"), haven.RoleAdmin)
	team, err := e.db.CreateTeam(admin, "Clinic")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		id  string
		sup bool
	}{{advID, false}, {e.userID(t, "sup"), true}} {
		if err := e.db.AddTeamMember(admin, team.ID, m.id, m.sup); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, e)
	for i, lang := range []string{"en", "es"} {
		T := func(key string) string { return staff[lang][key] }
		s, _, err := e.db.CreateSurvivor(asUser(advID, haven.RoleAdvocate), haven.NewSurvivor{Name: "Synthetic Browser Team"})
		if err != nil {
			t.Fatal(err)
		}
		b.setLanguage(lang)
		b.signIn("advocate", "")
		b.open("/survivors/" + s.ID)
		b.checkAxe(src, lang+" record with its care team")
		b.fill("team-add-user", nurseID)
		b.clickAway("#team-add button", `document.getElementById("team") !== null`)
		if got := b.text("main > .notice"); got != T("team.done_added") {
			t.Errorf("%s: notice=%q, want %q", lang, got, T("team.done_added"))
		}
		if n := eval[int](b, `document.querySelectorAll("#team-members tbody tr").length`); n != 2 {
			t.Errorf("%s: %d members, want 2", lang, n)
		}
		b.checkAxe(src, lang+" record after adding a member")

		b.signIn("sup", "")
		b.open("/caseload?sort=overdue")
		if n := eval[int](b, `document.querySelectorAll("#caseload tbody tr").length`); n != i+1 {
			t.Errorf("%s: caseload has %d rows, want %d (a case per language walked)", lang, n, i+1)
		}
		b.checkAxe(src, lang+" caseload")
	}
	b.setLanguage("en")
	b.signIn("admin", e.code(t))
	b.open("/admin/teams")
	b.checkAxe(src, "en teams")
}
