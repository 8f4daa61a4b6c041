package directory

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// interner gives each distinct string a small dense ID.
type interner struct {
	ids   map[string]uint32
	names []string
}

func newInterner() interner { return interner{ids: map[string]uint32{}} }

func (n *interner) id(s string) uint32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	id := uint32(len(n.names))
	n.ids[s] = id
	n.names = append(n.names, s)
	return id
}

func (n *interner) lookup(s string) (uint32, bool) {
	id, ok := n.ids[s]
	return id, ok
}

// setBits interns values, returning the bits of IDs below 64 and the rest.
func setBits(n *interner, values []string) (bits uint64, rest []uint32) {
	for _, v := range values {
		if v == "" {
			continue
		}
		id := n.id(v)
		if id < 64 {
			bits |= 1 << id
		} else if !containsID(rest, id) {
			rest = append(rest, id)
		}
	}
	return bits, rest
}

func containsID(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (x *Index) compact(s *Site) rec {
	var r rec
	var e extSets
	r.terms, e.terms = setBits(&x.terms, haven.NeedCodes(s.Terms))
	r.langs, e.langs = setBits(&x.langs, lower(s.Languages))
	r.comms, e.comms = setBits(&x.comms, lower(s.Match.CommunitiesServed))
	if len(e.terms)+len(e.langs)+len(e.comms) > 0 {
		x.ext = append(x.ext, e)
		r.ext = uint32(len(x.ext))
	}
	r.idOff, r.svcLen, r.locLen = uint32(len(x.ids)), uint8(min(len(s.ServiceID), 255)), uint8(min(len(s.LocationID), 255))
	x.ids = append(x.ids, s.ServiceID[:r.svcLen]...)
	x.ids = append(x.ids, s.LocationID[:r.locLen]...)
	if s.HasCoords && ValidCoords(s.Lat, s.Lon) {
		r.flags |= fGeo
		r.lat, r.lon = float32(s.Lat), float32(s.Lon)
		vx, vy, vz := unitVector(float64(r.lat), float64(r.lon))
		r.x, r.y, r.z = float32(vx), float32(vy), float32(vz)
	}
	r.flags |= profileFlags(s)
	m := s.Match
	r.genders = enumBits(m.Genders, genderOrder)
	r.imm = enumBits(m.ImmigrationStatuses, immOrder)
	r.barriers = enumBits(m.BarriersWaived, barrierOrder)
	r.insurance = enumBits(m.Insurance, insuranceOrder)
	r.docs = enumBits(s.Documents, docOrder)
	r.minAge, r.maxAge = uint8(min(s.MinAge, 254)), 255
	if s.MaxAge > 0 {
		r.maxAge = uint8(min(s.MaxAge, 254))
	}
	r.tz = x.zone(s.TimeZone)
	r.hours = x.pattern(s.Hours)
	r.disp = uint32(len(x.disp))
	x.disp = appendDisplay(x.disp, &s.Display)
	return r
}

func profileFlags(s *Site) uint16 {
	var f uint16
	for _, b := range []struct {
		on   bool
		flag uint16
	}{{s.Match.TraumaInformed, fTrauma}, {s.Match.SurvivorSpecific, fSurvivor}, {s.Match.FaithBased, fFaith},
		{s.Match.LGBTQAffirming, fLGBTQ}, {s.Match.Free, fFree}, {s.Match.SlidingScale, fSliding}, {s.Confidential, fConfidential}} {
		if b.on {
			f |= b.flag
		}
	}
	return f
}

func lower(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strings.ToLower(s)
	}
	return out
}

var (
	genderOrder    = []haven.Gender{haven.GenderFemale, haven.GenderMale, haven.GenderNonBinary, haven.GenderTrans}
	immOrder       = []haven.ImmigrationStatus{haven.StatusCitizen, haven.StatusPermanent, haven.StatusTVisa, haven.StatusUVisa, haven.StatusAsylum, haven.StatusTemporary, haven.StatusUndocumented}
	barrierOrder   = []haven.Barrier{haven.BarrierNoIncome, haven.BarrierNoCredit, haven.BarrierCriminalRecord, haven.BarrierNoPapers}
	insuranceOrder = []haven.Insurance{haven.InsuranceMedicaid, haven.InsuranceMedicare, haven.InsurancePrivate, haven.InsuranceNone}
	docOrder       = []haven.DocumentKind{haven.DocPhotoID, haven.DocImmigration, haven.DocSSN, haven.DocBirthCert, haven.DocProofAddress, haven.DocProofIncome, haven.DocInsuranceCard}
)

// enumBits returns the bit set of values by their position in order;
// unknown values are ignored.
func enumBits[T comparable](values []T, order []T) uint8 {
	var b uint8
	for _, v := range values {
		for i, o := range order {
			if v == o {
				b |= 1 << i
			}
		}
	}
	return b
}

func enumBit[T comparable](v T, order []T) uint8 { return enumBits([]T{v}, order) }

func (x *Index) recTerms(r *rec) []uint32 {
	var out []uint32
	for b := r.terms; b != 0; b &= b - 1 {
		out = append(out, uint32(bits.TrailingZeros64(b)))
	}
	if r.ext > 0 {
		out = append(out, x.ext[r.ext-1].terms...)
	}
	return out
}

func (x *Index) zone(name string) uint16 {
	if id, ok := x.zoneIDs[name]; ok {
		return id
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = time.UTC
	}
	id := uint16(len(x.zones))
	x.zones = append(x.zones, loc)
	x.zoneIDs[name] = id
	return id
}

// pattern is a week of opening spans, in minutes from Sunday 00:00.
type pattern []span

type span struct{ from, to int32 }

const weekMinutes = 7 * 24 * 60

func (x *Index) pattern(hours []Hours) uint32 {
	if len(hours) == 0 {
		return 0
	}
	var p pattern
	for _, h := range hours {
		from := int32(int(h.Day)*1440 + h.Opens)
		p = append(p, span{from, from + int32(h.Closes-h.Opens)})
	}
	key := p.key()
	if id, ok := x.patIDs[key]; ok {
		return id
	}
	return x.addPattern(p, key)
}

// addPattern interns p under key.
func (x *Index) addPattern(p pattern, key string) uint32 {
	id := uint32(len(x.patterns))
	x.patterns = append(x.patterns, p)
	x.patText = append(x.patText, hoursText(p))
	x.patIDs[key] = id
	return id
}

// key identifies a pattern among those interned.
func (p pattern) key() string {
	var key strings.Builder
	for _, s := range p {
		fmt.Fprintf(&key, "%d-%d,", s.from, s.to-s.from)
	}
	return key.String()
}

// open reports whether p is open at minute m of the week (spans may run
// past Saturday midnight into Sunday).
func (p pattern) open(m int32) bool {
	for _, s := range p {
		if (m >= s.from && m < s.to) || (m+weekMinutes >= s.from && m+weekMinutes < s.to) {
			return true
		}
	}
	return false
}

func weekMinute(t time.Time) int32 {
	return int32(int(t.Weekday())*1440 + t.Hour()*60 + t.Minute())
}

func chordKm(km float64) float64 { return 2 * math.Sin(km/(2*EarthKm)) }

func chordToKm(c float64) float64 { return 2 * EarthKm * math.Asin(math.Min(c/2, 1)) }
