package haven

import (
	"fmt"
	"unicode/utf8"
)

// FieldClass says how a stored field is protected.
type FieldClass string

// The field classes. Every field of survivor data has one, in Fields.
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

// Entry says how staff enter a field of a survivor's record as text, so
// that a surface can show it, take it and check it from the registry
// alone.
type Entry string

// The entries.
const (
	// ShortText is one line, trimmed, at most 200 characters.
	ShortText Entry = "short"
	// LongText is free text in the survivor's or the worker's words, kept
	// as typed, at most 20,000 characters.
	LongText Entry = "long"
	// List is one entry per line, at most 20 of 400 characters each.
	List Entry = "list"
	// Date is YYYY-MM-DD, trimmed.
	Date Entry = "date"
)

// Field describes one stored field of survivor data.
type Field struct {
	Table       string
	Column      string
	Class       FieldClass
	Description string
	// Entry and Value are set for the fields of a survivor's record that
	// staff enter as text: how they are entered, and where the value sits
	// in a record's input. Coded choices, languages and the safe-contact
	// plan have structure of their own that each surface lays out.
	Entry Entry
	Value func(*NewSurvivor) any
	// Group is the part of the record the field belongs to, for forms and
	// views: identity, contact, care or sensitive.
	Group string
}

// stored is a field that no surface enters as text.
func stored(table, column string, class FieldClass, description string) Field {
	return Field{Table: table, Column: column, Class: class, Description: description}
}

// entered is a field of a survivor's record that staff enter as text.
func entered(column string, class FieldClass, entry Entry, group, description string, value func(*NewSurvivor) any) Field {
	return Field{Table: "survivors", Column: column, Class: class, Description: description, Entry: entry, Value: value, Group: group}
}

func text(f func(*NewSurvivor) *string) func(*NewSurvivor) any {
	return func(n *NewSurvivor) any { return f(n) }
}

func list(f func(*NewSurvivor) *[]string) func(*NewSurvivor) any {
	return func(n *NewSurvivor) any { return f(n) }
}

