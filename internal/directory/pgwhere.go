package directory

import (
	"fmt"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// pgWhere translates the hard constraints of q (all but OpenAt, which the
// baseline does not model) into SQL with the same semantics as misses.
func pgWhere(q *Query) (string, []any) {
	p := &prepared{q: q}
	p.gender, p.imm = enumBit(q.Gender, genderOrder), enumBit(q.Immigration, immOrder)
	p.docsMissing, p.insurance = enumBits(q.MissingDocuments, docOrder), enumBit(q.Insurance, insuranceOrder)
	qx, qy, qz := unitVector(q.Near.Lat, q.Near.Lon)
	c := chordKm(q.RadiusKm)
	// earth_box works in earthdistance's radius (6378168 m); scale so the
	// box covers our radius, then filter exactly on the chord.
	boxM := q.RadiusKm * 1000 * 6378168 / (earthKm * 1000) * 1.01
	args := []any{normalizeTerms(q.Needs), q.Near.Lat, q.Near.Lon, boxM, qx, qy, qz, c * c}
	w := []string{"terms && $1::text[]", "earth_box(ll_to_earth($2, $3), $4) @> ll_to_earth(lat, lon)",
		"lat IS NOT NULL", "(x-$5)*(x-$5)+(y-$6)*(y-$6)+(z-$7)*(z-$7) <= $8"}
	if !access.CanSeeConfidential(q.Role) {
		w = append(w, fmt.Sprintf("flags & %d = 0", fConfidential))
	}
	if q.Age > 0 {
		w = append(w, fmt.Sprintf("min_age <= %d AND (max_age = 255 OR max_age >= %d)", q.Age, q.Age))
	}
	if p.gender != 0 {
		w = append(w, fmt.Sprintf("(genders = 0 OR genders & %d <> 0)", p.gender))
	}
	if p.imm != 0 {
		w = append(w, fmt.Sprintf("(imm = 0 OR imm & %d <> 0)", p.imm))
	}
	w = append(w, docsSQL(p.docsMissing)...)
	free := fFree | fSliding
	if q.FreeOnly {
		w = append(w, fmt.Sprintf("flags & %d <> 0", free))
	}
	if p.insurance != 0 {
		w = append(w, fmt.Sprintf("(flags & %d <> 0 OR insurance & %d <> 0)", free, p.insurance))
	}
	if q.TraumaInformed {
		w = append(w, fmt.Sprintf("flags & %d <> 0", fTrauma))
	}
	if q.SurvivorSpecific {
		w = append(w, fmt.Sprintf("flags & %d <> 0", fSurvivor))
	}
	if q.LanguageRequired && len(q.Languages) > 0 {
		args = append(args, lower(q.Languages))
		w = append(w, fmt.Sprintf("langs && $%d::text[]", len(args)))
	}
	return strings.Join(w, " AND "), args
}

// docsSQL requires, for each group of missing documents sharing a waiver,
// that the site needs none of them or waives the barrier.
func docsSQL(missing uint8) []string {
	groups := map[haven.Barrier]uint8{}
	for i, k := range docOrder {
		if missing&(1<<i) != 0 {
			groups[k.WaivedBy()] |= 1 << i
		}
	}
	var w []string
	for b, mask := range groups {
		if b == "" {
			w = append(w, fmt.Sprintf("docs & %d = 0", mask))
			continue
		}
		w = append(w, fmt.Sprintf("(docs & %d = 0 OR barriers & %d <> 0)", mask, enumBit(b, barrierOrder)))
	}
	return w
}
