package directory

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/haven-care/haven"
)

// boston is the query point of the small scenarios.
var boston = &Point{Lat: 42.36, Lon: -71.06}

func testSites() []Site {
	weekday := weekdays(9*60, 17*60)
	return []Site{
		{ServiceID: "near-food", LocationID: "l1", HasCoords: true, Lat: 42.37, Lon: -71.06, Terms: []string{"food"}, Languages: []string{"en"}, TimeZone: "America/New_York", Hours: weekday},
		{ServiceID: "far-food", LocationID: "l2", HasCoords: true, Lat: 42.70, Lon: -71.06, Terms: []string{"food"}},
		{ServiceID: "spanish-food", LocationID: "l3", HasCoords: true, Lat: 42.40, Lon: -71.06, Terms: []string{"food"}, Languages: []string{"en", "ES"}},
		{ServiceID: "adult-housing", LocationID: "l4", HasCoords: true, Lat: 42.36, Lon: -71.05, Terms: []string{haven.Needs[7].TermID}, MinAge: 18},
		{ServiceID: "shelter", LocationID: "l5", HasCoords: true, Lat: 42.35, Lon: -71.06, Terms: []string{"shelter"}, Confidential: true},
		{ServiceID: "id-needed", LocationID: "l6", HasCoords: true, Lat: 42.36, Lon: -71.07, Terms: []string{"legal"}, Documents: []haven.DocumentKind{haven.DocPhotoID}},
		{ServiceID: "id-waived", LocationID: "l7", HasCoords: true, Lat: 42.36, Lon: -71.08, Terms: []string{"legal"}, Documents: []haven.DocumentKind{haven.DocPhotoID}, Match: haven.MatchProfile{BarriersWaived: []haven.Barrier{haven.BarrierNoPapers}}},
		{ServiceID: "hotline", Terms: []string{"safety"}},
		{ServiceID: "women-only", LocationID: "l8", HasCoords: true, Lat: 42.36, Lon: -71.06, Terms: []string{"mental-health"}, Match: haven.MatchProfile{Genders: []haven.Gender{haven.GenderFemale}, SurvivorSpecific: true}},
	}
}

func ids(a Answer) []string {
	var out []string
	for _, r := range a.Results {
		out = append(out, r.ServiceID)
	}
	return out
}

func missIDs(a Answer) []string {
	var out []string
	for _, r := range a.NearMisses {
		out = append(out, r.ServiceID)
	}
	return out
}

func TestQuery(t *testing.T) {
	monday10 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) // 10:00 in Boston
	tests := []struct {
		name       string
		q          Query
		want, miss []string
	}{
		{"nearest first", Query{Needs: []string{"food"}, Near: boston, RadiusKm: 10}, []string{"near-food", "spanish-food"}, nil},
		{"language ranks first", Query{Needs: []string{"food"}, Near: boston, RadiusKm: 10, Languages: []string{"es"}}, []string{"spanish-food", "near-food"}, nil},
		{"language required", Query{Needs: []string{"food"}, Near: boston, RadiusKm: 10, Languages: []string{"es"}, LanguageRequired: true}, []string{"spanish-food"}, []string{"near-food"}},
		{"wider radius", Query{Needs: []string{"food"}, Near: boston, RadiusKm: 50}, []string{"near-food", "spanish-food", "far-food"}, nil},
		{"need by term id", Query{Needs: []string{"housing"}, Near: boston, RadiusKm: 10, Age: 30}, []string{"adult-housing"}, nil},
		{"too young", Query{Needs: []string{haven.Needs[7].TermID}, Near: boston, RadiusKm: 10, Age: 16}, nil, []string{"adult-housing"}},
		{"confidential hidden from partner", Query{Needs: []string{"shelter"}, Near: boston, RadiusKm: 10, Role: haven.RolePartner}, nil, nil},
		{"confidential shown to advocate", Query{Needs: []string{"shelter"}, Near: boston, RadiusKm: 10, Role: haven.RoleAdvocate}, []string{"shelter"}, nil},
		{"missing id waived", Query{Needs: []string{"legal"}, Near: boston, RadiusKm: 10, MissingDocuments: []haven.DocumentKind{haven.DocPhotoID}}, []string{"id-waived"}, []string{"id-needed"}},
		{"remote included", Query{Needs: []string{"safety"}, Near: boston, RadiusKm: 10, IncludeRemote: true}, []string{"hotline"}, nil},
		{"remote excluded", Query{Needs: []string{"safety"}, Near: boston, RadiusKm: 10}, nil, nil},
		{"no location", Query{Needs: []string{"safety"}}, []string{"hotline"}, nil},
		{"gender", Query{Needs: []string{"mental-health"}, Near: boston, RadiusKm: 10, Gender: haven.GenderMale}, nil, []string{"women-only"}},
		{"survivor-specific", Query{Needs: []string{"mental-health", "food"}, Near: boston, RadiusKm: 10, SurvivorSpecific: true}, []string{"women-only"}, []string{"near-food", "spanish-food"}},
		{"open now", Query{Needs: []string{"food"}, Near: boston, RadiusKm: 10, OpenAt: monday10}, []string{"near-food"}, []string{"spanish-food"}},
		{"closed at night", Query{Needs: []string{"food"}, Near: boston, RadiusKm: 10, OpenAt: monday10.Add(12 * time.Hour)}, nil, []string{"near-food", "spanish-food"}},
	}
	x := New(testSites())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := x.Query(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(a)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.miss, missIDs(a)); diff != "" {
				t.Errorf("near misses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryReasons(t *testing.T) {
	x := New(testSites())
	a, err := x.Query(Query{Needs: []string{"legal"}, Near: boston, RadiusKm: 10, MissingDocuments: []haven.DocumentKind{haven.DocPhotoID}})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Results[0].Reasons[0]; got != "offers legal" {
		t.Errorf("Reasons[0]=%q, want %q", got, "offers legal")
	}
	want := []string{"requires documents the survivor lacks"}
	if diff := cmp.Diff(want, a.NearMisses[0].WhyNot); diff != "" {
		t.Errorf("WhyNot (-want +got):\n%s", diff)
	}
	if d := a.Results[0].DistanceKm; d < 1 || d > 2 {
		t.Errorf("DistanceKm=%v, want about 1.6", d)
	}
}

func TestQueryInvalid(t *testing.T) {
	x := New(testSites())
	for _, q := range []Query{{}, {Needs: []string{"food"}, Near: &Point{Lat: 100}, RadiusKm: 5}, {Needs: []string{"food"}, Near: boston}} {
		if _, err := x.Query(q); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("Query(%+v) kind=%v, want invalid", q, haven.ErrorKind(err))
		}
	}
}

