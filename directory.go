package haven

import (
	"context"
	"encoding/json"
)

// The service directory, in the Open Referral HSDS 3.0 model
// (https://openreferral.org/), plus the fields Haven needs to match a
// survivor to a service. Records are kept flat and linked by ID, as in the
// HSDS tabular data package; the hsds package nests them for the JSON form.
// Dates and times that HSDS carries as text (valid_from, last_modified, ...)
// stay text so that a round trip through Haven loses nothing.

// Directory is a whole HSDS data set: every table of the tabular package
// that Haven supports.
type Directory struct {
	Organizations      []Organization
	Services           []Service
	Locations          []Location
	ServiceAtLocations []ServiceAtLocation
	Addresses          []Address
	Phones             []Phone
	Schedules          []Schedule
	Languages          []Language
	ServiceAreas       []ServiceArea
	CostOptions        []CostOption
	RequiredDocuments  []RequiredDocument
	Taxonomies         []Taxonomy
	TaxonomyTerms      []TaxonomyTerm
	Attributes         []Attribute
	Contacts           []DirectoryContact
	Funding            []Funding
	Programs           []Program
	Accessibility      []Accessibility
	OrgIdentifiers     []OrganizationIdentifier
	Metadata           []Metadata
	MetaTables         []MetaTableDescription
}

// Extra holds what a record carries beyond the HSDS fields Haven models:
// a tabular package's custom columns and a JSON object's unknown fields,
// by name, each as the JSON value it was (a custom column's text is a
// JSON string). Haven keeps it so that a round trip loses nothing.
type Extra map[string]json.RawMessage

// Organization is an HSDS organization: who provides services.
type Organization struct {
	ID                   string
	Name                 string
	AlternateName        string
	Description          string
	Email                string
	Website              string
	TaxStatus            string
	TaxID                string
	YearIncorporated     *float64
	LegalStatus          string
	Logo                 string
	URI                  string
	ParentOrganizationID string
	Extra                Extra `json:",omitempty"`
}

// Service is an HSDS service, with Haven's matching profile.
type Service struct {
	ID                     string
	OrganizationID         string
	ProgramID              string
	Name                   string
	AlternateName          string
	Description            string
	URL                    string
	Email                  string
	Status                 string // active, inactive, defunct, temporarily closed
	InterpretationServices string
	ApplicationProcess     string
	FeesDescription        string
	WaitTime               string
	Fees                   string
	Accreditations         string
	EligibilityDescription string
	MinimumAge             *float64
	MaximumAge             *float64
	AssuredDate            string
	AssurerEmail           string
	Licenses               string
	Alert                  string
	LastModified           string
	// Match holds Haven's extensions; the hsds package carries them as
	// attributes under Haven's taxonomy so they survive HSDS export.
	Match MatchProfile
	Extra Extra `json:",omitempty"`
}

// MatchProfile is what Haven knows about a service beyond HSDS, for
// matching survivors: the culturally specific and survivor-centred traits
// and the eligibility rules survivors most often run into.
type MatchProfile struct {
	TraumaInformed    bool
	SurvivorSpecific  bool
	FaithBased        bool
	LGBTQAffirming    bool
	CommunitiesServed []string // free codes, e.g. "latino", "korean", "deaf"
	StaffLanguages    []string // BCP 47 codes spoken by staff (not interpreters)
	Genders           []Gender // empty: all genders
	// ImmigrationStatuses lists the statuses accepted; empty: all.
	ImmigrationStatuses []ImmigrationStatus
	BarriersWaived      []Barrier
	Free                bool
	SlidingScale        bool
	Insurance           []Insurance // insurance accepted
}

// Gender is a gender a service serves.
type Gender string

// Genders Haven matches on.
const (
	GenderFemale    Gender = "female"
	GenderMale      Gender = "male"
	GenderNonBinary Gender = "nonbinary"
	GenderTrans     Gender = "transgender"
)

// ImmigrationStatus is a survivor's status, as far as eligibility is concerned.
type ImmigrationStatus string

