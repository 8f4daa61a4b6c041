package sqlstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/disclosurepdf"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestDisclosureRegistryMatchesEncryptedColumns(t *testing.T) {
	var registry []string
	for _, f := range haven.Fields {
		if f.Table == "disclosures" && f.Class.Encrypted() {
			registry = append(registry, f.Column)
		}
	}
	if got := sqlstore.DisclosureEncryptedColumns(); !slices.Equal(registry, got) {
		t.Errorf("encrypted disclosure columns: registry %q, store %q", registry, got)
	}
}

// fieldCanaries are the canary values of canarySurvivor and the fixture's
// encounter, by the field that holds them.
var fieldCanaries = map[string]string{
	"survivors.name": "CANARYNAME", "survivors.aliases": "CANARYALIAS", "survivors.phones": "CANARYPHONE",
	"survivors.emails": "canaryemail", "survivors.addresses": "CANARYADDRESS", "survivors.immigration_status": "CANARYIMMIGRATION",
	"survivors.notes": "CANARYNOTES", "survivors.cultural_considerations": "CANARYCULTURE",
	"survivors.faith_considerations": "CANARYFAITH", "survivors.language_dialects": "CANARYDIALECT",
	"survivors.safe_contact": "CANARYCODEWORD", "encounters.note": "CANARYENCOUNTER",
}

// disclosureFixture is a case with an encounter, and a subpoena the
// advocate prepared, whose requester's contact in Haven is the nurse.
func disclosureFixture(t *testing.T, db *sqlstoretest.Store) (*caseFixture, haven.NewDisclosure) {
	t.Helper()
	f := newCaseFixture(t, db)
	if _, err := db.AddEncounter(actorCtx(f.nurse), haven.NewEncounter{SurvivorID: f.survivorID, OccurredOn: "2026-04-02",
		Note: "CANARYENCOUNTER seen in clinic"}); err != nil {
		t.Fatal(err)
	}
	return f, haven.NewDisclosure{Requester: "Det. R. Roe", Agency: "County Sheriff", ContactID: f.nurse.ID,
		Basis: haven.BasisSubpoena, Documents: "Grand-jury subpoena no. 26-114", Deadline: "2026-05-20",
		Fields: []string{"survivors.name", "survivors.notes", "encounters.note"}}
}

