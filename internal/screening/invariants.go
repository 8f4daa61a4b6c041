package screening

import (
	"fmt"
	"slices"
)

// answerTypes maps each R4 item type that takes answers to the value[x]
// types its answers (and enableWhen answers) may have. Types outside Haven's
// subset are still known so that an imported instrument that uses them
// loads; Haven checks their answers by type only.
var answerTypes = map[string][]string{
	"boolean":     {"Boolean"},
	"decimal":     {"Decimal", "Integer"},
	"integer":     {"Integer"},
	"date":        {"Date"},
	"dateTime":    {"DateTime"},
	"time":        {"Time"},
	"string":      {"String"},
	"text":        {"String"},
	"url":         {"Uri"},
	"choice":      {"Coding", "String", "Integer", "Date", "Time"},
	"open-choice": {"Coding", "String", "Integer", "Date", "Time"},
	"attachment":  {"Attachment"},
	"reference":   {"Reference"},
	"quantity":    {"Quantity"},
}

// optionTypes are the value[x] types an answerOption may have.
var optionTypes = []string{"Coding", "String", "Integer", "Date", "Time"}

// optionItemTypes are the item types that may have answerOption or
// answerValueSet: que-5 of R4 4.0.1, whose expression allows more than its
// human text ("Only 'choice' and 'open-choice' items can have
// answerValueSet") says.
var optionItemTypes = []string{"choice", "open-choice", "decimal", "integer", "date", "dateTime", "time", "string", "quantity"}

// QuestionnaireStatuses is the R4 PublicationStatus code set, which
// Questionnaire.status (1..1) is bound to (required).
var QuestionnaireStatuses = []string{"draft", "active", "retired", "unknown"}

// orderedTypes are the item types whose answers the >, <, >= and <=
// operators can compare.
var orderedTypes = map[string]bool{"decimal": true, "integer": true, "date": true, "dateTime": true, "time": true, "string": true, "text": true}

// operators are the R4 enableWhen operators.
var operators = map[string]bool{"exists": true, "=": true, "!=": true, ">": true, "<": true, ">=": true, "<=": true}

// check returns every invariant the questionnaire breaks.
func (q *Questionnaire) check() Problems {
	var ps Problems
	seen := map[string]bool{}
	q.Items(func(it *Item) {
		if it.LinkID == "" {
			ps.add("", "an item has no linkId (text %q)", it.Text)
		} else if seen[it.LinkID] {
			ps.add(it.LinkID, "duplicate linkId (que-2)")
		}
		seen[it.LinkID] = true
		q.checkItem(it, &ps)
	})
	ps = append(ps, q.cycles()...)
	_, rp := q.rules()
	return append(ps, rp...)
}

// checkResource returns what the questionnaire breaks of R4 outside its
// items: status is required and from its code set. (url is optional:
// Haven keys an import without one by its own id.)
func (q *Questionnaire) checkResource() Problems {
	var ps Problems
	switch {
	case q.Status == "":
		ps.addAt("status", "required: one of draft, active, retired or unknown")
	case !slices.Contains(QuestionnaireStatuses, q.Status):
		ps.addAt("status", "%q is not one of draft, active, retired or unknown", q.Status)
	}
	return ps
}

// checkItem checks one item's structure and its enableWhen conditions.
func (q *Questionnaire) checkItem(it *Item, ps *Problems) {
	id := it.LinkID
	switch _, answers := answerTypes[it.Type]; {
	case it.Type == "group":
		if len(it.Item) == 0 {
			ps.add(id, "a group item must contain items (que-1)")
		}
	case it.Type == "display":
		if len(it.Item) > 0 {
			ps.add(id, "a display item cannot contain items (que-1)")
		}
		if it.Required != nil || it.Repeats != nil {
			ps.add(id, "a display item cannot be required or repeat (que-6)")
		}
	case it.Type == "":
		ps.add(id, "the item has no type")
	case !answers:
		ps.add(id, "unknown item type %q", it.Type)
	}
	if len(it.AnswerOption) > 0 && !slices.Contains(optionItemTypes, it.Type) {
		ps.add(id, "answerOption is not allowed on a %s item (que-5)", it.Type)
	}
	for _, o := range it.AnswerOption {
		switch {
		case !slices.Contains(optionTypes, o.Value.Type) || !o.Value.wellFormed():
			ps.add(id, "answerOption value%s is not a valid option value", o.Value.Type)
		case it.Type != "choice" && it.Type != "open-choice" && answerTypes[it.Type] != nil && !slices.Contains(answerTypes[it.Type], o.Value.Type):
			ps.add(id, "answerOption value%s is not an answer to a %s item", o.Value.Type, it.Type)
		}
	}
	checkKept(it, ps)
	q.checkEnableWhen(it, ps)
}

