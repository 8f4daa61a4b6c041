package haven

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A consent is the survivor's permission to share some of their
// information with one recipient for one purpose, until it expires or is
// revoked (PRODUCT.md §6). Consent is never a condition of care: nothing
// in Haven asks for one before care is given, and a survivor who says no
// is recorded as nothing at all.

// ConsentRecipientKind says what a consent names as its recipient.
type ConsentRecipientKind string

// The recipient kinds.
const (
	// RecipientOrganization: one organization of the directory (its HSDS id).
	RecipientOrganization ConsentRecipientKind = "organization"
	// RecipientCategory: any organization that provides one need domain
	// (a code of Needs), for a survivor who agrees to "a housing provider"
	// before one is chosen.
	RecipientCategory ConsentRecipientKind = "category"
)

// ConsentPurpose is why the information is shared.
type ConsentPurpose string

// The purposes.
const (
	PurposeReferral         ConsentPurpose = "referral"          // to receive a service
	PurposeCareCoordination ConsentPurpose = "care_coordination" // to coordinate care already under way
	PurposeLegalAdvocacy    ConsentPurpose = "legal_advocacy"    // for legal help the survivor asked for
	PurposeBenefits         ConsentPurpose = "benefits"          // to apply for benefits or certification
)

// ConsentPurposes lists every purpose.
var ConsentPurposes = []ConsentPurpose{PurposeReferral, PurposeCareCoordination, PurposeLegalAdvocacy, PurposeBenefits}

// DataCategory is a part of the survivor's information a consent may
// cover. The categories follow the field registry (Fields): each field of
// survivor data belongs to exactly one (DataCategoryOf).
type DataCategory string

// The data categories. Basic is always shared with a referral: the case
// number, age band and the coded needs and languages the service must
// know to help (no name, no contact details).
const (
	CategoryBasic     DataCategory = "basic"     // coded fields: case number, age band, needs, languages
	CategoryIdentity  DataCategory = "identity"  // name, aliases, date of birth
	CategoryContact   DataCategory = "contact"   // phones, emails, addresses, safe-contact details
	CategoryCare      DataCategory = "care"      // cultural and faith considerations, care plan goals
	CategorySensitive DataCategory = "sensitive" // immigration status, narrative notes
	CategoryScreening DataCategory = "screening" // screening answers and results
)

// DataCategories lists every category, least revealing first.
var DataCategories = []DataCategory{CategoryBasic, CategoryIdentity, CategoryContact, CategoryCare, CategorySensitive, CategoryScreening}

// DataCategoryOf is the category of a field of the registry: coded fields
// are basic, a survivor field's Group names its category, and other tables
// go by what they hold.
func DataCategoryOf(f Field) DataCategory {
	switch {
	case f.Class == Coded:
		return CategoryBasic
	case f.Table == "screenings":
		return CategoryScreening
	case f.Group != "":
		return DataCategory(f.Group)
	case f.Column == "safe_contact":
		return CategoryContact
	}
	return CategorySensitive
}

// NormalizeCategories returns cats with basic added, each category once,
// in DataCategories order; ok is false when one is not a category (it is
// left out).
func NormalizeCategories(cats []DataCategory) (out []DataCategory, ok bool) {
	ok = true
	out = []DataCategory{CategoryBasic}
	for _, c := range cats {
		switch {
		case !slices.Contains(DataCategories, c):
			ok = false
		case !slices.Contains(out, c):
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b DataCategory) int { return slices.Index(DataCategories, a) - slices.Index(DataCategories, b) })
	return out, ok
}

// Names reports whether c names as its recipient the organization orgID,
// or a need among offers (the need codes of the service referred to).
func (c *Consent) Names(orgID string, offers []string) bool {
	if c.RecipientKind == RecipientOrganization {
		return c.Recipient == orgID
	}
	return slices.Contains(offers, c.Recipient)
}

// ConsentMethod is how the consent was given.
type ConsentMethod string

// The methods.
const (
	ConsentWritten ConsentMethod = "written"
	ConsentVerbal  ConsentMethod = "verbal"
)

// DefaultConsentDays is how long a consent lasts unless staff choose
// otherwise; MaxConsentDays is the longest Haven records.
const (
	DefaultConsentDays = 90
	MaxConsentDays     = 365
	maxConsentNote     = 2000
)

// NewConsent is what staff record when the survivor consents. The JSON
// names are the API's wire format.
type NewConsent struct {
	RecipientKind ConsentRecipientKind `json:"recipient_kind"`
	// Recipient is the organization's HSDS id, or a need code for a category.
	Recipient  string         `json:"recipient"`
	Purpose    ConsentPurpose `json:"purpose"`
	Categories []DataCategory `json:"categories"`
	Method     ConsentMethod  `json:"method"`
	// WitnessID is the staff member who witnessed it, if anyone did; never
	// the one who explained it.
	WitnessID string `json:"witness_id,omitempty"`
	// Language is the BCP 47 tag of the language the consent was explained in.
	Language string `json:"language"`
	// Days is how long it lasts; 0 means DefaultConsentDays.
	Days int `json:"days,omitempty"`
	// Note is optional, in the worker's words (sealed).
	Note string `json:"note,omitempty"`
}

