package screening

import (
	"cmp"
	"fmt"
	"slices"
)

// ScoringURL is the URL of Haven's scoring extension on a Questionnaire.
// Each "rule" sub-extension declares one domain:
//
//	domain       valueCode     the domain the rule flags (e.g. "labor")
//	exploitation valueCode     sexual or labor: the ICD-10-CM family it suggests (optional)
//	method       valueCode     count (positive answers) or sum (weighted)
//	threshold    valueDecimal  the rule fires when the score reaches it
//	concern      valueCode     low, moderate or high: the level when it fires
//	item         valueString   a linkId (weight 1), or nested linkId + weight
//	positive     valueCode     a choice code (or string) that counts as positive
const ScoringURL = "https://haven.example/fhir/StructureDefinition/scoring"

// Concern is the level of concern a screening raises.
type Concern string

// The levels of concern, lowest first.
const (
	ConcernNone     Concern = "none"
	ConcernLow      Concern = "low"
	ConcernModerate Concern = "moderate"
	ConcernHigh     Concern = "high"
)

// rank orders the levels.
var rank = map[Concern]int{ConcernNone: 0, ConcernLow: 1, ConcernModerate: 2, ConcernHigh: 3}

// Rule is one declared scoring rule.
type Rule struct {
	Domain       string       `json:"domain"`
	Exploitation Exploitation `json:"exploitation,omitempty"`
	Method       string       `json:"method"` // count or sum
	Threshold    float64      `json:"threshold"`
	Concern      Concern      `json:"concern"`
	Items        []RuleItem   `json:"items"`
	Positive     []string     `json:"positive,omitempty"`
}

// RuleItem is a scored item and its weight.
type RuleItem struct {
	LinkID string  `json:"link_id"`
	Weight float64 `json:"weight"`
}

// Rules returns the scoring rules declared on the questionnaire. A
// questionnaire from ParseQuestionnaire has well-formed rules.
func (q *Questionnaire) Rules() []Rule {
	rules, _ := q.rules()
	return rules
}

// rules decodes the scoring extension, reporting malformed rules.
func (q *Questionnaire) rules() ([]Rule, Problems) {
	var rules []Rule
	var ps Problems
	for _, ext := range q.Extension {
		if ext.URL != ScoringURL {
			continue
		}
		for _, sub := range ext.Extension {
			if sub.URL != "rule" {
				ps.add("", "scoring extension: unknown element %q", sub.URL)
				continue
			}
			r := decodeRule(sub, &ps)
			q.checkRule(r, &ps)
			rules = append(rules, r)
		}
	}
	return rules, ps
}

// decodeRule reads one rule's sub-extensions.
func decodeRule(ext *Extension, ps *Problems) Rule {
	r := Rule{Method: "count", Concern: ConcernModerate}
	for _, e := range ext.Extension {
		text, _ := e.Value.Text()
		switch e.URL {
		case "domain":
			r.Domain = codeOf(e)
		case "exploitation":
			r.Exploitation = Exploitation(codeOf(e))
		case "method":
			r.Method = codeOf(e)
		case "concern":
			r.Concern = Concern(codeOf(e))
		case "threshold":
			r.Threshold, _ = e.Value.Number()
		case "positive":
			r.Positive = append(r.Positive, cmp.Or(codeOf(e), text))
		case "item":
			r.Items = append(r.Items, decodeRuleItem(e))
		default:
			ps.add("", "scoring rule: unknown element %q", e.URL)
		}
	}
	return r
}

// decodeRuleItem reads an item reference: a valueString linkId, or nested
// linkId and weight.
func decodeRuleItem(e *Extension) RuleItem {
	ri := RuleItem{Weight: 1}
	ri.LinkID, _ = e.Value.Text()
	for _, sub := range e.Extension {
		switch sub.URL {
		case "linkId":
			ri.LinkID, _ = sub.Value.Text()
		case "weight":
			ri.Weight, _ = sub.Value.Number()
		}
	}
	return ri
}

// codeOf returns a valueCode (or valueString) as a string.
func codeOf(e *Extension) string {
	if e.Value.Type == "Code" {
		v := e.Value
		v.Type = "String"
		s, _ := v.Text()
		return s
	}
	s, _ := e.Value.Text()
	return s
}

// checkRule reports what is wrong with one rule.
func (q *Questionnaire) checkRule(r Rule, ps *Problems) {
	where := fmt.Sprintf("scoring rule %q", r.Domain)
	if r.Domain == "" {
		ps.add("", "scoring rule: no domain")
	}
	if r.Method != "count" && r.Method != "sum" {
		ps.add("", "%s: method %q is not count or sum", where, r.Method)
	}
	if rank[r.Concern] == 0 {
		ps.add("", "%s: concern %q is not low, moderate or high", where, r.Concern)
	}
	if r.Exploitation != "" && r.Exploitation != Sexual && r.Exploitation != Labor {
		ps.add("", "%s: exploitation %q is not sexual or labor", where, r.Exploitation)
	}
	if r.Threshold <= 0 || len(r.Items) == 0 {
		ps.add("", "%s: needs a positive threshold and at least one item", where)
	}
	for _, ri := range r.Items {
		it := q.Lookup(ri.LinkID)
		if it == nil || it.Type == "group" || it.Type == "display" {
			ps.add(ri.LinkID, "%s: scores an item that does not exist or takes no answers", where)
		}
	}
}

// positive returns the score of one answer: 1 for true, for a positive
// code or string; the number itself for integer and decimal answers.
func (r Rule) positive(v Value) float64 {
	if b, ok := v.Bool(); ok && b {
		return 1
	}
	if n, ok := v.Number(); ok {
		return n
	}
	if c, ok := v.Coding(); ok && slices.Contains(r.Positive, c.Code) {
		return 1
	}
	if s, ok := v.Text(); ok && slices.Contains(r.Positive, s) {
		return 1
	}
	return 0
}

// score applies the rule to the answers of enabled items.
func (r Rule) score(answers map[string][]Value, enabled map[string]bool) float64 {
	var total float64
	for _, ri := range r.Items {
		if !enabled[ri.LinkID] {
			continue
		}
		var best float64
		for _, v := range answers[ri.LinkID] {
			best = max(best, r.positive(v))
		}
		switch {
		case r.Method == "sum":
			total += ri.Weight * best
		case best > 0:
			total++
		}
	}
	return total
}
