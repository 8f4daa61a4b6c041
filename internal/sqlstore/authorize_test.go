package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// authorizing lists every store method that decides access, called with
// ctx, and the system jobs that may call it. Everything else a system
// job or a bare context asks of them is denied.
func authorizing(db *sqlstoretest.Store) []struct {
	name string
	jobs []haven.SystemJob
	call func(ctx context.Context) error
} {
	d := directory.GenerateDirectory(2, 3)
	instrument := []byte(`{"resourceType":"Questionnaire","url":"https://example.org/q/system","version":"1","status":"active",
		"item":[{"linkId":"a","text":"A?","type":"boolean"}]}`)
	type m = struct {
		name string
		jobs []haven.SystemJob
		call func(ctx context.Context) error
	}
	none := []haven.SystemJob(nil)
	return []m{
		{"CreateUser", []haven.SystemJob{access.JobUserAdd, access.JobDemo}, func(ctx context.Context) error {
			_, err := db.CreateUser(ctx, haven.NewUser{Username: "made." + strings.ReplaceAll(string(mustJob(ctx)), "-", "."),
				Role: haven.RoleAnalyst, Password: testPassword})
			return err
		}},
		{"AddUser", []haven.SystemJob{access.JobUserAdd, access.JobDemo}, func(ctx context.Context) error {
			_, _, err := db.AddUser(ctx, haven.NewAccount{Username: "added." + strings.ReplaceAll(string(mustJob(ctx)), "-", "."),
				Role: haven.RoleAnalyst, Start: haven.StartLink})
			return err
		}},
		{"Users", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { _, err := db.Users(ctx); return err }},
		{"SetUserRole", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error {
			return db.SetUserRole(ctx, "no-such-user", haven.RoleAdmin, "")
		}},
		{"SetUserDisabled", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error {
			return db.SetUserDisabled(ctx, "no-such-user", false)
		}},
		{"ResetTwoStep", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { return db.ResetTwoStep(ctx, "no-such-user") }},
		{"ResetPassword", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error {
			_, err := db.ResetPassword(ctx, "no-such-user", haven.StartLink)
			return err
		}},
		{"SetTwoStepPolicy", none, func(ctx context.Context) error { return db.SetTwoStepPolicy(ctx, []haven.Role{haven.RoleClinician}) }},
		{"ReviewTranslation", none, func(ctx context.Context) error {
			return db.ReviewTranslation(ctx, haven.TranslationReview{Language: "es", Key: "consent.title", Reviewer: "R",
				SourceHash: haven.TextHash("a"), TextHash: haven.TextHash("b")})
		}},
		{"ImportDirectory", []haven.SystemJob{access.JobImportHSDS, access.JobDemo}, func(ctx context.Context) error {
			_, err := db.ImportDirectory(ctx, d, nil)
			return err
		}},
		{"SaveService", []haven.SystemJob{access.JobImportHSDS, access.JobDemo}, func(ctx context.Context) error {
			return db.SaveService(ctx, d.Services[0])
		}},
		{"DeleteDirectoryService", none, func(ctx context.Context) error { return db.DeleteDirectoryService(ctx, "no-such-service") }},
		{"ExportDirectory", []haven.SystemJob{access.JobExportHSDS}, func(ctx context.Context) error {
			_, err := db.ExportDirectory(ctx, false)
			return err
		}},
		{"ExportDirectory confidential", []haven.SystemJob{access.JobExportHSDS}, func(ctx context.Context) error {
			_, err := db.ExportDirectory(ctx, true)
			return err
		}},
		{"DirectoryRecords", []haven.SystemJob{access.JobDirectoryIndex}, func(ctx context.Context) error {
			_, err := db.DirectoryRecords(ctx, nil)
			return err
		}},
		{"ConfidentialDirectoryRecords", []haven.SystemJob{access.JobDirectoryIndex}, func(ctx context.Context) error {
			_, err := db.ConfidentialDirectoryRecords(ctx)
			return err
		}},
		{"SealShelters", []haven.SystemJob{access.JobDirectoryIndex}, func(ctx context.Context) error {
			_, err := db.SealShelters(ctx, []byte("x"))
			return err
		}},
		{"OpenShelters", []haven.SystemJob{access.JobDirectoryIndex}, func(ctx context.Context) error {
			sealed, err := db.SealShelters(haven.WithSystem(context.Background(), access.JobDirectoryIndex), []byte("x"))
			if err == nil {
				_, err = db.OpenShelters(ctx, sealed)
			}
			return err
		}},
		{"ImportInstrument", []haven.SystemJob{access.JobImportInstruments}, func(ctx context.Context) error {
			_, _, err := db.ImportInstrument(ctx, instrument)
			return err
		}},
		{"CreateSurvivor", none, func(ctx context.Context) error { _, _, err := db.CreateSurvivor(ctx, canarySurvivor()); return err }},
		{"Survivor", none, func(ctx context.Context) error { _, err := db.Survivor(ctx, "x"); return err }},
		{"UpdateSurvivor", none, func(ctx context.Context) error { _, err := db.UpdateSurvivor(ctx, "x", canarySurvivor()); return err }},
		{"DeleteSurvivor", none, func(ctx context.Context) error { return db.DeleteSurvivor(ctx, "x") }},
		{"Survivors", none, func(ctx context.Context) error { _, err := db.Survivors(ctx); return err }},
		{"AddCareTeamMember", none, func(ctx context.Context) error { return db.AddCareTeamMember(ctx, "x", "y") }},
		{"RemoveCareTeamMember", none, func(ctx context.Context) error { return db.RemoveCareTeamMember(ctx, "x", "y") }},
		{"SetCareTeamLead", none, func(ctx context.Context) error { return db.SetCareTeamLead(ctx, "x", "y") }},
		{"HandOver", none, func(ctx context.Context) error { return db.HandOver(ctx, "x", "y", false) }},
		{"CareTeam", none, func(ctx context.Context) error { _, err := db.CareTeam(ctx, "x"); return err }},
		{"CareTeamCandidates", none, func(ctx context.Context) error { _, err := db.CareTeamCandidates(ctx, "x"); return err }},
		{"Caseload", none, func(ctx context.Context) error { _, err := db.Caseload(ctx, "2026-05-01"); return err }},
		{"Teams", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { _, err := db.Teams(ctx); return err }},
		{"CareStaff", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { _, err := db.CareStaff(ctx); return err }},
		{"CreateTeam", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { _, err := db.CreateTeam(ctx, "Team"); return err }},
		{"RenameTeam", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { return db.RenameTeam(ctx, "x", "Team") }},
		{"AddTeamMember", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { return db.AddTeamMember(ctx, "x", "y", false) }},
		{"SetTeamSupervisor", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { return db.SetTeamSupervisor(ctx, "x", "y", true) }},
		{"RemoveTeamMember", []haven.SystemJob{access.JobUserAdmin}, func(ctx context.Context) error { return db.RemoveTeamMember(ctx, "x", "y") }},
		{"RecordContact", none, func(ctx context.Context) error {
			return db.RecordContact(ctx, "x", haven.NewContact{Channel: "phone", Outcome: haven.ContactReached})
		}},
		{"Contacts", none, func(ctx context.Context) error { _, err := db.Contacts(ctx, "x"); return err }},
		{"Encounters", none, func(ctx context.Context) error { _, err := db.Encounters(ctx, "x"); return err }},
		{"AddEncounter", none, func(ctx context.Context) error {
			_, err := db.AddEncounter(ctx, haven.NewEncounter{SurvivorID: "x", OccurredOn: "2026-01-02", Note: "n"})
			return err
		}},
		{"SurvivorIDByCaseNumber", none, func(ctx context.Context) error { _, err := db.SurvivorIDByCaseNumber(ctx, "H-0000"); return err }},
		{"CreateScreening", none, func(ctx context.Context) error {
			_, err := db.CreateScreening(ctx, haven.NewScreening{SurvivorID: "x"})
			return err
		}},
		{"Screening", none, func(ctx context.Context) error { _, err := db.Screening(ctx, "x"); return err }},
		{"Screenings", none, func(ctx context.Context) error { _, err := db.Screenings(ctx, "x"); return err }},
		{"RecordScreeningOutcome", none, func(ctx context.Context) error {
			return db.RecordScreeningOutcome(ctx, "x", haven.OutcomeConfirmed)
		}},
		{"LoadCaseload", []haven.SystemJob{access.JobDemo}, func(ctx context.Context) error {
			return db.LoadCaseload(ctx, nil, "no-such-user", nil)
		}},
		{"GapTable", none, func(ctx context.Context) error {
			_, err := db.GapTable(ctx, haven.PopulationNeeds, "domain")
			return err
		}},
		{"CarePlan", none, func(ctx context.Context) error { _, err := db.CarePlan(ctx, "x"); return err }},
		{"Need", none, func(ctx context.Context) error { _, err := db.Need(ctx, "x"); return err }},
		{"AddNeed", none, func(ctx context.Context) error {
			_, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: "x", Domain: "housing"})
			return err
		}},
		{"UpdateNeed", none, func(ctx context.Context) error {
			_, err := db.UpdateNeed(ctx, "x", haven.NeedUpdate{Note: "n"})
			return err
		}},
		{"SuggestedNeeds", none, func(ctx context.Context) error { _, err := db.SuggestedNeeds(ctx, "x"); return err }},
		{"BreakGlass", none, func(ctx context.Context) error {
			_, err := db.BreakGlass(ctx, "x", "a long enough emergency reason")
			return err
		}},
		{"Tasks", none, func(ctx context.Context) error { _, err := db.Tasks(ctx, "x"); return err }},
		{"AddTask", none, func(ctx context.Context) error {
			_, err := db.AddTask(ctx, "x", haven.NewTask{Text: "t", AssigneeID: "y", DueOn: "2026-05-01"})
			return err
		}},
		{"UpdateTask", none, func(ctx context.Context) error {
			_, err := db.UpdateTask(ctx, "x", "y", haven.TaskChange{Status: new(haven.TaskDone)})
			return err
		}},
		{"Assignees", none, func(ctx context.Context) error { _, err := db.Assignees(ctx, "x"); return err }},
		{"Worklist", none, func(ctx context.Context) error {
			_, err := db.Worklist(ctx, haven.WorklistQuery{Today: "2026-05-01", SoonDays: 7, StaleAfterDays: 14})
			return err
		}},
		{"BreakGlassQueue", none, func(ctx context.Context) error { _, err := db.BreakGlassQueue(ctx); return err }},
		{"BreakGlassPending", none, func(ctx context.Context) error { _, err := db.BreakGlassPending(ctx); return err }},
		{"ReviewBreakGlass", none, func(ctx context.Context) error { return db.ReviewBreakGlass(ctx, "x", haven.ReviewJustified) }},
		{"BeginTOTP", none, func(ctx context.Context) error {
			_, err := db.BeginTOTP(ctx, "Haven", haven.Reauth{Password: "x"})
			return err
		}},
		{"DuplicateReviews", none, func(ctx context.Context) error { _, err := db.DuplicateReviews(ctx); return err }},
		{"DuplicateReviewsPending", none, func(ctx context.Context) error { _, err := db.DuplicateReviewsPending(ctx); return err }},
		{"ResolveDuplicateReview", none, func(ctx context.Context) error {
			return db.ResolveDuplicateReview(ctx, "x", haven.DuplicateSamePerson)
		}},
		{"ConfirmTOTP", none, func(ctx context.Context) error { _, err := db.ConfirmTOTP(ctx, "000000"); return err }},
		{"Sessions", none, func(ctx context.Context) error { _, err := db.Sessions(ctx); return err }},
		{"EndSession", none, func(ctx context.Context) error { return db.EndSession(ctx, "x") }},
		{"CreateAPIToken", none, func(ctx context.Context) error {
			_, _, err := db.CreateAPIToken(ctx, "t", []haven.Scope{haven.Scope("directory:read")}, time.Hour)
			return err
		}},
		{"RevokeAPIToken", none, func(ctx context.Context) error { return db.RevokeAPIToken(ctx, "x") }},
		{"APITokens", none, func(ctx context.Context) error { _, err := db.APITokens(ctx); return err }},
		{"CreateServiceAccount", []haven.SystemJob{access.JobUserAdd, access.JobDemo}, func(ctx context.Context) error {
			_, err := db.CreateServiceAccount(ctx, haven.NewServiceAccount{Username: "svc." + strings.ReplaceAll(string(mustJob(ctx)), "-", "."),
				Role: haven.RoleClinician})
			return err
		}},
		{"ServiceAccounts", []haven.SystemJob{access.JobAPITokens}, func(ctx context.Context) error {
			_, err := db.ServiceAccounts(ctx)
			return err
		}},
		{"IssueAPIToken", []haven.SystemJob{access.JobAPITokens}, func(ctx context.Context) error {
			_, _, err := db.IssueAPIToken(ctx, "no-such-user", "t", []haven.Scope{haven.ScopeFHIRRead}, time.Hour)
			return err
		}},
		{"AccountAPITokens", []haven.SystemJob{access.JobAPITokens}, func(ctx context.Context) error {
			_, err := db.AccountAPITokens(ctx, "no-such-user")
			return err
		}},
		{"RevokeAccountAPIToken", []haven.SystemJob{access.JobAPITokens}, func(ctx context.Context) error {
			return db.RevokeAccountAPIToken(ctx, "no-such-user", "x")
		}},
		{"Consents", none, func(ctx context.Context) error { _, err := db.Consents(ctx, "x"); return err }},
		{"Consent", none, func(ctx context.Context) error { _, err := db.Consent(ctx, "x"); return err }},
		{"RecordConsent", none, func(ctx context.Context) error { _, err := db.RecordConsent(ctx, "x", haven.NewConsent{}); return err }},
		{"RevokeConsent", none, func(ctx context.Context) error { _, err := db.RevokeConsent(ctx, "x", "y"); return err }},
		{"CreateReferral", none, func(ctx context.Context) error {
			_, err := db.CreateReferral(ctx, "x", haven.NewReferral{ServiceID: "s", ConsentID: "c"})
			return err
		}},
		{"Referrals", none, func(ctx context.Context) error { _, err := db.Referrals(ctx, "x"); return err }},
		{"Referral", none, func(ctx context.Context) error { _, err := db.Referral(ctx, "x"); return err }},
		{"Packet", none, func(ctx context.Context) error { _, err := db.Packet(ctx, "x"); return err }},
		{"PreviewPacket", none, func(ctx context.Context) error {
			_, err := db.PreviewPacket(ctx, "x", haven.NewReferral{ServiceID: "s", ConsentID: "c"})
			return err
		}},
		{"Inbox", none, func(ctx context.Context) error { _, err := db.Inbox(ctx); return err }},
		{"RemindWaitingReferrals", []haven.SystemJob{access.JobReferralReminders}, func(ctx context.Context) error {
			_, err := db.RemindWaitingReferrals(ctx, time.Hour, "2026-05-01")
			return err
		}},
		{"MoveReferral", none, func(ctx context.Context) error {
			_, err := db.MoveReferral(ctx, "x", haven.StatusChange{Status: haven.ReferralAccepted})
			return err
		}},
		{"SearchAudit", none, func(ctx context.Context) error { _, err := db.SearchAudit(ctx, haven.AuditQuery{}); return err }},
		{"ExportAudit", none, func(ctx context.Context) error { _, err := db.ExportAudit(ctx, haven.AuditQuery{}); return err }},
		{"AccessReport", none, func(ctx context.Context) error { _, err := db.AccessReport(ctx, "x"); return err }},
		{"AuditStatus", none, func(ctx context.Context) error { _, err := db.AuditStatus(ctx, nil); return err }},
		{"SubmitQuiz", none, func(ctx context.Context) error { _, err := db.SubmitQuiz(ctx, "indicators", nil); return err }},
		{"TrainingCompletions", none, func(ctx context.Context) error { _, err := db.TrainingCompletions(ctx); return err }},
		{"TrainingCompletion", none, func(ctx context.Context) error { _, err := db.TrainingCompletion(ctx, "x"); return err }},
		{"AddExternalTraining", none, func(ctx context.Context) error {
			_, err := db.AddExternalTraining(ctx, haven.ExternalTraining{}, nil)
			return err
		}},
		{"ExternalTrainings", none, func(ctx context.Context) error { _, err := db.ExternalTrainings(ctx); return err }},
		{"ExternalCertificate", none, func(ctx context.Context) error { _, _, err := db.ExternalCertificate(ctx, "x"); return err }},
		{"Licence", none, func(ctx context.Context) error { _, err := db.Licence(ctx, "x"); return err }},
		{"SetLicence", none, func(ctx context.Context) error { return db.SetLicence(ctx, haven.Licence{UserID: "x"}) }},
		{"MyCompliance", none, func(ctx context.Context) error { _, err := db.MyCompliance(ctx); return err }},
		{"StaffCompliance", none, func(ctx context.Context) error { _, err := db.StaffCompliance(ctx); return err }},
		{"TrainingPolicy", none, func(ctx context.Context) error { _, err := db.TrainingPolicy(ctx); return err }},
		{"SetTrainingPolicy", none, func(ctx context.Context) error { return db.SetTrainingPolicy(ctx, haven.TrainingPolicy{}) }},
		{"ScreeningTrainingMissing", none, func(ctx context.Context) error { _, err := db.ScreeningTrainingMissing(ctx); return err }},
		{"ProposeDisclosure", none, func(ctx context.Context) error {
			_, _, err := db.ProposeDisclosure(ctx, "x", haven.BasisSubpoena, "")
			return err
		}},
		{"RequestDisclosure", none, func(ctx context.Context) error {
			_, err := db.RequestDisclosure(ctx, "x", haven.NewDisclosure{})
			return err
		}},
		{"Disclosures", none, func(ctx context.Context) error { _, err := db.Disclosures(ctx, "x"); return err }},
		{"Disclosure", none, func(ctx context.Context) error { _, err := db.Disclosure(ctx, "x"); return err }},
		{"PendingDisclosures", none, func(ctx context.Context) error { _, err := db.PendingDisclosures(ctx); return err }},
		{"PreviewDisclosure", none, func(ctx context.Context) error { _, err := db.PreviewDisclosure(ctx, "x"); return err }},
		{"DecideDisclosure", none, func(ctx context.Context) error { _, err := db.DecideDisclosure(ctx, "x", true, "r"); return err }},
		{"ResubmitDisclosure", none, func(ctx context.Context) error {
			_, err := db.ResubmitDisclosure(ctx, "x", []string{"survivors.name"})
			return err
		}},
		{"DisclosurePackage", none, func(ctx context.Context) error { _, err := db.DisclosurePackage(ctx, "x", "pdf"); return err }},
		{"Accounting", none, func(ctx context.Context) error { _, err := db.Accounting(ctx, "x"); return err }},
		{"OpenMandatedReport", none, func(ctx context.Context) error {
			_, err := db.OpenMandatedReport(ctx, "x", haven.NewMandatedReport{})
			return err
		}},
		{"CompleteMandatedReport", none, func(ctx context.Context) error {
			_, err := db.CompleteMandatedReport(ctx, "x", haven.ReportMade{})
			return err
		}},
		{"MandatedReports", none, func(ctx context.Context) error { _, err := db.MandatedReports(ctx, "x"); return err }},
		{"RecordGuardianCheck", none, func(ctx context.Context) error { _, err := db.RecordGuardianCheck(ctx, "x", true, "n"); return err }},
		{"SetFamilyChoice", none, func(ctx context.Context) error {
			_, err := db.SetFamilyChoice(ctx, "x", haven.FamilyChoice{})
			return err
		}},
		{"FamilyChoices", none, func(ctx context.Context) error { _, err := db.FamilyChoices(ctx, "x"); return err }},
		{"TestimonyTimeline", none, func(ctx context.Context) error { _, err := db.TestimonyTimeline(ctx, "x"); return err }},
	}
}