// Immigration statuses Haven matches on.
const (
	StatusCitizen      ImmigrationStatus = "citizen"
	StatusPermanent    ImmigrationStatus = "permanent-resident"
	StatusTVisa        ImmigrationStatus = "t-visa"       // T visa holder or applicant
	StatusUVisa        ImmigrationStatus = "u-visa"       // U visa holder or applicant
	StatusAsylum       ImmigrationStatus = "asylum"       // asylee, refugee or applicant
	StatusTemporary    ImmigrationStatus = "temporary"    // work or student visa, TPS
	StatusUndocumented ImmigrationStatus = "undocumented" // no status
)

// Barrier is an eligibility hurdle survivors of trafficking commonly meet;
// a service that waives it does not turn them away for it.
type Barrier string

// The barriers survivors meet most when they look for services.
const (
	BarrierNoIncome       Barrier = "no-income"
	BarrierNoCredit       Barrier = "no-credit-history"
	BarrierCriminalRecord Barrier = "criminal-record" // a record from their exploitation
	BarrierNoPapers       Barrier = "no-papers"
)

// Insurance is a kind of payment a service accepts.
type Insurance string

// Insurance kinds Haven matches on.
const (
	InsuranceMedicaid Insurance = "medicaid"
	InsuranceMedicare Insurance = "medicare"
	InsurancePrivate  Insurance = "private"
	InsuranceNone     Insurance = "uninsured" // serves people without insurance
)

// DocumentKind classifies an HSDS required document so that matching can
// compare it with the documents a survivor lacks.
type DocumentKind string

// Document kinds; the ones a trafficker most often confiscates first.
const (
	DocPhotoID       DocumentKind = "photo-id"
	DocImmigration   DocumentKind = "immigration-papers"
	DocSSN           DocumentKind = "ssn"
	DocBirthCert     DocumentKind = "birth-certificate"
	DocProofAddress  DocumentKind = "proof-of-address"
	DocProofIncome   DocumentKind = "proof-of-income"
	DocInsuranceCard DocumentKind = "insurance-card"
)

// WaivedBy returns the barrier whose waiver lifts the need for a document
// of kind k, or "" if no waiver does.
func (k DocumentKind) WaivedBy() Barrier {
	switch k {
	case DocPhotoID, DocImmigration, DocSSN, DocBirthCert, DocProofAddress:
		return BarrierNoPapers
	case DocProofIncome:
		return BarrierNoIncome
	}
	return ""
}

// Location is an HSDS location. Confidential locations (shelters) are shown
// only to roles the access decision allows to see them
// (access.CanSeeConfidential, in internal/access).
type Location struct {
	ID                     string
	LocationType           string // physical, postal, virtual
	URL                    string
	OrganizationID         string
	Name                   string
	AlternateName          string
	Description            string
	Transportation         string
	Latitude               *float64
	Longitude              *float64
	ExternalIdentifier     string
	ExternalIdentifierType string
	// Confidential marks an address that must not reach anyone who may not
	// see it: a shelter, a safe house.
	Confidential bool
	// TimeZone is the IANA zone of the location's schedules ("America/Chicago").
	TimeZone string
	Extra    Extra `json:",omitempty"`
}

// ServiceAtLocation links a service to a location where it is delivered.
type ServiceAtLocation struct {
	ID          string
	ServiceID   string
	LocationID  string
	Description string
	Extra       Extra `json:",omitempty"`
}

// Address is an HSDS address of a location.
type Address struct {
	ID            string
	LocationID    string
	Attention     string
	Address1      string
	Address2      string
	City          string
	Region        string
	StateProvince string
	PostalCode    string
	Country       string // ISO 3166-1 alpha-2
	AddressType   string // physical, postal, virtual
	Extra         Extra  `json:",omitempty"`
}

// Phone is an HSDS phone; it belongs to any of the records it names.
type Phone struct {
	ID                  string
	LocationID          string
	ServiceID           string
	OrganizationID      string
	ContactID           string
	ServiceAtLocationID string
	Number              string
	Extension           *float64
	Type                string
	Description         string
	Extra               Extra `json:",omitempty"`
}

