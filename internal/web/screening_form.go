package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// screeningForm holds an instrument being answered: the answers read from
// the posted form and what they enable. enableWhen is evaluated here, on
// the server, so the form works without JavaScript.
type screeningForm struct {
	in          *haven.Instrument
	q           *screening.Questionnaire
	survivorID  string
	answers     map[string][]screening.Value
	raw         url.Values
	enabled     map[string]bool
	fieldErrors map[string]string
	// declined holds the questions the worker marked "Declined to answer":
	// recorded, never scored.
	declined map[string]bool
}

func newScreeningForm(in *haven.Instrument, q *screening.Questionnaire, survivorID string) *screeningForm {
	f := &screeningForm{in: in, q: q, survivorID: survivorID, answers: map[string][]screening.Value{}, raw: url.Values{},
		declined: map[string]bool{}}
	f.enabled = screening.Enabled(q, f.answers)
	return f
}

// read takes the answers from a posted form, one form field per linkId,
// and evaluates enableWhen on them.
func (f *screeningForm) read(form url.Values) {
	f.raw, f.fieldErrors = form, map[string]string{}
	f.q.Items(func(it *screening.Item) {
		if declinable(it) && form.Get(it.LinkID) == declinedValue {
			f.declined[it.LinkID] = true
		} else if vals, problem := answersOf(it, form); problem != "" {
			f.fieldErrors[it.LinkID] = problem
		} else if len(vals) > 0 {
			f.answers[it.LinkID] = vals
		}
	})
	f.enabled = screening.Enabled(f.q, f.answers)
}

// declinedValue is what the "Declined to answer" option posts.
const declinedValue = "declined"

// declinedExtension records a declined question in the
// QuestionnaireResponse the FHIR way: the item is present with no answer
// and a data-absent-reason of asked-declined, which stays valid FHIR and
// which scoring ignores (only answers are scored).
var declinedExtension = json.RawMessage(`[{"url":"` + dataAbsentReasonURL + `","valueCode":"asked-declined"}]`)

// dataAbsentReasonURL is the FHIR extension saying why a value is absent.
const dataAbsentReasonURL = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"

// declinable reports whether a question offers "Declined to answer": an
// optional, single-answer yes/no or choice question. A required question
// must be answered (the safety checklist); free text may stay empty.
func declinable(it *screening.Item) bool {
	switch it.Type {
	case "boolean", "choice", "open-choice":
		return !it.IsRequired() && !it.IsRepeating()
	}
	return false
}

// blankQuestions are the shown questions that offer "Declined to answer"
// and have neither an answer nor a decline, with the message for each:
// a blank must not read as a No, nor vanish silently.
func (f *screeningForm) blankQuestions() map[string]string {
	out := map[string]string{}
	f.q.Items(func(it *screening.Item) {
		if f.enabled[it.LinkID] && declinable(it) && len(f.answers[it.LinkID]) == 0 && !f.declined[it.LinkID] {
			out[it.LinkID] = "screening.answer_or_decline"
		}
	})
	return out
}

// stopped reports whether the answers stop the screening: every enabled
// required question is answered, yet no question a scoring rule scores is
// enabled (the safety checklist did not pass).
func (f *screeningForm) stopped() bool {
	scored := false
	for _, rule := range f.q.Rules() {
		for _, ri := range rule.Items {
			if f.enabled[ri.LinkID] {
				return false
			}
			scored = true
		}
	}
	complete := true
	f.q.Items(func(it *screening.Item) {
		if f.enabled[it.LinkID] && it.IsRequired() && it.Type != "group" && it.Type != "display" && len(f.answers[it.LinkID]) == 0 {
			complete = false
		}
	})
	return scored && complete
}

// answersOf converts the posted values of one item to FHIR answers.
func answersOf(it *screening.Item, form url.Values) ([]screening.Value, string) {
	var out []screening.Value
	for _, v := range form[it.LinkID] {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		val, problem := valueOf(it, v)
		if problem != "" {
			return nil, problem
		}
		out = append(out, val)
	}
	if other := strings.TrimSpace(form.Get(it.LinkID + ".other")); other != "" && it.Type == "open-choice" {
		out = append(out, screening.StringValue(other))
	}
	return out, ""
}

// valueOf converts one posted value: choices post the option's index.
func valueOf(it *screening.Item, v string) (screening.Value, string) {
	switch it.Type {
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return screening.Value{}, "Choose yes or no."
		}
		return screening.BoolValue(b), ""
	case "choice", "open-choice":
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(it.AnswerOption) {
			return screening.Value{}, "Choose one of the options."
		}
		return it.AnswerOption[i].Value, ""
	case "integer":
		n, err := strconv.Atoi(v)
		if err != nil {
			return screening.Value{}, "Enter a whole number."
		}
		return screening.IntegerValue(n), ""
	case "decimal":
		if _, ok := parseDecimal(v); !ok || !json.Valid([]byte(v)) {
			return screening.Value{}, "Enter a number."
		}
		return screening.Value{Type: "Decimal", Raw: json.RawMessage(v)}, ""
	case "date":
		return screening.DateValue(v), ""
	}
	raw, _ := json.Marshal(v)
	return screening.Value{Type: fhirTypeSuffix(it.Type), Raw: raw}, ""
}

