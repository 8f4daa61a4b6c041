package gap

import (
	"slices"
	"sort"

	"github.com/haven-care/haven"
)

// Unknown is the row of units whose value of a dimension was not recorded.
const Unknown = "unknown"

// Merged is the column that holds categories too small to show apart.
const Merged = "merged"

// Population is one kind of unit (needs, referrals, survivors,
// screenings) counted by every dimension it has and one category. It is
// the whole of what the tables of that population are built from, and it
// never leaves Haven: only Tables do.
type Population struct {
	Name string
	// Dims are the dimensions a table may be broken down by; Units'
	// Values follow their order.
	Dims []string
	// Categories are the columns, in order.
	Categories []string
	// Order gives a dimension's known values in the order rows are shown;
	// a known value no unit has is a row of zeros, so a row's presence
	// says nothing.
	Order map[string][]string
	Units []Unit
}

// Unit is N units sharing every dimension value and a category.
type Unit struct {
	Values   []string
	Category string
	N        int
}

// Cell, Row and Table are the domain's types of a suppressed table.
type (
	Cell  = haven.GapCell
	Row   = haven.GapRow
	Table = haven.GapTable
)

func published(n int) Cell { return haven.PublishedCell(n) }

// Build breaks p down by the dimension by. Every table of one population
// shares its category merging, its grand total and, per dimension, its
// row totals' suppression, so no two requests disagree on a shared
// figure; a suppressed cell lies on a cycle of suppressed cells that does
// not pass through the category totals, which is what lets it move
// without changing any other table (see docs/gap.md). Build returns false
// when by is not a dimension of p.
func Build(p Population, by string) (Table, bool) {
	d := slices.Index(p.Dims, by)
	if d < 0 {
		return Table{}, false
	}
	cats, catOf := mergeCategories(p)
	t := Table{Population: p.Name, By: by, Categories: cats}
	rows := rowValues(p, d)
	x := make([][]int, len(rows))
	for i := range x {
		x[i] = make([]int, len(cats))
	}
	rowIndex := map[string]int{}
	for i, v := range rows {
		rowIndex[v] = i
	}
	total := 0
	for _, u := range p.Units {
		x[rowIndex[valueOf(u, d)]][catOf[u.Category]] += u.N
		total += u.N
	}
	if total < Threshold {
		return Table{Population: p.Name, By: by, Withheld: true}, true
	}
	rowTot := make([]int, len(rows))
	colTot := make([]int, len(cats))
	for i := range x {
		for j, v := range x[i] {
			rowTot[i] += v
			colTot[j] += v
		}
	}
	rowHide := suppressVector(rowTot)
	hide, ok := suppressTable(x, rowHide)
	if !ok {
		return Table{Population: p.Name, By: by, Withheld: true}, true
	}
	for i, v := range rows {
		r := Row{Value: v, Total: cellOf(rowTot[i], rowHide[i])}
		for j := range cats {
			r.Cells = append(r.Cells, cellOf(x[i][j], hide[i][j]))
		}
		t.Rows = append(t.Rows, r)
	}
	for _, c := range colTot {
		t.Totals = append(t.Totals, published(c))
	}
	t.Total = published(total)
	return t, true
}

func cellOf(n int, hide bool) Cell {
	if hide {
		return Cell{}
	}
	return published(n)
}

func valueOf(u Unit, d int) string {
	if d >= len(u.Values) || u.Values[d] == "" {
		return Unknown
	}
	return u.Values[d]
}

// rowValues lists the rows: the dimension's known values in order, then
// the others found, sorted, then Unknown when some unit lacks a value.
func rowValues(p Population, d int) []string {
	known := p.Order[p.Dims[d]]
	out := slices.Clone(known)
	var extra []string
	seen := map[string]bool{}
	for _, v := range known {
		seen[v] = true
	}
	unknown := false
	for _, u := range p.Units {
		v := valueOf(u, d)
		switch {
		case v == Unknown:
			unknown = true
		case !seen[v]:
			seen[v] = true
			extra = append(extra, v)
		}
	}
	sort.Strings(extra)
	out = append(out, extra...)
	if unknown && !slices.Contains(out, Unknown) {
		out = append(out, Unknown)
	}
	return out
}

// mergeCategories folds every category whose total is from 1 to
// Threshold−1 into Merged, and while Merged itself is that small, the
// smallest other category too. A category totals are the same in every
// table of the population, so the merging is too.
func mergeCategories(p Population) ([]string, map[string]int) {
	tot := map[string]int{}
	for _, u := range p.Units {
		tot[u.Category] += u.N
	}
	merged := map[string]bool{}
	sum := 0
	for _, c := range p.Categories {
		if small(tot[c]) {
			merged[c], sum = true, sum+tot[c]
		}
	}
	for small(sum) {
		best := ""
		for _, c := range p.Categories {
			if !merged[c] && tot[c] > 0 && (best == "" || tot[c] < tot[best]) {
				best = c
			}
		}
		if best == "" {
			break // the whole population is small: Build withholds it
		}
		merged[best], sum = true, sum+tot[best]
	}
	var cats []string
	index := map[string]int{}
	for _, c := range p.Categories {
		if !merged[c] {
			index[c] = len(cats)
			cats = append(cats, c)
		}
	}
	if len(merged) > 0 {
		for c := range merged {
			index[c] = len(cats)
		}
		cats = append(cats, Merged)
	}
	return cats, index
}