// Schedule is an HSDS schedule, a subset of iCalendar RRULE.
type Schedule struct {
	ID                  string
	ServiceID           string
	LocationID          string
	ServiceAtLocationID string
	ValidFrom           string
	ValidTo             string
	DTStart             string
	Timezone            *float64 // UTC offset in hours, as HSDS has it
	Until               string
	Count               *float64
	WKST                string
	Freq                string // WEEKLY, MONTHLY
	Interval            *float64
	ByDay               string // "MO,TU"
	ByWeekNo            string
	ByMonthDay          string
	ByYearDay           string
	Description         string
	OpensAt             string // "09:00" or "09:00:00"
	ClosesAt            string
	ScheduleLink        string
	AttendingType       string
	Notes               string
	Extra               Extra `json:",omitempty"`
}

// Language is an HSDS language of a service, location or phone.
type Language struct {
	ID         string
	ServiceID  string
	LocationID string
	PhoneID    string
	Name       string
	Code       string // BCP 47
	Note       string
	Extra      Extra `json:",omitempty"`
}

// ServiceArea is an HSDS service area.
type ServiceArea struct {
	ID          string
	ServiceID   string
	Name        string
	Description string
	Extent      string
	ExtentType  string
	URI         string
	Extra       Extra `json:",omitempty"`
}

// CostOption is an HSDS cost option of a service.
type CostOption struct {
	ID                string
	ServiceID         string
	ValidFrom         string
	ValidTo           string
	Option            string
	Currency          string
	Amount            *float64
	AmountDescription string
	Extra             Extra `json:",omitempty"`
}

// RequiredDocument is an HSDS required document, with Haven's kind.
type RequiredDocument struct {
	ID        string
	ServiceID string
	Document  string
	URI       string
	Kind      DocumentKind // Haven extension; "" when unclassified
	Extra     Extra        `json:",omitempty"`
}

// Taxonomy is an HSDS taxonomy.
type Taxonomy struct {
	ID          string
	Name        string
	Description string
	URI         string
	Version     string
	Extra       Extra `json:",omitempty"`
}

// TaxonomyTerm is an HSDS taxonomy term.
type TaxonomyTerm struct {
	ID          string
	Code        string
	Name        string
	Description string
	ParentID    string
	Taxonomy    string
	Language    string
	TaxonomyID  string
	TermURI     string
	Extra       Extra `json:",omitempty"`
}

// Attribute links a record to a taxonomy term (HSDS attribute).
type Attribute struct {
	ID             string
	LinkID         string
	TaxonomyTermID string
	LinkType       string
	LinkEntity     string // service, location, organization, ...
	Value          string
	Extra          Extra `json:",omitempty"`
}

// DirectoryContact is an HSDS contact: a person or role to reach at an
// organization, service, service at location or location.
type DirectoryContact struct {
	ID                  string
	OrganizationID      string
	ServiceID           string
	ServiceAtLocationID string
	LocationID          string
	Name                string
	Title               string
	Department          string
	Email               string
	Extra               Extra `json:",omitempty"`
}

// Funding is an HSDS funding source of an organization or service.
type Funding struct {
	ID             string
	OrganizationID string
	ServiceID      string
	Source         string
	Extra          Extra `json:",omitempty"`
}

// Program is an HSDS program: services of an organization grouped under
// one name.
type Program struct {
	ID             string
	OrganizationID string
	Name           string
	AlternateName  string
	Description    string
	Extra          Extra `json:",omitempty"`
}

// Accessibility is an HSDS accessibility record of a location.
type Accessibility struct {
	ID          string
	LocationID  string
	Description string
	Details     string
	URL         string
	Extra       Extra `json:",omitempty"`
}

// OrganizationIdentifier is an HSDS identifier of an organization in a
// register (a charity number, an EIN).
type OrganizationIdentifier struct {
	ID               string
	OrganizationID   string
	IdentifierScheme string
	IdentifierType   string
	Identifier       string
	Extra            Extra `json:",omitempty"`
}

// Metadata is an HSDS metadata record: a change to one field of a record.
type Metadata struct {
	ID               string
	ResourceID       string
	ResourceType     string
	LastActionDate   string
	LastActionType   string
	FieldName        string
	PreviousValue    string
	ReplacementValue string
	UpdatedBy        string
	Extra            Extra `json:",omitempty"`
}

