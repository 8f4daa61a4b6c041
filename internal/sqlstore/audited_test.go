package sqlstore_test

import (
	"context"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestEveryChangeIsAudited calls each state-changing store method (and each
// read of survivor data) and checks that it wrote at least one audit entry.
func TestEveryChangeIsAudited(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		ctx := context.Background()
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		er := mustUser(t, db, "er.nurse", haven.RoleClinician)
		admin := adminCtx(t, db, "root.admin")
		actx, sctx := actorCtx(adv), actorCtx(sup)
		var token, sessionID, apiTokenID, survivorID, grantID, secret, taskID, teamID string
		steps := []struct {
			name string
			run  func() error
		}{
			{"CreateUser", func() error {
				_, err := db.CreateUser(userAdd(ctx), haven.NewUser{Username: "newbie", Role: haven.RoleAnalyst, Password: testPassword})
				return err
			}},
			{"SignIn", func() error {
				var s *haven.Session
				var err error
				token, s, err = signIn(db, "advocate", testPassword, "")
				if s != nil {
					sessionID = s.ID
				}
				return err
			}},
			{"SignIn/failure", func() error { signIn(db, "advocate", "wrong password", ""); return nil }},
			{"BeginTOTP", func() error {
				link, err := db.BeginTOTP(haven.WithActor(ctx, haven.Actor{UserID: adv.ID, Role: adv.Role, SessionID: sessionID}), "Haven",
					haven.Reauth{Password: testPassword})
				u, _ := url.Parse(link)
				secret = u.Query().Get("secret")
				return err
			}},
			{"ConfirmTOTP", func() error {
				code, _ := totp.GenerateCode(secret, clock.t)
				_, err := db.ConfirmTOTP(haven.WithActor(ctx, haven.Actor{UserID: adv.ID, Role: adv.Role, SessionID: sessionID}), code)
				return err
			}},
			{"CreateAPIToken", func() error {
				_, tok, err := db.CreateAPIToken(actx, "t", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
				if tok != nil {
					apiTokenID = tok.ID
				}
				return err
			}},
			{"RevokeAPIToken", func() error { return db.RevokeAPIToken(actx, apiTokenID) }},
			{"CreateSurvivor", func() error {
				s, _, err := db.CreateSurvivor(actx, canarySurvivor())
				if s != nil {
					survivorID = s.ID
				}
				return err
			}},
			{"Survivor", func() error { _, err := db.Survivor(actx, survivorID); return err }},
			{"Survivor/denied", func() error { db.Survivor(actorCtx(er), survivorID); return nil }},
			{"Survivors", func() error { _, err := db.Survivors(actx); return err }},
			{"UpdateSurvivor", func() error { _, err := db.UpdateSurvivor(actx, survivorID, canarySurvivor()); return err }},
			{"RecordContact", func() error {
				return db.RecordContact(actx, survivorID, haven.NewContact{Channel: haven.ChannelSMS, Outcome: haven.ContactReached})
			}},
			{"RecordContact/refused", func() error {
				db.RecordContact(actx, survivorID, haven.NewContact{Channel: haven.ChannelEmail, Outcome: haven.ContactReached})
				return nil
			}},
			{"Contacts", func() error { _, err := db.Contacts(actx, survivorID); return err }},
			{"AddEncounter", func() error {
				_, err := db.AddEncounter(actx, haven.NewEncounter{SurvivorID: survivorID, OccurredOn: "2026-04-30", Note: "n"})
				return err
			}},
			{"Encounters", func() error { _, err := db.Encounters(actx, survivorID); return err }},
			{"AddCareTeamMember", func() error { return db.AddCareTeamMember(actx, survivorID, sup.ID) }},
			{"CareTeam", func() error { _, err := db.CareTeam(actx, survivorID); return err }},
			{"CareTeamCandidates", func() error { _, err := db.CareTeamCandidates(actx, survivorID); return err }},
			{"SetCareTeamLead", func() error { return db.SetCareTeamLead(sctx, survivorID, sup.ID) }},
			{"HandOver", func() error { return db.HandOver(sctx, survivorID, adv.ID, true) }},
			{"RemoveCareTeamMember", func() error {
				other := mustUser(t, db, "other.nurse", haven.RoleClinician)
				if err := db.AddCareTeamMember(actx, survivorID, other.ID); err != nil {
					return err
				}
				return db.RemoveCareTeamMember(actx, survivorID, other.ID)
			}},
			{"Caseload", func() error { _, err := db.Caseload(sctx, "2026-05-01"); return err }},
			{"CreateTeam", func() error {
				t, err := db.CreateTeam(admin, "Night shift")
				if t != nil {
					teamID = t.ID
				}
				return err
			}},
			{"RenameTeam", func() error { return db.RenameTeam(admin, teamID, "Day shift") }},
			{"AddTeamMember", func() error { return db.AddTeamMember(admin, teamID, adv.ID, false) }},
			{"AddTeamMember/supervisor", func() error { return db.AddTeamMember(admin, teamID, sup.ID, false) }},
			{"SetTeamSupervisor", func() error { return db.SetTeamSupervisor(admin, teamID, sup.ID, true) }},
			{"RemoveTeamMember", func() error { return db.RemoveTeamMember(admin, teamID, adv.ID) }},
			{"SurvivorIDByCaseNumber", func() error { db.SurvivorIDByCaseNumber(actorCtx(er), "HV-NONE-NONE"); return nil }},
			{"BreakGlass", func() error {
				g, err := db.BreakGlass(actorCtx(er), survivorID, "Emergency department needs allergies now")
				if g != nil {
					grantID = g.ID
				}
				return err
			}},
			{"ReviewBreakGlass", func() error { return db.ReviewBreakGlass(sctx, grantID, haven.ReviewJustified) }},
			{"AddTask", func() error {
				t, err := db.AddTask(actx, survivorID, haven.NewTask{Text: "Call back", AssigneeID: adv.ID, DueOn: "2026-05-02"})
				if t != nil {
					taskID = t.ID
				}
				return err
			}},
			{"UpdateTask", func() error {
				_, err := db.UpdateTask(actx, survivorID, taskID, haven.TaskChange{Status: new(haven.TaskDone)})
				return err
			}},
			{"Tasks", func() error { _, err := db.Tasks(actx, survivorID); return err }},
			{"Assignees", func() error { _, err := db.Assignees(actx, survivorID); return err }},
			{"Worklist", func() error {
				_, err := db.Worklist(actx, haven.WorklistQuery{Today: "2026-05-01", SoonDays: 7, StaleAfterDays: 14})
				return err
			}},
			{"RotateKeys", func() error { _, err := db.RotateKeys(ctx); return err }},
			{"DeleteSurvivor", func() error { return db.DeleteSurvivor(sctx, survivorID) }},
			{"EndSession", func() error { _, s, _ := signIn(db, "supervisor", testPassword, ""); return db.EndSession(sctx, s.ID) }},
			{"SignOut", func() error { return db.SignOut(ctx, token) }},
			{"SetUserRole", func() error { return db.SetUserRole(admin, er.ID, haven.RoleAdvocate, "") }},
			{"SetUserDisabled", func() error { return db.SetUserDisabled(admin, er.ID, true) }},
		}
		for _, st := range steps {
			before, _ := db.AuditSize(ctx)
			if err := st.run(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			after, _ := db.AuditSize(ctx)
			if after <= before {
				t.Errorf("%s wrote no audit entry", st.name)
			}
		}
	})
}

// methodKinds classifies every exported method of the store's types, so that a
// new method must be placed: "audited" ones write an entry (the test above
// or the area's own tests show it), "read" ones hold no survivor data or
// are the audit log itself, "infra" ones are plumbing.
var methodKinds = map[string][]string{
	"audited": {"LoadCaseload", "RecordScreeningOutcome", "AddCareTeamMember", "CareTeam", "CareTeamCandidates", "Caseload", "HandOver", "RemoveCareTeamMember", "SetCareTeamLead",
		"CreateTeam", "RenameTeam", "AddTeamMember", "SetTeamSupervisor", "RemoveTeamMember",
		"BeginTOTP", "BreakGlass", "ConfirmTOTP", "CreateAPIToken", "CreateScreening", "CreateSurvivor",
		"CreateUser", "DeleteDirectoryService", "DeleteSurvivor", "EndSession", "ImportDirectory", "ImportInstrument", "SaveService",
		"RecordContact", "ReviewBreakGlass", "RevokeAPIToken", "RotateKeys", "Screening", "Screenings", "SetUserDisabled",
		"SetUserRole", "SignIn", "SignOut", "Survivor", "SurvivorIDByCaseNumber", "Survivors", "UpdateSurvivor",
		// TestEncountersAudited and TestContactHistory check their entries.
		"AddEncounter", "Encounters", "Contacts",
		// TestDuplicateReviewQueue checks their entries.
		"DuplicateReviews", "ResolveDuplicateReview",
		// TestTasksAddListUpdate and TestWorklistBuckets check their entries.
		"AddTask", "UpdateTask", "Tasks", "Assignees", "Worklist",
		// TestConsentLedger checks their entries.
		"Consents", "Consent", "RecordConsent", "RevokeConsent",
		// TestUserAdminAudit checks their entries.
		"Users", "AddUser", "ResetTwoStep", "ResetPassword", "SetTwoStepPolicy", "ChangePassword", "SetPasswordByLink", "ReviewTranslation",
		// TestReferralClosedLoop and TestRevocationStopsThePartnerAtOnce check theirs.
		"CreateReferral", "Referrals", "Referral", "Packet", "PreviewPacket", "Inbox", "MoveReferral", "RemindWaitingReferrals",
		// TestCarePlanAudit checks their entries.
		"AddNeed", "CarePlan", "Need", "SuggestedNeeds", "UpdateNeed",
		// TestAPITokenAdmin checks their entries.
		"CreateServiceAccount", "IssueAPIToken", "RevokeAccountAPIToken",

		// TestTrainingAndTrailAudited, TestAccessReport and TestTraining* check their entries.
		"SearchAudit", "ExportAudit", "AccessReport", "SubmitQuiz", "AddExternalTraining", "ExternalCertificate",
		"SetLicence", "StaffCompliance", "SetTrainingPolicy",
		// TestDisclosureWalk and TestDisclosureStepsAudited check their entries.
		"ProposeDisclosure", "RequestDisclosure", "Disclosures", "Disclosure", "PendingDisclosures", "PreviewDisclosure",
		"DecideDisclosure", "ResubmitDisclosure", "DisclosurePackage", "Accounting",
		// TestMandatedReportAndGuardian, TestFamilyChoice and TestTestimonyTimeline check theirs.
		"OpenMandatedReport", "CompleteMandatedReport", "MandatedReports", "RecordGuardianCheck", "SetFamilyChoice",
		"FamilyChoices", "TestimonyTimeline"},
	"read": {"APITokens", "AuditEntries", "AuditRoot", "AuditSize", "Authenticate", "AuthenticateAPIToken", "BreakGlassPending", "BreakGlassQueue",
		"DuplicateReviewsPending",
		// A user's own sign-in state and the policy; link checks and the
		// review marks of shipped texts: no survivor data.
		"SignInState", "TwoStepPolicy", "CheckPasswordLink", "TranslationReviews",
		// Service accounts and their tokens' names and dates: no survivor data.
		"ServiceAccounts", "AccountAPITokens",
		// Teams of staff and the staff who may join them: no survivor data.
		"Teams", "CareStaff",
		"ConsistencyProof", "CountUsers", "FindUserByID", "InclusionProof", "Instrument", "Instruments", "LatestCheckpoint",
		"Sessions", "VerifyAudit", "SignCheckpoint", "AuditStatus",
		// A user's own training records and the training settings: staff
		// data, no survivor data.
		"TrainingCompletions", "TrainingCompletion", "ExternalTrainings", "Licence", "MyCompliance", "TrainingPolicy",
		"ScreeningTrainingMissing",
		// Writes the tree hashes of entries already in the log: derived
		// data, which VerifyAudit recomputes and checks.
		"IntegrateAudit",
		// The service directory is public information, not survivor data.
		"DirectoryChanges", "DirectoryOrganizations",
		// Suppressed aggregates only; the analyst's reads of them leave
		// no survivor's trace. RecordScreeningOutcome is audited
		// (TestScreeningOutcomeAudited).
		"GapTable", "DirectoryRecords", "DirectoryServices", "DirectoryServiceAtLocations",
		"DirectoryTaxonomies", "DirectoryTaxonomyTerms", "DirectoryVersion", "ExportDirectory",
		"ConfidentialDirectoryRecords",
		// Seal and open the index snapshot's shelters: no stored data changes.
		"SealShelters", "OpenShelters"},
	"infra": {"DeferReadAudits", "FlushReadAudits", "Backup", "CheckIntegrity", "CheckSchema", "Close", "Engine", "KeyStoreSQL", "Migrate", "OpenKeyStore", "Ping", "Ready", "ReloadKeys", "SQL", "SchemaStatus"},
}

// storeTypes are the exported types of the store: its lifecycle and one
// service per domain.
var storeTypes = []reflect.Type{
	reflect.TypeFor[*sqlstore.DB](),
	reflect.TypeFor[*sqlstore.AccountService](),
	reflect.TypeFor[*sqlstore.UserAdminService](),
	reflect.TypeFor[*sqlstore.TranslationService](),
	reflect.TypeFor[*sqlstore.SurvivorService](),
	reflect.TypeFor[*sqlstore.CareTeamService](),
	reflect.TypeFor[*sqlstore.TeamService](),
	reflect.TypeFor[*sqlstore.ScreeningService](),
	reflect.TypeFor[*sqlstore.EncounterService](),
	reflect.TypeFor[*sqlstore.CarePlanService](),
	reflect.TypeFor[*sqlstore.DirectoryService](),
	reflect.TypeFor[*sqlstore.BreakGlassService](),
	reflect.TypeFor[*sqlstore.AuditService](),
	reflect.TypeFor[*sqlstore.TaskService](),
	reflect.TypeFor[*sqlstore.ConsentService](),
	reflect.TypeFor[*sqlstore.ReferralService](),
	reflect.TypeFor[*sqlstore.APITokenAdminService](),
	reflect.TypeFor[*sqlstore.AuditTrailService](),
	reflect.TypeFor[*sqlstore.TrainingService](),
	reflect.TypeFor[*sqlstore.DisclosureService](),
	reflect.TypeFor[*sqlstore.SafeguardService](),
	reflect.TypeFor[*sqlstore.GapService](),
}

func TestEveryStoreMethodIsClassified(t *testing.T) {
	for _, typ := range storeTypes {
		for i := range typ.NumMethod() {
			name := typ.Method(i).Name
			found := strings.HasSuffix(name, "ForTest") // test hooks from export_test.go
			for _, names := range methodKinds {
				found = found || slices.Contains(names, name)
			}
			if !found {
				t.Errorf("(%s).%s is not classified in methodKinds: does it change state, and is that audited?", typ, name)
			}
		}
	}
}

// TestStoreTypesStayNarrow keeps each domain in a room of its own: a type
// that grows past 20 methods is two domains.
func TestStoreTypesStayNarrow(t *testing.T) {
	for _, typ := range storeTypes {
		if n := typ.NumMethod(); n > 20 {
			t.Errorf("%s has %d exported methods, want at most 20: split the domain", typ, n)
		}
	}
}