func mustJob(ctx context.Context) haven.SystemJob {
	j, _ := haven.SystemFrom(ctx)
	return j
}

func denied(err error) bool {
	k := haven.ErrorKind(err)
	return err != nil && (k == haven.Unauthenticated || k == haven.Forbidden)
}

// TestNoActorNoAccess calls every method that decides access with a bare
// context (denied, Unauthenticated) and as every system job (denied but
// for the jobs access.SystemGrants lists for it).
func TestNoActorNoAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		for _, m := range authorizing(db) {
			if err := m.call(context.Background()); haven.ErrorKind(err) != haven.Unauthenticated {
				t.Errorf("%s without an actor: err=%v, want Unauthenticated", m.name, err)
			}
			for _, job := range append(access.SystemJobs(), "backup") {
				err := m.call(haven.WithSystem(context.Background(), job))
				if want := slices.Contains(m.jobs, job); denied(err) == want {
					t.Errorf("%s as system job %q: err=%v, want allowed=%v", m.name, job, err, want)
				}
			}
		}
		if n, _ := db.CountUsers(context.Background()); n != 6 {
			t.Errorf("%d users, want 6 (user-add and demo, each by CreateUser, AddUser and CreateServiceAccount)", n)
		}
		size, _ := db.AuditSize(context.Background())
		entries, err := db.AuditEntries(context.Background(), 0, size)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if e.Action == "user.create" {
				got = append(got, e.ActorID+" "+e.Outcome)
			}
		}
		if !slices.Contains(got, "system:user-add success") || !slices.Contains(got, " denied") {
			t.Errorf("user.create audit entries %q: want the job named as the actor, and the bare context's denial", got)
		}
	})
}

