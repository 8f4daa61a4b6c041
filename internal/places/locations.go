package places

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Locations are a clinic's saved locations, its own first: a search with
// no place named is centred on the first.
type Locations []Place

// ParseLocations reads saved locations from configuration text:
// "NAME=PLACE; NAME=PLACE", where PLACE is a ZIP code, a city ("Austin,
// TX") or, for a site the table cannot name, "LAT,LON" in decimal
// degrees. Names are unique and hold no "=" or ";". Empty text is no
// location. Every problem is an error naming the entry.
func ParseLocations(s string) (Locations, error) {
	var out Locations
	seen := map[string]bool{}
	for entry := range strings.SplitSeq(s, ";") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		name, where, ok := strings.Cut(entry, "=")
		name, where = strings.TrimSpace(name), strings.TrimSpace(where)
		if !ok || name == "" || where == "" {
			return nil, fmt.Errorf("clinic location %q: write NAME=ZIP, NAME=City, ST or NAME=LAT,LON", strings.TrimSpace(entry))
		}
		if seen[strings.ToLower(name)] {
			return nil, fmt.Errorf("clinic location %q is named twice", name)
		}
		seen[strings.ToLower(name)] = true
		p, err := coordinates(where)
		if err != nil {
			if p, err = Find(where); err != nil {
				return nil, fmt.Errorf("clinic location %q: %w", name, err)
			}
		}
		p.Name = name
		out = append(out, p)
	}
	return out, nil
}

// coordinates reads "LAT,LON" in decimal degrees on the Earth.
func coordinates(s string) (Place, error) {
	a, b, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !ok || err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return Place{}, fmt.Errorf("%q is not LAT,LON", s)
	}
	return Place{Lat: lat, Lon: lon}, nil
}

// Named returns the saved location called name (case does not matter).
func (ls Locations) Named(name string) (Place, bool) {
	for _, l := range ls {
		if strings.EqualFold(l.Name, strings.TrimSpace(name)) {
			return l, true
		}
	}
	return Place{}, false
}
