package gap

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// Interval is a share with its Wilson 95% interval.
type Interval struct {
	Estimate float64 `json:"estimate"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
}

const z95 = 1.959963984540054

// Wilson returns the Wilson score 95% interval of x successes in n, and
// false when n is 0.
func Wilson(x, n int) (Interval, bool) {
	if n <= 0 || x < 0 || x > n {
		return Interval{}, false
	}
	p, nf := float64(x)/float64(n), float64(n)
	den := 1 + z95*z95/nf
	centre := (p + z95*z95/(2*nf)) / den
	half := z95 / den * math.Sqrt(p*(1-p)/nf+z95*z95/(4*nf*nf))
	return Interval{Estimate: p, Lower: math.Max(0, centre-half), Upper: math.Min(1, centre+half)}, true
}

// Share is one group's representation: its share among those identified
// and among those served, and against the reference population when one
// was given. Flags say where the gap is significant: the reference or
// identified share lies outside the other's 95% interval.
type Share struct {
	Group           string    `json:"group"`
	Identified      *Interval `json:"identified,omitempty"`
	Served          *Interval `json:"served,omitempty"`
	Reference       *float64  `json:"reference,omitempty"`
	ServedGap       string    `json:"served_gap,omitempty"`    // "under", "over" or ""
	ReferenceGap    string    `json:"reference_gap,omitempty"` // "under", "over" or ""
	SuppressedCells bool      `json:"suppressed,omitempty"`
}

// Served and NotServed are the survivors population's categories.
const (
	Served    = "served"
	NotServed = "not_served"
)

// Representation compares each group's share among the survivors served
// with its share among those identified (the survivors table t, whose
// categories are Served and NotServed), and with ref's shares when ref is
// not nil. It reads only published cells.
func Representation(t Table, ref map[string]float64) []Share {
	served := slices.Index(t.Categories, Served)
	if t.Withheld || served < 0 {
		return nil
	}
	total, _ := t.Total.Count()
	servedTotal, _ := t.Totals[served].Count()
	var out []Share
	for _, r := range t.Rows {
		s := Share{Group: r.Value}
		if n, ok := r.Total.Count(); ok {
			if iv, ok := Wilson(n, total); ok {
				s.Identified = &iv
			}
		}
		if n, ok := r.Cells[served].Count(); ok {
			if iv, ok := Wilson(n, servedTotal); ok {
				s.Served = &iv
			}
		}
		s.SuppressedCells = s.Identified == nil || s.Served == nil
		if s.Identified != nil && s.Served != nil {
			s.ServedGap = gapOf(s.Served, s.Identified.Estimate)
		}
		if p, ok := ref[r.Value]; ok {
			s.Reference = &p
			if s.Identified != nil {
				s.ReferenceGap = gapOf(s.Identified, p)
			}
		}
		out = append(out, s)
	}
	return out
}

// gapOf says whether the interval iv lies wholly below or above p.
func gapOf(iv *Interval, p float64) string {
	switch {
	case iv.Upper < p:
		return "under"
	case iv.Lower > p:
		return "over"
	}
	return ""
}

// ParseReference reads a reference population as CSV: a header
// "group,count" then one row per group with a count of people (a census
// table, say). It returns each group's share. Any problem is Invalid with
// every bad line named, and nothing is taken: the file is used whole or
// not at all. groups are the dimension's values; a group not among them
// is an error, since it could only be a typing mistake.
func ParseReference(r io.Reader, groups []string) (map[string]float64, error) {
	rd := csv.NewReader(io.LimitReader(r, 1<<20))
	rd.FieldsPerRecord = -1
	rd.TrimLeadingSpace = true
	recs, err := rd.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, haven.FieldError("reference", fmt.Sprintf("Line %d is not valid CSV: %v.", pe.Line, pe.Err))
		}
		return nil, haven.FieldError("reference", "The file could not be read as CSV.")
	}
	if len(recs) == 0 || len(recs[0]) != 2 || strings.ToLower(strings.TrimSpace(recs[0][0])) != "group" ||
		strings.ToLower(strings.TrimSpace(recs[0][1])) != "count" {
		return nil, haven.FieldError("reference", `The first line must be the header "group,count".`)
	}
	var problems []string
	counts := map[string]float64{}
	seen := map[string]bool{}
	sum := 0.0
	for i, rec := range recs[1:] {
		line := i + 2
		if len(rec) != 2 {
			problems = append(problems, fmt.Sprintf("line %d: expected 2 fields, found %d", line, len(rec)))
			continue
		}
		g := strings.TrimSpace(rec[0])
		n, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		switch {
		case !slices.Contains(groups, g):
			problems = append(problems, fmt.Sprintf("line %d: %q is not one of the groups (%s)", line, g, strings.Join(groups, ", ")))
		case err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n):
			problems = append(problems, fmt.Sprintf("line %d: the count must be a number, 0 or more", line))
		case seen[g]:
			problems = append(problems, fmt.Sprintf("line %d: %q is listed twice", line, g))
		default:
			counts[g], sum = n, sum+n
		}
		if g != "" {
			seen[g] = true
		}
	}
	if len(problems) == 0 && sum <= 0 {
		problems = append(problems, "the counts add up to nothing: give at least one group a count above 0")
	}
	if len(problems) > 0 {
		return nil, &haven.Error{Kind: haven.Invalid, Message: "The reference population was not used: " + strings.Join(problems, "; ") + ".",
			Fields: map[string]string{"reference": strings.Join(problems, "; ")}}
	}
	shares := map[string]float64{}
	for g, n := range counts {
		shares[g] = n / sum
	}
	return shares, nil
}

// The confirmed-outcome categories of the screenings-with-outcome
// population.
const (
	TruePositive  = "tp"
	FalseNegative = "fn"
	FalsePositive = "fp"
	TrueNegative  = "tn"
)

// RowAccuracy is the accuracy of one row of a confirmed-outcome table.
type RowAccuracy struct {
	Value  string                    `json:"value"`
	Report *screening.AccuracyReport `json:"report,omitempty"`
}

// Accuracy computes sensitivity, specificity, PPV and NPV with exact
// intervals (screening.Accuracy) for each row of the confirmed-outcome
// table t whose four cells are published, and for all rows together from
// the column totals.
func Accuracy(t Table) (overall *screening.AccuracyReport, rows []RowAccuracy) {
	idx := make([]int, 4)
	for k, c := range []string{TruePositive, FalseNegative, FalsePositive, TrueNegative} {
		if idx[k] = slices.Index(t.Categories, c); idx[k] < 0 || t.Withheld {
			return nil, nil
		}
	}
	report := func(cells []Cell) *screening.AccuracyReport {
		var v [4]int
		for k, i := range idx {
			n, ok := cells[i].Count()
			if !ok {
				return nil
			}
			v[k] = n
		}
		r, err := screening.Accuracy(v[0], v[1], v[2], v[3])
		if err != nil {
			return nil
		}
		return &r
	}
	overall = report(t.Totals)
	for _, r := range t.Rows {
		rows = append(rows, RowAccuracy{Value: r.Value, Report: report(r.Cells)})
	}
	return overall, rows
}