// Consent is a recorded consent. ExplainedBy is the staff member who
// explained and recorded it.
type Consent struct {
	ID            string               `json:"id"`
	SurvivorID    string               `json:"survivor_id"`
	RecipientKind ConsentRecipientKind `json:"recipient_kind"`
	Recipient     string               `json:"recipient"`
	// RecipientName is the organization's or the need's name, as the
	// directory has it when read (empty when the organization is gone).
	RecipientName string         `json:"recipient_name"`
	Purpose       ConsentPurpose `json:"purpose"`
	Categories    []DataCategory `json:"categories"`
	Method        ConsentMethod  `json:"method"`
	WitnessID     string         `json:"witness_id,omitempty"`
	Language      string         `json:"language"`
	ExplainedBy   string         `json:"explained_by"`
	Note          string         `json:"note,omitempty"`
	GivenAt       time.Time      `json:"given_at"`
	ExpiresAt     time.Time      `json:"expires_at"`
	RevokedAt     *time.Time     `json:"revoked_at,omitempty"`
	RevokedBy     string         `json:"revoked_by,omitempty"`
}

// ConsentState is where a consent stands at a moment.
type ConsentState string

// The states: only an active consent covers anything.
const (
	ConsentActiveState ConsentState = "active"
	ConsentExpired     ConsentState = "expired"
	ConsentRevoked     ConsentState = "revoked"
)

// State is c's state at now: revocation takes effect at once, and an
// expired consent acts as revoked.
func (c *Consent) State(now time.Time) ConsentState {
	switch {
	case c.RevokedAt != nil && !now.Before(*c.RevokedAt):
		return ConsentRevoked
	case !now.Before(c.ExpiresAt):
		return ConsentExpired
	}
	return ConsentActiveState
}

// Covers reports whether c, at now, lets its recipient receive every
// category in want for purpose. Basic is covered by any active consent.
func (c *Consent) Covers(now time.Time, purpose ConsentPurpose, want []DataCategory) bool {
	if c.State(now) != ConsentActiveState || c.Purpose != purpose {
		return false
	}
	for _, w := range want {
		if w != CategoryBasic && !slices.Contains(c.Categories, w) {
			return false
		}
	}
	return true
}

// Validate checks nc and fills its defaults; it reports every problem at
// once, by field.
func (nc *NewConsent) Validate() error {
	errs := map[string]string{}
	add := func(field, problem string) {
		if _, ok := errs[field]; !ok {
			errs[field] = problem
		}
	}
	nc.Recipient, nc.Language, nc.WitnessID = strings.TrimSpace(nc.Recipient), strings.TrimSpace(nc.Language), strings.TrimSpace(nc.WitnessID)
	switch nc.RecipientKind {
	case RecipientOrganization:
		if nc.Recipient == "" || utf8.RuneCountInString(nc.Recipient) > 200 {
			add("recipient", "Choose the organization the survivor agrees to share with.")
		}
	case RecipientCategory:
		if _, ok := NeedByCode(nc.Recipient); !ok {
			add("recipient", "Choose the kind of service the survivor agrees to share with.")
		} else {
			nc.Recipient = NeedCodes([]string{nc.Recipient})[0]
		}
	default:
		add("recipient_kind", "Say whether the consent names one organization or a kind of service.")
	}
	if !slices.Contains(ConsentPurposes, nc.Purpose) {
		add("purpose", "Choose the purpose the survivor agreed to.")
	}
	var ok bool
	if nc.Categories, ok = NormalizeCategories(nc.Categories); !ok {
		add("categories", "Choose only the listed kinds of information.")
	}
	if nc.Method != ConsentWritten && nc.Method != ConsentVerbal {
		add("method", "Say whether the consent was written or verbal.")
	}
	if !ValidLanguageTag(nc.Language) {
		add("language", "Give the language the consent was explained in, as a code such as es or vi.")
	}
	switch {
	case nc.Days == 0:
		nc.Days = DefaultConsentDays
	case nc.Days < 1 || nc.Days > MaxConsentDays:
		add("days", "A consent lasts from 1 to 365 days.")
	}
	if utf8.RuneCountInString(nc.Note) > maxConsentNote {
		add("note", "Use at most 2000 characters.")
	}
	if len(errs) > 0 {
		return &Error{Kind: Invalid, Message: "Please correct the highlighted fields.", Fields: errs}
	}
	return nil
}

// ConsentService keeps the consent ledger. Every method checks access for
// the actor in the context and writes an audit entry, reads included.
type ConsentService interface {
	// Consents lists a survivor's consents, newest first. Errors: NotFound.
	Consents(ctx context.Context, survivorID string) ([]Consent, error)
	// Consent reads one, of whichever survivor it belongs to. Errors:
	// NotFound (also when the actor may not see that survivor's record).
	Consent(ctx context.Context, consentID string) (*Consent, error)
	// RecordConsent records a consent the survivor gave, explained by the
	// actor. Errors: Invalid, NotFound.
	RecordConsent(ctx context.Context, survivorID string, nc NewConsent) (*Consent, error)
	// RevokeConsent ends a consent at once. Errors: NotFound, Conflict
	// (already revoked or expired).
	RevokeConsent(ctx context.Context, survivorID, consentID string) (*Consent, error)
}