func TestDisclosureWalk(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, nd := disclosureFixture(t, db)
		adv, sup, other := actorCtx(f.adv), actorCtx(f.sup), actorCtx(f.otherSup)
		d, err := db.RequestDisclosure(adv, f.survivorID, nd)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != haven.DisclosurePending || d.PreparedBy != f.adv.ID || !strings.HasPrefix(d.Number, "DS-") {
			t.Fatalf("requested %+v: want pending, prepared by the advocate, numbered", d)
		}
		got, err := db.Disclosure(sup, d.ID)
		if err != nil || got.Documents != nd.Documents || !slices.Equal(got.Fields, nd.Fields) {
			t.Fatalf("Disclosure = %+v, %v; want the documents opened and the fields", got, err)
		}
		// Pending: no package through the store, whatever the format.
		for _, format := range []string{"pdf", "json"} {
			if _, err := db.DisclosurePackage(sup, d.ID, format); haven.ErrorKind(err) != haven.Conflict {
				t.Errorf("pending package %s: err=%v, want Conflict", format, err)
			}
		}
		// The preview shows exactly the chosen fields.
		p, err := db.PreviewDisclosure(adv, d.ID)
		if err != nil || len(p.Items) != 3 || p.Items[2].Values[0] != "2026-04-02: CANARYENCOUNTER seen in clinic" {
			t.Fatalf("preview %+v, %v", p, err)
		}
		// An advocate may not decide; a supervisor with no tie sees nothing.
		if _, err := db.DecideDisclosure(adv, d.ID, true, "ok"); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("advocate decides: err=%v, want Forbidden", err)
		}
		if _, err := db.DecideDisclosure(other, d.ID, true, "ok"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("supervisor with no tie decides: err=%v, want NotFound", err)
		}
		if q, err := db.PendingDisclosures(sup); err != nil || len(q) != 1 || q[0].ID != d.ID {
			t.Errorf("sup's queue %+v, %v: want the advocate's request", q, err)
		}
		// Refused once, then narrowed (the notes go) and approved.
		if _, err := db.DecideDisclosure(sup, d.ID, false, ""); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("decision without a reason: err=%v, want Invalid", err)
		}
		r, err := db.DecideDisclosure(sup, d.ID, false, "Narrative notes are not named in the subpoena.")
		if err != nil || r.Status != haven.DisclosureRefused {
			t.Fatalf("refuse: %+v, %v", r, err)
		}
		if _, err := db.DisclosurePackage(sup, d.ID, "pdf"); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("refused package: err=%v, want Conflict", err)
		}
		if _, err := db.DecideDisclosure(sup, d.ID, true, "again"); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("deciding a refused request: err=%v, want Conflict", err)
		}
		if _, err := db.ResubmitDisclosure(adv, d.ID, []string{"survivors.name", "survivors.phones"}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("resubmit widening: err=%v, want Invalid", err)
		}
		n, err := db.ResubmitDisclosure(adv, d.ID, []string{"encounters.note", "survivors.name"})
		if err != nil || n.Status != haven.DisclosurePending || n.Rounds != 2 || !slices.Equal(n.Fields, []string{"survivors.name", "encounters.note"}) {
			t.Fatalf("resubmit: %+v, %v", n, err)
		}
		tasksBefore, _ := db.Tasks(adv, f.survivorID)
		a, err := db.DecideDisclosure(sup, d.ID, true, "Named in the subpoena; minimum necessary.")
		if err != nil || a.Status != haven.DisclosureApproved || a.PDFHash == "" {
			t.Fatalf("approve: %+v, %v", a, err)
		}
		approved := []string{"survivors.name", "encounters.note"}
		pdf, err := db.DisclosurePackage(adv, d.ID, "pdf")
		if err != nil {
			t.Fatal(err)
		}
		js, err := db.DisclosurePackage(adv, d.ID, "json")
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(pdf); hex.EncodeToString(h[:]) != a.PDFHash {
			t.Error("the PDF's SHA-256 is not the one recorded")
		}
		if h := sha256.Sum256(js); hex.EncodeToString(h[:]) != a.JSONHash {
			t.Error("the JSON's SHA-256 is not the one recorded")
		}
		text, err := disclosurepdf.Text(pdf)
		if err != nil {
			t.Fatal(err)
		}
		for field, canary := range fieldCanaries {
			want := slices.Contains(approved, field)
			if got := strings.Contains(text, canary); got != want {
				t.Errorf("PDF holds %s (%s): %v, want %v", canary, field, got, want)
			}
			if got := strings.Contains(string(js), canary); got != want {
				t.Errorf("JSON holds %s (%s): %v, want %v", canary, field, got, want)
			}
		}
		wm := haven.WatermarkText(d.Number, "County Sheriff")
		if !strings.Contains(text, wm) || !strings.Contains(string(js), d.Number) {
			t.Errorf("package lacks the watermark %q", wm)
		}
		// The accounting and the survivor-notification task.
		acc, err := db.Accounting(adv, f.survivorID)
		if err != nil || len(acc) != 1 || acc[0].Number != d.Number || acc[0].Agency != "County Sheriff" ||
			!slices.Equal(acc[0].Categories, []haven.DataCategory{haven.CategoryIdentity, haven.CategorySensitive}) ||
			!strings.HasPrefix(acc[0].Hash, a.PDFHash) || acc[0].KeptUntil.Year() != acc[0].DisclosedAt.Year()+6 {
			t.Fatalf("accounting %+v, %v", acc, err)
		}
		tasks, _ := db.Tasks(adv, f.survivorID)
		if len(tasks) != len(tasksBefore)+1 || !slices.ContainsFunc(tasks, func(t haven.Task) bool {
			return t.Kind == haven.TaskSurvivorNotification && t.AssigneeID == f.adv.ID && strings.Contains(t.Text, d.Number)
		}) {
			t.Errorf("tasks %+v: want a survivor-notification task for the preparer", tasks)
		}
	})
}

