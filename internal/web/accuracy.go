package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/haven-care/haven/internal/screening"
)

func init() {
	pageNames = append(pageNames, "accuracy")
}

// accuracyPage shows how well screening performs against later-confirmed
// outcomes: the four counts in, exact intervals out. Counts are not
// personal data, so they travel in the query string.
type accuracyPage struct {
	Page
	Counts map[string]string
	Fields map[string]string
	Report *screening.AccuracyReport
	Rows   []accuracyRow
}

type accuracyRow struct {
	Label, Estimate, Interval, Counts string
}

var accuracyCounts = []string{"tp", "fn", "fp", "tn"}

func (h *Handler) accuracy(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateAccuracy); err != nil {
		return err
	}
	p := accuracyPage{Page: h.page(r, "accuracy.title"), Counts: map[string]string{}, Fields: map[string]string{}}
	q := r.URL.Query()
	if !q.Has("tp") {
		return h.render(w, http.StatusOK, "accuracy", &p)
	}
	n := map[string]int{}
	for _, k := range accuracyCounts {
		p.Counts[k] = q.Get(k)
		v, err := strconv.Atoi(q.Get(k))
		if err != nil || v < 0 {
			p.Fields[k] = p.T("accuracy.count_error")
		}
		n[k] = v
	}
	if len(p.Fields) > 0 {
		return h.render(w, http.StatusBadRequest, "accuracy", &p)
	}
	rep, err := screening.Accuracy(n["tp"], n["fn"], n["fp"], n["tn"])
	if err != nil {
		p.Notice = p.T("accuracy.undefined")
		return h.render(w, http.StatusBadRequest, "accuracy", &p)
	}
	p.Report = &rep
	p.Rows = accuracyRows(&p.Page, rep)
	return h.render(w, http.StatusOK, "accuracy", &p)
}

func accuracyRows(p *Page, rep screening.AccuracyReport) []accuracyRow {
	pct := func(key string, x *screening.Proportion) accuracyRow {
		if x == nil || x.Denominator == 0 {
			return accuracyRow{Label: p.T(key), Estimate: "—"}
		}
		return accuracyRow{p.T(key), fmt.Sprintf("%.2f%%", 100*x.Estimate),
			fmt.Sprintf("%.2f–%.2f%%", 100*x.Lower, 100*x.Upper), fmt.Sprintf("%d/%d", x.Numerator, x.Denominator)}
	}
	ratio := func(key string, x screening.Ratio) accuracyRow {
		if !x.Defined {
			return accuracyRow{Label: p.T(key), Estimate: "—"}
		}
		return accuracyRow{Label: p.T(key), Estimate: fmt.Sprintf("%.2f", x.Estimate), Interval: fmt.Sprintf("%.2f–%.2f", x.Lower, x.Upper)}
	}
	return []accuracyRow{pct("accuracy.sensitivity", rep.Sensitivity), pct("accuracy.specificity", rep.Specificity),
		pct("accuracy.ppv", rep.PPV), pct("accuracy.npv", rep.NPV), ratio("accuracy.lr_pos", rep.LRPositive), ratio("accuracy.lr_neg", rep.LRNegative)}
}
