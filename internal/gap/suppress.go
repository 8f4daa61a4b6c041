// Package gap builds Haven's gap and equity tables from coded counts and
// protects them with small-cell suppression (PRODUCT.md §9): no pure
// function here touches a database, and nothing it returns carries a
// suppressed count.
package gap

import (
	"container/heap"

	"github.com/haven-care/haven"
)

// Threshold is the smallest count that is published: counts from 1 to
// Threshold−1 are suppressed. A zero is published: it names no one, and
// a table where zeros hid would let a reader solve for them.
const Threshold = haven.GapThreshold

// small reports whether n must be suppressed on its own (primary
// suppression).
func small(n int) bool { return n > 0 && n < Threshold }

// suppressVector suppresses a one-way table v whose total is published:
// every small count, and when exactly one is suppressed, the smallest
// other non-zero count too, so that the total minus the published counts
// is the sum of at least two unknowns. Every suppressed count is at least
// 1.
func suppressVector(v []int) []bool {
	hide := make([]bool, len(v))
	n := 0
	for i, x := range v {
		if small(x) {
			hide[i], n = true, n+1
		}
	}
	if n != 1 {
		return hide
	}
	best := -1
	for i, x := range v {
		if !hide[i] && x > 0 && (best < 0 || x < v[best]) {
			best = i
		}
	}
	if best >= 0 {
		hide[best] = true
	}
	return hide
}

// suppressTable suppresses the cells x of a two-way table whose row
// totals, column totals and grand total are published except where
// rowHide says (that pattern is shared with every other table of the same
// population, so it is fixed here; column totals are always published).
// It marks every small cell, then adds complementary cells until every
// suppressed count can move: a reader knows that a suppressed count is at
// least 1 (zeros are published), and for each suppressed cell there is a
// closed walk of suppressed cells — in the table's bipartite graph of rows
// and columns, the row totals as one more column — along which adding and
// taking one in turn changes that cell, keeps every published figure, and
// takes no suppressed count below 1. The same data with that move made
// publishes exactly the same figures in every table (the move changes
// only the rows of this table's dimension), so no reader can tell the two
// apart. Complementary cells are the cheapest published non-zero cells; a
// total is never added. It returns false when the table cannot be
// protected, and then nothing of it may be published.
func suppressTable(x [][]int, rowHide []bool) ([][]bool, bool) {
	g := newGrid(x, rowHide)
	for changed := true; changed; {
		changed = false
		for _, e := range g.suppressed() {
			if w, _ := g.walk(e, false); w != nil {
				continue
			}
			w, _ := g.walk(e, true)
			if w == nil {
				return nil, false
			}
			for _, f := range w {
				if f.c < g.cols {
					g.hide[f.r][f.c] = true
				}
			}
			changed = true
		}
	}
	return g.hide, true
}

// grid is the table with the row totals as column cols. Row node i is i;
// column node j is rows+j.
type grid struct {
	x          [][]int
	rowTotal   []int
	rowHide    []bool
	hide       [][]bool
	rows, cols int
}

type edge struct{ r, c int } // c == cols: row r's total

func newGrid(x [][]int, rowHide []bool) *grid {
	g := &grid{x: x, rowHide: rowHide, rows: len(x), rowTotal: make([]int, len(x))}
	g.hide = make([][]bool, g.rows)
	for i := range x {
		g.cols = len(x[i])
		g.hide[i] = make([]bool, g.cols)
		for j, v := range x[i] {
			g.hide[i][j] = small(v)
			g.rowTotal[i] += v
		}
	}
	return g
}

// suppressed lists every suppressed cell and row total.
func (g *grid) suppressed() []edge {
	var out []edge
	for i := 0; i < g.rows; i++ {
		for j := 0; j < g.cols; j++ {
			if g.hide[i][j] {
				out = append(out, edge{i, j})
			}
		}
		if g.rowHide[i] {
			out = append(out, edge{i, g.cols})
		}
	}
	return out
}

