package directory

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

// TestParseQueryRejectsNonFiniteNumbers: strconv.ParseFloat accepts "NaN"
// and "Inf", and NaN compares false with every bound, so each number a
// client sends must be refused when it is not finite.
func TestParseQueryRejectsNonFiniteNumbers(t *testing.T) {
	for _, field := range []string{"lat", "lon", "radius_km", "age", "limit"} {
		for _, bad := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "infinity", "1e400"} {
			v := url.Values{"need": {"food"}, "lat": {"42.36"}, "lon": {"-71.06"}, "radius_km": {"10"}}
			v.Set(field, bad)
			_, err := ParseQuery(v)
			if haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)[field] == "" {
				t.Errorf("%s=%s: err=%v, want Invalid on %s", field, bad, err, field)
			}
		}
	}
	if _, err := ParseQuery(url.Values{"need": {"food"}, "lat": {"42.36"}, "lon": {"-71.06"}, "radius_km": {"10"}}); err != nil {
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
		_, err := ParseQuery(v)
		if haven.ErrorFields(err)[tt.field] == "" {
			t.Errorf("%s: err=%v, want a message on %s", tt.query, err, tt.field)
		}
	}
	for _, ok := range []string{"need=food&lat=&lon=", "need=food&language=es,zh-Hant,asl", "need=food&lat=41.88&lon=-87.63"} {
		v, _ := url.ParseQuery(ok)
		q, err := ParseQuery(v)
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
