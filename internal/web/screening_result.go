package web

import (
	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// resultAnswers is what a result shows of the answers besides the score:
// the notes the worker typed.
type resultAnswers struct {
	Notes []noteView
}

type noteView struct{ Question, Text string }

// answersOfResult reads the stored response against its instrument. Free
// text answers are the notes.
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
	answers := r.Answers()
	q.Items(func(it *screening.Item) {
		if it.Type != "text" && it.Type != "string" {
			return
		}
		for _, v := range answers[it.LinkID] {
			if s, ok := v.Text(); ok {
				out.Notes = append(out.Notes, noteView{Question: it.Text, Text: s})
			}
		}
	})
	return out
}