// cost says whether e may change by step (+1 or −1) on the walk and at
// what cost. A cell adds step; a row total, which sits on the other side
// of its row's sum, takes it. Nothing suppressed may fall below 1.
// Published cells are usable only when adding is true.
func (g *grid) cost(e edge, step int, adding bool) (int, bool) {
	if e.c == g.cols {
		return 0, g.rowHide[e.r] && (step < 0 || g.rowTotal[e.r] >= 2)
	}
	v := g.x[e.r][e.c]
	ok := step > 0 || v >= 2
	switch {
	case g.hide[e.r][e.c]:
		return 0, ok
	case adding && v > 0:
		return v + Threshold, ok
	}
	return 0, false
}

// walk returns a cheapest closed walk through e that changes it, and the
// step e takes, or nil when there is none. The walk's edges are listed
// from e's row back to e's column; the one at e's column steps against
// e, and the steps alternate from there. With adding, the walk may pass
// through published cells, which the caller then suppresses.
func (g *grid) walk(e edge, adding bool) ([]edge, int) {
	var best []edge
	bestCost, bestStep := -1, 0
	for _, step := range []int{1, -1} {
		if _, ok := g.cost(e, step, false); !ok {
			continue
		}
		if w, c, ok := g.path(e, -step, adding); ok && (bestCost < 0 || c < bestCost) {
			best, bestCost, bestStep = w, c, step
		}
	}
	return best, bestStep
}

// path finds the cheapest walk from e's column to e's row, without e,
// whose edges step by first, −first, first, … (Dijkstra over nodes and
// the sign of the next step).
func (g *grid) path(e edge, first int, adding bool) ([]edge, int, bool) {
	nodes := g.rows + g.cols + 1
	state := func(n, step int) int { return 2*n + (1-step)/2 }
	const inf = int(^uint(0) >> 1)
	dist := make([]int, 2*nodes)
	prev := make([]int, 2*nodes)
	via := make([]edge, 2*nodes)
	for i := range dist {
		dist[i], prev[i] = inf, -1
	}
	start := state(g.rows+e.c, first)
	goal := state(e.r, -first) // arrived by a step of first; the next would be −first
	dist[start] = 0
	pq := &nodeQueue{{start, 0}}
	for pq.Len() > 0 {
		it := heap.Pop(pq).(nodeItem)
		if it.d > dist[it.n] {
			continue
		}
		if it.n == goal {
			break
		}
		n, step := it.n/2, 1-2*(it.n%2)
		for _, f := range g.incident(n) {
			if f == e {
				continue
			}
			c, ok := g.cost(f, step, adding)
			if !ok {
				continue
			}
			other := f.r
			if n == f.r {
				other = g.rows + f.c
			}
			s := state(other, -step)
			if d := it.d + c; d < dist[s] {
				dist[s], prev[s], via[s] = d, it.n, f
				heap.Push(pq, nodeItem{s, d})
			}
		}
	}
	if dist[goal] == inf {
		return nil, 0, false
	}
	var w []edge
	for s := goal; s != start; s = prev[s] {
		w = append(w, via[s])
	}
	return w, dist[goal], true
}

// incident lists the cells and total that meet at node n.
func (g *grid) incident(n int) []edge {
	var out []edge
	if n < g.rows {
		for j := 0; j <= g.cols; j++ {
			out = append(out, edge{n, j})
		}
		return out
	}
	for i := 0; i < g.rows; i++ {
		out = append(out, edge{i, n - g.rows})
	}
	return out
}

type nodeItem struct{ n, d int }

type nodeQueue []nodeItem

func (q nodeQueue) Len() int           { return len(q) }
func (q nodeQueue) Less(i, j int) bool { return q[i].d < q[j].d }
func (q nodeQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *nodeQueue) Push(x any)        { *q = append(*q, x.(nodeItem)) }
func (q *nodeQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
