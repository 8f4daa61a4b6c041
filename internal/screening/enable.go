package screening

// Enabled evaluates every item's enableWhen against the given answers (by
// linkId) and returns whether each item is enabled. An item is enabled when
// its parent is enabled and its conditions hold (all of them, or any with
// enableBehavior "any"). The answers of a disabled question do not count:
// a condition on it sees no answers. A condition on a question with no
// answers is false, except "exists" which compares presence; "!=" holds
// when no answer equals the value. The questionnaire must have passed
// ParseQuestionnaire (no cycles).
func Enabled(q *Questionnaire, answers map[string][]Value) map[string]bool {
	e := evaluator{q: q, answers: answers, enabled: map[string]bool{}, busy: map[string]bool{}}
	q.Items(func(it *Item) { e.isEnabled(it.LinkID) })
	return e.enabled
}

// evaluator memoises enablement while resolving dependencies.
type evaluator struct {
	q       *Questionnaire
	answers map[string][]Value
	enabled map[string]bool
	busy    map[string]bool
}

// isEnabled resolves one item, treating a cycle (never present in a
// checked questionnaire) as disabled.
func (e *evaluator) isEnabled(id string) bool {
	if v, ok := e.enabled[id]; ok {
		return v
	}
	it := e.q.Lookup(id)
	if it == nil || e.busy[id] {
		return false
	}
	e.busy[id] = true
	v := e.parentEnabled(id) && e.conditionsHold(it)
	delete(e.busy, id)
	e.enabled[id] = v
	return v
}

// parentEnabled reports whether the item's parent (if any) is enabled.
func (e *evaluator) parentEnabled(id string) bool {
	p := e.q.Parent(id)
	return p == nil || e.isEnabled(p.LinkID)
}

// conditionsHold applies enableBehavior to the item's conditions.
func (e *evaluator) conditionsHold(it *Item) bool {
	if len(it.EnableWhen) == 0 {
		return true
	}
	any := it.EnableBehavior == "any"
	for _, ew := range it.EnableWhen {
		if e.holds(ew) == any {
			return any
		}
	}
	return !any
}

// holds evaluates one condition.
func (e *evaluator) holds(ew *EnableWhen) bool {
	var given []Value
	if e.isEnabled(ew.Question) {
		given = e.answers[ew.Question]
	}
	if ew.Operator == "exists" {
		want, _ := ew.Answer.Bool()
		return (len(given) > 0) == want
	}
	if len(given) == 0 {
		return false
	}
	if ew.Operator == "!=" {
		return !anyMatch(given, ew.Answer, "=")
	}
	return anyMatch(given, ew.Answer, ew.Operator)
}

// anyMatch reports whether some answer satisfies "answer op want".
func anyMatch(given []Value, want Value, op string) bool {
	for _, v := range given {
		if op == "=" {
			if v.equal(want) {
				return true
			}
			continue
		}
		c, ok := v.compare(want)
		if ok && (op == ">" && c > 0 || op == "<" && c < 0 || op == ">=" && c >= 0 || op == "<=" && c <= 0) {
			return true
		}
	}
	return false
}
