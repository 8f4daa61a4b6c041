package haven

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Minors and family (PRODUCT.md §8). For a survivor under 18 the law asks
// for a report to child protective services or law enforcement, as the
// jurisdiction says; the report is a disclosure like any other and lands
// in the accounting. A minor's guardian is told only once a safety check
// records that the guardian is not implicated: family members can be the
// traffickers. An adult's family is told only if the survivor chooses,
// and that choice (who may be told, and what) is recorded with its
// history.

// ReportAgencyKind is the kind of agency a mandated report goes to.
type ReportAgencyKind string

// The agency kinds.
const (
	AgencyChildProtection ReportAgencyKind = "child_protective_services"
	AgencyLawEnforcement  ReportAgencyKind = "law_enforcement"
)

// NewMandatedReport opens a mandated report for a minor: the agency of
// the jurisdiction it goes to, and when it is due.
type NewMandatedReport struct {
	Jurisdiction string           `json:"jurisdiction"` // a US state code such as TX
	AgencyKind   ReportAgencyKind `json:"agency_kind"`
	Agency       string           `json:"agency"` // the agency's name
	DueOn        string           `json:"due_on"` // YYYY-MM-DD
}

// Validate trims n and reports every problem at once, by field.
func (n *NewMandatedReport) Validate(now time.Time) error {
	errs := map[string]string{}
	n.Jurisdiction, n.Agency, n.DueOn = strings.ToUpper(strings.TrimSpace(n.Jurisdiction)), strings.TrimSpace(n.Agency), strings.TrimSpace(n.DueOn)
	if len(n.Jurisdiction) != 2 || strings.Trim(n.Jurisdiction, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs["jurisdiction"] = "Give the state as its two-letter code, such as TX."
	}
	if n.AgencyKind != AgencyChildProtection && n.AgencyKind != AgencyLawEnforcement {
		errs["agency_kind"] = "Choose child protective services or law enforcement, as the jurisdiction requires."
	}
	if n.Agency == "" || utf8.RuneCountInString(n.Agency) > maxRequestText {
		errs["agency"] = "Name the agency, in at most 200 characters."
	}
	if msg := DueDateProblem(n.DueOn, now); msg != "" {
		errs["due_on"] = msg
	}
	if len(errs) > 0 {
		return &Error{Kind: Invalid, Message: "Please correct the highlighted fields.", Fields: errs}
	}
	return nil
}

// ReportMade is what completing a mandated report records: what was
// reported (field keys), to whom, when, and the agency's report number.
type ReportMade struct {
	Fields       []string `json:"fields"`
	To           string   `json:"to"`
	ReportedOn   string   `json:"reported_on"` // YYYY-MM-DD
	ReportNumber string   `json:"report_number"`
}

// Validate trims r and reports every problem at once, by field.
func (r *ReportMade) Validate(now time.Time) error {
	errs := map[string]string{}
	r.To, r.ReportedOn, r.ReportNumber = strings.TrimSpace(r.To), strings.TrimSpace(r.ReportedOn), strings.TrimSpace(r.ReportNumber)
	if msg := FieldsProblem(r.Fields, AllowedFields(BasisMandatedReport, nil)); msg != "" {
		errs["fields"] = "Choose what was reported, among the fields a mandated report may hold."
	}
	r.Fields = NormalizeFieldKeys(r.Fields)
	if r.To == "" || utf8.RuneCountInString(r.To) > maxRequestText {
		errs["to"] = "Name the agency or person the report was made to, in at most 200 characters."
	}
	if d, err := time.Parse(DateLayout, r.ReportedOn); err != nil || d.After(now) {
		errs["reported_on"] = "Give the day of the report, YYYY-MM-DD, not in the future."
	}
	if r.ReportNumber == "" || utf8.RuneCountInString(r.ReportNumber) > 100 {
		errs["report_number"] = "Give the report number the agency gave, in at most 100 characters."
	}
	if len(errs) > 0 {
		return &Error{Kind: Invalid, Message: "Please correct the highlighted fields.", Fields: errs}
	}
	return nil
}

// MandatedReport is a minor's mandated report and the guardian
// notification that goes with it.
type MandatedReport struct {
	ID         string `json:"id"`
	SurvivorID string `json:"survivor_id"`
	NewMandatedReport
	TaskID string `json:"task_id"`
	// Made is set once the report is made; Number is then its disclosure
	// number in the accounting.
	Made   *ReportMade `json:"made,omitempty"`
	Number string      `json:"disclosure_number,omitempty"`
	// GuardianTaskID is the guardian-notification task, blocked until
	// GuardianCheck records that the guardian is not implicated.
	GuardianTaskID string         `json:"guardian_task_id"`
	GuardianCheck  *GuardianCheck `json:"guardian_check,omitempty"`
	OpenedBy       string         `json:"opened_by"`
	OpenedAt       time.Time      `json:"opened_at"`
}

