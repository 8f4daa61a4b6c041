// Package places finds where a directory search is centred — a US ZIP
// code's centroid, a city's centre, or a clinic location saved in the
// configuration — from a table shipped in the binary: the Census Bureau's
// ZIP Code Tabulation Area centroids (public domain) and GeoNames' postal
// codes (CC BY 4.0) for city names; see NOTICE beside this file.
//
// Staff name places; they never type coordinates. Every function here is
// pure and safe for concurrent use; the table is read on first use.
package places

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:embed zips.csv.gz
var zipsGz []byte

//go:embed states.csv
var statesCSV string

// Place is a point staff can search near: a ZIP code's centroid, a city's
// centre or a saved clinic location.
type Place struct {
	// Name is a saved clinic location's name; empty for a ZIP code or a city.
	Name string
	// ZIP is the five-digit ZIP code; empty for a city.
	ZIP string
	// City and State (the two-letter postal code) name the place; both are
	// empty for a ZIP code the table has no city for (Puerto Rico's).
	City, State string
	Lat, Lon    float64
}

// String names the place as a person reads it: "Main clinic",
// "78701 Austin, TX", "Austin, TX" or "00601".
func (p Place) String() string {
	if p.Name != "" {
		return p.Name
	}
	s := p.ZIP
	if p.City != "" {
		s = strings.TrimSpace(s + " " + p.City + ", " + p.State)
	}
	if s == "" {
		s = strconv.FormatFloat(p.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(p.Lon, 'f', -1, 64)
	}
	return s
}

// The errors of a lookup, for callers to tell apart with errors.Is and to
// say in their own words; their text is English for logs and the JSON API.
var (
	ErrNotZIP      = errors.New("is not a ZIP code: use five digits, such as 78701")
	ErrUnknownZIP  = errors.New("is not in Haven's place table: check the digits, or search by city")
	ErrUnknownCity = errors.New("is not a US city in Haven's place table: check the spelling, add the state (Austin, TX), or search by ZIP code")
)

// AmbiguousError is the answer to a city name that several states share:
// Choices lists each, largest first (by number of ZIP codes), and the
// searcher picks one.
type AmbiguousError struct {
	Name    string
	Choices []Place
}

func (e *AmbiguousError) Error() string {
	names := make([]string, len(e.Choices))
	for i, c := range e.Choices {
		names[i] = c.String()
	}
	return fmt.Sprintf("%q names %d cities: %s; give the state, as in %q", e.Name, len(e.Choices), strings.Join(names, "; "), e.Choices[0].String())
}

// Lookup returns the centroid of a ZIP code ("78701", or "78701-1234"),
// with its city and state. It fails with ErrNotZIP or ErrUnknownZIP,
// wrapped with the input.
func Lookup(zip string) (Place, error) {
	zip = strings.TrimSpace(zip)
	if z, _, plus4 := strings.Cut(zip, "-"); plus4 {
		zip = z
	}
	if !IsZIP(zip) {
		return Place{}, fmt.Errorf("%q %w", zip, ErrNotZIP)
	}
	p, ok := table().zip(zip)
	if !ok {
		return Place{}, fmt.Errorf("ZIP code %s %w", zip, ErrUnknownZIP)
	}
	return p, nil
}

// IsZIP reports whether s is five ASCII digits.
func IsZIP(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Cities returns every city that name names, largest first: "Austin"
// gives Austin, TX, Austin, MN and more; "Austin, TX", "Austin TX" and
// "austin, texas" give one. Case, accents, periods and the abbreviations
// St., Ste., Ft. and Mt. do not matter. A city's centre is the median of
// its ZIP codes' centroids.
func Cities(name string) []Place {
	t := table()
	words := strings.Fields(normalize(strings.ReplaceAll(name, ",", " , ")))
	if i := slices.Index(words, ","); i >= 0 { // "City, State"
		return t.citiesIn(strings.Join(words[:i], " "), strings.Join(slices.DeleteFunc(words[i:], func(w string) bool { return w == "," }), " "))
	}
	if all := t.cities[strings.Join(words, " ")]; len(all) > 0 {
		return slices.Clone(all)
	}
	// "City State": the state is the last one to three words.
	for n := 1; n <= 3 && n < len(words); n++ {
		if got := t.citiesIn(strings.Join(words[:len(words)-n], " "), strings.Join(words[len(words)-n:], " ")); len(got) > 0 {
			return got
		}
	}
	return nil
}

// Find reads what a person typed to say where: a ZIP code or a city. One
// city is its place; several fail with an *AmbiguousError listing them;
// otherwise the error wraps ErrNotZIP (digits that are not a ZIP code),
// ErrUnknownZIP or ErrUnknownCity.
func Find(text string) (Place, error) {
	text = strings.TrimSpace(text)
	if text != "" && strings.IndexFunc(text, unicode.IsLetter) < 0 {
		return Lookup(text)
	}
	switch cs := Cities(text); len(cs) {
	case 0:
		return Place{}, fmt.Errorf("%q %w", text, ErrUnknownCity)
	case 1:
		return cs[0], nil
	default:
		return Place{}, &AmbiguousError{Name: text, Choices: cs}
	}
}

// Distance returns the great-circle distance between two places in
// kilometres (haversine, mean Earth radius 6371 km).
func Distance(a, b Place) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// Preload reads the table now (about 70 ms of CPU, see BenchmarkRead),
// so that the first search near a place does not wait for it.
func Preload() { table() }

// places is the table read from the embedded files.
type places struct {
	// zips are in ZIP code order.
	zips []Place
	// cities maps a normalized city name to its cities, largest first.
	cities map[string][]Place
	// states maps a normalized state code or name to its code.
	states map[string]string
}

var table = sync.OnceValue(func() *places {
	t, err := read(zipsGz, statesCSV)
	if err != nil {
		panic("places: the embedded table is broken: " + err.Error()) // a test reads it
	}
	return t
})

func read(gz []byte, states string) (*places, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	t := &places{zips: make([]Place, 0, 42000), cities: make(map[string][]Place, 30000), states: map[string]string{}}
	for line := range strings.Lines(states) {
		code, name, _ := strings.Cut(strings.TrimSpace(line), ",")
		t.states[normalize(code)], t.states[normalize(name)] = code, code
	}
	type cityKey struct{ name, state string }
	members := make(map[cityKey][]Place, 30000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) != 5 {
			return nil, fmt.Errorf("line %q: want 5 fields", sc.Text())
		}
		lat, err1 := strconv.ParseFloat(f[1], 64)
		lon, err2 := strconv.ParseFloat(f[2], 64)
		if !IsZIP(f[0]) || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %q: bad ZIP code or position", sc.Text())
		}
		p := Place{ZIP: f[0], City: f[3], State: f[4], Lat: lat, Lon: lon}
		if n := len(t.zips); n > 0 && t.zips[n-1].ZIP >= p.ZIP {
			return nil, fmt.Errorf("line %q: out of ZIP code order", sc.Text())
		}
		t.zips = append(t.zips, p)
		if p.City != "" {
			k := cityKey{p.City, p.State}
			members[k] = append(members[k], p)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := zr.Close(); err != nil {
		return nil, err
	}
	type sized struct {
		Place
		zips int
	}
	byName := make(map[string][]sized, len(members))
	for k, zs := range members {
		c := Place{City: k.name, State: k.state, Lat: median(zs, func(p Place) float64 { return p.Lat }),
			Lon: median(zs, func(p Place) float64 { return p.Lon })}
		n := normalize(k.name)
		byName[n] = append(byName[n], sized{c, len(zs)})
	}
	for n, cs := range byName {
		slices.SortFunc(cs, func(a, b sized) int {
			if d := b.zips - a.zips; d != 0 {
				return d
			}
			return strings.Compare(a.State, b.State)
		})
		out := make([]Place, len(cs))
		for i, c := range cs {
			out[i] = c.Place
		}
		t.cities[n] = out
	}
	return t, nil
}

// zip finds a ZIP code's row.
func (t *places) zip(zip string) (Place, bool) {
	i, ok := slices.BinarySearchFunc(t.zips, zip, func(p Place, z string) int { return strings.Compare(p.ZIP, z) })
	if !ok {
		return Place{}, false
	}
	return t.zips[i], true
}

// citiesIn returns the cities named name in the state named state (a code
// or a name), or none.
func (t *places) citiesIn(name, state string) []Place {
	code, ok := t.states[state]
	if !ok {
		return nil
	}
	var out []Place
	for _, c := range t.cities[name] {
		if c.State == code {
			out = append(out, c)
		}
	}
	return out
}

func median(ps []Place, f func(Place) float64) float64 {
	v := make([]float64, len(ps))
	for i, p := range ps {
		v[i] = f(p)
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// abbreviations are the words a city name shortens, read as their long form.
var abbreviations = map[string]string{"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}

// normalize folds a name for comparison: lower case, no accents, no
// periods, single spaces, abbreviations spelt out.
func normalize(s string) string {
	if !isASCII(s) {
		s, _, _ = transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	}
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(s, ".", " ")))
	for i, w := range words {
		if long, ok := abbreviations[w]; ok {
			words[i] = long
		}
	}
	return strings.Join(words, " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