// TestPreparerAndContactCannotApprove: a second person decides.
func TestPreparerAndContactCannotApprove(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, nd := disclosureFixture(t, db)
		sup := actorCtx(f.sup)
		own, err := db.RequestDisclosure(sup, f.survivorID, nd)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideDisclosure(sup, own.ID, true, "looks fine"); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("the preparer approves: err=%v, want Forbidden", err)
		}
		nd.ContactID = f.sup.ID
		contact, err := db.RequestDisclosure(actorCtx(f.adv), f.survivorID, nd)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideDisclosure(sup, contact.ID, true, "looks fine"); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("the requester's contact approves: err=%v, want Forbidden", err)
		}
		if q, _ := db.PendingDisclosures(sup); len(q) != 0 {
			t.Errorf("queue %+v: want neither of the requests the supervisor may not decide", q)
		}
		for _, id := range []string{own.ID, contact.ID} {
			if got, _ := db.Disclosure(sup, id); got.Status != haven.DisclosurePending {
				t.Errorf("status %s, want still pending", got.Status)
			}
			if _, err := db.DisclosurePackage(sup, id, "json"); haven.ErrorKind(err) != haven.Conflict {
				t.Errorf("package of a pending request: err=%v, want Conflict", err)
			}
		}
		// Another supervisor on the care team decides.
		if err := db.AddCareTeamMember(actorCtx(f.adv), f.survivorID, f.otherSup.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideDisclosure(actorCtx(f.otherSup), own.ID, true, "second look"); err != nil {
			t.Errorf("a second supervisor approves: %v", err)
		}
		var reasons []string
		rows, _ := db.SQL().Query(`SELECT reason FROM audit_entries WHERE action = 'disclosure.approve' AND outcome = 'denied'`)
		for rows.Next() {
			var r string
			rows.Scan(&r)
			reasons = append(reasons, r)
		}
		rows.Close()
		if len(reasons) != 2 || reasons[0] != access.ReasonSecondPerson || reasons[1] != access.ReasonSecondPerson {
			t.Errorf("denied approvals audited with %q, want two %q", reasons, access.ReasonSecondPerson)
		}
	})
}

