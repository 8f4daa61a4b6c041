package sqlstore_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestSafeguardRegistryMatchesEncryptedColumns(t *testing.T) {
	var registry []string
	for _, f := range haven.Fields {
		if (f.Table == "mandated_reports" || f.Table == "family_choices") && f.Class.Encrypted() {
			registry = append(registry, f.Column)
		}
	}
	if got := sqlstore.SafeguardEncryptedColumns(); !slices.Equal(registry, got) {
		t.Errorf("encrypted safeguard columns: registry %q, store %q", registry, got)
	}
}

// minorCase is the case fixture with a second record, a minor's, whose
// care team the advocate leads.
func minorCase(t *testing.T, db *sqlstoretest.Store) (*caseFixture, string) {
	t.Helper()
	f := newCaseFixture(t, db)
	s, _, err := db.CreateSurvivor(actorCtx(f.adv), haven.NewSurvivor{Name: "Synthetic Minor", DateOfBirth: "2012-02-03",
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelSMS}}})
	if err != nil || !s.Minor {
		t.Fatalf("minor: %+v %v", s, err)
	}
	return f, s.ID
}

func TestMandatedReportAndGuardian(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, minor := minorCase(t, db)
		adv := actorCtx(f.adv)
		n := haven.NewMandatedReport{Jurisdiction: "tx", AgencyKind: haven.AgencyChildProtection, Agency: "Texas DFPS", DueOn: "2026-05-02"}
		if _, err := db.OpenMandatedReport(adv, f.survivorID, n); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("a mandated report for an adult: err=%v, want Conflict", err)
		}
		if _, err := db.OpenMandatedReport(adv, minor, haven.NewMandatedReport{Jurisdiction: "Texas"}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("a report without its agency: err=%v, want Invalid", err)
		}
		if _, err := db.OpenMandatedReport(actorCtx(f.outsider), minor, n); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("an outsider opens a report: err=%v, want NotFound", err)
		}
		m, err := db.OpenMandatedReport(adv, minor, n)
		if err != nil || m.Jurisdiction != "TX" || m.TaskID == "" || m.GuardianTaskID == "" {
			t.Fatalf("open: %+v %v", m, err)
		}
		tasks, _ := db.Tasks(adv, minor)
		kinds := map[string]string{}
		for _, tk := range tasks {
			kinds[tk.ID] = tk.Kind
		}
		if kinds[m.TaskID] != haven.TaskMandatedReport || kinds[m.GuardianTaskID] != haven.TaskGuardianNotification {
			t.Fatalf("tasks %v: want the report's and the guardian's", kinds)
		}
		done := haven.TaskDone
		// The guardian notification cannot complete without the safety
		// check, nor after one that found the guardian implicated.
		if _, err := db.UpdateTask(adv, minor, m.GuardianTaskID, haven.TaskChange{Status: &done}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("guardian told without a check: err=%v, want Invalid", err)
		}
		if _, err := db.RecordGuardianCheck(adv, m.ID, false, ""); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("a check without a note: err=%v, want Invalid", err)
		}
		if _, err := db.RecordGuardianCheck(adv, m.ID, false, "The aunt arranged the job: implicated."); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateTask(adv, minor, m.GuardianTaskID, haven.TaskChange{Status: &done}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("guardian found implicated, then told: err=%v, want Invalid", err)
		}
		c, err := db.RecordGuardianCheck(adv, m.ID, true, "Spoke with the mother alone; CPS agrees she is not implicated.")
		if err != nil || c.GuardianCheck == nil || !c.GuardianCheck.NotImplicated || c.GuardianCheck.CheckedBy != f.adv.ID {
			t.Fatalf("check: %+v %v", c, err)
		}
		if _, err := db.UpdateTask(adv, minor, m.GuardianTaskID, haven.TaskChange{Status: &done}); err != nil {
			t.Errorf("guardian told after the check: %v", err)
		}
		// The report task completes only by recording the report.
		if _, err := db.UpdateTask(adv, minor, m.TaskID, haven.TaskChange{Status: &done}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("report task ticked off: err=%v, want Invalid", err)
		}
		made := haven.ReportMade{Fields: []string{"survivors.name", "survivors.date_of_birth"}, To: "Texas DFPS intake",
			ReportedOn: "2026-05-01", ReportNumber: "DFPS-26-0042"}
		bad := made
		bad.Fields = []string{"survivors.cultural_considerations"}
		if _, err := db.CompleteMandatedReport(adv, m.ID, bad); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("a report of care preferences: err=%v, want Invalid", err)
		}
		r, err := db.CompleteMandatedReport(adv, m.ID, made)
		if err != nil || r.Made == nil || r.Number == "" {
			t.Fatalf("complete: %+v %v", r, err)
		}
		if _, err := db.CompleteMandatedReport(adv, m.ID, made); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("recorded twice: err=%v, want Conflict", err)
		}
		list, err := db.MandatedReports(adv, minor)
		if err != nil || len(list) != 1 || list[0].Made.ReportNumber != "DFPS-26-0042" || list[0].Made.To != "Texas DFPS intake" {
			t.Fatalf("reports %+v %v", list, err)
		}
		tasks, _ = db.Tasks(adv, minor)
		for _, tk := range tasks {
			if tk.ID == m.TaskID && tk.Status != haven.TaskDone {
				t.Errorf("report task %s, want done", tk.Status)
			}
		}
		acc, err := db.Accounting(adv, minor)
		if err != nil || len(acc) != 1 || acc[0].Basis != haven.BasisMandatedReport || acc[0].Agency != "Texas DFPS intake" ||
			acc[0].Number != r.Number || !slices.Equal(acc[0].Categories, []haven.DataCategory{haven.CategoryIdentity}) {
			t.Errorf("accounting %+v %v: want the report like any other disclosure", acc, err)
		}
		got := auditActions(t, db)
		for _, want := range []string{"mandated_report.open", "mandated_report.guardian_check", "mandated_report.complete", "mandated_report.list"} {
			if !slices.Contains(got, want) {
				t.Errorf("no %q audit entry", want)
			}
		}
	})
}

