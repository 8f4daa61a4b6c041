package directory

import (
	"slices"
	"testing"

	"github.com/haven-care/haven"
)

// TestWithin: the locations near a point, nearest first, whatever their
// terms (none too); a shelter only for a role that may see it; a deleted
// service's sites no longer; a bad point or radius refused.
func TestWithin(t *testing.T) {
	site := func(svc, loc string, lat, lon float64, conf bool, terms ...string) Site {
		return Site{ServiceID: svc, LocationID: loc, HasCoords: true, Lat: lat, Lon: lon, Confidential: conf, Terms: terms}
	}
	x := New([]Site{
		site("s1", "far", 30.40, -97.74, false, "food"),
		site("s2", "near", 30.271, -97.741, false), // no term at all
		site("s3", "shelter", 30.2705, -97.7405, true, "shelter"),
		site("s4", "mid", 30.30, -97.74, false, "legal"),
		{ServiceID: "s5", Terms: []string{"legal"}}, // a hotline: no place
	})
	austin := Point{Lat: 30.27, Lon: -97.74}
	tests := []struct {
		role   haven.Role
		radius float64
		want   []string
	}{
		{"", 5, []string{"near", "mid"}},
		{"", 50, []string{"near", "mid", "far"}},
		{haven.RoleAdvocate, 5, []string{"shelter", "near", "mid"}},
		{"", 0.05, nil},
	}
	for _, tt := range tests {
		got, err := x.Within(austin, tt.radius, tt.role)
		if err != nil || !slices.Equal(got, tt.want) && len(got)+len(tt.want) > 0 {
			t.Errorf("Within(%v km, %q) = %v, %v; want %v", tt.radius, tt.role, got, err, tt.want)
		}
	}
	x.Delete("s2")
	if got, _ := x.Within(austin, 5, ""); !slices.Equal(got, []string{"mid"}) {
		t.Errorf("after deleting s2: %v, want [mid]", got)
	}
	for _, bad := range []struct {
		p Point
		r float64
	}{{Point{91, 0}, 1}, {austin, 0}, {austin, 5001}} {
		if _, err := x.Within(bad.p, bad.r, ""); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("Within(%v, %v): %v, want Invalid", bad.p, bad.r, err)
		}
	}
}
