package haven

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A disclosure is information about a survivor given outside the care
// team because the criminal-justice process asked for it (PRODUCT.md §7):
// a request is logged with its requester, agency and legal basis, Haven
// proposes the minimum-necessary fields for that basis, and a supervisor
// who neither prepared it nor is the requester's contact in Haven
// approves or refuses it. Only an approved request yields a package.

// LegalBasis is the legal ground a request for disclosure rests on.
type LegalBasis string

// The legal bases (HIPAA 164.512(c), (e), (f), (j) and the survivor's
// own authorization).
const (
	BasisConsent        LegalBasis = "consent"                // the survivor's written consent
	BasisCourtOrder     LegalBasis = "court_order"            // a court order or warrant
	BasisSubpoena       LegalBasis = "grand_jury_subpoena"    // a grand-jury subpoena
	BasisAdministrative LegalBasis = "administrative_request" // an administrative request or demand
	BasisMandatedReport LegalBasis = "mandated_report"        // a report the law requires (abuse of a minor)
	BasisImminentThreat LegalBasis = "imminent_threat"        // to avert a serious and imminent threat
)

// LegalBases lists every basis.
var LegalBases = []LegalBasis{BasisConsent, BasisCourtOrder, BasisSubpoena, BasisAdministrative, BasisMandatedReport,
	BasisImminentThreat}

// DisclosureStatus is where a request stands.
type DisclosureStatus string

// The statuses: a request waits for a supervisor (pending), who approves
// or refuses it; a refused request may be narrowed and submitted again.
const (
	DisclosurePending  DisclosureStatus = "pending"
	DisclosureApproved DisclosureStatus = "approved"
	DisclosureRefused  DisclosureStatus = "refused"
)

// DisclosableFields lists the fields a package may hold, by registry
// key (table.column): the survivor's entered fields, the coded age band
// and languages, and the dated entries of the record (encounter notes,
// screening concerns, contacts).
func DisclosableFields() []Field {
	var out []Field
	for _, f := range Fields {
		if f.Table == "survivors" && (f.Value != nil || f.Column == "age_band" || f.Column == "languages") ||
			f.Table == "encounters" && f.Column == "note" || f.Table == "screenings" && f.Column == "concern" ||
			f.Table == "contacts" && f.Column == "outcome" {
			out = append(out, f)
		}
	}
	return out
}

// DisclosureCategoryOf is the data category of a disclosable field:
// DataCategoryOf, except that the dated entries go by what they reveal
// (a screening's concern is screening data, a contact's outcome contact
// data), not as the coded, basic fields they are stored as.
func DisclosureCategoryOf(f Field) DataCategory {
	switch f.Table {
	case "screenings":
		return CategoryScreening
	case "contacts":
		return CategoryContact
	}
	return DataCategoryOf(f)
}

// FieldKey is a field's key in a disclosure: table.column.
func (f Field) FieldKey() string { return f.Table + "." + f.Column }

// DisclosableField returns the disclosable field of key.
func DisclosableField(key string) (Field, bool) {
	for _, f := range DisclosableFields() {
		if f.FieldKey() == key {
			return f, true
		}
	}
	return Field{}, false
}

// basisCategories are the categories each basis allows at most (nil: any)
// and proposes; the consent basis allows exactly the consent's.
var basisCategories = map[LegalBasis]struct{ allows, proposes []DataCategory }{
	BasisCourtOrder:     {nil, nil},
	BasisSubpoena:       {nil, nil},
	BasisAdministrative: {[]DataCategory{CategoryBasic, CategoryIdentity}, []DataCategory{CategoryBasic}},
	BasisMandatedReport: {[]DataCategory{CategoryBasic, CategoryIdentity, CategoryContact, CategorySensitive},
		[]DataCategory{CategoryBasic, CategoryIdentity}},
	BasisImminentThreat: {[]DataCategory{CategoryBasic, CategoryIdentity, CategoryContact},
		[]DataCategory{CategoryBasic, CategoryIdentity, CategoryContact}},
}

// AllowedFields is the minimum-necessary rule: the keys of the fields a
// request on basis may hold. Under the survivor's consent that is exactly
// the consented categories (consented); a court order, warrant or
// subpoena may name any field, chosen one by one from what it names; an
// administrative request is limited to identification (164.512(f)(2));
// a mandated report and a threat to what the report or the averting of
// the threat needs.
func AllowedFields(basis LegalBasis, consented []DataCategory) []string {
	var allows []DataCategory
	if basis == BasisConsent {
		allows = consented
		if allows == nil {
			return nil
		}
	} else {
		allows = basisCategories[basis].allows
	}
	var out []string
	for _, f := range DisclosableFields() {
		if allows == nil || slices.Contains(allows, DisclosureCategoryOf(f)) {
			out = append(out, f.FieldKey())
		}
	}
	return out
}