// notAuthorizing are the methods that decide no access, and why: they
// establish the actor, read public or derived data, or are plumbing below
// the access decision (the command line and serve's own loops call them).
var notAuthorizing = []string{
	"SignIn", "SignOut", "Authenticate", "AuthenticateAPIToken", // establish or end the actor
	// The user's own sign-in state, password and the policy that governs
	// it; a set-password link is its own authority, as a password is.
	"SignInState", "TwoStepPolicy", "ChangePassword", "CheckPasswordLink", "SetPasswordByLink",
	"TranslationReviews",         // review marks of the shipped survivor texts, shown to all staff
	"FindUserByID", "CountUsers", // a user's own account; serve's first-run check
	"Instruments", "Instrument", // the shipped and imported questionnaires
	"DirectoryChanges", "DirectoryOrganizations", "DirectoryServices", "DirectoryServiceAtLocations", "DirectoryTaxonomies",
	"DirectoryTaxonomyTerms", "DirectoryVersion", // public directory, index plumbing
	"IntegrateAudit", "AuditSize", "AuditEntries", "AuditRoot", "InclusionProof", "ConsistencyProof", "SignCheckpoint",
	"LatestCheckpoint", "VerifyAudit", "DeferReadAudits", "FlushReadAudits", // the audit log's own machinery
	"RotateKeys", "Backup", "CheckIntegrity", "CheckSchema", "Close", "Engine", "KeyStoreSQL", "Migrate", "OpenKeyStore", "Ping", "Ready", "SQL", "SchemaStatus",
	"ReloadKeys", // loads the configured master key file: no data read or written
}

// TestEveryStoreMethodDecidesAccessOrSaysWhyNot makes a new method take a
// side: in authorizing (and so in the bare-context test) or in
// notAuthorizing.
func TestEveryStoreMethodDecidesAccessOrSaysWhyNot(t *testing.T) {
	var names []string
	for _, m := range authorizing(nil) {
		names = append(names, strings.Fields(m.name)[0])
	}
	for _, typ := range storeTypes {
		for i := range typ.NumMethod() {
			name := typ.Method(i).Name
			if !slices.Contains(names, name) && !slices.Contains(notAuthorizing, name) && !strings.HasSuffix(name, "ForTest") {
				t.Errorf("(%s).%s is in neither authorizing nor notAuthorizing", typ, name)
			}
		}
	}
}
