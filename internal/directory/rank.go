package directory

import (
	"math"
	"math/bits"
	"slices"
)

// misses returns the constraints site r fails, as miss bits.
func (x *Index) misses(p *prepared, s *scratch, r *rec) uint16 {
	q := p.q
	var m uint16
	if q.Age > 0 && (q.Age < int(r.minAge) || (r.maxAge != 255 && q.Age > int(r.maxAge))) {
		m |= missAge
	}
	if p.gender != 0 && r.genders != 0 && r.genders&p.gender == 0 {
		m |= missGender
	}
	if p.imm != 0 && r.imm != 0 && r.imm&p.imm == 0 {
		m |= missImmigration
	}
	if x.lacksDocuments(p, r) {
		m |= missDocuments
	}
	if !costOK(p, r) {
		m |= missCost
	}
	if q.TraumaInformed && r.flags&fTrauma == 0 {
		m |= missTrauma
	}
	if q.SurvivorSpecific && r.flags&fSurvivor == 0 {
		m |= missSurvivor
	}
	if q.LanguageRequired && len(q.Languages) > 0 && !x.hasLang(r, p) {
		m |= missLanguage
	}
	if p.needOpen && !x.openAt(s, r, p) {
		m |= missClosed
	}
	return m
}

// lacksDocuments reports whether r requires a document the survivor lacks
// and does not waive the barrier that covers it.
func (x *Index) lacksDocuments(p *prepared, r *rec) bool {
	need := r.docs & p.docsMissing
	for need != 0 {
		i := bits.TrailingZeros8(need)
		need &= need - 1
		w := docOrder[i].WaivedBy()
		if w == "" || r.barriers&enumBit(w, barrierOrder) == 0 {
			return true
		}
	}
	return false
}

func costOK(p *prepared, r *rec) bool {
	free := r.flags&(fFree|fSliding) != 0
	if p.q.FreeOnly && !free {
		return false
	}
	return p.insurance == 0 || free || r.insurance&p.insurance != 0
}

func (x *Index) openAt(s *scratch, r *rec, p *prepared) bool {
	if r.hours == 0 {
		return false
	}
	m := s.zone[r.tz]
	if m < 0 {
		m = weekMinute(p.q.OpenAt.In(x.zones[r.tz]))
		s.zone[r.tz] = m
	}
	return x.patterns[r.hours].open(m)
}

// Matched-reason bits.
const (
	whyNear uint32 = 1 << iota
	whyLanguage
	whyTrauma
	whySurvivor
	whyLGBTQ
	whyCommunity
	whyBarriers
	whyOpen
	whyFree
	whyEligible
)

// score ranks a matching site: nearer is better, then the traits that
// make a service fit this survivor.
func (x *Index) score(p *prepared, r *rec, dist float32) (float32, uint32) {
	q := p.q
	sc, why := float32(0), whyEligible
	if dist >= 0 && q.RadiusKm > 0 {
		sc += 100 * (1 - dist/float32(q.RadiusKm))
		why |= whyNear
	}
	add := func(cond bool, pts float32, w uint32) {
		if cond {
			sc += pts
			why |= w
		}
	}
	add(len(q.Languages) > 0 && x.hasLang(r, p), 50, whyLanguage)
	add(r.flags&fTrauma != 0, 15, whyTrauma)
	add(r.flags&fSurvivor != 0, 25, whySurvivor)
	add(q.LGBTQAffirming && r.flags&fLGBTQ != 0, 10, whyLGBTQ)
	add(r.comms&p.comms != 0, 10, whyCommunity)
	add(p.barriers != 0 && r.barriers&p.barriers != 0, 5*float32(bits.OnesCount8(r.barriers&p.barriers)), whyBarriers)
	add(p.needOpen, 0, whyOpen)
	add(r.flags&(fFree|fSliding) != 0, 5, whyFree)
	return sc, why
}

func bitsOn(m uint16) int { return bits.OnesCount16(m) }

func nearMissCap(q *Query) int {
	if q.NearMisses == 0 {
		return 5
	}
	return q.NearMisses
}

// keep adds h to the best results: a min-heap on score of at most limit.
func (s *scratch) keep(h hit, limit int) {
	if limit == 0 {
		limit = 20
	}
	if limit < 0 {
		s.all = append(s.all, h)
		return
	}
	if len(s.top) < limit {
		s.top = append(s.top, h)
		up(s.top, len(s.top)-1)
		return
	}
	if better(h, s.top[0]) {
		s.top[0] = h
		down(s.top, 0)
	}
}

// better orders hits by score, then distance, then ID, so ranking is total
// and deterministic.
func better(a, b hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return a.id < b.id
}

