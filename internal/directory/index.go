package directory

import (
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/haven-care/haven"
)

// EarthKm is the mean Earth radius used for every distance in Haven; a
// baseline that filters by distance must use it too to agree with the index.
const EarthKm = 6371.0088

// cellDeg is the side of a grid cell in degrees (about 11 km of latitude).
const cellDeg = 0.1

// rec flags.
const (
	fTrauma uint16 = 1 << iota
	fSurvivor
	fFaith
	fLGBTQ
	fFree
	fSliding
	fConfidential
	fGeo
	fDead
)

// rec is the compact form of a site: about 80 bytes, no pointers.
type rec struct {
	x, y, z   float32 // unit vector of the coordinates
	terms     uint64  // bits of the first 64 interned terms
	langs     uint64  // bits of the first 64 interned languages
	comms     uint64  // bits of the first 64 interned communities
	ext       uint32  // index+1 into Index.ext for sets past 64 members; 0: none
	idOff     uint32  // service ID then location ID in Index.ids
	svcLen    uint8
	locLen    uint8
	flags     uint16
	genders   uint8
	imm       uint8
	barriers  uint8
	insurance uint8
	docs      uint8
	minAge    uint8
	maxAge    uint8 // 255: none
	tz        uint16
	hours     uint32 // pattern ID; 0: unknown
	disp      uint32 // offset of the site's Display in Index.disp
	next      int32  // next site of a service with the same ID hash; -1: none
	lat, lon  float32
}

// extSets holds set members whose interned IDs are past 63.
type extSets struct{ terms, langs, comms []uint32 }

// posting is the sorted site IDs of one term.
type posting struct {
	term uint32
	ids  []int32
}

// cell is the postings of one grid cell.
type cell struct{ lists []posting }

// Index is the in-memory matching index. It is safe for concurrent use:
// queries share a read lock, Upsert and Delete take the write lock.
type Index struct {
	mu       sync.RWMutex
	recs     []rec
	ids      []byte
	disp     []byte // every site's Display, encoded (see appendDisplay)
	ext      []extSets
	cells    map[uint32]*cell
	global   map[uint32][]int32 // term → every site (sorted), for wide or location-free queries
	nogeo    map[uint32][]int32 // term → sites without coordinates
	byHash   map[uint64]int32   // service ID hash → first site
	seed     maphash.Seed
	terms    interner
	langs    interner
	comms    interner
	zones    []*time.Location
	zoneIDs  map[string]uint16
	patterns []pattern
	patText  []string // hoursText of each pattern
	patIDs   map[string]uint32
	live     int
	pool     sync.Pool
}

// New builds an index of sites.
func New(sites []Site) *Index {
	x := NewEmpty()
	for i := range sites {
		x.add(&sites[i])
	}
	x.Optimize()
	return x
}

// Add adds one site, for bulk loads too large to hold as a slice; call
// Optimize when done.
func (x *Index) Add(s Site) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.add(&s)
}

// NewEmpty returns an index with no sites; Haven's need codes are interned
// first so that they take the first term bits.
func NewEmpty() *Index {
	x := &Index{cells: map[uint32]*cell{}, global: map[uint32][]int32{}, nogeo: map[uint32][]int32{},
		byHash: map[uint64]int32{}, seed: maphash.MakeSeed(), terms: newInterner(), langs: newInterner(),
		comms: newInterner(), zoneIDs: map[string]uint16{}, patIDs: map[string]uint32{}}
	for _, n := range haven.Needs {
		x.terms.id(n.Code)
	}
	x.zone("")
	x.patterns = append(x.patterns, pattern{}) // pattern 0: hours unknown
	x.patText = append(x.patText, "")
	return x
}

// Len returns the number of live sites.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// Upsert replaces every site of serviceID with sites (which must all carry
// that service ID). An empty sites removes the service.
func (x *Index) Upsert(serviceID string, sites []Site) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(serviceID)
	for i := range sites {
		sites[i].ServiceID = serviceID
		x.add(&sites[i])
	}
}

// Delete removes every site of serviceID.
func (x *Index) Delete(serviceID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(serviceID)
}

func (x *Index) hash(s string) uint64 { return maphash.String(x.seed, s) }

