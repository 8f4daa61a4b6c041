package screening

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
)

// Questionnaire is a FHIR R4 Questionnaire. Haven models the subset it
// runs; every other element is kept in Extra (per object, at every level)
// and written back by MarshalJSON, so an imported instrument exports
// without loss.
type Questionnaire struct {
	ID        string
	URL       string
	Version   string
	Name      string
	Title     string
	Status    string
	Extension []*Extension
	Item      []*Item
	Extra     map[string]json.RawMessage

	byLinkID map[string]*Item
	parent   map[string]*Item
}

// Item is a Questionnaire item.
type Item struct {
	LinkID         string
	Text           string
	Type           string
	Required       *bool
	Repeats        *bool
	EnableWhen     []*EnableWhen
	EnableBehavior string
	AnswerOption   []*AnswerOption
	Extension      []*Extension
	Item           []*Item
	Extra          map[string]json.RawMessage
}

// EnableWhen is one condition of an item's enableWhen.
type EnableWhen struct {
	Question string
	Operator string
	Answer   Value
	Extra    map[string]json.RawMessage
}

// AnswerOption is one permitted answer of a choice or open-choice item.
type AnswerOption struct {
	Value           Value
	InitialSelected *bool
	Extra           map[string]json.RawMessage
}

// IsRequired reports whether the item must be answered when enabled.
func (it *Item) IsRequired() bool { return it.Required != nil && *it.Required }

// IsRepeating reports whether the item may carry more than one answer.
func (it *Item) IsRepeating() bool { return it.Repeats != nil && *it.Repeats }

// Lookup returns the item with the given linkId, or nil.
func (q *Questionnaire) Lookup(linkID string) *Item { return q.byLinkID[linkID] }

// Parent returns the item that contains the item with the given linkId, or
// nil for a top-level item.
func (q *Questionnaire) Parent(linkID string) *Item { return q.parent[linkID] }

// ParseQuestionnaire decodes a FHIR R4 Questionnaire (JSON) and checks it
// against the que-* invariants Haven relies on and for enableWhen cycles.
// A malformed document or any failed check is Invalid; the error lists
// every problem, each naming the item's linkId (see Problems).
func ParseQuestionnaire(data []byte) (*Questionnaire, error) {
	var q Questionnaire
	if err := json.Unmarshal(data, &q); err != nil {
		return nil, &haven.Error{Kind: haven.Invalid, Message: "The questionnaire is not valid FHIR JSON: " + err.Error(), Err: err}
	}
	if problems := q.check(); len(problems) > 0 {
		return nil, problems.asError("questionnaire")
	}
	return &q, nil
}

// ParseImport is ParseQuestionnaire for a Questionnaire from outside Haven:
// it also checks what R4 asks of the resource itself (a status from its
// code set). Every problem, of the resource and its items, is listed.
func ParseImport(data []byte) (*Questionnaire, error) {
	var q Questionnaire
	if err := json.Unmarshal(data, &q); err != nil {
		return nil, &haven.Error{Kind: haven.Invalid, Message: "The questionnaire is not valid FHIR JSON: " + err.Error(), Err: err}
	}
	if problems := append(q.checkResource(), q.check()...); len(problems) > 0 {
		return nil, problems.asError("questionnaire")
	}
	return &q, nil
}

// UnmarshalJSON implements json.Unmarshaler. It decodes without checking
// the invariants; ParseQuestionnaire checks them.
func (q *Questionnaire) UnmarshalJSON(data []byte) error {
	if err := checkDepth(data, maxDepth); err != nil {
		return err
	}
	var rt string
	extra, err := decodeObject(data, fields{"resourceType": &rt, "id": &q.ID, "url": &q.URL, "version": &q.Version,
		"name": &q.Name, "title": &q.Title, "status": &q.Status, "extension": &q.Extension, "item": &q.Item})
	if err != nil {
		return err
	}
	if rt != "Questionnaire" {
		return fmt.Errorf("resourceType is %q, want \"Questionnaire\"", rt)
	}
	q.Extra = extra
	if err := errors.Join(noNil("item", q.Item), noNil("extension", q.Extension)); err != nil {
		return err
	}
	q.index()
	return nil
}

