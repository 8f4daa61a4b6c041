package web_test

import (
	"context"

	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

// referralEnv is a web env whose directory holds the canary directory
// (Riverside Public Services, a shelter service), a partner of that
// organization, and a survivor with an open shelter need on the
// advocate's care team.
func referralEnv(t *testing.T) (*env, string) {
	t.Helper()
	e := newEnvWith(t, false, func(cfg *web.Config) {
		db := cfg.Survivors.(*sqlstoretest.Store)
		ctx := context.Background()
		d, _ := canaryDirectory()
		if _, err := db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		idx, err := live.Build(haven.WithSystem(ctx, access.JobDirectoryIndex), db)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Directory = idx
	})
	ctx := context.Background()
	if _, err := e.db.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), haven.NewUser{Username: "partner", DisplayName: "Pat Partner",
		Role: haven.RolePartner, Password: testPassword, OrganizationID: "org-public"}); err != nil {
		t.Fatal(err)
	}
	adv := mustUser(t, e.db, "walk.advocate", "Wanda Advocate", haven.RoleAdvocate)
	actx := haven.WithActor(ctx, haven.Actor{UserID: adv.ID, Role: adv.Role})
	s, _, err := e.db.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic Walker", Languages: []haven.LanguagePreference{{Code: "es"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddNeed(actx, haven.NewNeed{SurvivorID: s.ID, Domain: "shelter", Goal: "Un lugar seguro esta noche"}); err != nil {
		t.Fatal(err)
	}
	return e, "/survivors/" + s.ID
}

// TestBrowserReferralClosedLoop is the referral as two people do it, in
// English and Spanish, axe-checked at each page: the advocate searches for
// the survivor's need, opens the service's details, records consent and
// refers, having seen the packet; the partner, in a second browser,
// accepts and completes it; the advocate sees the need met.
func TestBrowserReferralClosedLoop(t *testing.T) {
	src := axeSource(t)
	staff, _ := web.Catalogs()
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			T := func(k string) string { return staff[lang][k] }
			e, record := referralEnv(t)
			adv := newBrowser(t, e)
			adv.setLanguage(lang)
			adv.signIn("walk.advocate", "")
			adv.open(record)
			adv.clickAway(`#referrals a[href*="for_need="]`, `document.querySelector("form[action='/directory']") !== null`)
			adv.clickAway(`form[action='/directory'] button[type=submit]`, `document.querySelector("ol.results a") !== null`)
			adv.checkAxe(src, lang+" directory results for the case")
			adv.clickAway(`ol.results a[href^="/directory/services/svc-public"]`, `document.getElementById("refer") !== null`)
			adv.checkAxe(src, lang+" service details for the case")

			adv.clickAway(`#refer`, `document.getElementById("referral-no-consent") !== null`)
			adv.checkAxe(src, lang+" referral form asking for consent first")
			adv.clickAway(`#referral-no-consent a`, `document.getElementById("kind-org") !== null`)
			adv.checkAxe(src, lang+" consent form")
			eval[bool](adv, `document.getElementById("kind-org").checked = true; document.querySelector("input[name=categories][value=identity]").checked = true;
				document.getElementById("method-verbal").checked = true; true`)
			adv.clickAway(`form[action$="/consents"] button.primary`, `document.getElementById("consents") !== null`)

			// Back to the service for the need, and refer.
			adv.clickAway(`#referrals a[href*="for_need="]`, `document.querySelector("form[action='/directory']") !== null`)
			adv.clickAway(`form[action='/directory'] button[type=submit]`, `document.querySelector("ol.results a") !== null`)
			adv.clickAway(`ol.results a[href^="/directory/services/svc-public"]`, `document.getElementById("refer") !== null`)
			adv.clickAway(`#refer`, `document.getElementById("referral-send") !== null`)
			eval[bool](adv, `document.querySelector("input[name=categories][value=identity]").checked = true; true`)
			adv.clickAway(`button[value=preview]`, `document.getElementById("packet-preview") !== null`)
			if got := adv.text("#packet-preview"); !strings.Contains(got, "Synthetic Walker") || strings.Contains(got, "Un lugar seguro") {
				t.Errorf("preview %q: want the name (consented), not the goal (not consented)", got)
			}
			adv.checkAxe(src, lang+" referral form with the packet preview")
			adv.clickAway(`#referral-send`, `document.getElementById("referral-status") !== null`)
			refPath := eval[string](adv, `location.pathname`)

			// The partner, in a second browser.
			par := newBrowser(t, e)
			par.setLanguage(lang)
			par.signIn("partner", "")
			par.open("/referrals")
			par.waitFor(`document.querySelector("#inbox a") !== null`)
			par.checkAxe(src, lang+" partner inbox")
			par.clickAway(`#inbox a`, `document.getElementById("referral-move") !== null`)
			if got := par.text("#packet"); !strings.Contains(got, "Synthetic Walker") {
				t.Errorf("partner's packet %q lacks the consented name", got)
			}
			par.checkAxe(src, lang+" partner's referral")
			for _, st := range []string{"accepted", "completed"} {
				par.fill("status", st)
				par.clickAway(`#referral-move`, `document.getElementById("referral-status") !== null`)
				if got := par.text("#referral-status strong"); got != T("referral.status_"+st) {
					t.Errorf("status shown %q, want %q", got, T("referral.status_"+st))
				}
			}
			if eval[string](par, `location.pathname`) != refPath {
				t.Errorf("partner ended at %s, want %s", eval[string](par, `location.pathname`), refPath)
			}

			// The advocate sees the need met.
			adv.open(record)
			adv.waitFor(`document.querySelector("li.need") !== null`)
			if got, want := adv.text("li.need .need-status"), T("careplan.status.met"); got != want {
				t.Errorf("need status %q, want %q", got, want)
			}
			adv.checkAxe(src, lang+" record with the referral completed")
		})
	}
}
