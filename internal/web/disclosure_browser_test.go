package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven/internal/web"
)

// fetchStatus fetches path from the page, with the session's cookie, and
// returns "status content-type": how the test sees a download without
// the browser saving it.
func fetchStatus(b *browser, path string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch("`+path+`").then(r => r.status + " " + r.headers.get("content-type"))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("fetch %s: %v", path, err)
	}
	return v
}

// TestBrowserDisclosureWalk is a detective's request under a grand-jury
// subpoena as two people handle it, axe-checked at each page: the
// advocate logs it and sees the redaction preview; the supervisor, in a
// second browser, refuses it once; the advocate narrows it; the
// supervisor approves it; the package downloads (it did not before);
// the disclosure is listed in the survivor's accounting, printed in
// Spanish.
func TestBrowserDisclosureWalk(t *testing.T) {
	src := axeSource(t)
	staff, _ := web.Catalogs()
	es := func(k string) string { return staff["es"][k] }
	e := newEnv(t, false)
	id := disclosureCase(t, e.db)
	record := "/survivors/" + id

	adv := newBrowser(t, e)
	adv.signIn("disc.advocate", "")
	adv.open(record)
	adv.checkAxe(src, "record with its disclosures section")
	adv.clickAway(`#disclosure-new`, `document.getElementById("basis-form") !== null`)
	adv.checkAxe(src, "request form, basis first")
	eval[bool](adv, `document.getElementById("basis").value = "grand_jury_subpoena"; true`)
	adv.clickAway(`#basis-form button`, `document.getElementById("request-form") !== null`)
	adv.checkAxe(src, "request form with the fields a subpoena allows")
	adv.fill("requester", "Det. R. Roe")
	adv.fill("agency", "County Sheriff")
	adv.fill("documents", "Grand-jury subpoena no. 26-114, naming the name and phone numbers.")
	adv.fill("deadline", "2099-01-01")
	eval[bool](adv, `document.querySelector("input[name=fields][value='survivors.name']").checked = true;
		document.querySelector("input[name=fields][value='survivors.phones']").checked = true; true`)
	adv.clickAway(`#request-form button.primary`, `document.getElementById("preview-table") !== null`)
	adv.checkAxe(src, "pending request with its redaction preview")
	if got := eval[string](adv, `document.getElementById("preview-table").innerText`); !contains(got, "CANARYWEBNAME", "CANARYWEBPHONE") || contains(got, "CANARYWEBNOTES") {
		t.Errorf("preview %q: want the name and the phone only", got)
	}
	page := eval[string](adv, `location.pathname`)
	if got := fetchStatus(adv, page+"/package.pdf"); got[:3] != "409" {
		t.Errorf("pending package: %s, want 409", got)
	}

	sup := newBrowser(t, e)
	sup.signIn("disc.supervisor", "")
	sup.open("/disclosures/pending")
	sup.checkAxe(src, "approval queue")
	sup.clickAway(`#approval-queue a`, `document.getElementById("decide") !== null`)
	sup.checkAxe(src, "request to decide")
	sup.fill("reason", "The subpoena names the name only, not the phone numbers.")
	sup.clickAway(`#refuse`, `document.getElementById("decide") === null && document.getElementById("disclosure-decision") !== null`)
	if got := fetchStatus(sup, page+"/package.json"); got[:3] != "409" {
		t.Errorf("refused package: %s, want 409", got)
	}

	adv.open(page)
	adv.checkAxe(src, "refused request, to narrow")
	eval[bool](adv, `document.querySelector("#narrow input[value='survivors.phones']").checked = false; true`)
	adv.clickAway(`#resubmit`, `document.getElementById("disclosure-status") !== null && document.getElementById("narrow") === null`)

	sup.open(page)
	sup.fill("reason", "Named in the subpoena; minimum necessary.")
	sup.clickAway(`#approve`, `document.getElementById("download-pdf") !== null`)
	sup.checkAxe(src, "approved request with its package")
	if got := fetchStatus(sup, page+"/package.pdf"); got != "200 application/pdf" {
		t.Errorf("PDF download: %s", got)
	}
	if got := fetchStatus(sup, page+"/package.json"); got != "200 application/json" {
		t.Errorf("JSON download: %s", got)
	}
	if got := eval[string](sup, `document.getElementById("preview-table").innerText`); contains(got, "CANARYWEBPHONE") {
		t.Error("the approved package still lists the phone")
	}

	adv.open(record)
	adv.clickAway(`#accounting-link`, `document.getElementById("accounting") !== null`)
	if lang := eval[string](adv, `document.documentElement.lang`); lang != "es" {
		t.Errorf("accounting printed in %q, want the survivor's Spanish", lang)
	}
	adv.checkAxe(src, "accounting of disclosures in Spanish")
	got := eval[string](adv, `document.getElementById("accounting").innerText`)
	if !contains(got, "County Sheriff", es("disclosure.basis_grand_jury_subpoena"), es("consent.category_identity")) ||
		eval[string](adv, `document.querySelector("h1").innerText`) != es("accounting.title") {
		t.Errorf("accounting %q: want the sheriff, the subpoena and the name's category, in Spanish", got)
	}
	if hidden := eval[bool](adv, `document.querySelector("button.print").hidden`); hidden {
		t.Error("the print button is hidden")
	}
}

// contains reports whether s holds every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