// TestDisclosureUnderConsentAndLegalHold: a consent allows exactly its
// categories; a legal hold opens no notification task; the accounting
// outlives crypto-shredding and holds no personal data.
func TestDisclosureUnderConsentAndLegalHold(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, nd := disclosureFixture(t, db)
		adv, sup := actorCtx(f.adv), actorCtx(f.sup)
		org := consentOrg(t, db)
		c, err := db.RecordConsent(adv, f.survivorID, haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: org,
			Purpose: haven.PurposeLegalAdvocacy, Categories: []haven.DataCategory{haven.CategoryContact}, Method: haven.ConsentWritten,
			Language: "es"})
		if err != nil {
			t.Fatal(err)
		}
		allowed, proposed, err := db.ProposeDisclosure(adv, f.survivorID, haven.BasisConsent, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"survivors.phones", "survivors.emails", "survivors.addresses", "survivors.safe_contact",
			"survivors.age_band", "survivors.languages", "contacts.outcome"}
		if !slices.Equal(allowed, proposed) || len(allowed) != len(want) || slices.ContainsFunc(want, func(k string) bool { return !slices.Contains(allowed, k) }) {
			t.Errorf("under consent allowed %q proposed %q, want exactly %q", allowed, proposed, want)
		}
		if _, _, err := db.ProposeDisclosure(adv, f.survivorID, haven.BasisConsent, "no-such-consent"); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("propose under an unknown consent: err=%v, want Invalid", err)
		}
		nd.Basis, nd.ConsentID, nd.ContactID = haven.BasisConsent, c.ID, ""
		if _, err := db.RequestDisclosure(adv, f.survivorID, nd); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("a field outside the consent: err=%v, want Invalid", err)
		}
		nd.Fields, nd.LegalHoldUntil = []string{"survivors.phones"}, "2026-08-01"
		d, err := db.RequestDisclosure(adv, f.survivorID, nd)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := db.Tasks(adv, f.survivorID)
		if _, err := db.DecideDisclosure(sup, d.ID, true, "consented"); err != nil {
			t.Fatal(err)
		}
		if after, _ := db.Tasks(adv, f.survivorID); len(after) != len(before) {
			t.Errorf("a legal hold is recorded, yet %d tasks opened", len(after)-len(before))
		}
		// Crypto-shredding: the accounting stays, for supervisors, without
		// personal data.
		if err := db.DeleteSurvivor(sup, f.survivorID); err != nil {
			t.Fatal(err)
		}
		acc, err := db.Accounting(sup, f.survivorID)
		if err != nil || len(acc) != 1 || acc[0].Number != d.Number || !slices.Equal(acc[0].Categories, []haven.DataCategory{haven.CategoryContact}) {
			t.Fatalf("accounting after shredding %+v, %v", acc, err)
		}
		if _, err := db.Accounting(adv, f.survivorID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("an advocate reads a shredded record's accounting: err=%v, want NotFound", err)
		}
		var rows int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM disclosure_accounting WHERE agency LIKE '%CANARY%' OR categories LIKE '%CANARY%'`).Scan(&rows)
		if rows != 0 {
			t.Error("the accounting holds a canary")
		}
		if _, err := db.Accounting(sup, "no-such-survivor"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("accounting of nothing: err=%v, want NotFound", err)
		}
	})
}

// TestDisclosureStepsAudited: every step writes its entry.
func TestDisclosureStepsAudited(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, nd := disclosureFixture(t, db)
		adv, sup := actorCtx(f.adv), actorCtx(f.sup)
		if _, _, err := db.ProposeDisclosure(adv, f.survivorID, haven.BasisSubpoena, ""); err != nil {
			t.Fatal(err)
		}
		d, err := db.RequestDisclosure(adv, f.survivorID, nd)
		if err != nil {
			t.Fatal(err)
		}
		db.DisclosurePackage(adv, d.ID, "pdf")
		db.PreviewDisclosure(adv, d.ID)
		db.Disclosures(adv, f.survivorID)
		db.Disclosure(adv, d.ID)
		db.PendingDisclosures(sup)
		db.DecideDisclosure(sup, d.ID, false, "too wide")
		db.ResubmitDisclosure(adv, d.ID, []string{"survivors.name"})
		db.DecideDisclosure(sup, d.ID, true, "fine")
		db.DisclosurePackage(adv, d.ID, "json")
		db.Accounting(adv, f.survivorID)
		got := auditActions(t, db)
		for _, want := range []string{"disclosure.propose", "disclosure.create", "disclosure.package/denied", "disclosure.preview",
			"disclosure.list", "disclosure.read", "disclosure.queue", "disclosure.refuse", "disclosure.resubmit", "disclosure.approve",
			"disclosure.package", "disclosure.accounting", "task.create"} {
			if !slices.Contains(got, want) {
				t.Errorf("no %q audit entry in %q", want, got)
			}
		}
	})
}

// TestDisclosureBadInputChangesNothing: each bad request is refused by
// field and stores nothing.
func TestDisclosureBadInputChangesNothing(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, nd := disclosureFixture(t, db)
		adv := actorCtx(f.adv)
		for name, change := range map[string]func(*haven.NewDisclosure){
			"requester": func(n *haven.NewDisclosure) { n.Requester = " " },
			"agency":    func(n *haven.NewDisclosure) { n.Agency = "" },
			"basis":     func(n *haven.NewDisclosure) { n.Basis = "hunch" },
			"documents": func(n *haven.NewDisclosure) { n.Documents = "" },
			"deadline":  func(n *haven.NewDisclosure) { n.Deadline = "2020-01-01" },
			"fields":    func(n *haven.NewDisclosure) { n.Fields = []string{"survivors.password"} },
			"contact_id": func(n *haven.NewDisclosure) {
				n.ContactID = "no-such-user"
			},
			"legal_hold_until": func(n *haven.NewDisclosure) { n.LegalHoldUntil = "someday" },
		} {
			bad := nd
			bad.Fields = slices.Clone(nd.Fields)
			change(&bad)
			_, err := db.RequestDisclosure(adv, f.survivorID, bad)
			var he *haven.Error
			if haven.ErrorKind(err) != haven.Invalid || !errors.As(err, &he) || he.Fields[name] == "" {
				t.Errorf("%s: err=%v, want Invalid naming the field", name, err)
			}
		}
		if list, _ := db.Disclosures(adv, f.survivorID); len(list) != 0 {
			t.Errorf("%d requests stored from bad input", len(list))
		}
		if _, err := db.DisclosurePackage(adv, "x", "docx"); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("format docx: err=%v, want Invalid", err)
		}
	})
}

// TestPartnerAndOutsiderSeeNoDisclosure: the access decision keeps the
// requests to the care team and its supervisors.
func TestPartnerAndOutsiderSeeNoDisclosure(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, nd := disclosureFixture(t, db)
		d, err := db.RequestDisclosure(actorCtx(f.adv), f.survivorID, nd)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*haven.User{f.outsider, f.partner, f.analyst, f.admin} {
			ctx := actorCtx(u)
			if _, err := db.Disclosure(ctx, d.ID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s reads: err=%v, want NotFound", u.Username, err)
			}
			if _, err := db.RequestDisclosure(ctx, f.survivorID, nd); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s requests: err=%v, want NotFound", u.Username, err)
			}
			if _, err := db.Accounting(ctx, f.survivorID); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s reads the accounting: err=%v, want NotFound", u.Username, err)
			}
		}
	})
}
