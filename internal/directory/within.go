package directory

import (
	"cmp"
	"slices"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// Within returns the IDs of the locations of the sites within radiusKm of
// p, nearest first (then by ID), leaving out confidential sites unless
// role may see them (access.CanSeeConfidential). It serves the HSDS API's
// proximity, which filters places, not needs. Errors: Invalid for a point
// off the Earth or a radius outside (0, 5000] km.
func (x *Index) Within(p Point, radiusKm float64, role haven.Role) ([]string, error) {
	if !ValidCoords(p.Lat, p.Lon) || !(radiusKm > 0 && radiusKm <= 5000) {
		return nil, haven.FieldError("proximity", "Give a valid latitude and longitude and a distance above 0 and up to 5,000,000 meters.")
	}
	see := access.CanSeeConfidential(role)
	qx, qy, qz := unitVector(p.Lat, p.Lon)
	c := chordKm(radiusKm)
	limit := c * c
	nearest := map[string]float64{}
	visit := func(i int32) {
		r := &x.recs[i]
		if r.flags&(fDead|fGeo) != fGeo || (r.flags&fConfidential != 0 && !see) || r.locLen == 0 {
			return
		}
		dx, dy, dz := float64(r.x)-qx, float64(r.y)-qy, float64(r.z)-qz
		d2 := dx*dx + dy*dy + dz*dz
		if d2 > limit {
			return
		}
		loc := x.locationID(r)
		if old, ok := nearest[loc]; !ok || d2 < old {
			nearest[loc] = d2
		}
	}
	x.mu.RLock()
	x.visitBox(p, radiusKm, visit)
	x.mu.RUnlock()
	out := make([]string, 0, len(nearest))
	for loc := range nearest {
		out = append(out, loc)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(nearest[a], nearest[b]), cmp.Compare(a, b)) })
	return out, nil
}

// visitBox calls visit for every placed site in the grid cells of the
// radius' bounding box (a site may come more than once, under each of its
// terms), or for every site when the box has more cells than the index.
func (x *Index) visitBox(p Point, radiusKm float64, visit func(int32)) {
	r0, r1, c0, c1 := cellBox(p, radiusKm)
	if (r1-r0+1)*(c1-c0+1) > len(x.cells) {
		for i := range x.recs {
			visit(int32(i))
		}
		return
	}
	x.cellsIn(r0, r1, c0, c1, func(cl *cell) {
		for k := range cl.lists {
			for _, id := range cl.lists[k].ids {
				visit(id)
			}
		}
	})
}