// GuardianCheck is the safety check before a guardian is told.
type GuardianCheck struct {
	// NotImplicated is true when the check found the guardian not
	// implicated in the exploitation; only then may they be told.
	NotImplicated bool      `json:"not_implicated"`
	Note          string    `json:"note,omitempty"`
	CheckedBy     string    `json:"checked_by"`
	CheckedAt     time.Time `json:"checked_at"`
}

// FamilyChoice is an adult survivor's choice about telling their family:
// whether anyone may be told, who (in the survivor's words, sealed) and
// what (data categories). Every change is kept, newest first.
type FamilyChoice struct {
	ID         string         `json:"id,omitempty"`
	Notify     bool           `json:"notify"`
	Who        string         `json:"who,omitempty"`
	What       []DataCategory `json:"what"`
	RecordedBy string         `json:"recorded_by,omitempty"`
	RecordedAt time.Time      `json:"recorded_at"`
}

// Validate trims c: with Notify, who and what are needed; without, none.
func (c *FamilyChoice) Validate() error {
	c.Who = strings.TrimSpace(c.Who)
	errs := map[string]string{}
	if c.Notify {
		if c.Who == "" || utf8.RuneCountInString(c.Who) > maxDecisionText {
			errs["who"] = "Say who may be told, in the survivor's words, in at most 2000 characters."
		}
		var ok bool
		if c.What, ok = NormalizeCategories(c.What); !ok {
			errs["what"] = "Choose only the listed kinds of information."
		}
	} else {
		c.Who, c.What = "", nil
	}
	if len(errs) > 0 {
		return &Error{Kind: Invalid, Message: "Please correct the highlighted fields.", Fields: errs}
	}
	return nil
}

// TimelineEntry is one dated entry of a clinician's own, for testimony.
type TimelineEntry struct {
	Date string `json:"date"` // YYYY-MM-DD
	Kind string `json:"kind"` // encounter, screening or contact
	Text string `json:"text"`
}

// SortTimeline orders entries by date, then kind, oldest first.
func SortTimeline(es []TimelineEntry) {
	slices.SortStableFunc(es, func(a, b TimelineEntry) int {
		if c := strings.Compare(a.Date, b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
}

// SafeguardService keeps minors' mandated reports and guardian safety
// checks, adults' choices about their family, and clinicians' testimony
// timelines. Every method checks access for the actor and is audited.
type SafeguardService interface {
	// OpenMandatedReport opens a minor's mandated-report task, for the
	// actor, and the guardian-notification task, blocked. Errors: Invalid,
	// NotFound, Conflict (not a minor).
	OpenMandatedReport(ctx context.Context, survivorID string, n NewMandatedReport) (*MandatedReport, error)
	// CompleteMandatedReport records the report made, completes its task
	// and enters it in the accounting. Errors: Invalid, NotFound, Conflict.
	CompleteMandatedReport(ctx context.Context, reportID string, made ReportMade) (*MandatedReport, error)
	// MandatedReports lists a survivor's mandated reports. Errors: NotFound.
	MandatedReports(ctx context.Context, survivorID string) ([]MandatedReport, error)
	// RecordGuardianCheck records the safety check of a report's guardian
	// notification. Errors: Invalid, NotFound.
	RecordGuardianCheck(ctx context.Context, reportID string, notImplicated bool, note string) (*MandatedReport, error)
	// SetFamilyChoice records an adult survivor's choice about telling
	// their family. Errors: Invalid, NotFound, Conflict (a minor).
	SetFamilyChoice(ctx context.Context, survivorID string, c FamilyChoice) (*FamilyChoice, error)
	// FamilyChoices lists the choices, newest (the one in force) first.
	// Errors: NotFound.
	FamilyChoices(ctx context.Context, survivorID string) ([]FamilyChoice, error)
	// TestimonyTimeline is the actor's own dated entries for a survivor
	// (encounters they wrote, screenings they ran, contacts they made),
	// oldest first; the export is audited. Errors: NotFound.
	TestimonyTimeline(ctx context.Context, survivorID string) ([]TimelineEntry, error)
}