// MetaTableDescription is an HSDS meta table description: a table's
// language and character set.
type MetaTableDescription struct {
	ID           string
	Name         string
	Language     string
	CharacterSet string
	Extra        Extra `json:",omitempty"`
}

// Need is one domain of a survivor's needs (medical, mental health,
// housing, legal, immigration and the others of a care plan), held in the
// directory as an HSDS taxonomy term of NeedsTaxonomy and mapped to the
// Open Eligibility categories and the SDOH Clinical Care category codes
// that other systems use for the same thing.
type Need struct {
	Code   string // Haven's code, used in care plans and queries
	TermID string // HSDS taxonomy_term.id, stable across installations
	Name   string
	// OpenEligibility lists Open Eligibility service category ids
	// (openeligibility.org, taxonomy 2.0) that belong to this need.
	OpenEligibility []string
	// SDOHCategory is a code of the SDOH Clinical Care IG category system
	// (SDOHCategoryURI); needs without an SDOH domain of their own use
	// "sdoh-category-unspecified".
	SDOHCategory string
}

// SDOHCategoryURI is the code system of Need.SDOHCategory.
const SDOHCategoryURI = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"

// NeedsTaxonomy is the HSDS taxonomy that holds Needs.
var NeedsTaxonomy = Taxonomy{
	ID:          "b777f3f6-0b48-5ff2-a94f-b9f8345ae6d0",
	Name:        "Haven survivor needs",
	Description: "Domains of need of survivors of human trafficking, for care plans and service matching.",
	URI:         "https://haven-care.org/taxonomy/needs",
	Version:     "1",
}

// Needs lists the need domains in care-plan order. Open Eligibility ids
// are category ids of its services tree; the map is by meaning, reviewed
// term by term, and a term appears under every need it serves.
var Needs = []Need{
	{"immediate-medical", "866de643-9b47-5195-a4b8-cd6dcc146da3", "Immediate medical care", []string{"1206", "1210", "1126", "1231"}, "sdoh-category-unspecified"},
	{"long-term-medical", "186f533e-a3f1-54ec-a69f-1f1e757d493f", "Long-term medical care", []string{"1206", "1184", "1219", "1199"}, "health-insurance-coverage-status"},
	{"mental-health", "71ee4e1d-a49a-5591-8133-c2de24d0bb69", "Mental health", []string{"1214", "1220", "1304", "1310", "1312"}, "stress"},
	{"substance-use", "be0d5f2a-2c81-5eef-a5c9-dbf9aa017811", "Substance use", []string{"1178", "1180", "1181", "1182", "1183"}, "sdoh-category-unspecified"},
	{"sexual-reproductive-health", "567b711b-99ba-5ccb-9525-66f2f5a8e70b", "Sexual and reproductive health", []string{"1209", "1217", "1215", "1193", "1221"}, "sdoh-category-unspecified"},
	{"food", "a71e923e-1415-5bc4-8134-3c7180d9e48a", "Food", []string{"1102", "1120", "1130", "1131", "1133"}, "food-insecurity"},
	{"shelter", "331bfa30-ca63-5283-bebf-c0c8310497a4", "Emergency shelter", []string{"1121", "1125", "1135", "1151"}, "homelessness"},
	{"housing", "22f3a11b-1ea2-5050-940b-48948a1f0081", "Housing", []string{"1103", "1136", "1137", "1145", "1146", "1152"}, "housing-instability"},
	{"legal", "10b7df64-fefc-5641-8a57-2e1f0e9a4668", "Legal help", []string{"1111", "1375", "1382", "1384", "1389"}, "sdoh-category-unspecified"},
	{"immigration", "adcef310-3766-5b6f-8b0b-e516f73ddf6d", "Immigration", []string{"1381", "1346"}, "sdoh-category-unspecified"},
	{"employment", "5ef83c0b-b5d4-55ba-83da-b97a6d096062", "Employment", []string{"1110", "1357", "1365", "1374"}, "employment-status"},
	{"education", "6b962c80-3dd0-5ed7-988b-e76223f2078a", "Education", []string{"1109", "1323", "1326", "1332", "1349"}, "educational-attainment"},
	{"financial", "aa940501-5b04-56d3-92e3-e2afcd314881", "Financial help", []string{"1107", "1113", "1232", "1256", "1262"}, "financial-insecurity"},
	{"childcare", "8cd76380-c12c-5431-8517-e28f6d2d6074", "Childcare", []string{"1280", "1281", "1282", "1233"}, "material-hardship"},
	{"safety", "283ab192-a532-5dfc-9ff5-67d2576211e4", "Safety", []string{"1123", "1124", "1305"}, "sdoh-category-unspecified"},
	{"family-reunification", "4c702345-a60f-5b44-94b7-3575dbed73d4", "Family reunification", []string{"1122", "1303"}, "social-connection"},
}

