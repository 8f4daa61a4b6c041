package directory

import (
	"math"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// Query is a survivor's needs and constraints. Zero values mean "no
// constraint"; Needs is required.
type Query struct {
	Needs []string // need codes or taxonomy term IDs; a site matches any of them
	// Near is the survivor's location; RadiusKm bounds the distance. Without
	// Near, distance is neither a filter nor a ranking factor.
	Near             *Point
	RadiusKm         float64
	IncludeRemote    bool     // also return sites without coordinates (hotlines, online)
	Languages        []string // preferred languages; ranked, or filtered with LanguageRequired
	LanguageRequired bool
	Age              int // 0: unknown
	Gender           haven.Gender
	Immigration      haven.ImmigrationStatus
	MissingDocuments []haven.DocumentKind // documents the survivor does not have
	Barriers         []haven.Barrier      // barriers the survivor faces; services waiving them rank higher
	Insurance        haven.Insurance      // the survivor's coverage; "" for any
	FreeOnly         bool                 // only free or sliding-scale services
	TraumaInformed   bool                 // require trauma-informed services
	SurvivorSpecific bool                 // require survivor-specific services
	LGBTQAffirming   bool                 // rank LGBTQ+ affirming services higher
	Communities      []string             // rank services for these communities higher
	OpenAt           time.Time            // require open at this instant; zero: no constraint
	Role             haven.Role           // the asker's role; confidential sites need access.CanSeeConfidential
	Limit            int                  // results to return; 0 means 20, negative means all
	NearMisses       int                  // near misses to return; 0 means 5, negative means none
	// Summaries fills each result's Summary, and a near miss's service and
	// organization names, so that a results page needs no query.
	Summaries bool
}

// Point is a place on Earth in degrees.
type Point struct{ Lat, Lon float64 }

// Result is one ranked site and the reasons it matched.
type Result struct {
	ServiceID  string
	LocationID string
	DistanceKm float64 // -1 without a distance
	Score      float64
	Reasons    []string
	Summary    Summary // with Query.Summaries
}

// NearMiss is a site that met the needs and distance but failed one or two
// other constraints, with the reasons why not.
type NearMiss struct {
	ServiceID  string
	LocationID string
	DistanceKm float64
	WhyNot     []string
	// Summary holds only the service's and organization's names (with
	// Query.Summaries): a near miss's location is not shown.
	Summary Summary
}

// Answer is the outcome of a query.
type Answer struct {
	Results    []Result
	NearMisses []NearMiss
	Matched    int // sites passing every constraint, before Limit
}

// Reasons a site failed a constraint.
const (
	missAge uint16 = 1 << iota
	missGender
	missImmigration
	missDocuments
	missCost
	missTrauma
	missSurvivor
	missLanguage
	missClosed
)

var missText = []string{"age outside the service's range", "serves other genders", "does not accept this immigration status",
	"requires documents the survivor lacks", "cost or insurance not accepted", "not trauma-informed", "not survivor-specific",
	"no staff or interpretation in the requested languages", "closed at the requested time"}

// prepared is a query resolved against the index's interned IDs.
type prepared struct {
	q                         *Query
	terms                     []uint32
	termBits                  uint64
	langs                     uint64
	langRest                  []uint32
	comms                     uint64
	geo                       bool
	qx, qy, qz, chord2        float64
	gender, imm, docsMissing  uint8
	barriers, insurance       uint8
	seeConfidential, needOpen bool
}

// scratch is per-query working memory, pooled so queries do not allocate
// in proportion to the directory.
type scratch struct {
	top    []hit // min-heap on score
	misses []hit
	zone   []int32 // week minute of OpenAt per zone; -1: not computed
	all    []hit
}

type hit struct {
	id    int32
	score float32
	dist  float32
	miss  uint16
	why   uint32 // matched-reason bits
}

// Query answers q. It returns Invalid when q has no needs or a bad location.
// The radius test is written so that a NaN radius fails it.
func (x *Index) Query(q Query) (Answer, error) {
	if len(q.Needs) == 0 {
		return Answer{}, haven.FieldError("needs", "Choose at least one need.")
	}
	if q.Near != nil && (!ValidCoords(q.Near.Lat, q.Near.Lon) || !(q.RadiusKm > 0 && q.RadiusKm <= 5000)) {
		return Answer{}, haven.FieldError("near", "Give a valid location and a radius between 0 and 5000 km.")
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	p := x.prepare(&q)
	s := x.getScratch()
	defer x.pool.Put(s)
	matched := x.scan(p, s)
	return x.answer(p, s, matched), nil
}

func (x *Index) getScratch() *scratch {
	s, _ := x.pool.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	s.top, s.misses, s.all = s.top[:0], s.misses[:0], s.all[:0]
	s.zone = s.zone[:0]
	for range x.zones {
		s.zone = append(s.zone, -1)
	}
	return s
}

func (x *Index) prepare(q *Query) *prepared {
	p := &prepared{q: q, seeConfidential: access.CanSeeConfidential(q.Role), needOpen: !q.OpenAt.IsZero()}
	for _, t := range haven.NeedCodes(q.Needs) {
		if id, ok := x.terms.lookup(t); ok && !containsID(p.terms, id) {
			p.terms = append(p.terms, id)
			if id < 64 {
				p.termBits |= 1 << id
			}
		}
	}
	for _, l := range q.Languages {
		if id, ok := x.langs.lookup(strings.ToLower(l)); ok {
			if id < 64 {
				p.langs |= 1 << id
			} else {
				p.langRest = append(p.langRest, id)
			}
		}
	}
	for _, c := range q.Communities {
		if id, ok := x.comms.lookup(strings.ToLower(c)); ok && id < 64 {
			p.comms |= 1 << id
		}
	}
	if q.Near != nil {
		p.geo = true
		p.qx, p.qy, p.qz = unitVector(q.Near.Lat, q.Near.Lon)
		c := chordKm(q.RadiusKm)
		p.chord2 = c * c
	}
	p.gender, p.imm = enumBit(q.Gender, genderOrder), enumBit(q.Immigration, immOrder)
	p.docsMissing, p.barriers = enumBits(q.MissingDocuments, docOrder), enumBits(q.Barriers, barrierOrder)
	p.insurance = enumBit(q.Insurance, insuranceOrder)
	return p
}

// scan visits every candidate site of the query's terms, within the
// radius when there is one, and keeps the best and the near misses.
func (x *Index) scan(p *prepared, s *scratch) int {
	matched := 0
	visit := func(ti int, ids []int32) {
		for _, id := range ids {
			if x.seenEarlier(p, ti, id) {
				continue
			}
			if x.consider(p, s, id) {
				matched++
			}
		}
	}
	for ti, t := range p.terms {
		if !p.geo {
			visit(ti, x.global[t])
			continue
		}
		if !x.scanCells(p, ti, t, visit) && p.q.IncludeRemote {
			visit(ti, x.nogeo[t])
		}
	}
	return matched
}

// scanCells visits the grid cells of the radius' bounding box, or the
// term's whole posting list when that is shorter than the box; it reports
// whether it took the whole list (which holds the remote sites too).
func (x *Index) scanCells(p *prepared, ti int, t uint32, visit func(int, []int32)) bool {
	q := p.q
	dLat := q.RadiusKm / EarthKm * 180 / math.Pi
	maxLat := math.Min(math.Abs(q.Near.Lat)+dLat, 89.9)
	dLon := math.Min(dLat/math.Cos(maxLat*math.Pi/180), 180)
	r0, r1 := cellRow(math.Max(q.Near.Lat-dLat, -90)), cellRow(math.Min(q.Near.Lat+dLat, 90))
	c0, c1 := cellCol(math.Max(q.Near.Lon-dLon, -180)), cellCol(math.Min(q.Near.Lon+dLon, 180))
	if (r1-r0+1)*(c1-c0+1) > len(x.global[t])/4+64 {
		visit(ti, x.global[t])
		return true
	}
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			cl := x.cells[uint32(r)*4000+uint32(c)]
			if cl == nil {
				continue
			}
			for k := range cl.lists {
				if cl.lists[k].term == t {
					visit(ti, cl.lists[k].ids)
				}
			}
		}
	}
	return false
}