// MarshalJSON implements json.Marshaler, writing the modelled elements and
// every kept one.
func (q *Questionnaire) MarshalJSON() ([]byte, error) {
	return encodeObject(q.Extra, fields{"resourceType": "Questionnaire", "id": q.ID, "url": q.URL, "version": q.Version,
		"name": q.Name, "title": q.Title, "status": q.Status, "extension": q.Extension, "item": q.Item})
}

// index builds the linkId and parent maps (the first item wins a duplicate
// linkId; check reports duplicates).
func (q *Questionnaire) index() {
	q.byLinkID, q.parent = map[string]*Item{}, map[string]*Item{}
	var walk func(parent *Item, items []*Item)
	walk = func(parent *Item, items []*Item) {
		for _, it := range items {
			if _, dup := q.byLinkID[it.LinkID]; !dup {
				q.byLinkID[it.LinkID], q.parent[it.LinkID] = it, parent
			}
			walk(it, it.Item)
		}
	}
	walk(nil, q.Item)
}

// Items calls fn for every item, depth first, in document order.
func (q *Questionnaire) Items(fn func(*Item)) {
	var walk func([]*Item)
	walk = func(items []*Item) {
		for _, it := range items {
			fn(it)
			walk(it.Item)
		}
	}
	walk(q.Item)
}

// UnmarshalJSON implements json.Unmarshaler.
func (it *Item) UnmarshalJSON(data []byte) error {
	extra, err := decodeObject(data, fields{"linkId": &it.LinkID, "text": &it.Text, "type": &it.Type,
		"required": &it.Required, "repeats": &it.Repeats, "enableWhen": &it.EnableWhen,
		"enableBehavior": &it.EnableBehavior, "answerOption": &it.AnswerOption, "extension": &it.Extension, "item": &it.Item})
	it.Extra = extra
	if err != nil {
		return err
	}
	return errors.Join(noNil("item", it.Item), noNil("enableWhen", it.EnableWhen),
		noNil("answerOption", it.AnswerOption), noNil("extension", it.Extension))
}

// MarshalJSON implements json.Marshaler.
func (it *Item) MarshalJSON() ([]byte, error) {
	return encodeObject(it.Extra, fields{"linkId": it.LinkID, "text": it.Text, "type": it.Type,
		"required": it.Required, "repeats": it.Repeats, "enableWhen": it.EnableWhen,
		"enableBehavior": it.EnableBehavior, "answerOption": it.AnswerOption, "extension": it.Extension, "item": it.Item})
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *EnableWhen) UnmarshalJSON(data []byte) error {
	extra, err := decodeObject(data, fields{"question": &e.Question, "operator": &e.Operator})
	if err != nil {
		return err
	}
	e.Answer, err = takeValue(extra, "answer")
	e.Extra = nonEmpty(extra)
	return err
}

// MarshalJSON implements json.Marshaler.
func (e *EnableWhen) MarshalJSON() ([]byte, error) {
	return encodeObject(putValue(clone(e.Extra), "answer", e.Answer), fields{"question": e.Question, "operator": e.Operator})
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *AnswerOption) UnmarshalJSON(data []byte) error {
	extra, err := decodeObject(data, fields{"initialSelected": &o.InitialSelected})
	if err != nil {
		return err
	}
	o.Value, err = takeValue(extra, "value")
	o.Extra = nonEmpty(extra)
	return err
}

// MarshalJSON implements json.Marshaler.
func (o *AnswerOption) MarshalJSON() ([]byte, error) {
	return encodeObject(putValue(clone(o.Extra), "value", o.Value), fields{"initialSelected": o.InitialSelected})
}
