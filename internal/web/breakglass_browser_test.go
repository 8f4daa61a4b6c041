package web_test

import (
	"context"
	"testing"

	"github.com/haven-care/haven"
)

// TestBrowserEmergencyAccess walks emergency access as the two people it
// involves: a clinician outside the care team opens a record by case number
// with a typed reason and gets it read-only, and a supervisor, alerted on
// every page, reviews it. axe-core checks every page on the way, in English
// and Arabic.
func TestBrowserEmergencyAccess(t *testing.T) {
	src := axeSource(t)
	e := newEnv(t, false)
	adv := mustUser(t, e.db, "team.advocate", "", haven.RoleAdvocate)
	mustUser(t, e.db, "supervisor", "Sam Supervisor", haven.RoleSupervisor)
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			s, _, err := e.db.CreateSurvivor(haven.WithActor(context.Background(), haven.Actor{UserID: adv.ID, Role: adv.Role}),
				haven.NewSurvivor{Name: "Synthetic Emergency " + lang})
			if err != nil {
				t.Fatal(err)
			}
			nurse := newBrowser(t, e)
			nurse.setLanguage(lang)
			nurse.signIn("nurse", "")
			nurse.clickAway(`nav a[href="/emergency-access"]`, `location.pathname === "/emergency-access"`)
			nurse.checkAxe(src, lang+" /emergency-access")
			nurse.fill("case_number", s.CaseNumber)
			nurse.fill("reason", "Arrived by ambulance and cannot speak; the team needs the safe-contact plan now.")
			nurse.clickAway(`main form button[type="submit"]`, `document.getElementById("emergency-readonly") !== null`)
			if eval[bool](nurse, `document.getElementById("contact-submit") !== null || document.getElementById("screen-link") !== null`) {
				t.Error("the record under emergency access offers contact or screening")
			}
			nurse.checkAxe(src, lang+" survivor record under emergency access")
			if lang == "en" {
				nurse.screenshot("emergency-access-record")
			}

			sup := newBrowser(t, e)
			sup.setLanguage(lang)
			sup.signIn("supervisor", "")
			if !eval[bool](sup, `document.getElementById("pending-reviews") !== null`) {
				t.Fatal("the supervisor's home page shows no pending review")
			}
			sup.clickAway(`#pending-reviews a`, `location.pathname === "/review/emergency-access"`)
			sup.checkAxe(src, lang+" /review/emergency-access with a grant")
			if lang == "en" {
				sup.screenshot("emergency-access-review")
			}
			sup.clickAway(`main form button[value="justified"]`, `document.getElementById("pending-reviews") === null`)
			sup.checkAxe(src, lang+" /review/emergency-access reviewed")
		})
	}
}
