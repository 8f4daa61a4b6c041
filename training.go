package haven

import (
	"context"
	"time"
)

// TrainingModule is a course written for Haven: learning objectives,
// content, a short quiz with a pass mark, and the continuing-education
// hours its certificate states. The modules are data
// (internal/training/modules.json), not code.
type TrainingModule struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	Summary    string            `json:"summary"`
	CEHours    float64           `json:"ce_hours"`
	Objectives []string          `json:"objectives"`
	Sections   []TrainingSection `json:"sections"`
	Questions  []QuizQuestion    `json:"questions"`
	// PassPercent is the share of right answers that passes, 1..100.
	PassPercent int `json:"pass_percent"`
	// RequiredForScreening marks the modules that the screening policy
	// (TrainingPolicy.ScreeningRequiresTraining) asks a screener to have
	// passed within TrainingValidMonths.
	RequiredForScreening bool `json:"required_for_screening"`
}

// TrainingSection is one part of a module's content: a heading and
// paragraphs.
type TrainingSection struct {
	Heading    string   `json:"heading"`
	Paragraphs []string `json:"paragraphs"`
}

// QuizQuestion is one multiple-choice question; Answer is the index of
// the right option and Explanation why it is right.
type QuizQuestion struct {
	ID          string   `json:"id"`
	Text        string   `json:"text"`
	Options     []string `json:"options"`
	Answer      int      `json:"answer"`
	Explanation string   `json:"explanation"`
}

// TrainingValidMonths is how long a passed module counts as current
// training for the screening policy.
const TrainingValidMonths = 24

// QuizResult is a scored quiz.
type QuizResult struct {
	Correct, Total int
	Passed         bool
	// Wrong lists the ids of the questions answered wrongly or not at all.
	Wrong []string
}

// Score scores answers (question id → chosen option index) against m's
// quiz. An unanswered question counts as wrong.
func (m TrainingModule) Score(answers map[string]int) QuizResult {
	r := QuizResult{Total: len(m.Questions)}
	for _, q := range m.Questions {
		if a, ok := answers[q.ID]; ok && a == q.Answer {
			r.Correct++
		} else {
			r.Wrong = append(r.Wrong, q.ID)
		}
	}
	r.Passed = r.Total > 0 && r.Correct*100 >= m.PassPercent*r.Total
	return r
}

// TrainingCompletion is one quiz attempt at a module, passed or not.
type TrainingCompletion struct {
	ID          string
	UserID      string
	ModuleID    string
	Correct     int
	Total       int
	Passed      bool
	CEHours     float64 // the hours a pass earns; 0 when failed
	CompletedAt time.Time
}

// ExternalTraining is a training taken elsewhere, recorded by the user:
// who gave it, how many hours, when, whether the state or licensing board
// approved it, and an optional certificate file that only its owner may
// download.
type ExternalTraining struct {
	ID          string
	UserID      string
	Provider    string
	Title       string
	Hours       float64
	CompletedOn string // YYYY-MM-DD
	// Approved: the user states that the state or board approved the
	// course for the licence requirement.
	Approved        bool
	CertificateType string // "application/pdf", "image/png", "image/jpeg" or ""
	CreatedAt       time.Time
}

// Certificate file limits.
const CertificateMaxBytes = 2 << 20

// Licence is a user's professional licence as far as training rules
// need it. The user sets their own; administrators may too.
type Licence struct {
	UserID       string
	Jurisdiction string // a US state code: "TX", "FL", "MI"
	LicenceType  string // a code of internal/training's licence types: "rn", "physician"...
	RenewalOn    string // the next renewal date, YYYY-MM-DD
	UpdatedAt    time.Time
}

// Compliance statuses.
const (
	ComplianceCompliant     = "compliant"
	ComplianceDue           = "due"
	ComplianceDueSoon       = "due_soon"
	ComplianceOverdue       = "overdue"
	ComplianceNotApplicable = "not_applicable"
)

// Compliance is where a user stands against their jurisdiction's rule.
type Compliance struct {
	UserID   string
	UserName string
	Licence  *Licence
	Status   string
	// Reason is a code the interface translates: "no_licence",
	// "no_rule", "licence_not_covered", "hours_done", "hours_missing",
	// "renewal_passed", "training_done_once".
	Reason string
	// RuleID names the jurisdiction rule applied, if any.
	RuleID        string
	HoursDone     float64
	HoursRequired float64
	// DueBy is the date by which the missing training is due.
	DueBy string
}

// TrainingPolicy is the administrators' training settings.
type TrainingPolicy struct {
	// ScreeningRequiresTraining refuses the screening page to users who
	// have not passed every module RequiredForScreening within
	// TrainingValidMonths.
	ScreeningRequiresTraining bool
	// ModulesApproved records that the organization's CE provider approval
	// covers Haven's modules, so that their hours count towards the
	// jurisdiction rules that need an approved course. Off until an
	// administrator records such an approval.
	ModulesApproved bool
}

// TrainingService keeps training: quiz attempts, external trainings,
// licences, compliance and the training policy.
type TrainingService interface {
	// SubmitQuiz scores the actor's answers to module moduleID and records
	// the attempt. Errors: Invalid, NotFound.
	SubmitQuiz(ctx context.Context, moduleID string, answers map[string]int) (*TrainingCompletion, error)
	// TrainingCompletions lists the actor's own attempts, newest first.
	TrainingCompletions(ctx context.Context) ([]TrainingCompletion, error)
	// TrainingCompletion returns one of the actor's own attempts.
	// Errors: NotFound.
	TrainingCompletion(ctx context.Context, id string) (*TrainingCompletion, error)
	// AddExternalTraining records a training taken elsewhere, with an
	// optional certificate file. Errors: Invalid.
	AddExternalTraining(ctx context.Context, t ExternalTraining, file []byte) (*ExternalTraining, error)
	// ExternalTrainings lists the actor's own external trainings.
	ExternalTrainings(ctx context.Context) ([]ExternalTraining, error)
	// ExternalCertificate returns the certificate file of one of the
	// actor's own external trainings. Errors: NotFound.
	ExternalCertificate(ctx context.Context, id string) ([]byte, string, error)
	// Licence returns userID's licence (the actor's own, or any for an
	// administrator); nil when none is recorded. Errors: NotFound.
	Licence(ctx context.Context, userID string) (*Licence, error)
	// SetLicence records userID's licence. Errors: Invalid, NotFound.
	SetLicence(ctx context.Context, l Licence) error
	// MyCompliance is the actor's own compliance, for reminders on their
	// pages and the start page.
	MyCompliance(ctx context.Context) (Compliance, error)
	// StaffCompliance lists the compliance of a supervisor's teams' staff
	// (every user for an administrator). Errors: Forbidden.
	StaffCompliance(ctx context.Context) ([]Compliance, error)
	// TrainingPolicy returns the training settings.
	TrainingPolicy(ctx context.Context) (TrainingPolicy, error)
	// SetTrainingPolicy changes them (administrators). Errors: Forbidden.
	SetTrainingPolicy(ctx context.Context, p TrainingPolicy) error
	// ScreeningTrainingMissing returns the ids of the modules the actor
	// must pass before screening under the policy: none when the policy is
	// off or the actor's training is current.
	ScreeningTrainingMissing(ctx context.Context) ([]string, error)
}
