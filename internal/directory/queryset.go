package directory

import (
	"math/rand/v2"

	"github.com/haven-care/haven"
)

// QuerySet returns n fixed benchmark queries (the same n and seed give the
// same queries): a point near a population-weighted city, one or two needs,
// a radius of 10 to 50 km and a realistic mix of constraints. They carry
// no OpenAt, which the PostgreSQL baseline does not model.
func QuerySet(n int, seed uint64) []Query {
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	cum := cityWeights()
	qs := make([]Query, n)
	for i := range qs {
		c := cities[pickCity(rng, cum)]
		lat, lon := scatter(rng, c)
		q := Query{Needs: []string{needMix.pick(rng)}, Near: &Point{Lat: lat, Lon: lon},
			RadiusKm: []float64{10, 25, 50}[rng.IntN(3)], Role: haven.RoleAdvocate, Age: 16 + rng.IntN(40)}
		if rng.Float64() < 0.3 {
			q.Needs = append(q.Needs, needMix.pick(rng))
		}
		if rng.Float64() < 0.5 {
			q.Languages = []string{langMix.pick(rng)}
			q.LanguageRequired = rng.Float64() < 0.5
		}
		q.Gender = genderOrder[rng.IntN(2)]
		if rng.Float64() < 0.4 {
			q.Immigration = immOrder[rng.IntN(len(immOrder))]
		}
		if rng.Float64() < 0.4 {
			q.MissingDocuments = []haven.DocumentKind{haven.DocPhotoID, haven.DocSSN}
		}
		q.TraumaInformed = rng.Float64() < 0.3
		q.FreeOnly = rng.Float64() < 0.2
		qs[i] = q
	}
	return qs
}
