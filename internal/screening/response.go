package screening

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/haven-care/haven"
)

// QuestionnaireResponse is a FHIR R4 QuestionnaireResponse. As with
// Questionnaire, elements Haven does not model are kept in Extra.
type QuestionnaireResponse struct {
	ID            string
	Questionnaire string
	Status        string
	Item          []*ResponseItem
	Extra         map[string]json.RawMessage
}

// ResponseItem is one item of a response.
type ResponseItem struct {
	LinkID string
	Text   string
	Answer []*Answer
	Item   []*ResponseItem
	Extra  map[string]json.RawMessage
}

// Answer is one answer of a response item, with the items nested under it.
type Answer struct {
	Value Value
	Item  []*ResponseItem
	Extra map[string]json.RawMessage
}

// ParseQuestionnaireResponse decodes a FHIR R4 QuestionnaireResponse
// (JSON). It checks only the document's shape; Validate checks it against
// its Questionnaire.
func ParseQuestionnaireResponse(data []byte) (*QuestionnaireResponse, error) {
	var r QuestionnaireResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &haven.Error{Kind: haven.Invalid, Message: "The questionnaire response is not valid FHIR JSON: " + err.Error(), Err: err}
	}
	return &r, nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *QuestionnaireResponse) UnmarshalJSON(data []byte) error {
	if err := checkDepth(data, maxDepth); err != nil {
		return err
	}
	var rt string
	extra, err := decodeObject(data, fields{"resourceType": &rt, "id": &r.ID, "questionnaire": &r.Questionnaire,
		"status": &r.Status, "item": &r.Item})
	if err != nil {
		return err
	}
	if rt != "QuestionnaireResponse" {
		return fmt.Errorf("resourceType is %q, want \"QuestionnaireResponse\"", rt)
	}
	r.Extra = extra
	return noNil("item", r.Item)
}

// MarshalJSON implements json.Marshaler.
func (r *QuestionnaireResponse) MarshalJSON() ([]byte, error) {
	return encodeObject(r.Extra, fields{"resourceType": "QuestionnaireResponse", "id": r.ID,
		"questionnaire": r.Questionnaire, "status": r.Status, "item": r.Item})
}

// UnmarshalJSON implements json.Unmarshaler.
func (it *ResponseItem) UnmarshalJSON(data []byte) error {
	extra, err := decodeObject(data, fields{"linkId": &it.LinkID, "text": &it.Text, "answer": &it.Answer, "item": &it.Item})
	if err != nil {
		return err
	}
	it.Extra = extra
	if it.LinkID == "" {
		return fmt.Errorf("a response item has no linkId")
	}
	return errors.Join(noNil("answer", it.Answer), noNil("item", it.Item))
}

// MarshalJSON implements json.Marshaler.
func (it *ResponseItem) MarshalJSON() ([]byte, error) {
	return encodeObject(it.Extra, fields{"linkId": it.LinkID, "text": it.Text, "answer": it.Answer, "item": it.Item})
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *Answer) UnmarshalJSON(data []byte) error {
	extra, err := decodeObject(data, fields{"item": &a.Item})
	if err != nil {
		return err
	}
	a.Value, err = takeValue(extra, "value")
	a.Extra = nonEmpty(extra)
	if err != nil {
		return err
	}
	return noNil("item", a.Item)
}

// MarshalJSON implements json.Marshaler.
func (a *Answer) MarshalJSON() ([]byte, error) {
	return encodeObject(putValue(clone(a.Extra), "value", a.Value), fields{"item": a.Item})
}

// Answers returns the answers of every item in the response, by linkId
// (the answers of a repeated item are concatenated).
func (r *QuestionnaireResponse) Answers() map[string][]Value {
	out := map[string][]Value{}
	var walk func([]*ResponseItem)
	walk = func(items []*ResponseItem) {
		for _, it := range items {
			for _, a := range it.Answer {
				out[it.LinkID] = append(out[it.LinkID], a.Value)
				walk(a.Item)
			}
			walk(it.Item)
		}
	}
	walk(r.Item)
	return out
}

// noNil refuses a JSON array holding null.
func noNil[T any](name string, s []*T) error {
	for _, v := range s {
		if v == nil {
			return fmt.Errorf("%s: null element", name)
		}
	}
	return nil
}

// ResponseStatuses is the R4 QuestionnaireResponseStatus code set, which
// QuestionnaireResponse.status (1..1) is bound to (required).
var ResponseStatuses = []string{"in-progress", "completed", "amended", "entered-in-error", "stopped"}

// dateTimePattern is the R4 dateTime regular expression: a year, month or
// day, or a full time with seconds and a zone.
var dateTimePattern = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])` +
	`(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$`)

// IsDateTime reports whether s is an R4 dateTime.
func IsDateTime(s string) bool { return dateTimePattern.MatchString(s) }

// check returns what the response breaks of R4 itself: status is required
// and from its code set; authored, when given, is a dateTime.
func (r *QuestionnaireResponse) check() Problems {
	var ps Problems
	switch {
	case r.Status == "":
		ps.addAt("status", "required: one of in-progress, completed, amended, entered-in-error or stopped")
	case !slices.Contains(ResponseStatuses, r.Status):
		ps.addAt("status", "%q is not one of in-progress, completed, amended, entered-in-error or stopped", r.Status)
	}
	if raw, ok := r.Extra["authored"]; ok {
		var s string
		if json.Unmarshal(raw, &s) != nil || !IsDateTime(s) {
			ps.addAt("authored", "not a dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss with a zone)")
		}
	}
	return ps
}
