package screening

import (
	"fmt"
	"math"
	"strings"

	"github.com/haven-care/haven"
)

// Proportion is an estimate with its exact (Clopper–Pearson) 95% interval.
// Numerator and Denominator are the counts it came from.
type Proportion struct {
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"`
	Estimate    float64 `json:"estimate"`
	Lower       float64 `json:"lower"`
	Upper       float64 `json:"upper"`
}

// Ratio is a likelihood ratio with its 95% interval by the log method.
// Defined is false when a zero cell leaves the ratio undefined or infinite.
type Ratio struct {
	Defined  bool    `json:"defined"`
	Estimate float64 `json:"estimate,omitempty"`
	Lower    float64 `json:"lower,omitempty"`
	Upper    float64 `json:"upper,omitempty"`
}

// AccuracyReport holds the accuracy of a screening against later-confirmed
// outcomes, computed from a 2×2 table. A proportion whose denominator is
// zero is nil.
type AccuracyReport struct {
	TP          int         `json:"tp"`
	FN          int         `json:"fn"`
	FP          int         `json:"fp"`
	TN          int         `json:"tn"`
	Sensitivity *Proportion `json:"sensitivity"`
	Specificity *Proportion `json:"specificity"`
	PPV         *Proportion `json:"ppv"`
	NPV         *Proportion `json:"npv"`
	LRPositive  Ratio       `json:"lr_positive"`
	LRNegative  Ratio       `json:"lr_negative"`
}

// Accuracy computes sensitivity, specificity, PPV and NPV with exact
// Clopper–Pearson 95% intervals, and LR+ and LR− with log-method 95%
// intervals, from true positives, false negatives, false positives and true
// negatives. Negative counts, or a table with no confirmed cases or no
// confirmed non-cases, are Invalid.
func Accuracy(tp, fn, fp, tn int) (AccuracyReport, error) {
	for i, v := range []int{tp, fn, fp, tn} {
		if v < 0 {
			return AccuracyReport{}, haven.FieldError([]string{"tp", "fn", "fp", "tn"}[i], "must not be negative")
		}
	}
	if tp+fn == 0 {
		return AccuracyReport{}, haven.Errorf(haven.Invalid, "There are no confirmed cases (tp + fn is 0); sensitivity is undefined.")
	}
	if fp+tn == 0 {
		return AccuracyReport{}, haven.Errorf(haven.Invalid, "There are no confirmed non-cases (fp + tn is 0); specificity is undefined.")
	}
	return AccuracyReport{
		TP: tp, FN: fn, FP: fp, TN: tn,
		Sensitivity: proportion(tp, tp+fn),
		Specificity: proportion(tn, fp+tn),
		PPV:         proportion(tp, tp+fp),
		NPV:         proportion(tn, tn+fn),
		LRPositive:  logRatio(tp, tp+fn, fp, fp+tn),
		LRNegative:  logRatio(fn, tp+fn, tn, fp+tn),
	}, nil
}

// proportion returns x/n with its exact interval, or nil when n is 0.
func proportion(x, n int) *Proportion {
	if n == 0 {
		return nil
	}
	lo, hi := clopperPearson(x, n)
	return &Proportion{Numerator: x, Denominator: n, Estimate: float64(x) / float64(n), Lower: lo, Upper: hi}
}

// logRatio returns (a/n1)/(b/n2) with the interval
// exp(ln R ± 1.96·√(1/a − 1/n1 + 1/b − 1/n2)).
func logRatio(a, n1, b, n2 int) Ratio {
	if a == 0 || b == 0 {
		return Ratio{}
	}
	r := (float64(a) / float64(n1)) / (float64(b) / float64(n2))
	se := math.Sqrt(1/float64(a) - 1/float64(n1) + 1/float64(b) - 1/float64(n2))
	f := math.Exp(1.959963984540054 * se)
	return Ratio{Defined: true, Estimate: r, Lower: r / f, Upper: r * f}
}

// Text formats the report for a terminal, percentages to two decimals and
// ratios to two decimals, each with its 95% interval.
func (r AccuracyReport) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "TP %d  FN %d  FP %d  TN %d\n", r.TP, r.FN, r.FP, r.TN)
	writeProportion(&b, "Sensitivity", r.Sensitivity)
	writeProportion(&b, "Specificity", r.Specificity)
	writeProportion(&b, "PPV", r.PPV)
	writeProportion(&b, "NPV", r.NPV)
	writeRatio(&b, "LR+", r.LRPositive)
	writeRatio(&b, "LR-", r.LRNegative)
	b.WriteString("Intervals are 95%: exact (Clopper-Pearson) for proportions, log method for likelihood ratios.\n")
	return b.String()
}

// writeProportion writes one proportion line.
func writeProportion(b *strings.Builder, name string, p *Proportion) {
	if p == nil {
		fmt.Fprintf(b, "%-12s undefined (no cases in the denominator)\n", name)
		return
	}
	fmt.Fprintf(b, "%-12s %6.2f%% (%.2f-%.2f)  %d/%d\n", name, 100*p.Estimate, 100*p.Lower, 100*p.Upper, p.Numerator, p.Denominator)
}

// writeRatio writes one likelihood-ratio line.
func writeRatio(b *strings.Builder, name string, r Ratio) {
	if !r.Defined {
		fmt.Fprintf(b, "%-12s undefined (a zero cell)\n", name)
		return
	}
	fmt.Fprintf(b, "%-12s %6.2f (%.2f-%.2f)\n", name, r.Estimate, r.Lower, r.Upper)
}