func (x *Index) serviceID(r *rec) string {
	return string(x.ids[r.idOff : r.idOff+uint32(r.svcLen)])
}

func (x *Index) locationID(r *rec) string {
	o := r.idOff + uint32(r.svcLen)
	return string(x.ids[o : o+uint32(r.locLen)])
}

func (x *Index) remove(serviceID string) {
	h := x.hash(serviceID)
	head, ok := x.byHash[h]
	if !ok {
		return
	}
	var keep []int32
	for i := head; i >= 0; i = x.recs[i].next {
		if x.serviceID(&x.recs[i]) == serviceID {
			x.unlink(i)
		} else {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		delete(x.byHash, h)
		return
	}
	x.byHash[h] = keep[0]
	for j, i := range keep {
		x.recs[i].next = -1
		if j+1 < len(keep) {
			x.recs[i].next = keep[j+1]
		}
	}
}

func (x *Index) unlink(i int32) {
	r := &x.recs[i]
	r.flags |= fDead
	x.live--
	terms := x.recTerms(r)
	if len(terms) == 0 && r.flags&fGeo != 0 {
		terms = []uint32{noTerm}
	}
	for _, t := range terms {
		if t != noTerm {
			x.global[t] = removeID(x.global[t], i)
		}
		if r.flags&fGeo == 0 {
			x.nogeo[t] = removeID(x.nogeo[t], i)
			continue
		}
		c := x.cells[cellKey(float64(r.lat), float64(r.lon))]
		for k := range c.lists {
			if c.lists[k].term == t {
				c.lists[k].ids = removeID(c.lists[k].ids, i)
			}
		}
	}
}

func removeID(ids []int32, id int32) []int32 {
	if k, ok := slices.BinarySearch(ids, id); ok {
		return slices.Delete(ids, k, k+1)
	}
	return ids
}

func (x *Index) add(s *Site) {
	x.recs = append(x.recs, x.compact(s))
	x.link(int32(len(x.recs) - 1))
}

// link makes site id findable: by its service ID and in the posting lists.
func (x *Index) link(id int32) {
	r := &x.recs[id]
	h := x.hash(x.serviceID(r))
	r.next = -1
	if head, ok := x.byHash[h]; ok {
		r.next = head
	}
	x.byHash[h] = id
	x.live++
	x.post(id)
}

// noTerm is the cell posting of placed sites with no term: no query for
// needs visits it, Within (which looks for places, not needs) does.
const noTerm = ^uint32(0)

// post adds site id to the posting lists of its terms.
func (x *Index) post(id int32) {
	r := &x.recs[id]
	terms := x.recTerms(r)
	for _, t := range terms {
		x.global[t] = append(x.global[t], id)
		if r.flags&fGeo == 0 {
			x.nogeo[t] = append(x.nogeo[t], id)
			continue
		}
		x.cellFor(float64(r.lat), float64(r.lon)).append(t, id)
	}
	if len(terms) == 0 && r.flags&fGeo != 0 {
		x.cellFor(float64(r.lat), float64(r.lon)).append(noTerm, id)
	}
}

func (x *Index) cellFor(lat, lon float64) *cell {
	k := cellKey(lat, lon)
	c := x.cells[k]
	if c == nil {
		c = &cell{}
		x.cells[k] = c
	}
	return c
}

func (c *cell) append(term uint32, id int32) {
	for k := range c.lists {
		if c.lists[k].term == term {
			c.lists[k].ids = append(c.lists[k].ids, id)
			return
		}
	}
	c.lists = append(c.lists, posting{term: term, ids: []int32{id}})
}

func cellRow(lat float64) int { return int(math.Floor((lat + 90) / cellDeg)) }
func cellCol(lon float64) int { return int(math.Floor((lon + 180) / cellDeg)) }

func cellKey(lat, lon float64) uint32 {
	return uint32(cellRow(lat))*4000 + uint32(cellCol(lon))
}

// unitVector returns the point's position on the unit sphere.
func unitVector(lat, lon float64) (x, y, z float64) {
	la, lo := lat*math.Pi/180, lon*math.Pi/180
	return math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)
}
