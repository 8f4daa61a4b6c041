package gap

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomPopulation invents a population of skewed size, so that its
// tables have small cells in some rows and large ones in others.
func randomPopulation(seed uint64, units int) Population {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := Population{Name: "test", Dims: []string{"a", "b", "c"}, Categories: []string{"w", "x", "y", "z"},
		Order: map[string][]string{"a": {"a0", "a1", "a2"}}}
	vals := []int{3, 5, 6}
	for range units {
		u := Unit{N: 1}
		for d, n := range vals {
			k := int(float64(n) * rng.Float64() * rng.Float64()) // skewed towards the first values
			u.Values = append(u.Values, fmt.Sprintf("%s%d", p.Dims[d], k))
		}
		u.Category = p.Categories[int(4*rng.Float64()*rng.Float64())]
		if rng.IntN(10) == 0 {
			u.Values[1] = "" // unknown
		}
		p.Units = append(p.Units, u)
	}
	return p
}

// published renders every table of p as the analyst receives it.
func publishedTables(t *testing.T, p Population) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range p.Dims {
		tab, ok := Build(p, d)
		if !ok {
			t.Fatalf("Build(%q) refused a dimension of the population", d)
		}
		b, err := json.Marshal(tab)
		if err != nil {
			t.Fatal(err)
		}
		out[d] = string(b)
	}
	return out
}

// trueTable counts p by dimension d against the table's (merged)
// columns, the figures the analyst must not learn where suppressed.
func trueTable(p Population, tab Table, d int) [][]int {
	_, catOf := mergeCategories(p)
	x := make([][]int, len(tab.Rows))
	for i := range x {
		x[i] = make([]int, len(tab.Categories))
	}
	for _, u := range p.Units {
		for i, r := range tab.Rows {
			if r.Value == valueOf(u, d) {
				x[i][catOf[u.Category]] += u.N
			}
		}
	}
	return x
}

func TestTablesPublishNoSmallCount(t *testing.T) {
	for seed := range uint64(40) {
		p := randomPopulation(seed, 150+int(seed)*20)
		for _, d := range p.Dims {
			tab, _ := Build(p, d)
			if tab.Withheld {
				continue
			}
			check := func(where string, c Cell) {
				if n, ok := c.Count(); ok && small(n) {
					t.Errorf("seed %d by %s: %s published %d, a count under %d", seed, d, where, n, Threshold)
				}
			}
			for _, r := range tab.Rows {
				check("row total "+r.Value, r.Total)
				for j, c := range r.Cells {
					check(r.Value+"/"+tab.Categories[j], c)
				}
			}
			for j, c := range tab.Totals {
				check("total "+tab.Categories[j], c)
			}
		}
	}
}

// TestSuppressedCellsCannotBeRecovered is the attack on every table the
// analyst can request for one population at once. For each suppressed
// cell it builds a second population that differs from the first in that
// cell, and checks that every figure published for the first — every
// breakdown's cells, row totals, column totals and grand total — is also
// true of the second, and that every count suppressed for the first is
// still at least 1 in the second (what a reader knows of it, since zeros
// are published). Whatever an attacker computes from the published
// figures, by solving rows and columns or by differencing two requests
// that break the population down differently, fits both populations, so
// the cell cannot be recovered.
func TestSuppressedCellsCannotBeRecovered(t *testing.T) {
	tested := 0
	for seed := range uint64(25) {
		p := randomPopulation(seed, 150+int(seed)*25)
		tables := map[string]Table{}
		for _, dim := range p.Dims {
			tables[dim], _ = Build(p, dim)
		}
		for d, dim := range p.Dims {
			tab := tables[dim]
			if tab.Withheld {
				continue
			}
			x := trueTable(p, tab, d)
			for i, r := range tab.Rows {
				for j, c := range r.Cells {
					if !c.Suppressed() {
						continue
					}
					alt, ok := moveAround(p, tab, d, x, i, j)
					if !ok {
						t.Fatalf("seed %d by %s: suppressed cell %s/%s cannot move", seed, dim, r.Value, tab.Categories[j])
					}
					if got := trueTable(alt, tab, d)[i][j]; got == x[i][j] {
						t.Fatalf("seed %d: the alternative population has the same cell (%d)", seed, got)
					}
					for od, other := range p.Dims {
						if err := fits(alt, tables[other], od); err != nil {
							t.Fatalf("seed %d by %s, cell %s/%s: the table by %s does not fit the other population: %v",
								seed, dim, r.Value, tab.Categories[j], other, err)
						}
					}
					tested++
				}
			}
		}
	}
	if tested < 100 {
		t.Fatalf("only %d suppressed cells were attacked; the populations are too large to test suppression", tested)
	}
}

