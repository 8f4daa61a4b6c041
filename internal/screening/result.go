package screening

// Hotline is the national hotline Haven offers in its next steps.
const Hotline = "National Human Trafficking Hotline: call 1-888-373-7888 or text 233733 (24/7, confidential, many languages)"

// Patient is what scoring needs to know about the person screened.
type Patient struct {
	Minor bool `json:"minor"` // under 18: child codes and a mandated report
}

// DomainScore is one rule's outcome.
type DomainScore struct {
	Domain    string  `json:"domain"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Flagged   bool    `json:"flagged"`
}

// Step is a suggested next step. Kind is offer-support, hotline,
// mandated-report, safety-plan or rescreen; a mandated-report step is a task
// to create.
type Step struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Result is the outcome of a screening: a prompt for the worker, never a
// diagnosis. Published positive predictive values of trafficking screens
// are 10–50%.
type Result struct {
	Concern   Concern       `json:"concern"`
	Summary   string        `json:"summary"`
	Domains   []DomainScore `json:"domains"`
	Flagged   []string      `json:"flagged"`
	NextSteps []Step        `json:"next_steps"`
	Codes     []Code        `json:"suggested_codes"`
	Notice    string        `json:"notice"`
	// Screened is false when no scored item was enabled (typically because
	// the safety checklist did not pass): the questions were not asked, so
	// the result must not read as "no indicators".
	Screened bool `json:"screened"`
}

// notice reminds the reader what a screening result is.
const notice = "This is a screening prompt, not a diagnosis. Many people with indicators are not being trafficked, and a screen does not rule trafficking out."

// Score validates the response against the questionnaire and applies its
// scoring rules: each rule scores the enabled items it names; a rule that
// reaches its threshold flags its domain at its level of concern; the
// highest level wins, and positive answers below every threshold are a low
// concern. The result carries next steps (support and the hotline, a
// mandated report for a minor) and suggested ICD-10-CM codes for suspected
// exploitation (initial encounter) in the flagged domains. When no scored
// item is enabled the result is marked not screened (see Result.Screened).
func Score(q *Questionnaire, r *QuestionnaireResponse, p Patient) (Result, error) {
	if err := Validate(q, r); err != nil {
		return Result{}, err
	}
	answers := r.Answers()
	enabled := Enabled(q, answers)
	res := Result{Concern: ConcernNone, Domains: []DomainScore{}, Flagged: []string{}, Codes: []Code{}, Notice: notice}
	var anyPositive bool
	exploited := map[Exploitation]bool{}
	for _, rule := range q.Rules() {
		s := rule.score(answers, enabled)
		ds := DomainScore{Domain: rule.Domain, Score: s, Threshold: rule.Threshold, Flagged: s >= rule.Threshold}
		res.Domains = append(res.Domains, ds)
		anyPositive = anyPositive || s > 0
		if ds.Flagged {
			res.Flagged = append(res.Flagged, rule.Domain)
			res.Concern = higher(res.Concern, rule.Concern)
			exploited[rule.Exploitation] = true
		}
	}
	if res.Concern == ConcernNone && anyPositive {
		res.Concern = ConcernLow
	}
	res.Screened = screened(q, enabled)
	if !res.Screened {
		res.Summary, res.NextSteps = notScreened()
		return res, nil
	}
	res.Summary, res.NextSteps = advice(res.Concern, p)
	res.Codes = suspectedCodes(exploited, p)
	return res, nil
}

// higher returns the higher of two levels.
func higher(a, b Concern) Concern {
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// advice returns the summary and next steps for a level of concern.
func advice(c Concern, p Patient) (string, []Step) {
	if c == ConcernNone {
		return "No indicators on this screen.", []Step{
			{"offer-support", "Let the patient know they can come back and talk at any time; leave hotline information where it is safe to do so."},
			{"rescreen", "Screen again if new concerns arise."},
		}
	}
	steps := []Step{
		{"offer-support", "Indicators present — offer support. Ask open questions, listen without judgment, and respect the patient's choices."},
		{"hotline", "Offer the " + Hotline + "."},
		{"safety-plan", "Ask whether it is safe to go home today and how the patient can be contacted safely."},
	}
	if p.Minor {
		steps = append(steps, Step{"mandated-report", "The patient is a minor: make the mandated report to child protective services or law enforcement as your state requires, and tell the patient what will happen."})
	}
	if c == ConcernLow {
		return "Some indicators — offer support and keep the door open.", steps
	}
	return "Indicators present — offer support.", steps
}

// suspectedCodes suggests the suspected-exploitation codes for the flagged
// kinds, sexual first.
func suspectedCodes(kinds map[Exploitation]bool, p Patient) []Code {
	codes := []Code{}
	for _, k := range []Exploitation{Sexual, Labor} {
		if kinds[k] {
			c, _ := SuggestCode(CodingInput{Exploitation: k, Finding: Suspected, Encounter: Initial, Minor: p.Minor})
			codes = append(codes, c)
		}
	}
	return codes
}

// screened reports whether the screening questions could be asked: the
// questionnaire declares no rules, or some item a rule scores is enabled.
func screened(q *Questionnaire, enabled map[string]bool) bool {
	rules := q.Rules()
	for _, rule := range rules {
		for _, ri := range rule.Items {
			if enabled[ri.LinkID] {
				return true
			}
		}
	}
	return len(rules) == 0
}

// notScreened returns the summary and next steps when the questions were
// not enabled.
func notScreened() (string, []Step) {
	return "Not screened: the screening questions were not enabled (the safety checklist did not pass). This says nothing about indicators.", []Step{
		{"offer-support", "Offer care, and hotline information only in a way that is safe for the patient."},
		{"rescreen", "Screen when the patient can be seen alone, in private, with a professional interpreter if one is needed, after explaining confidentiality and its limits."},
	}
}
