package web

import (
	"encoding/json"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// resultAnswers is what a result shows of the answers besides the score:
// the notes the worker typed, and the questions declined or not answered,
// so that a colleague can tell a No from a question not asked.
type resultAnswers struct {
	Notes      []noteView
	Declined   []string
	Unanswered []string
}

type noteView struct{ Question, Text string }

// answersOfResult reads the stored response against its instrument. Free
// text answers are the notes; an item carrying a data-absent-reason of
// asked-declined was declined; a scored question enabled by the answers
// with neither an answer nor a decline was not answered.
func answersOfResult(sc *haven.Screening, in *haven.Instrument) resultAnswers {
	var out resultAnswers
	q, err := screening.ParseQuestionnaire(in.JSON)
	if err != nil {
		return out
	}
	r, err := screening.ParseQuestionnaireResponse(sc.Response)
	if err != nil {
		return out
	}
	declined := map[string]bool{}
	walkResponse(r.Item, func(ri *screening.ResponseItem) {
		if len(ri.Answer) == 0 && isDeclined(ri) {
			declined[ri.LinkID] = true
		}
	})
	answers := r.Answers()
	enabled := screening.Enabled(q, answers)
	scored := map[string]bool{}
	for _, rule := range q.Rules() {
		for _, it := range rule.Items {
			scored[it.LinkID] = true
		}
	}
	q.Items(func(it *screening.Item) {
		vals := answers[it.LinkID]
		switch {
		case declined[it.LinkID]:
			out.Declined = append(out.Declined, it.Text)
		case len(vals) == 0 && scored[it.LinkID] && enabled[it.LinkID]:
			out.Unanswered = append(out.Unanswered, it.Text)
		case it.Type == "text" || it.Type == "string":
			for _, v := range vals {
				if s, ok := v.Text(); ok {
					out.Notes = append(out.Notes, noteView{Question: it.Text, Text: s})
				}
			}
		}
	})
	return out
}

func walkResponse(items []*screening.ResponseItem, fn func(*screening.ResponseItem)) {
	for _, ri := range items {
		fn(ri)
		walkResponse(ri.Item, fn)
		for _, a := range ri.Answer {
			walkResponse(a.Item, fn)
		}
	}
}

// isDeclined reports whether a response item records "Declined to
// answer" (see declinedExtension).
func isDeclined(ri *screening.ResponseItem) bool {
	var exts []struct {
		URL       string `json:"url"`
		ValueCode string `json:"valueCode"`
	}
	if json.Unmarshal(ri.Extra["extension"], &exts) != nil {
		return false
	}
	for _, e := range exts {
		if e.URL == dataAbsentReasonURL && e.ValueCode == "asked-declined" {
			return true
		}
	}
	return false
}