// fhirTypeSuffix is the value[x] suffix of a text-like item type.
func fhirTypeSuffix(t string) string {
	switch t {
	case "text", "string", "":
		return "String"
	case "dateTime":
		return "DateTime"
	case "url":
		return "Uri"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// shownQuestions lists the enabled items that take answers, in order: the
// form carries it so that a submit which enables new items shows them
// before anything is stored.
func (f *screeningForm) shownQuestions() []string {
	var out []string
	f.q.Items(func(it *screening.Item) {
		if f.enabled[it.LinkID] && it.Type != "group" && it.Type != "display" {
			out = append(out, it.LinkID)
		}
	})
	return out
}

// response builds the QuestionnaireResponse from the enabled items'
// answers; disabled items carry none.
func (f *screeningForm) response(survivorID string, now time.Time) ([]byte, error) {
	subject, _ := json.Marshal(map[string]string{"reference": "Patient/" + survivorID})
	authored, _ := json.Marshal(now.UTC().Format(time.RFC3339))
	r := &screening.QuestionnaireResponse{Questionnaire: f.in.URL + versionSuffix(f.in.Version), Status: "completed",
		Item: f.responseItems(f.q.Item), Extra: map[string]json.RawMessage{"subject": subject, "authored": authored}}
	return r.MarshalJSON()
}

func versionSuffix(v string) string {
	if v == "" {
		return ""
	}
	return "|" + v
}

func (f *screeningForm) responseItems(items []*screening.Item) []*screening.ResponseItem {
	var out []*screening.ResponseItem
	for _, it := range items {
		if !f.enabled[it.LinkID] || it.Type == "display" {
			continue
		}
		kids := f.responseItems(it.Item)
		if it.Type == "group" {
			if len(kids) > 0 {
				out = append(out, &screening.ResponseItem{LinkID: it.LinkID, Item: kids})
			}
			continue
		}
		vals := f.answers[it.LinkID]
		if len(vals) == 0 {
			if f.declined[it.LinkID] {
				out = append(out, &screening.ResponseItem{LinkID: it.LinkID, Extra: map[string]json.RawMessage{"extension": declinedExtension}})
			}
			continue
		}
		ri := &screening.ResponseItem{LinkID: it.LinkID}
		for _, v := range vals {
			ri.Answer = append(ri.Answer, &screening.Answer{Value: v})
		}
		ri.Answer[0].Item = kids
		out = append(out, ri)
	}
	return out
}

// itemView is one enabled item as the form template shows it.
type itemView struct {
	LinkID, ID, Text, Type string
	Group, Display, Alert  bool
	Required, Multiple     bool
	Options                []Option
	Input                  string // text, number, date; "" for none
	Textarea               bool
	Value, Other           string
	Error                  string
	Children               []itemView
}

// views returns the enabled items for the template.
func (f *screeningForm) views(p *Page) []itemView {
	n := 0
	return f.viewItems(f.q.Item, p, &n)
}

func (f *screeningForm) viewItems(items []*screening.Item, p *Page, n *int) []itemView {
	var out []itemView
	for _, it := range items {
		if !f.enabled[it.LinkID] {
			continue
		}
		*n++
		v := itemView{LinkID: it.LinkID, ID: fmt.Sprintf("item-%d", *n), Text: it.Text, Type: it.Type,
			Group: it.Type == "group", Display: it.Type == "display", Alert: it.Type == "display" && len(it.EnableWhen) > 0,
			Required: it.IsRequired(), Multiple: it.IsRepeating(), Error: errorText(p, f.fieldErrors[it.LinkID])}
		f.fillInput(&v, it, p)
		v.Children = f.viewItems(it.Item, p, n)
		out = append(out, v)
	}
	return out
}

// errorText is a field's message: a catalog key of the form's own, or the
// engine's or store's text.
func errorText(p *Page, msg string) string {
	if strings.HasPrefix(msg, "screening.") {
		return p.T(msg)
	}
	return msg
}

// fillInput sets the item's control and the worker's answer so far.
func (f *screeningForm) fillInput(v *itemView, it *screening.Item, p *Page) {
	posted := f.raw[it.LinkID]
	switch it.Type {
	case "group", "display":
	case "boolean":
		v.Multiple = false
		for _, o := range []struct{ val, key string }{{"true", "screening.yes"}, {"false", "screening.no"}} {
			v.Options = append(v.Options, Option{Value: o.val, Label: p.T(o.key), Selected: slices.Contains(posted, o.val)})
		}
		f.declineOption(v, it, p)
	case "choice", "open-choice":
		for i, o := range it.AnswerOption {
			val := strconv.Itoa(i)
			v.Options = append(v.Options, Option{Value: val, Label: optionLabel(o.Value), Selected: slices.Contains(posted, val)})
		}
		f.declineOption(v, it, p)
		if it.Type == "open-choice" {
			v.Input, v.Other = "text", f.raw.Get(it.LinkID+".other")
		}
	case "text":
		v.Textarea, v.Value = true, f.raw.Get(it.LinkID)
	case "integer", "decimal":
		v.Input, v.Value = "number", f.raw.Get(it.LinkID)
	case "date":
		v.Input, v.Value = "date", f.raw.Get(it.LinkID)
	default:
		v.Input, v.Value = "text", f.raw.Get(it.LinkID)
	}
}

// optionLabel is what an answer option shows: a Coding's display (or
// code), or the value itself.
func optionLabel(v screening.Value) string {
	if c, ok := v.Coding(); ok {
		if c.Display != "" {
			return c.Display
		}
		return c.Code
	}
	if s, ok := v.Text(); ok {
		return s
	}
	return string(v.Raw)
}

// declineOption offers "Declined to answer" last on a question that may
// be declined.
func (f *screeningForm) declineOption(v *itemView, it *screening.Item, p *Page) {
	if declinable(it) {
		v.Options = append(v.Options, Option{Value: declinedValue, Label: p.T("screening.declined"), Selected: f.declined[it.LinkID]})
	}
}
