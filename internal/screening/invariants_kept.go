package screening

import (
	"encoding/json"
	"slices"
)

// maxLengthTypes are the item types that may declare maxLength (que-10).
var maxLengthTypes = []string{"boolean", "decimal", "integer", "string", "text", "url", "open-choice"}

// checkKept checks the que-* invariants on elements Haven keeps without
// modelling them (code, answerValueSet, initial, readOnly, maxLength), so
// that an imported instrument breaking them is refused like any other.
func checkKept(it *Item, ps *Problems) {
	id, has := it.LinkID, func(key string) bool { _, ok := it.Extra[key]; return ok }
	noAnswers := it.Type == "group" || it.Type == "display"
	if it.Type == "display" && has("code") {
		ps.add(id, "a display item cannot have a code (que-3)")
	}
	if len(it.AnswerOption) > 0 && has("answerValueSet") {
		ps.add(id, "an item cannot have both answerOption and answerValueSet (que-4)")
	}
	if has("answerValueSet") && !slices.Contains(optionItemTypes, it.Type) {
		ps.add(id, "answerValueSet is not allowed on a %s item (que-5)", it.Type)
	}
	if noAnswers && has("initial") {
		ps.add(id, "a %s item cannot have an initial value (que-8)", it.Type)
	}
	if it.Type == "display" && has("readOnly") {
		ps.add(id, "a display item cannot be readOnly (que-9)")
	}
	if has("maxLength") && !slices.Contains(maxLengthTypes, it.Type) {
		ps.add(id, "maxLength is not allowed on a %s item (que-10)", it.Type)
	}
	if len(it.AnswerOption) > 0 && has("initial") {
		ps.add(id, "an item with answerOption cannot have initial; use answerOption.initialSelected (que-11)")
	}
	if !noAnswers {
		checkInitial(it, ps)
	}
}

// checkInitial checks the item's initial values: an array of objects each
// holding one value of a type the item takes, and more than one value only
// on a repeating item (que-13).
func checkInitial(it *Item, ps *Problems) {
	raw, ok := it.Extra["initial"]
	if !ok {
		return
	}
	var initial []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &initial); err != nil {
		ps.add(it.LinkID, "initial is not an array of objects")
		return
	}
	if len(initial) > 1 && !it.IsRepeating() {
		ps.add(it.LinkID, "only a repeating item can have more than one initial value (que-13)")
	}
	for _, obj := range initial {
		v, err := takeValue(obj, "value")
		if err != nil || v.Type == "" {
			ps.add(it.LinkID, "each initial must hold exactly one value[x]")
			continue
		}
		if reason := answerProblem(it, v); reason != "" {
			ps.add(it.LinkID, "initial: %s", reason)
		}
	}
}