// Fields is the one registry of survivor-data fields: the store encrypts
// exactly the identifying and sensitive ones, the canary test fills them,
// and docs/data-dictionary.md is generated from it.
var Fields = []Field{
	stored("survivors", "case_number", Coded, "Pseudonymous case number, random; says nothing about the person."),
	entered("name", Identifying, ShortText, "identity", "Name the survivor uses.",
		text(func(n *NewSurvivor) *string { return &n.Name })),
	entered("aliases", Identifying, List, "identity", "Other names and aliases.",
		list(func(n *NewSurvivor) *[]string { return &n.Aliases })),
	entered("date_of_birth", Identifying, Date, "identity", "Date of birth, when known.",
		text(func(n *NewSurvivor) *string { return &n.DateOfBirth })),
	entered("phones", Identifying, List, "contact", "Phone numbers.",
		list(func(n *NewSurvivor) *[]string { return &n.Phones })),
	entered("emails", Identifying, List, "contact", "Email addresses.",
		list(func(n *NewSurvivor) *[]string { return &n.Emails })),
	entered("addresses", Identifying, List, "contact", "Postal or physical addresses.",
		list(func(n *NewSurvivor) *[]string { return &n.Addresses })),
	entered("immigration_status", Sensitive, ShortText, "sensitive", "Immigration status, in the worker's words.",
		text(func(n *NewSurvivor) *string { return &n.ImmigrationStatus })),
	entered("notes", Sensitive, LongText, "sensitive", "Narrative notes.",
		text(func(n *NewSurvivor) *string { return &n.Notes })),
	entered("cultural_considerations", Sensitive, LongText, "care", "Cultural considerations, in the survivor's own words.",
		text(func(n *NewSurvivor) *string { return &n.CulturalConsiderations })),
	entered("faith_considerations", Sensitive, LongText, "care", "Faith considerations, in the survivor's own words.",
		text(func(n *NewSurvivor) *string { return &n.FaithConsiderations })),
	{Table: "survivors", Column: "safe_contact", Class: Sensitive, Description: "Safe-contact details: safe times, voicemail wording, code word.",
		Value: func(n *NewSurvivor) any { return &n.SafeContact }},
	{Table: "survivors", Column: "language_dialects", Class: Sensitive, Description: "Dialect of each preferred language, in free text: a regional variety can point to a small community or a place of origin.",
		Value: func(n *NewSurvivor) any { return &n.Languages }},
	stored("survivors", "name_dob_index", Coded, "Keyed blind index (HMAC) of name and date of birth, for duplicate warnings; reveals nothing without the key."),
	stored("survivors", "age_band", Coded, "Age band derived from the date of birth."),
	stored("survivors", "minor", Coded, "Under 18."),
	stored("survivors", "languages", Coded, "Preferred languages (BCP 47) and interpreter need; their dialects are sealed apart (language_dialects)."),
	stored("survivors", "preferred_provider_gender", Coded, "Gender of provider preferred."),
	stored("survivors", "gender", Coded, "Gender, for the suppressed counts of the gap analysis (female, male, nonbinary, transgender)."),
	stored("survivors", "region_of_origin", Coded, "Coarse world region of origin (haven.Regions), for the suppressed counts of the gap analysis."),
	stored("survivors", "trafficking_type", Coded, "Form of trafficking: labor, sex, labor-and-sex or other."),
	stored("survivors", "area", Coded, "City or service area the survivor is helped in (a gazetteer name, never an address)."),
	stored("survivors", "contact_channels", Coded, "Channels marked safe; do-not-contact; voicemail safe."),
	stored("screenings", "instrument_id", Coded, "The instrument screened with (shipped id or imported instrument)."),
	stored("screenings", "concern", Coded, "Level of concern the screening raised: none, low, moderate or high. A prompt, not a diagnosis."),
	stored("screenings", "flagged", Coded, "Indicator domains the screening flagged (e.g. labor, sexual)."),
	stored("screenings", "screened", Coded, "Whether the questions were asked: false when the safety checklist stopped the screening."),
	stored("screenings", "minor", Coded, "The survivor was under 18 when screened (child codes, mandated report)."),
	stored("screenings", "outcome", Coded, "What staff later confirmed: confirmed or ruled_out trafficking; the reference standard of the programme's accuracy."),
	stored("screenings", "response", Sensitive, "The answers: the FHIR QuestionnaireResponse as given."),
	stored("screenings", "result", Sensitive, "The full result: summary, next steps and suggested ICD-10-CM codes."),
	stored("tasks", "assignee_id", Coded, "Who does the task: a member of the survivor's care team with a care role."),
	stored("tasks", "due_on", Coded, "Due date (YYYY-MM-DD) in the clinic's time zone."),
	stored("tasks", "status", Coded, "open, done or cancelled."),
	stored("tasks", "need_id", Coded, "The need of the care plan the task serves, if any."),
	stored("tasks", "text", Sensitive, "What is to be done, in the worker's words: it may describe the survivor's situation."),
	stored("encounters", "author_id", Coded, "Who wrote the encounter note and signed it; an encounter is never edited."),
	stored("encounters", "occurred_on", Coded, "Day of the encounter (YYYY-MM-DD), not in the future."),
	stored("encounters", "screening_id", Coded, "The screening the encounter follows, if any, whose suggested codes could be accepted."),
	stored("encounters", "note", Sensitive, "The encounter note, in the author's words."),
	stored("encounter_codes", "code", Coded, "An ICD-10-CM code a clinician accepted from the screening's suggestions, with its 7th character: A initial encounter, D subsequent, S sequela."),
	stored("contacts", "channel", Coded, "Channel of a contact the safe-contact plan allowed (a refused one is never stored; the audit log keeps it)."),
	stored("contacts", "voicemail", Coded, "Whether a voicemail was left."),
	stored("contacts", "outcome", Coded, "What came of the contact: reached, no_answer or message_left."),
	stored("contacts", "note", Sensitive, "Optional note on the contact."),
	stored("consents", "recipient", Coded, "Who a consent lets receive information: an organization's directory id, or a need code for any provider of that kind."),
	stored("consents", "purpose", Coded, "Why the survivor agreed to share: referral, care coordination, legal advocacy or benefits."),
	stored("consents", "categories", Coded, "The kinds of information a consent covers (haven.DataCategories)."),
	stored("consents", "method", Coded, "How the consent was given (written or verbal), who witnessed and who explained it, in which language."),
	stored("consents", "expires_at", Coded, "When a consent ends, and when it was revoked if it was: revocation takes effect at once."),
	stored("consents", "note", Sensitive, "A note on the consent, in the worker's words."),
	stored("care_team", "user_id", Coded, "A staff member on the survivor's care team, by opaque user id."),
	stored("care_team", "lead", Coded, "The one member who leads the care team: with supervisors, changes it and hands the case over."),
	stored("teams", "name", Coded, "A team of staff's name, given by an administrator; holds no survivor data."),
	stored("team_members", "supervisor", Coded, "The member supervises the team: the cases whose care teams hold a member are in their caseload."),
	stored("users", "password_must_change", Coded, "The account signed in with a temporary password that it must change before any other page works."),
	stored("password_links", "token_hash", Coded, "SHA-256 of a one-time set-password link's token; the row goes when the link is used, and lapses after 72 hours."),
	stored("settings", "value", Coded, "A setting administrators change at run time; two_step_roles lists the roles that must use two-step sign-in."),
	stored("translation_reviews", "reviewer", Coded, "The name of the translator who reviewed a survivor-facing text; staff, never survivor data."),
	stored("translation_reviews", "source_hash", Coded, "SHA-256 of the English source the review read; when the source changes the text is drafted again."),
	stored("needs", "domain", Coded, "Need domain of the care plan: a code of haven.Needs (the directory's taxonomy)."),
	stored("needs", "status", Coded, "identified, planned, in_progress, met, not_met or declined (the survivor declined: respected, not a failure)."),
	stored("needs", "rank", Coded, "Order of the need in the plan."),
	stored("needs", "screening_id", Coded, "The screening whose indicator domain the survivor confirmed as this need, if any."),
	stored("needs", "goal", Sensitive, "The survivor's goal for this need, in their own words."),
	stored("needs", "priority", Sensitive, "The survivor's priority for this need, in their own words."),
	stored("need_history", "kind", Coded, "What a change of a need was: created, status, words, rank or note."),
	stored("need_history", "status", Coded, "The need's status after the change."),
	stored("need_history", "note", Sensitive, "An optional note on the change, by the worker."),
	stored("referrals", "service_id", Coded, "The directory service a referral is sent to, and its organization."),
	stored("referrals", "categories", Coded, "The kinds of information the referral's packet carries: those of its consent at most."),
	stored("referrals", "status", Coded, "A FHIR Task status: requested, accepted, rejected, cancelled, in-progress, on-hold, completed or failed."),
	stored("referrals", "reason", Coded, "Why a referral was rejected, cancelled or failed (no-capacity, ineligible, language-mismatch, survivor-declined, unreachable, other)."),
	stored("referrals", "note", Sensitive, "The sender's message to the receiving organization."),
	stored("referral_history", "note", Sensitive, "A note on a change of a referral's status."),
	stored("disclosures", "basis", Coded, "The legal basis of a request for disclosure (consent, court order or warrant, grand-jury subpoena, administrative request, mandated report, imminent threat), its requester and agency, its deadline and the keys of the fields it discloses."),
	stored("disclosures", "status", Coded, "pending, approved or refused; who prepared it, who decided and when; the SHA-256 of its package."),
	stored("disclosures", "documents", Sensitive, "The documents received with a request for disclosure (the warrant, the subpoena), described or transcribed."),
	stored("disclosures", "decision", Sensitive, "The supervisor's reason for approving or refusing a request for disclosure."),
	stored("disclosures", "pdf", Sensitive, "The approved package as PDF, built once at approval."),
	stored("disclosures", "json", Sensitive, "The approved package as JSON, built once at approval."),
	stored("disclosure_accounting", "categories", Coded, "The accounting of disclosures: number, date, recipient agency, basis, data categories and package hash; no personal data and no tie to the record, so it outlives crypto-shredding; kept six years."),
	stored("mandated_reports", "agency", Coded, "A minor's mandated report: the jurisdiction, the kind and name of the agency, its tasks, what was reported (field keys), to whom and when, and its disclosure number."),
	stored("mandated_reports", "report_number", Sensitive, "The report number the agency gave a mandated report."),
	stored("mandated_reports", "guardian_note", Sensitive, "The note of the safety check before a minor's guardian is told; whether the guardian is implicated, who checked and when are coded."),
	stored("family_choices", "what", Coded, "An adult survivor's choice about telling their family: whether anyone may be told and what (data categories), who recorded it and when; every change kept."),
	stored("family_choices", "who", Sensitive, "Who in the family may be told, in the survivor's words."),
	stored("survivor_keys", "wrapped_key", Coded, "The survivor's data key, wrapped by the master key; deleting it crypto-shreds the record."),
}

// SurvivorEntries lists the fields of a survivor's record that staff
// enter as text, in the order forms and views show them within a group.
func SurvivorEntries() []Field {
	var out []Field
	for _, f := range Fields {
		if f.Table == "survivors" && f.Entry != "" {
			out = append(out, f)
		}
	}
	return out
}

// validate checks the value of an entered field against its entry's
// limits.
func (f Field) validate(v any) error {
	switch v := v.(type) {
	case *string:
		if max := f.Entry.limit(); utf8.RuneCountInString(*v) > max {
			return FieldError(f.Column, fmt.Sprintf("Use at most %d characters.", max))
		}
	case *[]string:
		if len(*v) > maxListItems {
			return FieldError(f.Column, fmt.Sprintf("List at most %d.", maxListItems))
		}
		for _, e := range *v {
			if utf8.RuneCountInString(e) > maxShortText*2 {
				return FieldError(f.Column, fmt.Sprintf("Each entry may have at most %d characters.", maxShortText*2))
			}
		}
	}
	return nil
}

// limit is the most characters a text entry may have.
func (e Entry) limit() int {
	if e == LongText {
		return maxLongText
	}
	return maxShortText
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