// fits checks that population p could have published table tab (by
// dimension d): every published count is p's, and every suppressed one
// is at least 1 in p.
func fits(p Population, tab Table, d int) error {
	x := trueTable(p, tab, d)
	colTot := make([]int, len(tab.Categories))
	total := 0
	check := func(where string, c Cell, v int) error {
		n, ok := c.Count()
		switch {
		case ok && n != v:
			return fmt.Errorf("%s published %d, the population has %d", where, n, v)
		case !ok && v < 1:
			return fmt.Errorf("%s is suppressed, but the population has %d (a reader knows it is at least 1)", where, v)
		}
		return nil
	}
	for i, r := range tab.Rows {
		rowTot := 0
		for j, c := range r.Cells {
			if err := check(r.Value+"/"+tab.Categories[j], c, x[i][j]); err != nil {
				return err
			}
			rowTot += x[i][j]
			colTot[j] += x[i][j]
		}
		if err := check("total of "+r.Value, r.Total, rowTot); err != nil {
			return err
		}
		total += rowTot
	}
	for j, c := range tab.Totals {
		if err := check("total of "+tab.Categories[j], c, colTot[j]); err != nil {
			return err
		}
	}
	return check("grand total", tab.Total, total)
}

// moveAround moves units along the walk that the suppression promises
// for cell (i, j) of table tab (by dimension d, true counts x): in each
// column, units of the rows that lose one change their value of d to a
// row that gains one. Only dimension d changes, so the other tables'
// counts stay as they were.
func moveAround(p Population, tab Table, d int, x [][]int, i, j int) (Population, bool) {
	rowHide := make([]bool, len(tab.Rows))
	for a, r := range tab.Rows {
		rowHide[a] = r.Total.Suppressed()
	}
	g := newGrid(x, rowHide)
	for a, r := range tab.Rows {
		for b, c := range r.Cells {
			g.hide[a][b] = c.Suppressed()
		}
	}
	w, step := g.walk(edge{i, j}, false)
	if w == nil {
		return p, false
	}
	delta := map[edge]int{{i, j}: step}
	for _, f := range slices.Backward(w) {
		step = -step
		delta[f] += step
	}
	alt := p
	alt.Units = slices.Clone(p.Units)
	_, catOf := mergeCategories(p)
	for c := range len(tab.Categories) {
		var from, to []int
		for a := range tab.Rows {
			for n := delta[edge{a, c}]; n < 0; n++ {
				from = append(from, a)
			}
			for n := delta[edge{a, c}]; n > 0; n-- {
				to = append(to, a)
			}
		}
		if len(from) != len(to) {
			panic("a walk that does not keep a column's total")
		}
		for k := range from {
			u := slices.IndexFunc(alt.Units, func(u Unit) bool {
				return u.N > 0 && catOf[u.Category] == c && valueOf(u, d) == tab.Rows[from[k]].Value
			})
			if u < 0 {
				return p, false
			}
			unit := alt.Units[u]
			unit.Values = slices.Clone(unit.Values)
			unit.Values[d] = tab.Rows[to[k]].Value
			if unit.Values[d] == Unknown {
				unit.Values[d] = ""
			}
			alt.Units[u] = unit
		}
	}
	return alt, true
}

func TestSmallPopulationIsWithheld(t *testing.T) {
	p := randomPopulation(1, 10)
	tab, _ := Build(p, "a")
	if !tab.Withheld || len(tab.Rows) != 0 {
		t.Fatalf("Build over 10 units = %+v, want withheld with no rows", tab)
	}
}

