package training

import (
	"testing"

	"github.com/haven-care/haven"
)

func TestModulesAreComplete(t *testing.T) {
	want := []string{"indicators", "trauma-informed", "safety-checklist", "privacy-disclosure", "minors"}
	for _, id := range want {
		m, ok := Module(id)
		if !ok {
			t.Fatalf("module %s missing", id)
		}
		if len(m.Questions) < 5 || len(m.Objectives) == 0 || m.CEHours <= 0 || m.PassPercent == 0 {
			t.Errorf("module %s is incomplete", id)
		}
	}
}

func TestQuizScoring(t *testing.T) {
	m, _ := Module("indicators")
	all := map[string]int{}
	for _, q := range m.Questions {
		all[q.ID] = q.Answer
	}
	if r := m.Score(all); !r.Passed || r.Correct != 5 || r.Total != 5 || len(r.Wrong) != 0 {
		t.Errorf("all right: %+v", r)
	}
	// 4 of 5 is 80%: exactly the pass mark.
	four := map[string]int{}
	for k, v := range all {
		four[k] = v
	}
	four["q1"] = (all["q1"] + 1) % len(m.Questions[0].Options)
	if r := m.Score(four); !r.Passed || r.Correct != 4 || len(r.Wrong) != 1 || r.Wrong[0] != "q1" {
		t.Errorf("4 of 5: %+v", r)
	}
	delete(four, "q2") // unanswered counts as wrong
	if r := m.Score(four); r.Passed || r.Correct != 3 {
		t.Errorf("3 of 5: %+v", r)
	}
	if r := m.Score(map[string]int{"nope": 1}); r.Passed || r.Correct != 0 {
		t.Errorf("nothing right: %+v", r)
	}
	if r := (haven.TrainingModule{PassPercent: 50}).Score(nil); r.Passed {
		t.Error("a module without questions passes")
	}
}

func TestRulesCiteSources(t *testing.T) {
	j := Rules()
	for _, code := range []string{"TX", "FL", "MI"} {
		found := false
		for _, r := range j.Rules {
			found = found || r.Jurisdiction == code && r.Citation != "" && r.SourceURL != ""
		}
		if !found {
			t.Errorf("no cited rule for %s", code)
		}
	}
	if _, err := ParseJurisdictions([]byte(`{"licence_types":[{"id":"rn"}],"rules":[{"id":"x","jurisdiction":"ZZ","licence_types":["rn"],"period":"once"}]}`)); err == nil {
		t.Error("a rule without a citation was accepted")
	}
	if _, err := ParseModules([]byte(`[{"id":"m","title":"t","ce_hours":1,"pass_percent":80,"objectives":["o"],"sections":[{"heading":"h"}],"questions":[]}]`)); err == nil {
		t.Error("a module without a quiz was accepted")
	}
}

func TestEvaluate(t *testing.T) {
	j := Rules()
	lic := func(st, typ, renewal string) *haven.Licence {
		return &haven.Licence{UserID: "u", Jurisdiction: st, LicenceType: typ, RenewalOn: renewal}
	}
	approved := func(on string, h float64) Credit { return Credit{Hours: h, On: on, Approved: true} }
	const today = "2026-05-01"
	cases := []struct {
		name    string
		l       *haven.Licence
		credits []Credit
		status  string
		reason  string
	}{
		{"no licence", nil, nil, haven.ComplianceNotApplicable, "no_licence"},
		{"state without a rule", lic("OR", "rn", "2027-01-01"), nil, haven.ComplianceNotApplicable, "no_rule"},
		{"licence not covered", lic("FL", "other", "2027-01-01"), nil, haven.ComplianceNotApplicable, "licence_not_covered"},
		{"FL nurse, 2 hours this cycle", lic("FL", "rn", "2027-01-31"), []Credit{approved("2026-04-01", 2)}, haven.ComplianceCompliant, "hours_done"},
		{"FL nurse, 1+1 hours this cycle", lic("FL", "rn", "2027-01-31"), []Credit{approved("2026-04-01", 1), approved("2025-03-01", 1)}, haven.ComplianceCompliant, "hours_done"},
		{"FL nurse, 1 hour only", lic("FL", "rn", "2027-01-31"), []Credit{approved("2026-04-01", 1)}, haven.ComplianceDue, "hours_missing"},
		{"FL nurse, hours from the last cycle", lic("FL", "rn", "2027-01-31"), []Credit{approved("2024-12-01", 2)}, haven.ComplianceDue, "hours_missing"},
		{"FL nurse, unapproved course", lic("FL", "rn", "2027-01-31"), []Credit{{Hours: 2, On: "2026-04-01"}}, haven.ComplianceDue, "hours_missing"},
		{"FL nurse, due within 90 days", lic("FL", "rn", "2026-07-01"), nil, haven.ComplianceDueSoon, "hours_missing"},
		{"FL nurse, renewal passed", lic("FL", "rn", "2026-04-30"), nil, haven.ComplianceOverdue, "renewal_passed"},
		{"FL physician, 1 hour", lic("FL", "physician", "2027-01-31"), []Credit{approved("2026-04-01", 1)}, haven.ComplianceCompliant, "hours_done"},
		{"TX nurse, an approved course this cycle", lic("TX", "rn", "2026-09-30"), []Credit{approved("2025-01-15", 1)}, haven.ComplianceCompliant, "hours_done"},
		{"TX nurse, course before this cycle", lic("TX", "rn", "2026-09-30"), []Credit{approved("2024-06-01", 1)}, haven.ComplianceDue, "hours_missing"},
		{"TX nurse, a future credit does not count", lic("TX", "rn", "2026-09-30"), []Credit{approved("2026-06-01", 1)}, haven.ComplianceDue, "hours_missing"},
		{"MI once, years ago", lic("MI", "physician", "2026-06-01"), []Credit{{Hours: 1, On: "2018-03-01"}}, haven.ComplianceCompliant, "training_done_once"},
		{"MI never", lic("MI", "physician", "2026-06-01"), nil, haven.ComplianceDueSoon, "hours_missing"},
	}
	for _, c := range cases {
		got := j.Evaluate(c.l, c.credits, today)
		if got.Status != c.status || got.Reason != c.reason {
			t.Errorf("%s: %s/%s, want %s/%s", c.name, got.Status, got.Reason, c.status, c.reason)
		}
	}
}
