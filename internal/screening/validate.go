package screening

import (
	"slices"
	"strings"
)

// Validate checks a response against its questionnaire: every item exists
// and sits where the questionnaire puts it; answers have the type the item
// takes and choice answers are among the options; a non-repeating item has
// at most one answer and appears once; an item that is disabled (enableWhen
// evaluated on the answers given) carries no answers; and a required item
// that is enabled is answered. A failed check is Invalid and lists every
// problem by linkId (see Problems).
func Validate(q *Questionnaire, r *QuestionnaireResponse) error {
	var ps Problems
	if r.Questionnaire != "" && q.URL != "" && canonical(r.Questionnaire) != canonical(q.URL) {
		ps.addAt("questionnaire", "the response is for questionnaire %q, not %q", r.Questionnaire, q.URL)
	}
	ps = append(ps, r.check()...)
	enabled := Enabled(q, r.Answers())
	v := validator{q: q, enabled: enabled, ps: &ps, present: map[string]bool{}}
	v.items(nil, r.Item)
	v.required()
	if len(ps) > 0 {
		return ps.asError("questionnaire response")
	}
	return nil
}

// canonical strips the |version of a canonical URL.
func canonical(url string) string {
	before, _, _ := strings.Cut(url, "|")
	return before
}

// validator carries the state of one validation.
type validator struct {
	q       *Questionnaire
	enabled map[string]bool
	ps      *Problems
	present map[string]bool // linkIds with at least one answer (or, for groups, answered descendants)
}

// items checks the response items found under parent (nil at top level).
func (v *validator) items(parent *Item, items []*ResponseItem) bool {
	count := map[string]int{}
	answered := false
	for _, ri := range items {
		count[ri.LinkID]++
		it := v.q.Lookup(ri.LinkID)
		if it == nil {
			v.ps.add(ri.LinkID, "no item with this linkId in the questionnaire")
			continue
		}
		if v.q.Parent(ri.LinkID) != parent {
			v.ps.add(ri.LinkID, "the item is not where the questionnaire places it")
		}
		if count[ri.LinkID] == 2 && !it.IsRepeating() {
			v.ps.add(ri.LinkID, "the item does not repeat but appears more than once")
		}
		if v.item(it, ri) {
			answered = true
			v.present[it.LinkID] = true
		}
	}
	return answered
}

// item checks one response item and what it contains; it reports whether
// anything in it was answered.
func (v *validator) item(it *Item, ri *ResponseItem) bool {
	id := it.LinkID
	if len(ri.Answer) > 0 && !v.enabled[id] {
		v.ps.add(id, "the item is disabled by its enableWhen but carries answers")
	}
	if len(ri.Answer) > 1 && !it.IsRepeating() {
		v.ps.add(id, "the item does not repeat but has %d answers", len(ri.Answer))
	}
	answered := len(ri.Answer) > 0
	if answered && (it.Type == "group" || it.Type == "display") {
		v.ps.add(id, "a %s item cannot have answers", it.Type)
	}
	for _, a := range ri.Answer {
		if reason := answerProblem(it, a.Value); reason != "" {
			v.ps.add(id, "%s", reason)
		}
		if v.items(it, a.Item) {
			answered = true
		}
	}
	if len(ri.Item) > 0 && it.Type != "group" {
		v.ps.add(id, "only a group item nests items directly; a question nests them under an answer")
	}
	return v.items(it, ri.Item) || answered
}

// answerProblem returns why value is not a valid answer to it, or "".
func answerProblem(it *Item, value Value) string {
	allowed, ok := answerTypes[it.Type]
	switch {
	case !ok:
		return ""
	case !slices.Contains(allowed, value.Type):
		return "value" + value.Type + " is not an answer to a " + it.Type + " item"
	case !value.wellFormed():
		return "value" + value.Type + " is malformed"
	case it.Type == "choice" || (it.Type == "open-choice" && value.Type != "String"):
		return optionProblem(it, value)
	case it.Type != "open-choice" && len(it.AnswerOption) > 0:
		// An integer, date, time or string item with answerOption takes
		// one of its options (que-5 allows them there).
		return optionProblem(it, value)
	}
	return ""
}

// optionProblem returns why value is not among the item's options, or "".
// An item without answerOption (e.g. one bound to a value set) accepts any
// value of an allowed type.
func optionProblem(it *Item, value Value) string {
	if len(it.AnswerOption) == 0 {
		return ""
	}
	for _, o := range it.AnswerOption {
		if o.Value.Type == value.Type && o.Value.equal(value) {
			return ""
		}
	}
	return "the answer is not one of the item's answerOption values"
}

// required reports every enabled required item that is not answered.
func (v *validator) required() {
	v.q.Items(func(it *Item) {
		if it.IsRequired() && v.enabled[it.LinkID] && !v.present[it.LinkID] && v.parentPresent(it) {
			v.ps.add(it.LinkID, "the item is required but not answered")
		}
	})
}

// parentPresent reports whether the item's parent has answers (a required
// item inside an optional, unanswered group is not demanded) or the item
// is top-level.
func (v *validator) parentPresent(it *Item) bool {
	p := v.q.Parent(it.LinkID)
	return p == nil || v.present[p.LinkID] || p.IsRequired() && v.parentPresent(p)
}
