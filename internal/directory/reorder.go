package directory

import (
	"cmp"
	"math/bits"
	"slices"
)

// Optimize renumbers the sites so that those of one grid cell and need lie
// next to each other in memory: a query then reads the records of its
// cells in order instead of jumping across the whole directory. New calls
// it; call it after a bulk load through Add.
func (x *Index) Optimize() {
	x.mu.Lock()
	defer x.mu.Unlock()
	perm := make([]int32, 0, x.live)
	for i := range x.recs {
		if x.recs[i].flags&fDead == 0 {
			perm = append(perm, int32(i))
		}
	}
	keys := make([]uint64, len(x.recs))
	for _, i := range perm {
		r := &x.recs[i]
		k := uint64(1<<32 - 1)
		if r.flags&fGeo != 0 {
			k = uint64(cellKey(float64(r.lat), float64(r.lon)))
		}
		keys[i] = k<<8 | uint64(bits.TrailingZeros64(r.terms))
	}
	slices.SortStableFunc(perm, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
	x.renumber(perm)
}

// renumber rebuilds every structure with site perm[i] as site i.
func (x *Index) renumber(perm []int32) {
	newID := make([]int32, len(x.recs))
	for i := range newID {
		newID[i] = -1
	}
	for n, old := range perm {
		newID[old] = int32(n)
	}
	recs := make([]rec, len(perm))
	for n, old := range perm {
		recs[n] = x.recs[old]
		if nx := recs[n].next; nx >= 0 {
			recs[n].next = newID[nx]
		}
	}
	for h, head := range x.byHash {
		x.byHash[h] = newID[head]
	}
	x.recs = recs
	x.cells, x.global, x.nogeo = map[uint32]*cell{}, map[uint32][]int32{}, map[uint32][]int32{}
	for i := range x.recs {
		x.post(int32(i))
	}
}
