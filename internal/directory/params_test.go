package directory

import (
	"errors"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/places"
)

// TestParseQueryRejectsNonFiniteNumbers: strconv.ParseFloat accepts "NaN"
// and "Inf", and NaN compares false with every bound, so each number a
// client sends must be refused when it is not finite.
func TestParseQueryRejectsNonFiniteNumbers(t *testing.T) {
	for _, field := range []string{"lat", "lon", "radius_km", "age", "limit"} {
		for _, bad := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "infinity", "1e400"} {
			v := url.Values{"need": {"food"}, "lat": {"42.36"}, "lon": {"-71.06"}, "radius_km": {"10"}}
			v.Set(field, bad)
			_, err := ParseQuery(v, nil)
			if haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)[field] == "" {
				t.Errorf("%s=%s: err=%v, want Invalid on %s", field, bad, err, field)
			}
		}
	}
	if _, err := ParseQuery(url.Values{"need": {"food"}, "lat": {"42.36"}, "lon": {"-71.06"}, "radius_km": {"10"}}, nil); err != nil {
		t.Errorf("finite query: err=%v", err)
	}
}

// TestQueryRefusesNaNRadius: the index itself refuses a radius that is not
// a number, whoever built the query.
func TestQueryRefusesNaNRadius(t *testing.T) {
	x := New(testSites())
	for _, r := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := x.Query(Query{Needs: []string{"food"}, Near: boston, RadiusKm: r}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("RadiusKm=%v: err=%v, want Invalid", r, err)
		}
	}
}

// TestParseQueryNamesTheFieldToCorrect: a search that cannot work is refused with
// the field to correct, never run on a guess (a missing longitude read as
// 0, a language name matched against codes).
func TestParseQueryNamesTheFieldToCorrect(t *testing.T) {
	for _, tt := range []struct {
		query, field string
	}{
		{"need=food&lat=41.88", "lon"},
		{"need=food&lon=-87.63&lat=", "lat"},
		{"need=food&language=Spanish", "language"},
		{"need=food&language=es,vietnamese", "language"},
		{"lat=41.88&lon=-87.63", "need"},
	} {
		v, _ := url.ParseQuery(tt.query)
		_, err := ParseQuery(v, nil)
		if haven.ErrorFields(err)[tt.field] == "" {
			t.Errorf("%s: err=%v, want a message on %s", tt.query, err, tt.field)
		}
	}
	for _, ok := range []string{"need=food&lat=&lon=", "need=food&language=es,zh-Hant,asl", "need=food&lat=41.88&lon=-87.63"} {
		v, _ := url.ParseQuery(ok)
		q, err := ParseQuery(v, nil)
		if err != nil {
			t.Errorf("%s: %v", ok, err)
		}
		if strings.Contains(ok, "lat=&") && q.Near != nil {
			t.Errorf("%s: empty coordinates searched near %+v, want no place", ok, *q.Near)
		}
	}
}

func TestOpenAt(t *testing.T) {
	// Monday 09:00-17:00 and Friday 22:00-02:00 in Chicago.
	hours := append(ScheduleHours(haven.Schedule{Freq: "WEEKLY", ByDay: "MO", OpensAt: "09:00", ClosesAt: "17:00"}),
		ScheduleHours(haven.Schedule{ByDay: "FR", OpensAt: "22:00", ClosesAt: "02:00"})...)
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 11, 30, 9, 0, 0, 0, chicago), true},   // Monday opening minute
		{time.Date(2026, 11, 30, 17, 0, 0, 0, chicago), false}, // closing minute
		{time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), true}, // 09:00 in Chicago
		{time.Date(2026, 12, 5, 1, 30, 0, 0, chicago), true},   // Saturday early, Friday's span
		{time.Date(2026, 12, 5, 2, 30, 0, 0, chicago), false},
		{time.Date(2026, 12, 1, 10, 0, 0, 0, chicago), false}, // Tuesday
	} {
		if got := OpenAt(hours, "America/Chicago", tc.at); got != tc.want {
			t.Errorf("OpenAt(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if OpenAt(nil, "", time.Now()) {
		t.Error("unknown hours are open")
	}
	if OpenAt(hours, "Not/AZone", time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)) {
		t.Error("an unknown zone is open")
	}
}

// TestParseQueryPlaces: a search is centred on a ZIP code, a city or a
// saved clinic location, the clinic's own when none is named; a place
// that cannot be found names its field and keeps its cause.
func TestParseQueryPlaces(t *testing.T) {
	clinics, err := places.ParseLocations("Main clinic=78701; North=Round Rock, TX")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		query, want string // want: the place's String
	}{
		{"need=food", "Main clinic"},
		{"need=food&location=north", "North"},
		{"need=food&postcode=78702", "78702 Austin, TX"},
		{"need=food&near=78702&location=North", "78702 Austin, TX"},
		{"need=food&near=Austin,+TX", "Austin, TX"},
		{"need=food&city=round+rock+tx", "Round Rock, TX"},
		{"need=food&lat=&lon=&near=", "Main clinic"},
	} {
		v, _ := url.ParseQuery(tt.query)
		q, err := ParseQuery(v, clinics)
		if err != nil || q.Place == nil || q.Near == nil {
			t.Errorf("%s: place=%v, err=%v", tt.query, q.Place, err)
			continue
		}
		if got := q.Place.String(); got != tt.want || q.Near.Lat != q.Place.Lat || q.RadiusKm != 25 {
			t.Errorf("%s: near %q at %+v radius %v, want %q", tt.query, got, *q.Near, q.RadiusKm, tt.want)
		}
	}
	if q, err := ParseQuery(url.Values{"need": {"food"}, "lat": {"30.1"}, "lon": {"-97.1"}}, clinics); err != nil || q.Place != nil || q.Near.Lat != 30.1 {
		t.Errorf("coordinates: %+v, %v", q, err)
	}
	if q, err := ParseQuery(url.Values{"need": {"food"}}, nil); err != nil || q.Near != nil {
		t.Errorf("no place, none saved: near %+v, %v; want no place", q.Near, err)
	}
	var amb *places.AmbiguousError
	for _, tt := range []struct {
		query, field string
		cause        error
	}{
		{"need=food&postcode=00000", "postcode", places.ErrUnknownZIP},
		{"need=food&postcode=Austin", "postcode", places.ErrNotZIP},
		{"need=food&near=00000", "near", places.ErrUnknownZIP},
		{"need=food&city=Atlantis", "city", places.ErrUnknownCity},
		{"need=food&near=Austin", "near", amb},
		{"need=food&location=West", "location", nil},
		{"need=food&postcode=78701&city=Austin,+TX", "city", nil},
		{"need=food&near=78701&lat=30&lon=-97", "lat", nil},
	} {
		v, _ := url.ParseQuery(tt.query)
		_, err := ParseQuery(v, clinics)
		if haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)[tt.field] == "" {
			t.Errorf("%s: err=%v, want a message on %s", tt.query, err, tt.field)
		}
		switch c := tt.cause.(type) {
		case *places.AmbiguousError:
			if !errors.As(err, &amb) || len(amb.Choices) < 2 {
				t.Errorf("%s: err=%v, want the choices", tt.query, err)
			}
		case error:
			if !errors.Is(err, c) {
				t.Errorf("%s: err=%v, want cause %v", tt.query, err, c)
			}
		}
	}
}
