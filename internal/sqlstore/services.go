package sqlstore

import "github.com/haven-care/haven"

// AccountService keeps accounts: users, sign-in and sessions, two-step
// sign-in and API tokens (user.go, signin.go, session.go, totp.go,
// apitoken.go).
type AccountService struct{ *store }

// UserAdminService is user administration and passwords: adding,
// disabling and enabling users, roles, resetting two-step sign-in, the
// two-step policy, set-password links and the user's own password change
// (useradmin.go).
type UserAdminService struct{ *store }

// TranslationService keeps the reviews of survivor-facing translations
// (translation.go).
type TranslationService struct{ *store }

// SurvivorService keeps survivors' records, the
// contacts made under their safe-contact plans and the supervisors' review
// of possible duplicates (survivor.go, survivor_read.go, survivor_atrest.go,
// survivor_migrate.go, duplicate.go, contact.go).
type SurvivorService struct{ *store }

// CareTeamService keeps survivors' care teams and the supervisors'
// caseload (careteam.go).
type CareTeamService struct{ *store }

// TeamService keeps the teams of staff (team.go).
type TeamService struct{ *store }

// ScreeningService keeps screening instruments and the screenings run with
// them (screening.go).
type ScreeningService struct{ *store }

// EncounterService keeps encounters: dated, sealed notes with the
// ICD-10-CM codes a clinician accepted from a screening's suggestions
// (encounter.go).
type EncounterService struct{ *store }

// CarePlanService keeps survivors' care plans: their needs in their own
// words, each need's history, and the needs their screenings suggest
// (careplan.go).
type CarePlanService struct{ *store }

// DirectoryService keeps the service directory: organizations, services,
// locations and the tables around them (directory.go, directory_read.go).
type DirectoryService struct{ *store }

// BreakGlassService grants and reviews emergency access (breakglass.go,
// breakglass_lookup.go).
type BreakGlassService struct{ *store }

// TaskService keeps a case's tasks and follow-ups and builds the start
// page's worklist (task.go, task_worklist.go).
type TaskService struct{ *store }

// ConsentService keeps the consent ledger: what each survivor agreed to
// share, with whom, for what and until when (consent.go).
type ConsentService struct{ *store }

// ReferralService keeps referrals: sent under a covering consent, moved
// by the receiving organization through their statuses, their packets
// built from the record on each read (referral.go).
type ReferralService struct{ *store }

// APITokenAdminService creates service accounts and issues, lists and
// revokes the API tokens of a named account (apitoken_admin.go).
type APITokenAdminService struct{ *store }

// AuditService reads, hashes, proves and checkpoints the audit log
// (audit.go). Entries are written by the other services, in the
// transaction of the change they record.
type AuditService struct{ *store }

var (
	_ haven.AccountService           = (*AccountService)(nil)
	_ haven.SurvivorService          = (*SurvivorService)(nil)
	_ haven.DuplicateReviewService   = (*SurvivorService)(nil)
	_ haven.CareTeamService          = (*CareTeamService)(nil)
	_ haven.TeamService              = (*TeamService)(nil)
	_ haven.ScreeningService         = (*ScreeningService)(nil)
	_ haven.EncounterService         = (*EncounterService)(nil)
	_ haven.CarePlanService          = (*CarePlanService)(nil)
	_ haven.DirectoryService         = (*DirectoryService)(nil)
	_ haven.PublicDirectory          = (*DirectoryService)(nil)
	_ haven.BreakGlassService        = (*BreakGlassService)(nil)
	_ haven.AuditService             = (*AuditService)(nil)
	_ haven.TaskService              = (*TaskService)(nil)
	_ haven.ConsentService           = (*ConsentService)(nil)
	_ haven.ReferralService          = (*ReferralService)(nil)
	_ haven.UserAdminService         = (*UserAdminService)(nil)
	_ haven.PasswordService          = (*UserAdminService)(nil)
	_ haven.TranslationReviewService = (*TranslationService)(nil)
	_ haven.APITokenAdminService     = (*APITokenAdminService)(nil)
	_ haven.GapService               = (*GapService)(nil)
)

