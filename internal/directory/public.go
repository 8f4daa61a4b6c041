package directory

import (
	"math/bits"
	"time"

	"github.com/haven-care/haven"
)

// Public returns a new index of the live sites of x that are not
// confidential, built from scratch: its ID and display arenas, interned
// languages, communities, time zones and hours hold only what those sites
// use, so that nothing of a shelter (its IDs, address, phone, hours, or a
// language only it offers) is left in it. It is what a snapshot writes.
func (x *Index) Public() *Index {
	x.mu.RLock()
	sites := make([]Site, 0, x.live)
	zones := x.zoneNames()
	for i := range x.recs {
		r := &x.recs[i]
		if r.flags&(fDead|fConfidential) == 0 {
			sites = append(sites, x.site(r, zones))
		}
	}
	y := NewEmpty()
	// Interned in x's order, which is the order a summary lists languages.
	y.internUsed(&y.terms, &x.terms, sites, func(s *Site) []string { return haven.NeedCodes(s.Terms) })
	y.internUsed(&y.langs, &x.langs, sites, func(s *Site) []string { return lower(s.Languages) })
	y.internUsed(&y.comms, &x.comms, sites, func(s *Site) []string { return lower(s.Match.CommunitiesServed) })
	x.mu.RUnlock()
	for i := range sites {
		y.add(&sites[i])
	}
	y.Optimize()
	return y
}

// internUsed interns into n, in from's order, the names of from that
// some site uses.
func (x *Index) internUsed(n, from *interner, sites []Site, names func(*Site) []string) {
	used := make([]bool, len(from.names))
	for i := range sites {
		for _, s := range names(&sites[i]) {
			if id, ok := from.lookup(s); ok {
				used[id] = true
			}
		}
	}
	for id, name := range from.names {
		if used[id] {
			n.id(name)
		}
	}
}

// ConfidentialSites returns the live confidential sites of x as Sites:
// what a snapshot leaves out, for its caller to keep sealed.
func (x *Index) ConfidentialSites() []Site {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var sites []Site
	zones := x.zoneNames()
	for i := range x.recs {
		if r := &x.recs[i]; r.flags&(fDead|fConfidential) == fConfidential {
			sites = append(sites, x.site(r, zones))
		}
	}
	return sites
}

// site is the Site that r was compacted from, as far as the index keeps it
// (values past the index's bounds, such as ages over 254, come back
// bounded).
func (x *Index) site(r *rec, zones []string) Site {
	s := Site{ServiceID: x.serviceID(r), LocationID: x.locationID(r), Confidential: r.flags&fConfidential != 0,
		MinAge: int(r.minAge), Display: x.display(r.disp)}
	if r.flags&fGeo != 0 {
		s.HasCoords, s.Lat, s.Lon = true, float64(r.lat), float64(r.lon)
	}
	if r.maxAge != 255 {
		s.MaxAge = int(r.maxAge)
	}
	var e extSets
	if r.ext > 0 {
		e = x.ext[r.ext-1]
	}
	s.Terms = setNames(&x.terms, r.terms, e.terms)
	s.Languages = setNames(&x.langs, r.langs, e.langs)
	m := &s.Match
	m.CommunitiesServed = setNames(&x.comms, r.comms, e.comms)
	m.TraumaInformed, m.SurvivorSpecific, m.FaithBased = r.flags&fTrauma != 0, r.flags&fSurvivor != 0, r.flags&fFaith != 0
	m.LGBTQAffirming, m.Free, m.SlidingScale = r.flags&fLGBTQ != 0, r.flags&fFree != 0, r.flags&fSliding != 0
	m.Genders = enumValues(r.genders, genderOrder)
	m.ImmigrationStatuses = enumValues(r.imm, immOrder)
	m.BarriersWaived = enumValues(r.barriers, barrierOrder)
	m.Insurance = enumValues(r.insurance, insuranceOrder)
	s.Documents = enumValues(r.docs, docOrder)
	s.TimeZone = zones[r.tz]
	for _, sp := range x.patterns[r.hours] {
		day := sp.from / 1440
		opens := sp.from - day*1440
		s.Hours = append(s.Hours, Hours{Day: time.Weekday(day), Opens: int(opens), Closes: int(opens + sp.to - sp.from)})
	}
	return s
}

// setNames returns the interned names of a set: its bits, then its
// members past 63.
func setNames(n *interner, b uint64, rest []uint32) []string {
	var out []string
	for ; b != 0; b &= b - 1 {
		out = append(out, n.names[bits.TrailingZeros64(b)])
	}
	for _, id := range rest {
		out = append(out, n.names[id])
	}
	return out
}

// enumValues is the inverse of enumBits.
func enumValues[T comparable](b uint8, order []T) []T {
	var out []T
	for i, o := range order {
		if b&(1<<i) != 0 {
			out = append(out, o)
		}
	}
	return out
}

// zoneNames lists the interned time zone names by ID.
func (x *Index) zoneNames() []string {
	names := make([]string, len(x.zones))
	for name, id := range x.zoneIDs {
		names[id] = name
	}
	return names
}