func TestBuildRefusesAnUnknownDimension(t *testing.T) {
	if _, ok := Build(randomPopulation(1, 100), "name"); ok {
		t.Fatal("Build by an unknown dimension succeeded")
	}
}

// TestDifferencingAttack is the attacker the issue names: it requests
// every breakdown of a population, learns every figure two requests
// share (the grand total and the category totals, whichever table shows
// them), then solves every row and column of every table for any line
// left with one unknown, over and over, and subtracts tables from one
// another where their lines cover the same units. It must recover
// nothing; TestSuppressedCellsCannotBeRecovered proves the stronger
// statement that no computation can.
func TestDifferencingAttack(t *testing.T) {
	for seed := range uint64(30) {
		p := randomPopulation(seed, 120+int(seed)*30)
		var tables []Table
		for _, d := range p.Dims {
			tab, _ := Build(p, d)
			if !tab.Withheld {
				tables = append(tables, tab)
			}
		}
		// Differencing: a category total learned from one request is a
		// line sum of every other.
		colTotal := map[string]int{}
		for _, tab := range tables {
			for j, c := range tab.Totals {
				if n, ok := c.Count(); ok {
					colTotal[tab.Categories[j]] = n
				}
			}
		}
		for ti, tab := range tables {
			known := map[[2]int]int{} // cell → value (published or solved)
			rowKnown := map[int]int{} // row total → value
			for i, r := range tab.Rows {
				for j, c := range r.Cells {
					if n, ok := c.Count(); ok {
						known[[2]int{i, j}] = n
					}
				}
				if n, ok := r.Total.Count(); ok {
					rowKnown[i] = n
				}
			}
			total, _ := tab.Total.Count()
			for changed := true; changed; {
				changed = false
				for i := range tab.Rows { // row i: cells sum to its total
					if rt, ok := rowKnown[i]; ok {
						if j, v, ok := oneUnknown(len(tab.Categories), func(j int) (int, bool) { n, ok := known[[2]int{i, j}]; return n, ok }, rt); ok {
							known[[2]int{i, j}], changed = v, true
						}
					}
				}
				for j, cat := range tab.Categories { // column j: cells sum to the category total
					if ct, ok := colTotal[cat]; ok {
						if i, v, ok := oneUnknown(len(tab.Rows), func(i int) (int, bool) { n, ok := known[[2]int{i, j}]; return n, ok }, ct); ok {
							known[[2]int{i, j}], changed = v, true
						}
					}
				}
				// Row totals sum to the grand total; a row whose cells are all known has a known total.
				for i := range tab.Rows {
					if _, ok := rowKnown[i]; ok {
						continue
					}
					sum, all := 0, true
					for j := range tab.Categories {
						n, ok := known[[2]int{i, j}]
						sum, all = sum+n, all && ok
					}
					if all {
						rowKnown[i], changed = sum, true
					}
				}
				if i, v, ok := oneUnknown(len(tab.Rows), func(i int) (int, bool) { n, ok := rowKnown[i]; return n, ok }, total); ok {
					rowKnown[i], changed = v, true
				}
			}
			for i, r := range tab.Rows {
				for j, c := range r.Cells {
					if _, ok := known[[2]int{i, j}]; ok && c.Suppressed() {
						t.Errorf("seed %d, table %d by %s: the attacker recovered suppressed cell %s/%s", seed, ti, tab.By, r.Value, tab.Categories[j])
					}
				}
				if _, ok := rowKnown[i]; ok && r.Total.Suppressed() {
					t.Errorf("seed %d, table by %s: the attacker recovered the suppressed total of %s", seed, tab.By, r.Value)
				}
			}
		}
	}
}

// oneUnknown solves a line of n entries summing to sum when exactly one
// entry is unknown.
func oneUnknown(n int, get func(int) (int, bool), sum int) (int, int, bool) {
	missing, rest := -1, 0
	for k := range n {
		v, ok := get(k)
		if !ok {
			if missing >= 0 {
				return 0, 0, false
			}
			missing = k
			continue
		}
		rest += v
	}
	if missing < 0 {
		return 0, 0, false
	}
	return missing, sum - rest, true
}
