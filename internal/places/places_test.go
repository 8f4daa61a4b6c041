package places

import (
	"errors"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, zip := range []string{"78701", " 78701 ", "78701-1234"} {
		p, err := Lookup(zip)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", zip, err)
		}
		if p.ZIP != "78701" || p.City != "Austin" || p.State != "TX" || p.Lat < 30.26 || p.Lat > 30.28 || p.Lon < -97.75 || p.Lon > -97.73 {
			t.Errorf("Lookup(%q)=%+v, want Austin, TX near 30.27,-97.74", zip, p)
		}
	}
	// Puerto Rico's tabulation areas come from the Census alone: found by
	// ZIP code, with no city.
	if p, err := Lookup("00601"); err != nil || p.City != "" || p.Lat < 17 || p.Lat > 19 {
		t.Errorf("Lookup(00601)=%+v, %v, want a place in Puerto Rico", p, err)
	}
	tests := []struct {
		in   string
		want error
	}{
		{"00000", ErrUnknownZIP}, {"99999", ErrUnknownZIP}, {"7870", ErrNotZIP}, {"787011", ErrNotZIP},
		{"7870a", ErrNotZIP}, {"", ErrNotZIP}, {"٧٨٧٠١", ErrNotZIP},
	}
	for _, tt := range tests {
		if _, err := Lookup(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("Lookup(%q) error=%v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestCities(t *testing.T) {
	all := Cities("Austin")
	if len(all) < 3 || all[0].State != "TX" {
		t.Fatalf("Cities(Austin)=%v, want several, Austin, TX first (most ZIP codes)", all)
	}
	for _, in := range []string{"Austin, TX", "austin tx", "AUSTIN, Texas", "Austin Texas", " Austin ,TX "} {
		got := Cities(in)
		if len(got) != 1 || got[0].City != "Austin" || got[0].State != "TX" || got[0].ZIP != "" {
			t.Errorf("Cities(%q)=%v, want Austin, TX alone", in, got)
			continue
		}
		if d := Distance(got[0], Place{Lat: 30.27, Lon: -97.74}); d > 10 {
			t.Errorf("Cities(%q) centre is %.1f km from downtown Austin, want under 10", in, d)
		}
	}
	for _, tt := range []struct{ in, city, state string }{
		{"St. Louis, MO", "Saint Louis", "MO"}, {"Fort Mitchell, KY", "Ft Mitchell", "KY"},
		{"Kansas City, Missouri", "Kansas City", "MO"}, {"Albany, New York", "Albany", "NY"}, {"albany new york", "Albany", "NY"},
	} {
		if got := Cities(tt.in); len(got) != 1 || got[0].City != tt.city || got[0].State != tt.state {
			t.Errorf("Cities(%q)=%v, want %s, %s", tt.in, got, tt.city, tt.state)
		}
	}
	for _, in := range []string{"", "Atlantis", "Austin, ZZ", "Austin, CA", ","} {
		if got := Cities(in); len(got) != 0 {
			t.Errorf("Cities(%q)=%v, want none", in, got)
		}
	}
}

func TestFind(t *testing.T) {
	if p, err := Find("78701"); err != nil || p.ZIP != "78701" {
		t.Errorf("Find(78701)=%v, %v", p, err)
	}
	if p, err := Find("Austin, TX"); err != nil || p.City != "Austin" || p.ZIP != "" {
		t.Errorf("Find(Austin, TX)=%v, %v", p, err)
	}
	var amb *AmbiguousError
	if _, err := Find("Austin"); !errors.As(err, &amb) || len(amb.Choices) < 3 || !strings.Contains(err.Error(), "Austin, TX") {
		t.Errorf("Find(Austin) error=%v, want the choices", err)
	}
	if _, err := Find("Atlantis"); !errors.Is(err, ErrUnknownCity) {
		t.Errorf("Find(Atlantis) error=%v, want ErrUnknownCity", err)
	}
	if _, err := Find("00000"); !errors.Is(err, ErrUnknownZIP) {
		t.Errorf("Find(00000) error=%v, want ErrUnknownZIP", err)
	}
	if _, err := Find("30.27"); !errors.Is(err, ErrNotZIP) {
		t.Errorf("Find(30.27) error=%v, want ErrNotZIP", err)
	}
	if _, err := Find(""); !errors.Is(err, ErrUnknownCity) {
		t.Errorf("Find(\"\") error=%v, want ErrUnknownCity", err)
	}
}

func TestString(t *testing.T) {
	for _, tt := range []struct {
		p    Place
		want string
	}{
		{Place{Name: "Main clinic", ZIP: "78701"}, "Main clinic"},
		{Place{ZIP: "78701", City: "Austin", State: "TX"}, "78701 Austin, TX"},
		{Place{City: "Austin", State: "TX"}, "Austin, TX"},
		{Place{ZIP: "00601"}, "00601"},
		{Place{Lat: 30.5, Lon: -97.25}, "30.5, -97.25"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String()=%q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestParseLocations(t *testing.T) {
	ls, err := ParseLocations("Main clinic=78701; East side = Austin, TX ;Van=30.25,-97.7;")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 || ls[0].Name != "Main clinic" || ls[0].ZIP != "78701" || ls[1].City != "Austin" || ls[2].Lat != 30.25 || ls[2].Lon != -97.7 {
		t.Fatalf("ParseLocations=%+v", ls)
	}
	if p, ok := ls.Named("east SIDE"); !ok || p.Name != "East side" {
		t.Errorf("Named(east SIDE)=%v, %v", p, ok)
	}
	if _, ok := ls.Named("West"); ok {
		t.Error("Named(West) found a location never saved")
	}
	if ls, err := ParseLocations(" "); err != nil || len(ls) != 0 {
		t.Errorf("ParseLocations(blank)=%v, %v, want none", ls, err)
	}
	for _, bad := range []string{"78701", "=78701", "Main=", "Main=00000", "Main=Austin", "Main=Atlantis", "A=78701;a=78702", "Main=91,0"} {
		if _, err := ParseLocations(bad); err == nil {
			t.Errorf("ParseLocations(%q) accepted", bad)
		}
	}
}

// TestTable: the embedded table reads whole and is the size NOTICE says.
func TestTable(t *testing.T) {
	tb := table()
	if n := len(tb.zips); n < 40000 || n > 45000 {
		t.Errorf("%d ZIP codes, want about 41,000", n)
	}
	if n := len(tb.cities); n < 15000 {
		t.Errorf("%d city names, want over 15,000", n)
	}
	for _, p := range tb.zips {
		if p.Lat < -15 || p.Lat > 72 || p.Lon < -180 || p.Lon > 180 || (p.Lat == 0 && p.Lon == 0) {
			t.Fatalf("ZIP code %s at %v,%v: off US soil", p.ZIP, p.Lat, p.Lon)
		}
	}
}

// BenchmarkRead measures reading the embedded table, done once per
// process on the first search near a place.
func BenchmarkRead(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := read(zipsGz, statesCSV); err != nil {
			b.Fatal(err)
		}
	}
}