// NeedCodes maps need term IDs to need codes, leaving anything else as it
// is, so that both spellings of a need meet.
func NeedCodes(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if n, ok := NeedByCode(t); ok {
			t = n.Code
		}
		out = append(out, t)
	}
	return out
}

// NeedByCode returns the need with the given code or term ID.
func NeedByCode(code string) (Need, bool) {
	for _, n := range Needs {
		if n.Code == code || n.TermID == code {
			return n, true
		}
	}
	return Need{}, false
}

// TaxonomyTerm returns n as an HSDS taxonomy term of NeedsTaxonomy.
func (n Need) TaxonomyTerm() TaxonomyTerm {
	return TaxonomyTerm{ID: n.TermID, Code: n.Code, Name: n.Name, Description: n.Name + " (Haven need domain).",
		Taxonomy: NeedsTaxonomy.Name, Language: "en", TaxonomyID: NeedsTaxonomy.ID, TermURI: NeedsTaxonomy.URI + "/" + n.Code}
}

// DirectoryImport counts what an import wrote; Version is the directory
// version it committed as.
type DirectoryImport struct {
	Organizations, Services, Locations, Records int
	Version                                     int64
}

// DirectoryService keeps the service directory in the Open Referral HSDS
// 3.0 model. Reads leave confidential locations out for actors whose role
// may not see them.
type DirectoryService interface {
	// ImportDirectory writes a whole data set in one transaction: all of it
	// or nothing. Errors: Invalid (every problem), Forbidden.
	ImportDirectory(ctx context.Context, d *Directory, progress func(done, total int)) (DirectoryImport, error)
	// SaveService validates, stores and audits one service with its
	// profile. Errors: Invalid, Forbidden, NotFound.
	SaveService(ctx context.Context, s Service) error
	// DeleteDirectoryService deletes a service. Errors: Forbidden, NotFound.
	DeleteDirectoryService(ctx context.Context, id string) error
	// ExportDirectory returns the whole directory, confidential locations
	// only when asked for and allowed. Errors: Forbidden.
	ExportDirectory(ctx context.Context, confidential bool) (*Directory, error)
	// DirectoryRecords returns the services ids (nil: all) with what their
	// sites are made of, confidential locations included: it feeds the
	// matching index, which filters by role itself.
	DirectoryRecords(ctx context.Context, ids []string) (*Directory, error)
	// ConfidentialDirectoryRecords returns, as DirectoryRecords does, the
	// services with a site at a confidential location and what all their
	// sites are made of: what an index loaded from a snapshot, which holds
	// no shelter, lacks. Errors: Unauthenticated, Forbidden without the
	// right to read confidential locations.
	ConfidentialDirectoryRecords(ctx context.Context) (*Directory, error)
	// SealShelters seals the shelters' part of the matching index's
	// snapshot under the master key, so that the file holds no shelter in
	// the clear; OpenShelters opens it (under the same or a retired key the
	// vault still holds). Errors: Forbidden without the right to read
	// confidential locations; OpenShelters: Invalid for anything it did not
	// seal or that was altered.
	SealShelters(ctx context.Context, plaintext []byte) ([]byte, error)
	OpenShelters(ctx context.Context, sealed []byte) ([]byte, error)
	// DirectoryVersion returns the version of the last change.
	DirectoryVersion(ctx context.Context) (int64, error)
	// DirectoryChanges returns the services changed after since, up to
	// version; all means "reload everything".
	DirectoryChanges(ctx context.Context, since int64) (version int64, serviceIDs []string, all bool, err error)
}