func TestUpsertDelete(t *testing.T) {
	x := New(testSites())
	q := Query{Needs: []string{"food"}, Near: boston, RadiusKm: 10}
	x.Upsert("near-food", []Site{{LocationID: "l9", HasCoords: true, Lat: 42.36, Lon: -71.06, Terms: []string{"food"}}, {LocationID: "l10", HasCoords: true, Lat: 42.38, Lon: -71.06, Terms: []string{"food"}}})
	a, _ := x.Query(q)
	got := []string{}
	for _, r := range a.Results {
		got = append(got, r.ServiceID+"/"+r.LocationID)
	}
	if diff := cmp.Diff([]string{"near-food/l9", "near-food/l10", "spanish-food/l3"}, got); diff != "" {
		t.Errorf("after upsert (-want +got):\n%s", diff)
	}
	x.Delete("near-food")
	x.Delete("no-such-service")
	a, _ = x.Query(q)
	if diff := cmp.Diff([]string{"spanish-food"}, ids(a)); diff != "" {
		t.Errorf("after delete (-want +got):\n%s", diff)
	}
	x.Optimize()
	a, _ = x.Query(q)
	if diff := cmp.Diff([]string{"spanish-food"}, ids(a)); diff != "" {
		t.Errorf("after optimize (-want +got):\n%s", diff)
	}
	x.Upsert("spanish-food", nil)
	x.Upsert("new-food", []Site{{LocationID: "l11", HasCoords: true, Lat: 42.36, Lon: -71.06, Terms: []string{"food"}}})
	a, _ = x.Query(q)
	if diff := cmp.Diff([]string{"new-food"}, ids(a)); diff != "" {
		t.Errorf("after optimize and upsert (-want +got):\n%s", diff)
	}
	if got, want := x.Len(), len(testSites())-1; got != want {
		t.Errorf("Len=%d, want %d", got, want)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	var a, b []Site
	Generate(500, 7, func(s Site) { a = append(a, s) })
	Generate(500, 7, func(s Site) { b = append(b, s) })
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different data (-a +b):\n%s", diff)
	}
	var c []Site
	Generate(500, 8, func(s Site) { c = append(c, s) })
	if cmp.Equal(a, c) {
		t.Error("different seeds gave the same data")
	}
}

// TestGenerateDirectoryMatchesSites checks that the HSDS form of the
// synthetic directory, read back into sites, answers like the sites.
func TestGenerateDirectoryMatchesSites(t *testing.T) {
	var sites []Site
	Generate(3000, 5, func(s Site) { sites = append(sites, s) })
	fromSites := New(sites)
	fromHSDS := New(SitesFromDirectory(GenerateDirectory(3000, 5)))
	monday := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	for i, q := range QuerySet(200, 9) {
		q.Limit = -1
		if i%2 == 0 {
			q.OpenAt = monday.Add(time.Duration(i) * time.Hour)
		}
		a, _ := fromSites.Query(q)
		b, _ := fromHSDS.Query(q)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("query %d (-sites +hsds):\n%s", i, diff)
		}
	}
}
