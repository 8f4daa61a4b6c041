package haven

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Survivor is a survivor's record. Identifying and sensitive fields are
// encrypted at rest under the survivor's own data key (see the field
// registry in fields.go); coded fields stay queryable for matching and
// aggregate reports.
type Survivor struct {
	ID string
	// CaseNumber is pseudonymous: it says nothing about the person and is
	// what staff use in conversation and on paper.
	CaseNumber string

	// NewSurvivor holds the fields staff write, normalized; its AgeBand is
	// derived from the date of birth when there is one.
	NewSurvivor

	// Minor is derived from the age band.
	Minor bool

	CreatedAt time.Time
	UpdatedAt time.Time

	// EmergencyUntil is set, on a record read, when the reader sees it
	// through emergency (break-glass) access: read-only until then. It is
	// not stored with the record.
	EmergencyUntil time.Time
}

// LanguagePreference is one language the survivor uses.
type LanguagePreference struct {
	// Code is a BCP 47 language tag ("es", "zh-Hant", "ht").
	Code string `json:"code"`
	// Dialect in free text ("Oaxacan Mixtec", "Cantonese").
	Dialect string `json:"dialect,omitempty"`
	// Interpreter is true when a professional interpreter is needed.
	Interpreter bool `json:"interpreter,omitempty"`
}

// ProviderGender is the gender of provider the survivor prefers.
type ProviderGender string

// Provider gender preferences.
const (
	ProviderGenderNone      ProviderGender = ""
	ProviderGenderFemale    ProviderGender = "female"
	ProviderGenderMale      ProviderGender = "male"
	ProviderGenderNonbinary ProviderGender = "nonbinary"
)

// ContactChannel is a way to reach a survivor.
type ContactChannel string

// Contact channels.
const (
	ChannelPhoneCall ContactChannel = "phone_call"
	ChannelSMS       ContactChannel = "sms"
	ChannelEmail     ContactChannel = "email"
	ChannelInPerson  ContactChannel = "in_person"
	ChannelMail      ContactChannel = "mail"
	ChannelAdvocate  ContactChannel = "via_advocate"
)

// ContactChannels lists every channel.
var ContactChannels = []ContactChannel{ChannelPhoneCall, ChannelSMS, ChannelEmail, ChannelInPerson, ChannelMail, ChannelAdvocate}

// SafeContactPlan says how the survivor may be reached without putting them
// at risk. Haven refuses a contact through a channel it does not mark safe
// and shows the plan before every contact.
type SafeContactPlan struct {
	DoNotContact bool             `json:"do_not_contact"`
	Channels     []ContactChannel `json:"channels"`
	// SafeTimes in the survivor's words ("weekdays 10-12, never weekends").
	SafeTimes     string `json:"safe_times,omitempty"`
	VoicemailSafe bool   `json:"voicemail_safe"`
	// VoicemailMessage is what a voicemail may say, if one is safe.
	VoicemailMessage string `json:"voicemail_message,omitempty"`
	// CodeWord confirms it is safe to talk.
	CodeWord string `json:"code_word,omitempty"`
}

// AllowContact reports whether ch may be used, with the reason when not.
// A voicemail counts as a phone call that also needs VoicemailSafe.
func (p SafeContactPlan) AllowContact(ch ContactChannel, voicemail bool) error {
	switch {
	case p.DoNotContact:
		return Errorf(Forbidden, "The survivor asked not to be contacted.")
	case !slices.Contains(p.Channels, ch):
		return Errorf(Forbidden, "The safe-contact plan does not mark %s as safe.", strings.ReplaceAll(string(ch), "_", " "))
	case voicemail && !p.VoicemailSafe:
		return Errorf(Forbidden, "The safe-contact plan says voicemail is not safe.")
	}
	return nil
}

// AgeBand is a coarse age range, kept in the clear for matching and
// reports instead of the date of birth.
type AgeBand string

// Age bands; the boundaries follow the services' usual eligibility cut-offs.
const (
	AgeUnknown AgeBand = ""
	Age0to11   AgeBand = "0-11"
	Age12to14  AgeBand = "12-14"
	Age15to17  AgeBand = "15-17"
	Age18to24  AgeBand = "18-24"
	Age25to34  AgeBand = "25-34"
	Age35to44  AgeBand = "35-44"
	Age45to54  AgeBand = "45-54"
	Age55to64  AgeBand = "55-64"
	Age65plus  AgeBand = "65+"
)

// AgeBands lists the bands, youngest first.
var AgeBands = []AgeBand{Age0to11, Age12to14, Age15to17, Age18to24, Age25to34, Age35to44, Age45to54, Age55to64, Age65plus}

// Minor reports whether every age in the band is under 18.
func (b AgeBand) Minor() bool { return b == Age0to11 || b == Age12to14 || b == Age15to17 }

// AgeOn returns the age in whole years on day now of someone born on dob.
func AgeOn(dob, now time.Time) int {
	age := now.Year() - dob.Year()
	if now.Month() < dob.Month() || now.Month() == dob.Month() && now.Day() < dob.Day() {
		age--
	}
	return age
}

