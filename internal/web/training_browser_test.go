package web_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/training"
	"github.com/haven-care/haven/internal/web"
)

// TestBrowserTrainingWalk: a nurse in Florida records her licence, takes
// a module, passes its quiz and opens her certificate; her supervisor's
// compliance view shows her compliant; with the training policy on, an
// untrained advocate is refused screening with the reason. axe-core
// checks every page on the way.
func TestBrowserTrainingWalk(t *testing.T) {
	src := axeSource(t)
	e := newEnvWith(t, false, func(c *web.Config) { c.Screenings = c.Survivors.(haven.ScreeningService) })
	ctx := context.Background()
	sys := haven.WithSystem(ctx, access.JobUserAdd)
	nurse, err := e.db.CreateUser(sys, haven.NewUser{Username: "fl.nurse", DisplayName: "Flora Nurse", Role: haven.RoleClinician, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	sup, err := e.db.CreateUser(sys, haven.NewUser{Username: "team.sup", DisplayName: "Sam Supervisor", Role: haven.RoleSupervisor, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	admin := asUser(e.userID(t, "admin"), haven.RoleAdmin)
	team, err := e.db.CreateTeam(admin, "Emergency department")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTeamMember(admin, team.ID, nurse.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTeamMember(admin, team.ID, sup.ID, true); err != nil {
		t.Fatal(err)
	}
	// The organization's CE provider approval covers Haven's modules.
	if err := e.db.SetTrainingPolicy(admin, haven.TrainingPolicy{ModulesApproved: true}); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, e)
	b.signIn("fl.nurse", "")
	b.open("/training")
	b.checkAxe(src, "training, no licence")
	b.fill("jurisdiction", "FL")
	b.fill("licence_type", "rn")
	b.fill("renewal_on", time.Now().AddDate(1, 0, 0).Format(time.DateOnly))
	b.clickAway("#licence-form button", `document.getElementById("my-status") !== null`)
	if got := b.text("#my-status"); got != "Due" {
		t.Errorf("before the module: status %q, want Due", got)
	}
	b.checkAxe(src, "training, licence saved")

	passIndicators(t, b, src, "Flora Nurse")

	s := newBrowser(t, e)
	s.signIn("team.sup", "")
	supervisorSeesCompliant(t, s, src, "Flora Nurse")
	s.open("/audit?actor=" + nurse.ID)
	s.checkAxe(src, "audit trail")

	// The policy on: an untrained advocate is refused screening, and told why.
	if err := e.db.SetTrainingPolicy(admin, haven.TrainingPolicy{ScreeningRequiresTraining: true, ModulesApproved: true}); err != nil {
		t.Fatal(err)
	}
	a := newBrowser(t, e)
	a.signIn("advocate", "")
	surv, _, err := e.db.CreateSurvivor(asUser(e.userID(t, "advocate"), haven.RoleAdvocate), haven.NewSurvivor{Name: "Synthetic Walk"})
	if err != nil {
		t.Fatal(err)
	}
	a.open("/survivors/" + surv.ID)
	a.clickAway("#screen-link", `document.getElementById("training-refused") !== null`)
	if got := a.text("#training-refused"); !strings.Contains(got, "requires current training before screening") {
		t.Errorf("refusal says %q", got)
	}
	if got := a.text("#training-refused-modules"); !strings.Contains(got, "Recognising indicators of trafficking") {
		t.Errorf("refusal lists %q", got)
	}
	a.checkAxe(src, "screening refused without training")

	// The administrator's pages, in English and right to left in Arabic.
	ad := newBrowser(t, e)
	ad.signIn("admin", e.code(t))
	for _, lang := range []string{"en", "ar"} {
		ad.setLanguage(lang)
		for _, p := range []string{"/audit?action=training.", "/training", "/training/compliance", "/admin/training", "/training/modules/minors"} {
			ad.open(p)
			ad.checkAxe(src, lang+" "+p)
		}
	}
}

// passIndicators takes the "indicators" module in b as its signed-in
// user, whose name is name, passes the quiz, opens the certificate and
// finds their status compliant.
func passIndicators(t *testing.T, b *browser, src, name string) {
	t.Helper()
	b.open("/training/modules/indicators")
	b.checkAxe(src, "module and quiz")
	m, _ := training.Module("indicators")
	for _, q := range m.Questions {
		eval[bool](b, `document.getElementById("`+q.ID+`-`+strconv.Itoa(q.Answer)+`").checked = true; true`)
	}
	b.clickAway("#quiz-submit", `location.pathname.startsWith("/training/attempts/")`)
	if got := b.text("#quiz-result"); !strings.Contains(got, "Passed") {
		t.Errorf("quiz result %q", got)
	}
	b.checkAxe(src, "quiz passed")
	b.clickAway("#certificate-link", `location.pathname.startsWith("/training/certificates/")`)
	if b.text("#certificate-name") != name || b.text("#certificate-hours") != "2" || b.text("#certificate-date") == "" {
		t.Errorf("certificate: %q %q %q", b.text("#certificate-name"), b.text("#certificate-hours"), b.text("#certificate-date"))
	}
	b.checkAxe(src, "certificate")
	b.open("/training")
	if got := b.text("#my-status"); got != "Compliant" {
		t.Errorf("after the module: status %q, want Compliant", got)
	}
}

// supervisorSeesCompliant opens the compliance view in s, a supervisor's
// browser, and checks that it shows name as compliant.
func supervisorSeesCompliant(t *testing.T, s *browser, src, name string) {
	t.Helper()
	s.open("/training/compliance")
	who, _ := json.Marshal(name)
	if got := eval[string](s, `[...document.querySelectorAll("#compliance tbody tr")].filter(r => r.cells[0].textContent === `+string(who)+`).map(r => r.dataset.status).join()`); got != "compliant" {
		t.Errorf("supervisor sees %s as %q, want compliant", name, got)
	}
	s.checkAxe(src, "compliance view")
}

// TestBrowserTrainingModuleTranslated: a clinician opens a module and its
// quiz in Spanish and in Arabic, reads it in that language (right to left
// in Arabic, the Latin-script names isolated), passes the quiz from that
// page and sees the result and the certificate in the same language.
// axe-core checks every page.
func TestBrowserTrainingModuleTranslated(t *testing.T) {
	src := axeSource(t)
	e := newEnv(t, false)
	b := newBrowser(t, e)
	b.signIn("nurse", "")
	for _, lang := range []string{"es", "ar"} {
		b.setLanguage(lang)
		m, textLang, _ := training.ModuleIn("safety-checklist", lang)
		if textLang != lang {
			t.Fatalf("the module is not translated into %s", lang)
		}
		b.open("/training/modules/safety-checklist")
		if got := b.text("h1"); got != m.Title {
			t.Errorf("%s: heading %q, want %q", lang, got, m.Title)
		}
		if got := b.text("#quiz legend"); got != m.Questions[0].Text {
			t.Errorf("%s: first question %q, want %q", lang, got, m.Questions[0].Text)
		}
		wantDir := map[string]string{"es": "ltr", "ar": "rtl"}[lang]
		if got := eval[string](b, `getComputedStyle(document.querySelector("#quiz legend")).direction`); got != wantDir {
			t.Errorf("%s: the quiz reads %s, want %s", lang, got, wantDir)
		}
		if lang == "ar" {
			// "Haven" inside an Arabic paragraph keeps its own direction.
			if got := eval[string](b, `[...document.querySelectorAll("main bdi")].map(e => e.textContent).filter(t => t === "Haven" || t === "Escape").sort().join()`); !strings.HasPrefix(got, "Escape") || !strings.Contains(got, "Haven") {
				t.Errorf("Arabic: isolated terms %q", got)
			}
		}
		b.checkAxe(src, lang+" module and quiz")
		b.screenshot("training-module-" + lang)
		for _, q := range m.Questions {
			eval[bool](b, `document.getElementById("`+q.ID+`-`+strconv.Itoa(q.Answer)+`").checked = true; true`)
		}
		b.clickAway("#quiz-submit", `location.pathname.startsWith("/training/attempts/")`)
		if got := b.text("#quiz-result"); !strings.Contains(got, "5") || eval[bool](b, `document.getElementById("certificate-link") === null`) {
			t.Errorf("%s: quiz result %q without a certificate link", lang, got)
		}
		if got := b.text("h1"); got != m.Title {
			t.Errorf("%s result: heading %q, want %q", lang, got, m.Title)
		}
		b.checkAxe(src, lang+" quiz passed")
		b.clickAway("#certificate-link", `location.pathname.startsWith("/training/certificates/")`)
		if got := b.text("#certificate-module"); got != m.Title {
			t.Errorf("%s certificate: module %q, want %q", lang, got, m.Title)
		}
		b.checkAxe(src, lang+" certificate")
	}
}