// NewAccountService returns the account service over db.
func NewAccountService(db *DB) *AccountService { return &AccountService{db.store} }

// NewUserAdminService returns the user administration service over db.
func NewUserAdminService(db *DB) *UserAdminService { return &UserAdminService{db.store} }

// NewTranslationService returns the translation review service over db.
func NewTranslationService(db *DB) *TranslationService { return &TranslationService{db.store} }

// NewSurvivorService returns the survivor service over db.
func NewSurvivorService(db *DB) *SurvivorService { return &SurvivorService{db.store} }

// NewCareTeamService returns the care-team service over db.
func NewCareTeamService(db *DB) *CareTeamService { return &CareTeamService{db.store} }

// NewTeamService returns the service of teams of staff over db.
func NewTeamService(db *DB) *TeamService { return &TeamService{db.store} }

// NewScreeningService returns the screening service over db.
func NewScreeningService(db *DB) *ScreeningService { return &ScreeningService{db.store} }

// NewEncounterService returns the encounter service over db.
func NewEncounterService(db *DB) *EncounterService { return &EncounterService{db.store} }

// NewCarePlanService returns the care-plan service over db.
func NewCarePlanService(db *DB) *CarePlanService { return &CarePlanService{db.store} }

// NewDirectoryService returns the directory service over db.
func NewDirectoryService(db *DB) *DirectoryService { return &DirectoryService{db.store} }

// NewBreakGlassService returns the emergency-access service over db.
func NewBreakGlassService(db *DB) *BreakGlassService { return &BreakGlassService{db.store} }

// NewAuditService returns the audit service over db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db.store} }

// NewTaskService returns the task and worklist service over db.
func NewTaskService(db *DB) *TaskService { return &TaskService{db.store} }

// NewConsentService returns the consent ledger over db.
func NewConsentService(db *DB) *ConsentService { return &ConsentService{db.store} }

// NewReferralService returns the referral service over db.
func NewReferralService(db *DB) *ReferralService { return &ReferralService{db.store} }

// NewAPITokenAdminService returns the service of service accounts and
// their API tokens over db.
func NewAPITokenAdminService(db *DB) *APITokenAdminService { return &APITokenAdminService{db.store} }

// AuditTrailService is the readable audit trail: search, export, status
// and survivors' access reports (audittrail.go).
type AuditTrailService struct{ *store }

var _ haven.AuditTrailService = (*AuditTrailService)(nil)

// NewAuditTrailService returns the readable audit trail over db.
func NewAuditTrailService(db *DB) *AuditTrailService { return &AuditTrailService{db.store} }

// TrainingService keeps staff training: quiz attempts at Haven's modules,
// external trainings, licences, compliance with the jurisdictions' rules
// and the training policy (training.go).
type TrainingService struct{ *store }

var _ haven.TrainingService = (*TrainingService)(nil)

// DisclosureService keeps requests for disclosure outside the care team,
// their two-person approval, their packages and the survivors'
// accountings of disclosures (disclosure.go).
type DisclosureService struct{ *store }

var _ haven.DisclosureService = (*DisclosureService)(nil)

// NewDisclosureService returns the disclosure service over db.
func NewDisclosureService(db *DB) *DisclosureService { return &DisclosureService{db.store} }

// SafeguardService keeps minors' mandated reports and guardian safety
// checks, adults' choices about telling their family, and clinicians'
// testimony timelines (safeguard.go).
type SafeguardService struct{ *store }

var _ haven.SafeguardService = (*SafeguardService)(nil)

// NewSafeguardService returns the safeguard service over db.
func NewSafeguardService(db *DB) *SafeguardService { return &SafeguardService{db.store} }

// NewTrainingService returns the training service over db.
func NewTrainingService(db *DB) *TrainingService { return &TrainingService{db.store} }
