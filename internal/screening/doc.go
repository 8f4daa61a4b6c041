// Package screening is Haven's instrument engine: a subset of the FHIR R4
// Questionnaire and QuestionnaireResponse (parsed, checked against the que-*
// invariants, exported without loss), enableWhen evaluation, Haven's
// declared scoring rules with their prompts and suggested ICD-10-CM codes,
// the instruments Haven ships, and the accuracy statistics of a screen
// against later-confirmed outcomes. It is pure: no database, no HTTP.
package screening