func up(h []hit, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func down(h []hit, i int) {
	for {
		l, m := 2*i+1, i
		if l < len(h) && better(h[m], h[l]) {
			m = l
		}
		if l+1 < len(h) && better(h[m], h[l+1]) {
			m = l + 1
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// keepNearest keeps the n near misses with the fewest failures, nearest first.
func keepNearest(ms []hit, h hit, n int) []hit {
	worse := func(a, b hit) bool {
		if bitsOn(a.miss) != bitsOn(b.miss) {
			return bitsOn(a.miss) > bitsOn(b.miss)
		}
		return a.dist > b.dist || (a.dist == b.dist && a.id > b.id)
	}
	if len(ms) < n {
		return append(ms, h)
	}
	w := 0
	for i := range ms {
		if worse(ms[i], ms[w]) {
			w = i
		}
	}
	if worse(ms[w], h) {
		ms[w] = h
	}
	return ms
}

func (x *Index) answer(p *prepared, s *scratch, matched int) Answer {
	hits := s.top
	if p.q.Limit < 0 {
		hits = s.all
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if better(a, b) {
			return -1
		}
		return 1
	})
	a := Answer{Matched: matched, Results: make([]Result, len(hits))}
	for i, h := range hits {
		r := &x.recs[h.id]
		a.Results[i] = Result{ServiceID: x.serviceID(r), LocationID: x.locationID(r), DistanceKm: x.exactKm(p, r),
			Score: math.Round(float64(h.score)*10) / 10, Why: x.reasons(p, r, h.why, h.dist)}
		a.Results[i].Reasons = texts(a.Results[i].Why)
		if p.q.Summaries {
			a.Results[i].Summary = x.summary(p, r)
		}
	}
	slices.SortFunc(s.misses, func(a, b hit) int { return cmpMiss(a, b) })
	for _, h := range s.misses {
		r := &x.recs[h.id]
		a.NearMisses = append(a.NearMisses, NearMiss{ServiceID: x.serviceID(r), LocationID: x.locationID(r),
			DistanceKm: x.exactKm(p, r), Why: missReasons(h.miss)})
		a.NearMisses[len(a.NearMisses)-1].WhyNot = texts(a.NearMisses[len(a.NearMisses)-1].Why)
		if p.q.Summaries {
			d := x.display(r.disp)
			a.NearMisses[len(a.NearMisses)-1].Summary.Display = Display{Service: d.Service, Organization: d.Organization}
		}
	}
	return a
}

func cmpMiss(a, b hit) int {
	if d := bitsOn(a.miss) - bitsOn(b.miss); d != 0 {
		return d
	}
	if a.dist != b.dist {
		if a.dist < b.dist {
			return -1
		}
		return 1
	}
	return int(a.id - b.id)
}

// exactKm is the great-circle distance from the query point, or -1.
func (x *Index) exactKm(p *prepared, r *rec) float64 {
	if !p.geo || r.flags&fGeo == 0 {
		return -1
	}
	dx, dy, dz := float64(r.x)-p.qx, float64(r.y)-p.qy, float64(r.z)-p.qz
	return math.Round(chordToKm(math.Sqrt(dx*dx+dy*dy+dz*dz))*100) / 100
}

func missReasons(m uint16) []Reason {
	var out []Reason
	for i, code := range missCodes {
		if m&(1<<i) != 0 {
			out = append(out, Reason{Code: code})
		}
	}
	return out
}

// whyCodes name the matched-reason bits after the need and distance.
var whyCodes = []struct {
	bit  uint32
	code string
}{{whyLanguage, ReasonLanguage}, {whyTrauma, ReasonTrauma}, {whySurvivor, ReasonSurvivor}, {whyLGBTQ, ReasonLGBTQ},
	{whyCommunity, ReasonCommunity}, {whyBarriers, ReasonBarriers}, {whyOpen, ReasonOpen}, {whyFree, ReasonFree}, {whyEligible, ReasonEligible}}

func (x *Index) reasons(p *prepared, r *rec, why uint32, dist float32) []Reason {
	var out []Reason
	for _, t := range p.terms {
		if x.hasTerm(r, t) {
			out = append(out, Reason{Code: ReasonOffers, Need: x.terms.names[t]})
		}
	}
	if why&whyNear != 0 {
		out = append(out, Reason{Code: ReasonNear, RadiusKm: p.q.RadiusKm, Km: float64(dist)})
	}
	for _, w := range whyCodes {
		if why&w.bit != 0 {
			out = append(out, Reason{Code: w.code})
		}
	}
	return out
}

func texts(rs []Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}
