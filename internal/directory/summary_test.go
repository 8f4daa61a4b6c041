package directory

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haven-care/haven"
)

// summaryDirectory is one organization with a clinic (its own phone and
// address), a shelter, a hotline (the service's phone), legal aid at the
// clinic's location and a food pantry reached through the organization's
// phone; phones that name a service or the organization but also belong
// to a place (the shelter, a location not in d) must not stand in as
// theirs anywhere else.
func summaryDirectory() *haven.Directory {
	lat, lon := 42.36, -71.06
	return &haven.Directory{
		Organizations: []haven.Organization{{ID: "o1", Name: "Harbor Health"}},
		Services: []haven.Service{{ID: "clinic", OrganizationID: "o1", Name: "Walk-in Clinic"},
			{ID: "shelter", OrganizationID: "o1", Name: "Safe Stay"}, {ID: "hotline", OrganizationID: "o1", Name: "Helpline"},
			{ID: "legal", OrganizationID: "o1", Name: "Legal Aid"}, {ID: "food", OrganizationID: "o1", Name: "Food Pantry"}},
		Locations: []haven.Location{{ID: "l1", Name: "Main Street Site", Latitude: &lat, Longitude: &lon},
			{ID: "l2", Name: "Hidden House", Latitude: &lat, Longitude: &lon, Confidential: true}},
		ServiceAtLocations: []haven.ServiceAtLocation{{ID: "s1", ServiceID: "clinic", LocationID: "l1"},
			{ID: "s2", ServiceID: "shelter", LocationID: "l2"}, {ID: "s3", ServiceID: "legal", LocationID: "l1"}},
		Addresses: []haven.Address{{ID: "a0", LocationID: "l1", Address1: "PO Box 9", AddressType: "postal"},
			{ID: "a1", LocationID: "l1", Address1: "1 Main St", Address2: "Suite 2", City: "Boston", StateProvince: "MA", PostalCode: "02108", AddressType: "physical"},
			{ID: "a2", LocationID: "l2", Address1: "9 Quiet Rd", City: "Boston"}},
		Phones: []haven.Phone{{ID: "p1", ServiceAtLocationID: "s1", Number: "617-555-0101"}, {ID: "p2", LocationID: "l1", Number: "617-555-0102"},
			{ID: "p3", LocationID: "l2", Number: "617-555-0103"}, {ID: "p6", ServiceID: "hotline", OrganizationID: "o1", LocationID: "l2", Number: "617-555-0106"},
			{ID: "p7", ServiceAtLocationID: "s2", ServiceID: "legal", Number: "617-555-0107"}, {ID: "p4", ServiceID: "hotline", Number: "800-555-0104"},
			{ID: "p8", OrganizationID: "o1", LocationID: "l9", Number: "617-555-0108"}, {ID: "p5", OrganizationID: "o1", Number: "617-555-0105"}},
		Schedules: []haven.Schedule{{ID: "h1", ServiceID: "clinic", Freq: "WEEKLY", ByDay: "MO,TU,WE,TH,FR", OpensAt: "09:00", ClosesAt: "17:00"},
			{ID: "h2", ServiceID: "clinic", Freq: "WEEKLY", ByDay: "SA", OpensAt: "10:00", ClosesAt: "14:00"}},
		Languages: []haven.Language{{ID: "g1", ServiceID: "clinic", Code: "es"}, {ID: "g2", ServiceID: "clinic", Code: "vi"}},
		Attributes: []haven.Attribute{{ID: "t1", LinkID: "clinic", LinkEntity: "service", TaxonomyTermID: "immediate-medical"},
			{ID: "t2", LinkID: "shelter", LinkEntity: "service", TaxonomyTermID: "shelter"},
			{ID: "t3", LinkID: "hotline", LinkEntity: "service", TaxonomyTermID: "safety"},
			{ID: "t4", LinkID: "legal", LinkEntity: "service", TaxonomyTermID: "legal"},
			{ID: "t5", LinkID: "food", LinkEntity: "service", TaxonomyTermID: "food"}},
	}
}