// checkEnableWhen checks the item's conditions and enableBehavior.
func (q *Questionnaire) checkEnableWhen(it *Item, ps *Problems) {
	id := it.LinkID
	if len(it.EnableWhen) > 1 && it.EnableBehavior == "" {
		ps.add(id, "enableBehavior is required when there is more than one enableWhen (que-12)")
	}
	if it.EnableBehavior != "" && it.EnableBehavior != "all" && it.EnableBehavior != "any" {
		ps.add(id, "enableBehavior %q is not all or any", it.EnableBehavior)
	}
	for _, ew := range it.EnableWhen {
		if reason := q.conditionProblem(ew); reason != "" {
			ps.add(id, "enableWhen on %q: %s", ew.Question, reason)
		}
	}
}

// conditionProblem returns why one enableWhen condition is invalid, or "".
func (q *Questionnaire) conditionProblem(ew *EnableWhen) string {
	target := q.Lookup(ew.Question)
	switch {
	case target == nil:
		return "the question does not exist"
	case !operators[ew.Operator]:
		return fmt.Sprintf("unknown operator %q", ew.Operator)
	case ew.Answer.Type == "":
		return "no answer[x] value"
	case !ew.Answer.wellFormed():
		return fmt.Sprintf("answer%s is not a valid %s", ew.Answer.Type, ew.Answer.Type)
	case ew.Operator == "exists":
		if ew.Answer.Type != "Boolean" {
			return fmt.Sprintf("the exists operator takes answerBoolean, not answer%s (que-7)", ew.Answer.Type)
		}
		return ""
	case target.Type == "group" || target.Type == "display":
		return fmt.Sprintf("a %s item has no answers to compare", target.Type)
	case !slices.Contains(answerTypes[target.Type], ew.Answer.Type):
		return fmt.Sprintf("answer%s does not match the question's type %s", ew.Answer.Type, target.Type)
	case ew.Operator != "=" && ew.Operator != "!=" && !orderedTypes[target.Type]:
		return fmt.Sprintf("operator %s cannot compare %s answers", ew.Operator, target.Type)
	}
	return ""
}

// cycles reports every item that takes part in an enableWhen cycle: an
// item that depends, through enableWhen and its ancestors' enableWhen, on
// itself.
func (q *Questionnaire) cycles() Problems {
	const (
		unvisited = iota
		active
		done
	)
	state := map[string]int{}
	var ps Problems
	var visit func(id string, path []string)
	visit = func(id string, path []string) {
		switch state[id] {
		case active:
			ps.add(id, "enableWhen cycle: %s", cyclePath(path, id))
			return
		case done:
			return
		}
		state[id] = active
		for _, dep := range q.dependencies(id) {
			visit(dep, append(path, id))
		}
		state[id] = done
	}
	q.Items(func(it *Item) { visit(it.LinkID, nil) })
	return ps
}

// dependencies returns the questions an item's enablement depends on: its
// own enableWhen questions and its parent (a disabled parent disables it).
func (q *Questionnaire) dependencies(id string) []string {
	it := q.Lookup(id)
	if it == nil {
		return nil
	}
	var deps []string
	for _, ew := range it.EnableWhen {
		if q.Lookup(ew.Question) != nil {
			deps = append(deps, ew.Question)
		}
	}
	if p := q.Parent(id); p != nil {
		deps = append(deps, p.LinkID)
	}
	return deps
}

// cyclePath formats the part of path from id's first occurrence, closing
// the loop at id.
func cyclePath(path []string, id string) string {
	s := ""
	for i, p := range path {
		if p == id {
			for _, x := range path[i:] {
				s += x + " -> "
			}
			break
		}
	}
	return s + id
}
