package haven

// FieldClass says how a stored field is protected.
type FieldClass string

// The field classes of PRODUCT.md.
const (
	// Identifying fields name or locate a person: encrypted, never logged.
	Identifying FieldClass = "identifying"
	// Sensitive fields reveal a person's circumstances: encrypted, never logged.
	Sensitive FieldClass = "sensitive"
	// Coded fields are non-identifying codes and flags, kept in the clear
	// for matching and suppressed aggregates.
	Coded FieldClass = "coded"
)

// FieldClasses lists the classes, most protected first.
var FieldClasses = []FieldClass{Identifying, Sensitive, Coded}

// Encrypted reports whether fields of class c are stored encrypted.
func (c FieldClass) Encrypted() bool { return c == Identifying || c == Sensitive }

// Field describes one stored field of survivor data.
type Field struct {
	Table       string
	Column      string
	Class       FieldClass
	Description string
}

// Fields is the one registry of survivor-data fields: the store encrypts
// exactly the identifying and sensitive ones, the canary test fills them,
// and docs/data-dictionary.md is generated from it.
var Fields = []Field{
	{"survivors", "case_number", Coded, "Pseudonymous case number, random; says nothing about the person."},
	{"survivors", "name", Identifying, "Name the survivor uses."},
	{"survivors", "aliases", Identifying, "Other names and aliases."},
	{"survivors", "date_of_birth", Identifying, "Date of birth, when known."},
	{"survivors", "phones", Identifying, "Phone numbers."},
	{"survivors", "emails", Identifying, "Email addresses."},
	{"survivors", "addresses", Identifying, "Postal or physical addresses."},
	{"survivors", "immigration_status", Sensitive, "Immigration status, in the worker's words."},
	{"survivors", "notes", Sensitive, "Narrative notes."},
	{"survivors", "cultural_considerations", Sensitive, "Cultural considerations, in the survivor's own words."},
	{"survivors", "faith_considerations", Sensitive, "Faith considerations, in the survivor's own words."},
	{"survivors", "safe_contact", Sensitive, "Safe-contact details: safe times, voicemail wording, code word."},
	{"survivors", "language_dialects", Sensitive, "Dialect of each preferred language, in free text: a regional variety can point to a small community or a place of origin."},
	{"survivors", "name_dob_index", Coded, "Keyed blind index (HMAC) of name and date of birth, for duplicate warnings; reveals nothing without the key."},
	{"survivors", "age_band", Coded, "Age band derived from the date of birth."},
	{"survivors", "minor", Coded, "Under 18."},
	{"survivors", "languages", Coded, "Preferred languages (BCP 47) and interpreter need; their dialects are sealed apart (language_dialects)."},
	{"survivors", "preferred_provider_gender", Coded, "Gender of provider preferred."},
	{"survivors", "contact_channels", Coded, "Channels marked safe; do-not-contact; voicemail safe."},
	{"screenings", "instrument_id", Coded, "The instrument screened with (shipped id or imported instrument)."},
	{"screenings", "concern", Coded, "Level of concern the screening raised: none, low, moderate or high. A prompt, not a diagnosis."},
	{"screenings", "flagged", Coded, "Indicator domains the screening flagged (e.g. labor, sexual)."},
	{"screenings", "minor", Coded, "The survivor was under 18 when screened (child codes, mandated report)."},
	{"screenings", "response", Sensitive, "The answers: the FHIR QuestionnaireResponse as given."},
	{"screenings", "result", Sensitive, "The full result: summary, next steps and suggested ICD-10-CM codes."},
	{"survivor_keys", "wrapped_key", Coded, "The survivor's data key, wrapped by the master key; deleting it crypto-shreds the record."},
}

// FieldClassOf returns the class of table.column, and false when the field
// is not in the registry.
func FieldClassOf(table, column string) (FieldClass, bool) {
	for _, f := range Fields {
		if f.Table == table && f.Column == column {
			return f.Class, true
		}
	}
	return "", false
}
