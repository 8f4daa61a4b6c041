package screening

import (
	"slices"
	"strings"
	"testing"
)

// directIndicators are, per shipped instrument, the questions that ask
// about an exploitation itself, read from their wording rather than from
// the instrument's rules: a sexual-exploitation code may be suggested only
// when one of the sexual ones is answered yes, and labor codes need at
// least minLabor of the labor ones. Risk factors (substance use, running
// away, partners, infections, injuries) suggest support, never a code.
var directIndicators = map[string]struct {
	sexual, labor []string
	minLabor      int
}{
	"haven-adult-indicators": {
		sexual:   []string{"a-sex-exchange", "a-sex-earnings"},
		labor:    []string{"a-deceived", "a-pay", "a-debt", "a-documents", "a-leave", "a-threats", "a-movement", "a-housing"},
		minLabor: 2},
	"haven-rapid-four":  {sexual: []string{"r-sex"}, labor: []string{"r-leave", "r-papers", "r-threat"}, minLabor: 1},
	"haven-youth-short": {sexual: []string{"y-exchange"}},
}

// TestInstrumentCodesFollowTheirItems answers every combination of each
// shipped instrument's questions and checks each suggested code against
// the answers that must, and must not, produce it.
func TestInstrumentCodesFollowTheirItems(t *testing.T) {
	all, err := Instruments()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range all {
		ind, ok := directIndicators[q.ID]
		if !ok {
			t.Errorf("%s: no direct indicators listed for this instrument", q.ID)
			continue
		}
		prefix := q.Item[0].LinkID[:strings.Index(q.Item[0].LinkID, "safety")]
		var questions []string
		q.Items(func(it *Item) {
			if it.Type == "boolean" && !strings.Contains(it.LinkID, "safety") {
				questions = append(questions, it.LinkID)
			}
		})
		minor := strings.Contains(q.ID, "youth")
		for mask := range 1 << len(questions) {
			var yes []string
			for i, id := range questions {
				if mask&(1<<i) != 0 {
					yes = append(yes, id)
				}
			}
			res, err := Score(q, answered(t, q, prefix, true, yes...), Patient{Minor: minor})
			if err != nil && strings.Contains(err.Error(), "disabled by its enableWhen") {
				continue // a follow-up question answered without the one that opens it
			} else if err != nil {
				t.Fatalf("%s %v: %v", q.ID, yes, err)
			}
			sexualYes, laborYes := count(yes, ind.sexual), count(yes, ind.labor)
			wantSexual := sexualYes > 0
			wantLabor := ind.minLabor > 0 && laborYes >= ind.minLabor
			if got := hasCode(res.Codes, "5"); got != wantSexual {
				t.Errorf("%s, yes to %v: sexual-exploitation code suggested %v, want %v (codes %v)", q.ID, yes, got, wantSexual, res.Codes)
			}
			if got := hasCode(res.Codes, "6"); got != wantLabor {
				t.Errorf("%s, yes to %v: labor-exploitation code suggested %v, want %v (codes %v)", q.ID, yes, got, wantLabor, res.Codes)
			}
			if t.Failed() {
				return // one combination says enough
			}
		}
	}
}

func count(yes, of []string) int {
	n := 0
	for _, id := range yes {
		if slices.Contains(of, id) {
			n++
		}
	}
	return n
}

// hasCode reports whether codes holds a T74/T76 code of the kind digit
// (5 sexual, 6 labor).
func hasCode(codes []Code, kind string) bool {
	for _, c := range codes {
		if (strings.HasPrefix(c.Code, "T76.") || strings.HasPrefix(c.Code, "T74.")) && c.Code[4:5] == kind {
			return true
		}
	}
	return false
}
