package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// TestBrowserAddNurseWhoMustEnrol walks user administration and training
// with axe-core, as issue 16 tells it: the administrator requires two-step
// sign-in of clinicians, adds a nurse with a temporary password and
// records her Florida licence with its renewal date; the nurse signs in,
// is made to choose her own password and then to set up two-step sign-in,
// reaches the start page, takes a module, passes its quiz and opens her
// certificate; her team's supervisor sees her compliant.
func TestBrowserAddNurseWhoMustEnrol(t *testing.T) {
	src := axeSource(t)
	e := newEnv(t, false)
	adminCtx := asUser(e.userID(t, "admin"), haven.RoleAdmin)
	sup, err := e.db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd),
		haven.NewUser{Username: "team.sup", DisplayName: "Sam Supervisor", Role: haven.RoleSupervisor, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	// The organization's CE provider approval covers Haven's modules.
	if err := e.db.SetTrainingPolicy(adminCtx, haven.TrainingPolicy{ModulesApproved: true}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e)
	b.signIn("admin", e.code(t))
	b.open("/admin/users")
	b.checkAxe(src, "users")
	eval[bool](b, `document.getElementById("policy-clinician").checked = true`)
	b.clickAway("#two-step-policy button", `document.querySelector("main > .notice") !== null`)
	if !eval[bool](b, `document.getElementById("policy-clinician").checked`) {
		t.Fatal("the policy did not keep clinicians")
	}
	b.fill("username", "nurse.fl")
	b.fill("display_name", "Nora Nurse")
	b.fill("role", "clinician")
	eval[bool](b, `document.getElementById("start-temporary").checked = true`)
	// The answer is the page itself (the password must not travel in a
	// redirect's URL), which haven.js writes into the same window.
	b.do(chromedp.Click(chromedp.CSS("#user-add button.primary")))
	b.waitFor(`document.getElementById("first-temporary") !== null`)
	b.checkAxe(src, "users with a temporary password shown")
	temporary := eval[string](b, `document.getElementById("first-temporary").textContent`)

	// Her licence: Florida, a registered nurse, renewing in a year.
	nurseID := e.userID(t, "nurse.fl")
	b.open("/admin/training")
	b.fill("user_id", nurseID)
	b.fill("jurisdiction", "FL")
	b.fill("licence_type", "rn")
	b.fill("renewal_on", time.Now().AddDate(1, 0, 0).Format(time.DateOnly))
	b.clickAway("#admin-licence-form button", `location.search === "?saved=licence"`)
	b.checkAxe(src, "licence recorded by the administrator")
	team, err := e.db.CreateTeam(adminCtx, "Emergency department")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		id   string
		lead bool
	}{{nurseID, false}, {sup.ID, true}} {
		if err := e.db.AddTeamMember(adminCtx, team.ID, m.id, m.lead); err != nil {
			t.Fatal(err)
		}
	}

	// The nurse, in a fresh sign-in.
	b.open("/signin")
	b.fill("username", "nurse.fl")
	b.fill("password", temporary)
	b.clickAway("button.primary", `location.pathname === "/account/password"`)
	b.checkAxe(src, "password change after a temporary password")
	if eval[bool](b, `document.querySelector("nav a[href='/survivors']") !== null`) {
		t.Error("the navigation shows before the password is changed")
	}
	const own = "nora's own long pass phrase"
	b.fill("current_password", temporary)
	b.fill("new_password", own)
	b.fill("repeat_password", own)
	b.clickAway("form[action='/account/password'] button", `location.pathname === "/account/two-step"`)
	if !eval[bool](b, `document.getElementById("two-step-required") !== null`) {
		t.Error("the enrolment page does not say two-step sign-in is required")
	}
	b.checkAxe(src, "two-step enrolment required")
	b.open("/survivors")
	if got := eval[string](b, `location.pathname`); got != "/account/two-step" {
		t.Errorf("/survivors before enrolling landed on %s", got)
	}
	b.fill("password", own)
	b.do(chromedp.Click(chromedp.CSS("form[action='/account/two-step/begin'] button")))
	b.waitFor(`document.querySelector("main img") !== null`)
	secret := eval[string](b, `document.querySelector("main p code").textContent`)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.fill("code", code)
	b.do(chromedp.Click(chromedp.CSS("form[action='/account/two-step/confirm'] button")))
	b.waitFor(`document.querySelectorAll("ul.codes li").length === 10`)
	b.checkAxe(src, "recovery codes")
	b.clickAway("main a[href='/']", `location.pathname === "/"`)
	if !eval[bool](b, `document.querySelector("nav a[href='/survivors']") !== null`) {
		t.Error("the start page has no navigation after enrolling")
	}
	b.checkAxe(src, "start page")
	passIndicators(t, b, src, "Nora Nurse")
	s := newBrowser(t, e)
	s.signIn("team.sup", "")
	supervisorSeesCompliant(t, s, src, "Nora Nurse")

	// A set-password link, as its user opens it.
	_, first, err := e.db.AddUser(adminCtx, haven.NewAccount{Username: "adv.link", Role: haven.RoleAdvocate, Start: haven.StartLink})
	if err != nil {
		t.Fatal(err)
	}
	b.open("/set-password/" + first.Token)
	b.checkAxe(src, "set-password link")
	b.fill("password", own)
	b.fill("repeat_password", own)
	b.clickAway("button.primary", `location.pathname === "/signin"`)
	b.checkAxe(src, "sign-in after setting the password")
}
