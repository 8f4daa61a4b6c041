package haven

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// NeedStatus is where a need of the care plan stands.
type NeedStatus string

// The need statuses. Declined means the survivor declined help with this
// need: a choice Haven respects and never counts or shows as a failure.
const (
	NeedIdentified NeedStatus = "identified"
	NeedPlanned    NeedStatus = "planned"
	NeedInProgress NeedStatus = "in_progress"
	NeedMet        NeedStatus = "met"
	NeedNotMet     NeedStatus = "not_met"
	NeedDeclined   NeedStatus = "declined"
)

// NeedStatuses lists every status in the order a need usually moves.
var NeedStatuses = []NeedStatus{NeedIdentified, NeedPlanned, NeedInProgress, NeedMet, NeedNotMet, NeedDeclined}

// Valid reports whether s is one of NeedStatuses.
func (s NeedStatus) Valid() bool { return slices.Contains(NeedStatuses, s) }

// Open reports whether a need in status s is still being worked: a
// domain appears at most once among a plan's open needs.
func (s NeedStatus) Open() bool {
	return s == NeedIdentified || s == NeedPlanned || s == NeedInProgress
}

// Limits of the words of a need, in characters. A goal and a priority are
// a few sentences in the survivor's words; a note says what changed.
const (
	MaxNeedGoal     = 1000
	MaxNeedPriority = 500
	MaxNeedNote     = 2000
	// MaxNeedRank bounds the rank that orders a plan.
	MaxNeedRank = 999
)

// NeedChange is the kind of a history entry of a need.
type NeedChange string

// The changes a history entry records.
const (
	ChangeCreated NeedChange = "created"
	ChangeStatus  NeedChange = "status"
	ChangeWords   NeedChange = "words" // the goal or the priority was edited
	ChangeRank    NeedChange = "rank"
	ChangeNote    NeedChange = "note" // a note only
)

// CarePlanNeed is one need of a survivor's care plan: a domain of Needs
// (the directory's taxonomy), the survivor's own goal and priority in
// their words (sealed), a rank that orders the plan, and its status and
// history. ScreeningID names the screening whose indicator domain the
// survivor confirmed as this need, if any.
type CarePlanNeed struct {
	ID          string
	SurvivorID  string
	Domain      string
	Status      NeedStatus
	Rank        int
	Goal        string
	Priority    string
	ScreeningID string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// History lists every change, oldest first; the first is its creation.
	History []NeedHistory
}

// NeedDomain returns the need domain of n (its name, SDOH category).
func (n CarePlanNeed) NeedDomain() Need {
	d, _ := NeedByCode(n.Domain)
	return d
}

// NeedHistory is one change of a need: what changed, the status after it,
// who changed it and when, and an optional note (sealed).
type NeedHistory struct {
	ID        string
	NeedID    string
	Change    NeedChange
	Status    NeedStatus
	Note      string
	ChangedBy string
	ChangedAt time.Time
}

// CarePlan is a survivor's needs, in rank order (then oldest first).
type CarePlan struct {
	SurvivorID string
	CaseNumber string
	Needs      []CarePlanNeed
}

// OpenDomains lists the domains of the plan's open needs.
func (p *CarePlan) OpenDomains() []string {
	var out []string
	for _, n := range p.Needs {
		if n.Status.Open() {
			out = append(out, n.Domain)
		}
	}
	return out
}

// NewNeed is a need to add, in the survivor's words. Status is identified
// when empty; ScreeningID is set when the survivor confirmed a domain a
// screening suggested.
type NewNeed struct {
	SurvivorID  string     `json:"-"`
	Domain      string     `json:"domain"`
	Goal        string     `json:"goal"`
	Priority    string     `json:"priority"`
	Rank        int        `json:"rank"`
	Status      NeedStatus `json:"status,omitempty"`
	ScreeningID string     `json:"screening_id,omitempty"`
}

// Validate checks the domain, status, rank and lengths, reporting every
// problem by field.
func (nn *NewNeed) Validate() error {
	nn.Goal, nn.Priority = strings.TrimSpace(nn.Goal), strings.TrimSpace(nn.Priority)
	if nn.Status == "" {
		nn.Status = NeedIdentified
	}
	fields := map[string]string{}
	if _, ok := NeedByCode(nn.Domain); !ok || nn.Domain == "" {
		fields["domain"] = "Choose one of the need domains."
	} else {
		nn.Domain = NeedDomainCode(nn.Domain)
	}
	if !nn.Status.Valid() {
		fields["status"] = "Choose one of the statuses."
	}
	checkWords(fields, nn.Goal, nn.Priority, "", nn.Rank)
	return fieldsError(fields, "The need could not be saved.")
}

// NeedDomainCode returns the code of a need domain given by code or term
// ID.
func NeedDomainCode(code string) string {
	n, _ := NeedByCode(code)
	return n.Code
}

// NeedUpdate changes a need: each field that is set. Note, optional,
// goes with the history entry.
type NeedUpdate struct {
	Status   *NeedStatus `json:"status,omitempty"`
	Goal     *string     `json:"goal,omitempty"`
	Priority *string     `json:"priority,omitempty"`
	Rank     *int        `json:"rank,omitempty"`
	Note     string      `json:"note,omitempty"`
}

