package sqlstore

import "github.com/haven-care/haven"

// AccountService keeps accounts: users, sign-in and sessions, two-step
// sign-in and API tokens (user.go, signin.go, session.go, totp.go,
// apitoken.go).
type AccountService struct{ *store }

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

// ConsentService keeps the consent ledger: what each survivor agreed to
// share, with whom, for what and until when (consent.go).
type ConsentService struct{ *store }

// AuditService reads, hashes, proves and checkpoints the audit log
// (audit.go). Entries are written by the other services, in the
// transaction of the change they record.
type AuditService struct{ *store }

var (
	_ haven.AccountService         = (*AccountService)(nil)
	_ haven.SurvivorService        = (*SurvivorService)(nil)
	_ haven.DuplicateReviewService = (*SurvivorService)(nil)
	_ haven.CareTeamService        = (*CareTeamService)(nil)
	_ haven.TeamService            = (*TeamService)(nil)
	_ haven.ScreeningService       = (*ScreeningService)(nil)
	_ haven.CarePlanService        = (*CarePlanService)(nil)
	_ haven.DirectoryService       = (*DirectoryService)(nil)
	_ haven.PublicDirectory        = (*DirectoryService)(nil)
	_ haven.BreakGlassService      = (*BreakGlassService)(nil)
	_ haven.AuditService           = (*AuditService)(nil)
	_ haven.ConsentService         = (*ConsentService)(nil)
)

// NewAccountService returns the account service over db.
func NewAccountService(db *DB) *AccountService { return &AccountService{db.store} }

// NewSurvivorService returns the survivor service over db.
func NewSurvivorService(db *DB) *SurvivorService { return &SurvivorService{db.store} }

// NewCareTeamService returns the care-team service over db.
func NewCareTeamService(db *DB) *CareTeamService { return &CareTeamService{db.store} }

// NewTeamService returns the service of teams of staff over db.
func NewTeamService(db *DB) *TeamService { return &TeamService{db.store} }

// NewScreeningService returns the screening service over db.
func NewScreeningService(db *DB) *ScreeningService { return &ScreeningService{db.store} }

// NewCarePlanService returns the care-plan service over db.
func NewCarePlanService(db *DB) *CarePlanService { return &CarePlanService{db.store} }

// NewDirectoryService returns the directory service over db.
func NewDirectoryService(db *DB) *DirectoryService { return &DirectoryService{db.store} }

// NewBreakGlassService returns the emergency-access service over db.
func NewBreakGlassService(db *DB) *BreakGlassService { return &BreakGlassService{db.store} }

// NewAuditService returns the audit service over db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db.store} }

// NewConsentService returns the consent ledger over db.
func NewConsentService(db *DB) *ConsentService { return &ConsentService{db.store} }

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

// NewTrainingService returns the training service over db.
func NewTrainingService(db *DB) *TrainingService { return &TrainingService{db.store} }