// BandOf returns the band of an age in years.
func BandOf(age int) AgeBand {
	limits := []int{11, 14, 17, 24, 34, 44, 54, 64}
	for i, l := range limits {
		if age <= l {
			return AgeBands[i]
		}
	}
	return Age65plus
}

// NewSurvivor is the input to create or update a survivor's record: the
// fields staff write. Which of them are identifying, sensitive or coded,
// and how a form or view shows the ones entered as text, is said once, in
// the field registry (fields.go). The JSON names are the API's wire format
// and equal the registry's column names; the store keeps its own at-rest
// forms, so renaming one here never changes how stored records decode.
type NewSurvivor struct {
	// Identifying.
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases"`
	DateOfBirth string   `json:"date_of_birth"` // YYYY-MM-DD, or empty when unknown
	Phones      []string `json:"phones"`
	Emails      []string `json:"emails"`
	Addresses   []string `json:"addresses"`

	// Sensitive.
	ImmigrationStatus string `json:"immigration_status"`
	Notes             string `json:"notes"`
	// CulturalConsiderations and FaithConsiderations are in the
	// survivor's own words.
	CulturalConsiderations string `json:"cultural_considerations"`
	FaithConsiderations    string `json:"faith_considerations"`

	// Coded. AgeBand is used when DateOfBirth is empty; otherwise it is
	// derived from it.
	AgeBand AgeBand `json:"age_band"`
	// Languages in order of preference.
	Languages               []LanguagePreference `json:"languages"`
	PreferredProviderGender ProviderGender       `json:"preferred_provider_gender"`
	SafeContact             SafeContactPlan      `json:"safe_contact"`
	// Groups are the coded groups the gap analysis counts by.
	Groups SurvivorGroups `json:"groups"`
}

// Field length limits.
const (
	maxShortText = 200
	maxLongText  = 20000
	maxListItems = 20
)

// Normalize validates ns and derives its coded fields as of now: the age
// band and minor status come from the date of birth when there is one.
func (ns NewSurvivor) Normalize(now time.Time) (Survivor, error) {
	s := Survivor{NewSurvivor: ns}
	s.trimEntries()
	if err := s.validateText(); err != nil {
		return s, err
	}
	if s.DateOfBirth != "" {
		dob, err := time.Parse(time.DateOnly, s.DateOfBirth)
		if err != nil || dob.After(now) || now.Year()-dob.Year() > 120 {
			return s, FieldError("date_of_birth", "Use a real past date as YYYY-MM-DD, or leave it empty.")
		}
		s.AgeBand = BandOf(AgeOn(dob, now))
	} else if s.AgeBand != AgeUnknown && !slices.Contains(AgeBands, s.AgeBand) {
		return s, FieldError("age_band", "Choose one of the listed age bands.")
	}
	s.Minor = s.AgeBand.Minor()
	return s, s.validateCoded()
}

// trimEntries trims the fields entered as a line of text or a list, as
// the registry says, and drops empty list entries.
func (s *Survivor) trimEntries() {
	for _, f := range SurvivorEntries() {
		switch v := f.Value(&s.NewSurvivor).(type) {
		case *string:
			if f.Entry != LongText {
				*v = strings.TrimSpace(*v)
			}
		case *[]string:
			*v = trimAll(*v)
		}
	}
}

func (s Survivor) validateText() error {
	if s.Name == "" && len(s.Aliases) == 0 {
		return FieldError("name", "Give a name or an alias the survivor wants to be called by.")
	}
	for _, f := range SurvivorEntries() {
		if err := f.validate(f.Value(&s.NewSurvivor)); err != nil {
			return err
		}
	}
	long := map[string]string{"safe_times": s.SafeContact.SafeTimes, "voicemail_message": s.SafeContact.VoicemailMessage}
	for field, v := range long {
		if utf8.RuneCountInString(v) > maxLongText {
			return FieldError(field, fmt.Sprintf("Use at most %d characters.", maxLongText))
		}
	}
	for _, e := range s.Emails {
		if at := strings.Index(e, "@"); at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t") {
			return FieldError("emails", "Each email address needs the form name@domain.")
		}
	}
	return nil
}

func (s Survivor) validateCoded() error {
	if len(s.Languages) > 10 {
		return FieldError("languages", "List at most 10 languages.")
	}
	for _, l := range s.Languages {
		if !ValidLanguageTag(l.Code) {
			return FieldError("languages", fmt.Sprintf("%q is not a language code such as es or zh-Hant.", l.Code))
		}
		if utf8.RuneCountInString(l.Dialect) > maxShortText {
			return FieldError("languages", "A dialect may have at most 200 characters.")
		}
	}
	switch s.PreferredProviderGender {
	case ProviderGenderNone, ProviderGenderFemale, ProviderGenderMale, ProviderGenderNonbinary:
	default:
		return FieldError("preferred_provider_gender", "Choose one of the listed preferences.")
	}
	for _, ch := range s.SafeContact.Channels {
		if !slices.Contains(ContactChannels, ch) {
			return FieldError("contact_channels", fmt.Sprintf("Unknown contact channel %q.", ch))
		}
	}
	if utf8.RuneCountInString(s.SafeContact.CodeWord) > maxShortText {
		return FieldError("code_word", "Use at most 200 characters.")
	}
	return s.Groups.validate()
}

