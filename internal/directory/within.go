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
	x.mu.RLock()
	nearest := map[string]float64{}
	for i := range x.recs {
		r := &x.recs[i]
		if r.flags&(fDead|fGeo) != fGeo || (r.flags&fConfidential != 0 && !see) || r.locLen == 0 {
			continue
		}
		dx, dy, dz := float64(r.x)-qx, float64(r.y)-qy, float64(r.z)-qz
		d2 := dx*dx + dy*dy + dz*dz
		if d2 > limit {
			continue
		}
		loc := x.locationID(r)
		if old, ok := nearest[loc]; !ok || d2 < old {
			nearest[loc] = d2
		}
	}
	x.mu.RUnlock()
	out := make([]string, 0, len(nearest))
	for loc := range nearest {
		out = append(out, loc)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(nearest[a], nearest[b]), cmp.Compare(a, b)) })
	return out, nil
}