// ProposedFields are the fields Haven proposes for basis: under consent
// every consented one; under a court order, warrant or subpoena none, for
// staff to choose what it names field by field; otherwise the basis's
// least.
func ProposedFields(basis LegalBasis, consented []DataCategory) []string {
	if basis == BasisConsent {
		return AllowedFields(basis, consented)
	}
	var out []string
	for _, f := range DisclosableFields() {
		if slices.Contains(basisCategories[basis].proposes, DisclosureCategoryOf(f)) {
			out = append(out, f.FieldKey())
		}
	}
	return out
}

// CategoriesOf returns the data categories of field keys, once each, in
// DataCategories order.
func CategoriesOf(keys []string) []DataCategory {
	var out []DataCategory
	for _, c := range DataCategories {
		for _, k := range keys {
			if f, ok := DisclosableField(k); ok && DisclosureCategoryOf(f) == c {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// The limits of a request's words.
const (
	maxRequestText   = 200
	maxDocumentsText = 20000
	maxDecisionText  = 2000
)

// NewDisclosure is a request for disclosure as staff log it. The JSON
// names are the API's wire format.
type NewDisclosure struct {
	// Requester is the person who asks (an officer, a prosecutor, a clerk).
	Requester string `json:"requester"`
	// Agency is who they ask for: the recipient of the package.
	Agency string `json:"agency"`
	// ContactID is the requester's contact in Haven, a staff member, if
	// any: they may not approve it either.
	ContactID string     `json:"contact_id,omitempty"`
	Basis     LegalBasis `json:"basis"`
	// ConsentID names the survivor's consent when the basis is consent.
	ConsentID string `json:"consent_id,omitempty"`
	// Documents describes or transcribes the documents received (the
	// warrant, the subpoena); sealed under the survivor's data key.
	Documents string `json:"documents"`
	// Deadline is the day the answer is due, YYYY-MM-DD.
	Deadline string `json:"deadline"`
	// Fields are the keys (table.column) of the fields to disclose.
	Fields []string `json:"fields"`
	// LegalHoldUntil, YYYY-MM-DD, records that the law forbids telling the
	// survivor until then: no survivor-notification task opens.
	LegalHoldUntil string `json:"legal_hold_until,omitempty"`
}

// Validate trims nd and reports every problem at once, by field.
// allowed is the result of AllowedFields for its basis.
func (nd *NewDisclosure) Validate(now time.Time, allowed []string) error {
	errs := map[string]string{}
	nd.Requester, nd.Agency = strings.TrimSpace(nd.Requester), strings.TrimSpace(nd.Agency)
	nd.ContactID, nd.ConsentID = strings.TrimSpace(nd.ContactID), strings.TrimSpace(nd.ConsentID)
	nd.Deadline, nd.LegalHoldUntil = strings.TrimSpace(nd.Deadline), strings.TrimSpace(nd.LegalHoldUntil)
	if nd.Requester == "" || utf8.RuneCountInString(nd.Requester) > maxRequestText {
		errs["requester"] = "Give the name of the person who asks, in at most 200 characters."
	}
	if nd.Agency == "" || utf8.RuneCountInString(nd.Agency) > maxRequestText {
		errs["agency"] = "Give the agency the request comes from, in at most 200 characters."
	}
	if !slices.Contains(LegalBases, nd.Basis) {
		errs["basis"] = "Choose the legal basis of the request."
	}
	if nd.Basis == BasisConsent && nd.ConsentID == "" {
		errs["consent_id"] = "Choose the survivor's consent the request rests on."
	}
	if strings.TrimSpace(nd.Documents) == "" || utf8.RuneCountInString(nd.Documents) > maxDocumentsText {
		errs["documents"] = "Describe the documents received, in at most 20000 characters."
	}
	if d, err := time.Parse(DateLayout, nd.Deadline); err != nil || d.Before(now.AddDate(0, 0, -1)) {
		errs["deadline"] = "Give the deadline as a date, YYYY-MM-DD, not in the past."
	}
	if nd.LegalHoldUntil != "" {
		if d, err := time.Parse(DateLayout, nd.LegalHoldUntil); err != nil || !d.After(now) {
			errs["legal_hold_until"] = "Give the day the legal hold ends, YYYY-MM-DD, after today."
		}
	}
	if msg := FieldsProblem(nd.Fields, allowed); msg != "" {
		errs["fields"] = msg
	}
	nd.Fields = NormalizeFieldKeys(nd.Fields)
	if len(errs) > 0 {
		return &Error{Kind: Invalid, Message: "Please correct the highlighted fields.", Fields: errs}
	}
	return nil
}

// FieldsProblem says what is wrong with a choice of fields: none, or one
// the basis does not allow.
func FieldsProblem(keys, allowed []string) string {
	if len(keys) == 0 {
		return "Choose at least one field to disclose."
	}
	for _, k := range keys {
		if !slices.Contains(allowed, strings.TrimSpace(k)) {
			return "Choose only fields the legal basis allows."
		}
	}
	return ""
}

// NormalizeFieldKeys returns keys trimmed, once each, in the order of
// DisclosableFields.
func NormalizeFieldKeys(keys []string) []string {
	var out []string
	for _, f := range DisclosableFields() {
		if slices.ContainsFunc(keys, func(k string) bool { return strings.TrimSpace(k) == f.FieldKey() }) {
			out = append(out, f.FieldKey())
		}
	}
	return out
}

// Disclosure is a logged request and where it stands.
type Disclosure struct {
	ID         string `json:"id"`
	Number     string `json:"number"`
	SurvivorID string `json:"survivor_id"`
	NewDisclosure
	Status     DisclosureStatus `json:"status"`
	PreparedBy string           `json:"prepared_by"`
	CreatedAt  time.Time        `json:"created_at"`
	// SubmittedAt is when it was last submitted for approval.
	SubmittedAt time.Time  `json:"submitted_at"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	// Decision is the supervisor's reason (sealed).
	Decision string `json:"decision,omitempty"`
	// Rounds counts the submissions: 2 after one refusal and a resubmission.
	Rounds int `json:"rounds"`
	// PDFHash and JSONHash are the SHA-256 (hex) of the package's files,
	// set at approval.
	PDFHash  string `json:"pdf_hash,omitempty"`
	JSONHash string `json:"json_hash,omitempty"`
}

// Package is what the recipient receives: the approved fields only,
// watermarked with the disclosure number and the recipient.
type Package struct {
	Number    string           `json:"disclosure_number"`
	Recipient string           `json:"recipient"`
	Requester string           `json:"requester"`
	Basis     LegalBasis       `json:"basis"`
	CaseRef   string           `json:"case_number"`
	Generated time.Time        `json:"generated_at"`
	Items     []PackageItem    `json:"items"`
	Watermark string           `json:"watermark"`
	Status    DisclosureStatus `json:"-"`
}

// PackageItem is one disclosed field and its values (several for a list
// or for dated entries, each "YYYY-MM-DD: text").
type PackageItem struct {
	Field  string   `json:"field"`
	Label  string   `json:"label"`
	Values []string `json:"values"`
}

// WatermarkText is the line every page of a package carries.
func WatermarkText(number, recipient string) string {
	return "Disclosure " + number + " — for " + recipient + " only"
}

// AccountingEntry is one line of a survivor's accounting of disclosures
// (HIPAA 164.528): when, to whom, what and why. It holds no personal data,
// so it outlives the record's crypto-shredding; it is kept six years.
type AccountingEntry struct {
	Number      string         `json:"disclosure_number"`
	SurvivorID  string         `json:"survivor_id"`
	DisclosedAt time.Time      `json:"disclosed_at"`
	Agency      string         `json:"recipient"`
	Basis       LegalBasis     `json:"basis"`
	Categories  []DataCategory `json:"categories"`
	Hash        string         `json:"hash"`
	KeptUntil   time.Time      `json:"kept_until"`
}

// AccountingYears is how long an accounting entry is kept.
const AccountingYears = 6

// DisclosureService keeps requests for disclosure, their approval, their
// packages and the survivors' accountings of disclosures. Every method
// checks access for the actor in the context and writes an audit entry.
type DisclosureService interface {
	// ProposeDisclosure returns the fields the basis allows and those Haven
	// proposes, for a survivor (the consent's categories under consent).
	// Errors: Invalid, NotFound.
	ProposeDisclosure(ctx context.Context, survivorID string, basis LegalBasis, consentID string) (allowed, proposed []string, err error)
	// RequestDisclosure logs a request prepared by the actor, pending
	// approval. Errors: Invalid, NotFound.
	RequestDisclosure(ctx context.Context, survivorID string, nd NewDisclosure) (*Disclosure, error)
	// Disclosures lists a survivor's requests, newest first. Errors: NotFound.
	Disclosures(ctx context.Context, survivorID string) ([]Disclosure, error)
	// Disclosure reads one request. Errors: NotFound.
	Disclosure(ctx context.Context, id string) (*Disclosure, error)
	// PendingDisclosures lists the requests waiting for the actor, a
	// supervisor, to decide: their caseload's, not their own.
	PendingDisclosures(ctx context.Context) ([]Disclosure, error)
	// PreviewDisclosure builds the package as the recipient would receive
	// it, for the preparer and the approver; it is not a package and is
	// never downloadable. Errors: NotFound.
	PreviewDisclosure(ctx context.Context, id string) (*Package, error)
	// DecideDisclosure approves or refuses a pending request, with a
	// reason. Errors: Invalid, NotFound, Forbidden (the preparer or the
	// requester's contact), Conflict (not pending).
	DecideDisclosure(ctx context.Context, id string, approve bool, reason string) (*Disclosure, error)
	// ResubmitDisclosure narrows a refused request to fields, a subset of
	// those refused, and submits it again. Errors: Invalid, NotFound,
	// Conflict (not refused).
	ResubmitDisclosure(ctx context.Context, id string, fields []string) (*Disclosure, error)
	// DisclosurePackage returns an approved request's package: "pdf" or
	// "json". Errors: NotFound, Conflict (pending or refused).
	DisclosurePackage(ctx context.Context, id, format string) ([]byte, error)
	// Accounting lists a survivor's accounting of disclosures, newest
	// first, even once the record is crypto-shredded. Errors: NotFound.
	Accounting(ctx context.Context, survivorID string) ([]AccountingEntry, error)
}

// Record is what a package may draw from: the survivor's record and its
// dated entries.
type Record struct {
	Survivor   *Survivor
	Encounters []Encounter
	Screenings []ScreeningSummary
	Contacts   []Contact
}

// BuildPackage is the package of d from rec as the recipient receives
// it: exactly d's fields, in the registry's order, and nothing else.
func BuildPackage(d *Disclosure, rec Record, generated time.Time) *Package {
	p := &Package{Number: d.Number, Recipient: d.Agency, Requester: d.Requester, Basis: d.Basis,
		CaseRef: rec.Survivor.CaseNumber, Generated: generated.UTC(), Watermark: WatermarkText(d.Number, d.Agency),
		Status: d.Status}
	for _, key := range NormalizeFieldKeys(d.Fields) {
		f, _ := DisclosableField(key)
		p.Items = append(p.Items, PackageItem{Field: key, Label: f.Description, Values: fieldValues(f, rec)})
	}
	return p
}

// fieldValues are the values of f in rec, as text.
func fieldValues(f Field, rec Record) []string {
	s := rec.Survivor
	var out []string
	switch f.FieldKey() {
	case "survivors.age_band":
		out = append(out, string(s.AgeBand))
	case "survivors.languages":
		for _, l := range s.Languages {
			out = append(out, l.Code)
		}
	case "survivors.language_dialects":
		for _, l := range s.Languages {
			if l.Dialect != "" {
				out = append(out, l.Code+": "+l.Dialect)
			}
		}
	case "survivors.safe_contact":
		for _, v := range []string{s.SafeContact.SafeTimes, s.SafeContact.VoicemailMessage, s.SafeContact.CodeWord} {
			if v != "" {
				out = append(out, v)
			}
		}
	case "encounters.note":
		for _, e := range rec.Encounters {
			out = append(out, e.OccurredOn+": "+e.Note)
		}
	case "screenings.concern":
		for _, sc := range rec.Screenings {
			out = append(out, sc.CreatedAt.UTC().Format(DateLayout)+": "+sc.Concern+" "+strings.Join(sc.Flagged, " "))
		}
	case "contacts.outcome":
		for _, c := range rec.Contacts {
			out = append(out, c.MadeAt.UTC().Format(DateLayout)+": "+string(c.Channel)+" "+string(c.Outcome))
		}
	default:
		if f.Value == nil {
			break
		}
		switch v := f.Value(&s.NewSurvivor).(type) {
		case *string:
			if *v != "" {
				out = append(out, *v)
			}
		case *[]string:
			out = append(out, *v...)
		}
	}
	return out
}