// seenEarlier reports whether site id was already visited through one of
// the query's earlier terms.
func (x *Index) seenEarlier(p *prepared, ti int, id int32) bool {
	if ti == 0 {
		return false
	}
	r := &x.recs[id]
	for _, t := range p.terms[:ti] {
		if x.hasTerm(r, t) {
			return true
		}
	}
	return false
}

func (x *Index) hasTerm(r *rec, t uint32) bool {
	if t < 64 {
		return r.terms&(1<<t) != 0
	}
	return r.ext > 0 && containsID(x.ext[r.ext-1].terms, t)
}

func (x *Index) hasLang(r *rec, p *prepared) bool {
	if r.langs&p.langs != 0 {
		return true
	}
	if r.ext > 0 {
		for _, l := range p.langRest {
			if containsID(x.ext[r.ext-1].langs, l) {
				return true
			}
		}
	}
	return false
}

// consider applies the constraints to one site; it reports whether the
// site matched and keeps it among the best or the near misses.
func (x *Index) consider(p *prepared, s *scratch, id int32) bool {
	r := &x.recs[id]
	if r.flags&fDead != 0 || (r.flags&fConfidential != 0 && !p.seeConfidential) {
		return false
	}
	dist := float32(-1)
	if p.geo && r.flags&fGeo == 0 && !p.q.IncludeRemote {
		return false
	}
	if p.geo && r.flags&fGeo != 0 {
		dx, dy, dz := float64(r.x)-p.qx, float64(r.y)-p.qy, float64(r.z)-p.qz
		c2 := dx*dx + dy*dy + dz*dz
		if c2 > p.chord2 {
			return false
		}
		dist = float32(math.Sqrt(c2) * EarthKm) // chord length: exact enough to rank
	}
	h := hit{id: id, dist: dist, miss: x.misses(p, s, r)}
	if h.miss != 0 {
		if p.q.NearMisses >= 0 && bitsOn(h.miss) <= 2 {
			s.misses = keepNearest(s.misses, h, nearMissCap(p.q))
		}
		return false
	}
	h.score, h.why = x.score(p, r, dist)
	s.keep(h, p.q.Limit)
	return true
}

// missCodes are short codes of missText, in its order.
var missCodes = []string{"age", "gender", "immigration", "documents", "cost", "trauma-informed", "survivor-specific", "language", "hours"}

// MissCode returns the short code of a near miss's reason (NearMiss.WhyNot),
// such as "language" or "documents", or "" for an unknown text.
func MissCode(why string) string {
	for i, t := range missText {
		if t == why {
			return missCodes[i]
		}
	}
	return ""
}