func TestFamilyChoice(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f, minor := minorCase(t, db)
		adv := actorCtx(f.adv)
		if _, err := db.SetFamilyChoice(adv, f.survivorID, haven.FamilyChoice{Notify: true}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("notify without who: err=%v, want Invalid", err)
		}
		if _, err := db.SetFamilyChoice(adv, minor, haven.FamilyChoice{}); haven.ErrorKind(err) != haven.Conflict {
			t.Errorf("a minor's family choice: err=%v, want Conflict", err)
		}
		if _, err := db.SetFamilyChoice(adv, f.survivorID, haven.FamilyChoice{Notify: true, Who: "CANARYSISTER, her sister in Leeds",
			What: []haven.DataCategory{haven.CategoryContact}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetFamilyChoice(adv, f.survivorID, haven.FamilyChoice{Notify: false, Who: "ignored"}); err != nil {
			t.Fatal(err)
		}
		list, err := db.FamilyChoices(adv, f.survivorID)
		if err != nil || len(list) != 2 || list[0].Notify || list[0].Who != "" || !list[1].Notify ||
			list[1].Who != "CANARYSISTER, her sister in Leeds" || !slices.Equal(list[1].What, []haven.DataCategory{haven.CategoryBasic, haven.CategoryContact}) {
			t.Fatalf("choices %+v %v: want the change in force first, the earlier kept", list, err)
		}
		if _, err := db.FamilyChoices(actorCtx(f.outsider), f.survivorID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("an outsider reads: err=%v, want NotFound", err)
		}
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM family_choices WHERE what LIKE '%CANARY%'`).Scan(&n)
		if n != 0 {
			t.Error("who is stored in the clear")
		}
		if got := auditActions(t, db); !slices.Contains(got, "family_choice.set") || !slices.Contains(got, "family_choice.list") {
			t.Errorf("audit %q", got)
		}
	})
}

func TestTestimonyTimeline(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		f := newCaseFixture(t, db)
		nurse := actorCtx(f.nurse)
		for _, e := range []struct {
			ctx  *haven.User
			day  string
			note string
		}{{f.nurse, "2026-04-20", "nurse later"}, {f.nurse, "2026-03-01", "nurse first"}, {f.adv, "2026-03-15", "CANARYOTHERAUTHOR"}} {
			if _, err := db.AddEncounter(actorCtx(e.ctx), haven.NewEncounter{SurvivorID: f.survivorID, OccurredOn: e.day, Note: e.note}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.RecordContact(nurse, f.survivorID, haven.NewContact{Channel: haven.ChannelSMS, Outcome: haven.ContactReached,
			Note: "checked in"}); err != nil {
			t.Fatal(err)
		}
		tl, err := db.TestimonyTimeline(nurse, f.survivorID)
		if err != nil || len(tl) != 3 || tl[0].Text != "nurse first" || tl[1].Text != "nurse later" || tl[2].Kind != "contact" {
			t.Fatalf("timeline %+v %v: want the nurse's own entries, oldest first", tl, err)
		}
		for _, e := range tl {
			if strings.Contains(e.Text, "CANARYOTHERAUTHOR") {
				t.Error("the timeline holds another author's entry")
			}
		}
		if _, err := db.TestimonyTimeline(actorCtx(f.outsider), f.survivorID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("an outsider exports: err=%v, want NotFound", err)
		}
		if got := auditActions(t, db); !slices.Contains(got, "testimony.export") {
			t.Errorf("the export is not audited: %q", got)
		}
	})
}