func TestQuerySummaries(t *testing.T) {
	x := New(SitesFromDirectory(summaryDirectory()))
	want := map[string]Summary{
		"clinic": {Display: Display{Service: "Walk-in Clinic", Organization: "Harbor Health", Location: "Main Street Site",
			Address: "1 Main St, Suite 2, Boston, MA 02108", Phone: "617-555-0101"},
			Hours: "Mon–Fri 09:00–17:00, Sat 10:00–14:00", Languages: []string{"es", "vi"}},
		"legal": {Display: Display{Service: "Legal Aid", Organization: "Harbor Health", Location: "Main Street Site",
			Address: "1 Main St, Suite 2, Boston, MA 02108", Phone: "617-555-0102"}},
		"hotline": {Display: Display{Service: "Helpline", Organization: "Harbor Health", Phone: "800-555-0104"}},
		"food":    {Display: Display{Service: "Food Pantry", Organization: "Harbor Health", Phone: "617-555-0105"}},
		"shelter": {Display: Display{Service: "Safe Stay", Organization: "Harbor Health", Location: "Hidden House",
			Address: "9 Quiet Rd, Boston", Phone: "617-555-0107"}}, // the phone of the service at the location comes first
	}
	needs := []string{"immediate-medical", "shelter", "safety", "legal", "food"}
	q := Query{Needs: needs, Near: boston, RadiusKm: 5, IncludeRemote: true, Role: haven.RoleAdvocate, Summaries: true}
	a, err := x.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Summary{}
	for _, r := range a.Results {
		got[r.ServiceID] = r.Summary
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("advocate's summaries (-want +got):\n%s", diff)
	}
	q.Role = haven.RoleAnalyst
	a, _ = x.Query(q)
	for _, r := range a.Results {
		if r.ServiceID == "shelter" || r.Summary.Address == "9 Quiet Rd, Boston" || (r.Summary.Phone != "" && strings.Contains("617-555-0103 617-555-0106 617-555-0107", r.Summary.Phone)) {
			t.Errorf("an analyst gets the shelter: %+v", r)
		}
	}
	q.Summaries = false
	if a, _ := x.Query(q); len(a.Results) == 0 || !cmp.Equal(a.Results[0].Summary, Summary{}) {
		t.Errorf("without Summaries: %+v, want results with no summary", a.Results)
	}
}

// TestSummaryHidesConfidentialLocation checks the second guard: were a
// confidential site ever to reach the summary for a role that may not see
// it, its location, address and phone stay out.
func TestSummaryHidesConfidentialLocation(t *testing.T) {
	x := New(SitesFromDirectory(summaryDirectory()))
	for i := range x.recs {
		r := &x.recs[i]
		if x.serviceID(r) != "shelter" {
			continue
		}
		s := x.summary(&prepared{seeConfidential: false}, r)
		if want := (Display{Service: "Safe Stay", Organization: "Harbor Health"}); s.Display != want {
			t.Errorf("summary for a role without confidential access: %+v, want %+v", s.Display, want)
		}
		return
	}
	t.Fatal("no shelter site")
}

func TestNearMissSummaryHasNoLocation(t *testing.T) {
	x := New(SitesFromDirectory(summaryDirectory()))
	a, _ := x.Query(Query{Needs: []string{"legal"}, Near: boston, RadiusKm: 5, TraumaInformed: true, Role: haven.RoleAdvocate, Summaries: true})
	if len(a.NearMisses) != 1 {
		t.Fatalf("near misses %+v, want the legal service", a.NearMisses)
	}
	for _, nm := range a.NearMisses {
		if want := (Summary{Display: Display{Service: "Legal Aid", Organization: "Harbor Health"}}); !cmp.Equal(nm.Summary, want) {
			t.Errorf("near miss summary %+v, want %+v", nm.Summary, want)
		}
	}
}

func TestHoursText(t *testing.T) {
	tests := []struct {
		hours []Hours
		want  string
	}{
		{nil, ""},
		{weekdays(9*60, 17*60), "Mon–Fri 09:00–17:00"},
		{allWeek(0, 24*60), "Sun–Sat 00:00–24:00"},
		{append(weekdays(9*60, 17*60), Hours{Day: 6, Opens: 10 * 60, Closes: 14 * 60}), "Mon–Fri 09:00–17:00, Sat 10:00–14:00"},
		{[]Hours{{Day: 1, Opens: 9 * 60, Closes: 12 * 60}, {Day: 1, Opens: 13 * 60, Closes: 17 * 60}, {Day: 3, Opens: 9 * 60, Closes: 12 * 60}},
			"Mon 09:00–12:00, Mon 13:00–17:00, Wed 09:00–12:00"},
		{[]Hours{{Day: 5, Opens: 22 * 60, Closes: 26 * 60}}, "Fri 22:00–02:00"},
	}
	for _, tt := range tests {
		x := NewEmpty()
		if got := x.patText[x.pattern(tt.hours)]; got != tt.want {
			t.Errorf("hours %v: %q, want %q", tt.hours, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abcdef", 3, "abc"}, {"aé", 2, "a"}, {"aé", 3, "aé"}} {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestEveryCityHasAState(t *testing.T) {
	for _, c := range cities {
		if len(cityState[c.name]) != 2 {
			t.Errorf("city %q has no state", c.name)
		}
	}
}
