package directory

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/haven-care/haven"
)

// Generate calls fn with n synthetic sites of a national directory, the
// same n and seed giving the same sites: services placed around US cities
// in proportion to population, with realistic mixes of needs, languages,
// eligibility and hours. It streams so that a million sites need not be
// held twice.
func Generate(n int, seed uint64, fn func(Site)) {
	generate(n, seed, cityWeights(), fn)
}

// GenerateAround is Generate with every site around one city (a name of
// the generator's city table, such as "Austin"): a local directory, for the
// demo's clinic.
func GenerateAround(city string, n int, seed uint64, fn func(Site)) error {
	cum := make([]float64, len(cities))
	found := false
	for i, c := range cities {
		found = found || c.name == city
		cum[i] = -1 // below every draw: never picked
		if found {
			cum[i] = 1
		}
	}
	if !found {
		return fmt.Errorf("no city %q in the synthetic directory's table", city)
	}
	generate(n, seed, cum, fn)
	return nil
}

func generate(n int, seed uint64, cum []float64, fn func(Site)) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range n {
		fn(genSite(rng, cum, i))
	}
}

func cityWeights() []float64 {
	cum := make([]float64, len(cities))
	total := 0.0
	for i, c := range cities {
		total += float64(c.pop)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return cum
}

// Weighted mixes; weights are relative.
var (
	needMix = weighted[string]{{"immediate-medical", 6}, {"long-term-medical", 8}, {"mental-health", 10}, {"substance-use", 5},
		{"sexual-reproductive-health", 4}, {"food", 12}, {"shelter", 5}, {"housing", 8}, {"legal", 6}, {"immigration", 4},
		{"employment", 7}, {"education", 6}, {"financial", 6}, {"childcare", 4}, {"safety", 3}, {"family-reunification", 1}}
	langMix = weighted[string]{{"es", 45}, {"zh", 6}, {"vi", 5}, {"tl", 4}, {"ko", 3}, {"ar", 3}, {"ru", 3}, {"ht", 2},
		{"pt", 2}, {"fr", 2}, {"uk", 1}, {"hi", 2}, {"so", 1}, {"am", 1}, {"th", 1}, {"asl", 2}}
	commMix  = weighted[string]{{"latino", 8}, {"asian", 4}, {"african-american", 4}, {"native", 1}, {"deaf", 1}, {"youth", 3}}
	zoneHour = weighted[[]Hours]{{weekdays(9*60, 17*60), 40}, {weekdays(8*60, 20*60), 15}, {allWeek(0, 24*60), 10},
		{append(weekdays(9*60, 17*60), Hours{time6, 10 * 60, 14 * 60}), 15}, {weekdays(12*60, 20*60), 10}, {nil, 10}}
)

const time6 = 6 // Saturday

type weighted[T any] []struct {
	V T
	W float64
}

// Weighted is a mix of values with relative weights, for the synthetic
// data of other packages (the demo's caseload).
type Weighted[T any] = weighted[T]

// Pick draws a value of m with probability proportional to its weight.
func (m weighted[T]) Pick(rng *rand.Rand) T { return m.pick(rng) }

func (m weighted[T]) pick(rng *rand.Rand) T {
	total := 0.0
	for _, e := range m {
		total += e.W
	}
	x := rng.Float64() * total
	for _, e := range m {
		if x -= e.W; x < 0 {
			return e.V
		}
	}
	return m[len(m)-1].V
}

func weekdays(open, close int) []Hours {
	var h []Hours
	for d := 1; d <= 5; d++ {
		h = append(h, Hours{Day: timeWeekday(d), Opens: open, Closes: close})
	}
	return h
}

func allWeek(open, close int) []Hours {
	var h []Hours
	for d := 0; d < 7; d++ {
		h = append(h, Hours{Day: timeWeekday(d), Opens: open, Closes: close})
	}
	return h
}

func genSite(rng *rand.Rand, cum []float64, i int) Site {
	c := cities[pickCity(rng, cum)]
	need := needMix.pick(rng)
	s := Site{ServiceID: genUUID(rng), LocationID: genUUID(rng), TimeZone: c.tz, Terms: []string{need}}
	if rng.Float64() < 0.25 {
		s.Terms = append(s.Terms, needMix.pick(rng))
	}
	if need == "safety" && rng.Float64() < 0.5 || rng.Float64() < 0.03 {
		s.LocationID, s.TimeZone = "", "" // a hotline: no place to go, open around the clock
		s.Hours = allWeek(0, 24*60)
	} else {
		s.HasCoords = true
		s.Lat, s.Lon = scatter(rng, c)
	}
	s.Confidential = need == "shelter" && rng.Float64() < 0.7
	s.Languages = genLanguages(rng)
	if s.Hours == nil {
		s.Hours = zoneHour.pick(rng)
	}
	genEligibility(rng, &s)
	genProfile(rng, &s)
	return s
}

func pickCity(rng *rand.Rand, cum []float64) int {
	x := rng.Float64()
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// scatter places a site around the city: most in town, some in the
// suburbs (normal, sigma grows with the city's size).
func scatter(rng *rand.Rand, c city) (float64, float64) {
	sigmaKm := 4 + 8*math.Sqrt(float64(c.pop)/1000)
	dLat := rng.NormFloat64() * sigmaKm / 111.2
	dLon := rng.NormFloat64() * sigmaKm / (111.2 * math.Cos(c.lat*math.Pi/180))
	return math.Round((c.lat+dLat)*1e5) / 1e5, math.Round((c.lon+dLon)*1e5) / 1e5
}

func genLanguages(rng *rand.Rand) []string {
	langs := []string{"en"}
	for rng.Float64() < 0.55 && len(langs) < 4 {
		l := langMix.pick(rng)
		if !containsString(langs, l) {
			langs = append(langs, l)
		}
	}
	return langs
}

func containsString(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

func genEligibility(rng *rand.Rand, s *Site) {
	switch r := rng.Float64(); {
	case r < 0.08:
		s.MinAge, s.MaxAge = 12, 24
	case r < 0.20:
		s.MinAge = 18
	case r < 0.23:
		s.MaxAge = 17
	}
	switch r := rng.Float64(); {
	case r < 0.12:
		s.Match.Genders = []haven.Gender{haven.GenderFemale, haven.GenderTrans, haven.GenderNonBinary}
	case r < 0.15:
		s.Match.Genders = []haven.Gender{haven.GenderMale}
	}
	if rng.Float64() < 0.12 {
		s.Match.ImmigrationStatuses = []haven.ImmigrationStatus{haven.StatusCitizen, haven.StatusPermanent}
	}
	for _, d := range []struct {
		k haven.DocumentKind
		p float64
	}{{haven.DocPhotoID, 0.3}, {haven.DocProofAddress, 0.15}, {haven.DocProofIncome, 0.1}, {haven.DocSSN, 0.08}, {haven.DocInsuranceCard, 0.05}} {
		if rng.Float64() < d.p {
			s.Documents = append(s.Documents, d.k)
		}
	}
	for _, b := range barrierOrder {
		if rng.Float64() < 0.2 {
			s.Match.BarriersWaived = append(s.Match.BarriersWaived, b)
		}
	}
}

func genProfile(rng *rand.Rand, s *Site) {
	m := &s.Match
	m.TraumaInformed = rng.Float64() < 0.4
	m.SurvivorSpecific = rng.Float64() < 0.06
	m.FaithBased = rng.Float64() < 0.15
	m.LGBTQAffirming = rng.Float64() < 0.25
	m.Free = rng.Float64() < 0.5
	m.SlidingScale = !m.Free && rng.Float64() < 0.3
	for _, ins := range insuranceOrder {
		if rng.Float64() < 0.35 {
			m.Insurance = append(m.Insurance, ins)
		}
	}
	if rng.Float64() < 0.2 {
		m.CommunitiesServed = []string{commMix.pick(rng)}
	}
}

func genUUID(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	a = a&^0xf000 | 0x4000     // version 4
	b = b&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], a)
	binary.BigEndian.PutUint64(raw[8:], b)
	var out [36]byte
	hex.Encode(out[0:8], raw[0:4])
	hex.Encode(out[9:13], raw[4:6])
	hex.Encode(out[14:18], raw[6:8])
	hex.Encode(out[19:23], raw[8:10])
	hex.Encode(out[24:36], raw[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

func timeWeekday(d int) time.Weekday { return time.Weekday(d) }