// ValidLanguageTag accepts the shape of a BCP 47 tag: 2-3 letter primary
// subtag and up to four alphanumeric subtags. A language's name ("Spanish")
// is not one.
func ValidLanguageTag(tag string) bool {
	parts := strings.Split(tag, "-")
	if len(parts) > 5 || len(parts[0]) < 2 || len(parts[0]) > 3 {
		return false
	}
	for i, p := range parts {
		if p == "" || len(p) > 8 {
			return false
		}
		for _, c := range p {
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

func trimAll(in []string) []string {
	var out []string
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// SurvivorSummary is what a list of survivors shows: coded fields and the
// case number, never identifying data.
type SurvivorSummary struct {
	ID         string
	CaseNumber string
	AgeBand    AgeBand
	Minor      bool
	UpdatedAt  time.Time
	// Supervised is set when the actor sees the record not as a member of
	// its care team but as a supervisor of a team that holds a member.
	Supervised bool
	// EmergencyUntil is set when the actor sees the record only through a
	// live emergency-access grant: read-only until then.
	EmergencyUntil time.Time
}

// SurvivorService keeps survivors' records. Every method checks access for
// the actor in the context and writes an audit entry, reads included.
type SurvivorService interface {
	// CreateSurvivor creates a record; the actor joins its care team. It
	// returns the possible duplicates the actor may already see (on
	// whose care team they are); a possible duplicate they may not see is
	// never revealed to them, in any way, and waits in the supervisors'
	// duplicate review queue instead. Errors: Invalid, Unauthenticated,
	// Forbidden.
	CreateSurvivor(ctx context.Context, ns NewSurvivor) (*Survivor, []PossibleDuplicate, error)
	// Survivor reads a record. Errors: NotFound (also when the actor may not see it).
	Survivor(ctx context.Context, id string) (*Survivor, error)
	// UpdateSurvivor replaces a record's fields. Errors: Invalid, NotFound.
	UpdateSurvivor(ctx context.Context, id string, ns NewSurvivor) (*Survivor, error)
	// DeleteSurvivor deletes a record and destroys its data key, so no copy
	// of its encrypted fields can be read again. Errors: NotFound, Forbidden.
	DeleteSurvivor(ctx context.Context, id string) error
	// Survivors lists the records the actor may see: on their care teams,
	// supervised through their teams (Supervised), and opened through a
	// live emergency-access grant (EmergencyUntil).
	Survivors(ctx context.Context) ([]SurvivorSummary, error)
	// RecordContact checks the safe-contact plan before a contact and
	// stores the contact with its audit entry, or audits its refusal (a
	// refused contact is never stored). Errors: Invalid (the outcome or
	// the note), NotFound, Forbidden (the plan does not allow the contact).
	RecordContact(ctx context.Context, id string, c NewContact) error
	// Contacts lists the contacts made with a survivor, newest first; the
	// read is audited. Errors: NotFound (also when the actor may not see
	// the record), Unauthenticated.
	Contacts(ctx context.Context, survivorID string) ([]Contact, error)
}

// PossibleDuplicate names an existing record with the same name and date of
// birth, found by blind index, never by plaintext search.
type PossibleDuplicate struct {
	ID         string
	CaseNumber string
}

// DuplicateReview is a pair of records with the same name and date of
// birth that the worker who created the newer one may not see both of: a
// supervisor looks at it instead, so that the warning tells the worker
// nothing about records outside their care teams.
type DuplicateReview struct {
	ID string
	// SurvivorID is the record just created; OtherID the existing record.
	// The case numbers are "" once a record is deleted.
	SurvivorID, SurvivorCase string
	OtherID, OtherCase       string
	CreatedAt                time.Time
}

// Duplicate review findings.
const (
	DuplicateSamePerson = "same_person" // one person: the care teams sort out the records
	DuplicateDistinct   = "distinct"    // two people who share a name and date of birth
)

// DuplicateReviewService is the supervisors' queue of possible duplicates
// that their creator was not told about.
type DuplicateReviewService interface {
	// DuplicateReviews lists the unresolved pairs, oldest first.
	// Errors: Forbidden (not a supervisor).
	DuplicateReviews(ctx context.Context) ([]DuplicateReview, error)
	// DuplicateReviewsPending counts them: the alert on supervisors'
	// pages. Errors: Forbidden.
	DuplicateReviewsPending(ctx context.Context) (int, error)
	// ResolveDuplicateReview records a supervisor's finding
	// (DuplicateSamePerson or DuplicateDistinct), audited. Errors:
	// Invalid, Forbidden, NotFound, Conflict (resolved already).
	ResolveDuplicateReview(ctx context.Context, id, finding string) error
}
