package haven

import (
	"context"
	"time"
)

// Instrument is a screening questionnaire Haven can run: one of those it
// ships, or a FHIR R4 Questionnaire a clinic imported. JSON is the
// Questionnaire as given, byte for byte, so an import exports without loss.
type Instrument struct {
	ID      string
	URL     string
	Version string
	Title   string
	Status  string
	// Shipped is true for the instruments built into Haven, which need no
	// import and cannot be replaced.
	Shipped bool
	JSON    []byte
	// ImportedAt is zero for shipped instruments.
	ImportedAt time.Time
}

// UnnamedInstrumentURL is the key Haven gives an imported Questionnaire
// that has no url (R4 makes url optional): urn:uuid: and the
// instrument's id. The Questionnaire is served without it, as imported.
func UnnamedInstrumentURL(id string) string { return "urn:uuid:" + id }

// Screening is one screening of a survivor: a FHIR QuestionnaireResponse
// validated against its instrument and scored. The answers and the full
// result are sensitive and stored encrypted; the coded outcome (instrument,
// level of concern, flagged domains, minor) stays in the clear for
// suppressed aggregates.
type Screening struct {
	ID         string
	SurvivorID string
	// CaseNumber is the survivor's pseudonymous case number (not stored
	// with the screening), so that a result names its record without a name.
	CaseNumber   string
	InstrumentID string
	// Response is the QuestionnaireResponse (JSON) as stored, with its id
	// set to the screening's.
	Response []byte
	Result   ScreeningResult

	// Coded.
	Concern string
	Flagged []string
	Minor   bool
	// Outcome is what staff later confirmed, if they recorded it.
	Outcome ScreeningOutcome

	CreatedBy string
	CreatedAt time.Time
}

// ScreeningResult is what the worker sees after a screening: prompts,
// never a diagnosis.
type ScreeningResult struct {
	Concern string `json:"concern"`
	// Screened is false when the safety checklist did not pass and the
	// questions were not asked: the result then says nothing about
	// indicators.
	Screened  bool            `json:"screened"`
	Summary   string          `json:"summary"`
	Flagged   []string        `json:"flagged"`
	NextSteps []ScreeningStep `json:"next_steps"`
	Codes     []ScreeningCode `json:"suggested_codes"`
	Notice    string          `json:"notice"`
}

// ScreeningStep is a suggested next step; Kind is offer-support, hotline,
// mandated-report, safety-plan or rescreen.
type ScreeningStep struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// ScreeningCode is a suggested ICD-10-CM code. Haven suggests; the
// clinician codes.
type ScreeningCode struct {
	Code    string `json:"code"`
	Display string `json:"display"`
}

// ScreeningSummary is a screening without its answers, for lists.
type ScreeningSummary struct {
	ID           string
	SurvivorID   string
	InstrumentID string
	Concern      string
	Flagged      []string
	// Screened is false when the safety checklist stopped the screening:
	// no question was asked, so Concern says nothing.
	Screened  bool
	CreatedAt time.Time
}

// NewScreening is the input of a screening. InstrumentID may be empty when
// the response's questionnaire element names the instrument (by its
// canonical URL, url|version, or Questionnaire/{id}).
type NewScreening struct {
	SurvivorID   string
	InstrumentID string
	Response     []byte
}

// ScreeningService runs and keeps screenings. Every screening and every read
// of one is audited; only the survivor's care team may run or read them.
type ScreeningService interface {
	// Instruments lists the shipped and imported instruments, shipped first.
	Instruments(ctx context.Context) ([]Instrument, error)
	// Instrument returns one instrument. Errors: NotFound.
	Instrument(ctx context.Context, id string) (*Instrument, error)
	// ImportInstrument stores a FHIR R4 Questionnaire (JSON); importing the
	// same url and version again replaces it and reports created false.
	// Only an administrator, or the command line's import as a system job
	// (see WithSystem), may. Errors: Invalid (every problem by linkId),
	// Conflict (a shipped url), Unauthenticated (no actor and no system
	// job), Forbidden.
	ImportInstrument(ctx context.Context, questionnaire []byte) (in *Instrument, created bool, err error)
	// CreateScreening validates and scores a response and stores it.
	// Errors: Invalid (every problem by linkId), NotFound (survivor or
	// instrument), Unauthenticated.
	CreateScreening(ctx context.Context, ns NewScreening) (*Screening, error)
	// Screening reads one screening. Errors: NotFound (also when the actor
	// may not see it), Unauthenticated.
	Screening(ctx context.Context, id string) (*Screening, error)
	// Screenings lists a survivor's screenings, newest first, without
	// answers. Errors: NotFound, Unauthenticated.
	Screenings(ctx context.Context, survivorID string) ([]ScreeningSummary, error)
	// RecordScreeningOutcome records what staff later confirmed (or
	// OutcomeUnknown to take it back), for the programme's accuracy
	// figures. Errors: Invalid, NotFound (also when the actor may not
	// change the record), Unauthenticated.
	RecordScreeningOutcome(ctx context.Context, id string, outcome ScreeningOutcome) error
}