// Validate checks the update's status, rank and lengths, reporting every
// problem by field; an update that changes nothing and says nothing is
// Invalid.
func (u *NeedUpdate) Validate() error {
	fields := map[string]string{}
	if u.Status != nil && !u.Status.Valid() {
		fields["status"] = "Choose one of the statuses."
	}
	goal, priority, rank := "", "", 0
	if u.Goal != nil {
		*u.Goal = strings.TrimSpace(*u.Goal)
		goal = *u.Goal
	}
	if u.Priority != nil {
		*u.Priority = strings.TrimSpace(*u.Priority)
		priority = *u.Priority
	}
	if u.Rank != nil {
		rank = *u.Rank
	}
	u.Note = strings.TrimSpace(u.Note)
	checkWords(fields, goal, priority, u.Note, rank)
	if u.Status == nil && u.Goal == nil && u.Priority == nil && u.Rank == nil && u.Note == "" {
		return Errorf(Invalid, "Nothing to change: give a status, the survivor's words, a rank or a note.")
	}
	return fieldsError(fields, "The need could not be changed.")
}

// checkWords adds the length and rank problems of a need's fields.
func checkWords(fields map[string]string, goal, priority, note string, rank int) {
	for _, c := range []struct {
		field, value string
		max          int
	}{{"goal", goal, MaxNeedGoal}, {"priority", priority, MaxNeedPriority}, {"note", note, MaxNeedNote}} {
		if utf8.RuneCountInString(c.value) > c.max {
			fields[c.field] = fmt.Sprintf("Use at most %d characters.", c.max)
		} else if !utf8.ValidString(c.value) {
			fields[c.field] = "The text is not valid UTF-8."
		}
	}
	if rank < 0 || rank > MaxNeedRank {
		fields["rank"] = fmt.Sprintf("Give a rank from 0 to %d.", MaxNeedRank)
	}
}

// fieldsError is nil without fields, else Invalid with them.
func fieldsError(fields map[string]string, msg string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: msg, Fields: fields}
}

// SuggestedNeed is a need domain a screening's indicators point to, not
// yet open in the plan: offered to confirm with the survivor, in their
// words, and never added without that.
type SuggestedNeed struct {
	Domain string
	// IndicatorDomain is the screening's flagged domain it comes from.
	IndicatorDomain string
	ScreeningID     string
	ScreenedAt      time.Time
}

// IndicatorNeeds maps the indicator domains that Haven's shipped
// instruments flag (internal/screening/instruments: the "domain" of each
// scoring rule) to the need domains worth asking the survivor about. It
// offers, it does not conclude: a flag says indicators were present, and
// only the survivor says what they need. A domain not listed here (an
// imported instrument's own domain) suggests nothing.
var IndicatorNeeds = map[string][]string{
	// labor: deception about the work, pay withheld, debt, documents
	// kept, not free to leave, threats, movement and housing controlled
	// by the employer. Threats and control are a safety question first;
	// the work and its pay lead to employment; withheld wages, debts and
	// the protections owed to a victim of a crime lead to legal help.
	// Immigration is not offered: withheld documents do not say the
	// survivor is a migrant, and asking would presume it.
	"labor": {"safety", "employment", "legal"},
	// sex (adults) and exchange (youth: sex traded for something of
	// value): safety first, and sexual and reproductive health care that
	// the survivor may want after sexual exploitation.
	"sex":      {"safety", "sexual-reproductive-health"},
	"exchange": {"safety", "sexual-reproductive-health"},
	// risk (youth short screen): a count of mixed risk markers
	// (substances, running away, police, infection, partners, injury).
	// The flag alone does not say which markers were present, so it
	// points to safety only; the worker asks about the rest.
	"risk": {"safety"},
	// coercion: control by someone else is a safety question.
	"coercion": {"safety"},
}

// SuggestNeeds lists, for the screenings given (newest first), each need
// domain their flagged indicator domains map to (IndicatorNeeds) that is
// not among open, once, from the newest screening that suggests it.
// Screenings stopped by the safety checklist suggest nothing.
func SuggestNeeds(screenings []ScreeningSummary, open []string) []SuggestedNeed {
	seen := map[string]bool{}
	for _, d := range open {
		seen[d] = true
	}
	out := []SuggestedNeed{}
	for _, sc := range screenings {
		if !sc.Screened {
			continue
		}
		for _, ind := range sc.Flagged {
			for _, d := range IndicatorNeeds[ind] {
				if seen[d] {
					continue
				}
				seen[d] = true
				out = append(out, SuggestedNeed{Domain: d, IndicatorDomain: ind, ScreeningID: sc.ID, ScreenedAt: sc.CreatedAt})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b SuggestedNeed) int { return needOrder(a.Domain) - needOrder(b.Domain) })
	return out
}

// needOrder is the place of a domain in Needs.
func needOrder(code string) int {
	return slices.IndexFunc(Needs, func(n Need) bool { return n.Code == code })
}

// CarePlanService keeps survivors' care plans. Only the survivor's care
// team may read or change a plan (emergency access reads, never writes);
// every read and change is audited with ids only.
type CarePlanService interface {
	// CarePlan reads a survivor's needs with their history. Errors:
	// NotFound (also when the actor may not see it), Unauthenticated.
	CarePlan(ctx context.Context, survivorID string) (*CarePlan, error)
	// Need reads one need with its history. Errors: NotFound,
	// Unauthenticated.
	Need(ctx context.Context, needID string) (*CarePlanNeed, error)
	// AddNeed adds a need in the survivor's words. Errors: Invalid,
	// NotFound, Conflict (the domain is already open in the plan),
	// Unauthenticated.
	AddNeed(ctx context.Context, nn NewNeed) (*CarePlanNeed, error)
	// UpdateNeed changes a need and records the change in its history.
	// Errors: Invalid, NotFound, Conflict (reopening a domain already
	// open), Unauthenticated.
	UpdateNeed(ctx context.Context, needID string, u NeedUpdate) (*CarePlanNeed, error)
	// SuggestedNeeds lists the need domains the survivor's screenings
	// point to that are not open in the plan, to confirm with the
	// survivor; it adds nothing. Errors: NotFound, Unauthenticated.
	SuggestedNeeds(ctx context.Context, survivorID string) ([]SuggestedNeed, error)
}
