package hsdsapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/hsds"
	"github.com/haven-care/haven/internal/hsdsapi"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// shelterOf returns the shelter's service at location and its postal code.
func shelterOf(d *haven.Directory) (sal, postcode string) {
	shelter := d.Locations[0].ID
	for _, s := range d.ServiceAtLocations {
		if s.LocationID == shelter {
			sal = s.ID
		}
	}
	for _, a := range d.Addresses {
		if a.LocationID == shelter {
			postcode = a.PostalCode
		}
	}
	return sal, postcode
}

// TestHSDSAPIEveryEndpointValidates: every endpoint of the HSDS 3.0
// OpenAPI answers 200 with a page of the OpenAPI's Page fields, and every
// object validates against its HSDS schema; none names the shelter.
func TestHSDSAPIEveryEndpointValidates(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		shelterSAL, _ := shelterOf(d)
		var open haven.ServiceAtLocation
		for _, s := range d.ServiceAtLocations {
			if s.ID != shelterSAL {
				open = s
			}
		}
		lists := []struct{ path, schema string }{
			{"/hsds/services", "service.json"}, {"/hsds/services?full=true", "service.json"},
			{"/hsds/service_at_locations", "service_at_location.json"}, {"/hsds/service_at_locations?full=true", "service_at_location.json"},
			{"/hsds/organizations", "organization.json"}, {"/hsds/organizations?full=true", "organization.json"},
			{"/hsds/organizations?full_service=true", "organization.json"},
			{"/hsds/taxonomies", "taxonomy.json"}, {"/hsds/taxonomy_terms", "taxonomy_term.json"},
		}
		for _, l := range lists {
			var p map[string]any
			code, body := get(t, ts, l.path, &p)
			if code != 200 {
				t.Fatalf("GET %s: %d %.300s", l.path, code, body)
			}
			validate(t, "openapi.json#/components/schemas/Page", p)
			items, _ := p["contents"].([]any)
			if len(items) == 0 {
				t.Errorf("GET %s: no contents", l.path)
			}
			for _, it := range items {
				validate(t, l.schema, it)
			}
			noShelter(t, l.path, body, d)
		}
		ones := []struct{ path, schema string }{
			{"/hsds/services/" + open.ServiceID, "service.json"},
			{"/hsds/service_at_locations/" + open.ID, "service_at_location.json"},
			{"/hsds/organizations/" + d.Organizations[0].ID, "organization.json"},
			{"/hsds/organizations/" + d.Organizations[0].ID + "?full_service=true", "organization.json"},
			{"/hsds/taxonomies/" + localTaxonomy, "taxonomy.json"},
			{"/hsds/taxonomy_terms/" + childTerm, "taxonomy_term.json"},
		}
		for _, o := range ones {
			var v map[string]any
			code, body := get(t, ts, o.path, &v)
			if code != 200 {
				t.Fatalf("GET %s: %d %.300s", o.path, code, body)
			}
			validate(t, o.schema, v)
			noShelter(t, o.path, body, d)
		}
	})
}

// noShelter fails when body names the shelter, its service at location or
// the term only the shelter uses.
func noShelter(t *testing.T, what, body string, d *haven.Directory) {
	t.Helper()
	sal, _ := shelterOf(d)
	for _, secret := range []string{d.Locations[0].ID, sal, shelterTerm, "Safe house intake"} {
		if strings.Contains(body, secret) {
			t.Errorf("%s names %s, which belongs to the shelter", what, secret)
		}
	}
}

func TestHSDSAPIParameters(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		shelterSAL, shelterPostcode := shelterOf(d)
		openSALs := len(d.ServiceAtLocations) - 1
		// A located, non-shelter site and its postal code.
		var near haven.Location
		for _, l := range d.Locations[1:] {
			if l.Latitude != nil {
				near = l
				break
			}
		}
		var nearPostcode, nearSAL string
		for _, a := range d.Addresses {
			if a.LocationID == near.ID {
				nearPostcode = a.PostalCode
			}
		}
		for _, s := range d.ServiceAtLocations {
			if s.LocationID == near.ID {
				nearSAL = s.ID
			}
		}
		shelter := d.Locations[0]
		tests := []struct {
			query string
			total int
			first string // the first result's id, when it matters
		}{
			{"/hsds/services?taxonomy_id=" + localTaxonomy, 1, d.Services[1].ID},
			{"/hsds/services?taxonomy_id=" + haven.NeedsTaxonomy.ID, 30, ""},
			{"/hsds/services?search=legal+harbor", 1, d.Services[0].ID},
			{"/hsds/services?search=harbor+pantry", 0, ""},
			{"/hsds/organizations?search=organization+3+synthetic", 1, ""},
			{"/hsds/organizations?search=nothing+like+this", 0, ""},
			{"/hsds/service_at_locations", openSALs, ""},
			{"/hsds/service_at_locations?postcode=" + nearPostcode, 1, nearSAL},
			{"/hsds/service_at_locations?postcode=" + shelterPostcode, 0, ""},
			{fmt.Sprintf("/hsds/service_at_locations?proximity=%f,%f,1000", *near.Latitude, *near.Longitude), -1, nearSAL},
			// A bare distance is measured from the postcode's centroid, as
			// the HSDS OpenAPI has it; 5,000 km from Austin reaches the
			// synthetic directory wherever it is in the contiguous states.
			{"/hsds/service_at_locations?postcode=78701&proximity=5000000", -1, ""},
			{"/hsds/taxonomies", 2, ""},
			{"/hsds/taxonomies?search=local", 1, localTaxonomy},
			{"/hsds/taxonomy_terms?taxonomy_id=" + localTaxonomy, 2, ""},
			{"/hsds/taxonomy_terms?parent_id=" + parentTerm, 1, childTerm},
			{"/hsds/taxonomy_terms?top_only=true&taxonomy_id=" + localTaxonomy, 1, parentTerm},
			{"/hsds/taxonomy_terms?search=intake+safe", 0, ""},
		}
		if shelter.Latitude != nil {
			tests = append(tests, struct {
				query string
				total int
				first string
			}{fmt.Sprintf("/hsds/service_at_locations?proximity=%f,%f,10", *shelter.Latitude, *shelter.Longitude), 0, ""})
		}
		for _, tt := range tests {
			var p hsdsapi.Page
			code, body := get(t, ts, tt.query, &p)
			if code != 200 || (tt.total >= 0 && p.TotalItems != tt.total) || (tt.total < 0 && p.TotalItems == 0) {
				t.Errorf("GET %s: %d total=%d, want %d\n%.300s", tt.query, code, p.TotalItems, tt.total, body)
				continue
			}
			if tt.first != "" && (len(p.Contents) == 0 || p.Contents[0]["id"] != tt.first) {
				t.Errorf("GET %s: first result %v, want %s", tt.query, firstID(p), tt.first)
			}
			noShelter(t, tt.query, body, d)
		}
		if code, _ := get(t, ts, "/hsds/service_at_locations/"+shelterSAL, nil); code != 404 {
			t.Errorf("GET the shelter's service at location: %d, want 404", code)
		}
		if code, _ := get(t, ts, "/hsds/taxonomy_terms/"+shelterTerm, nil); code != 404 {
			t.Errorf("GET the shelter's own term: %d, want 404", code)
		}
	})
}

func firstID(p hsdsapi.Page) any {
	if len(p.Contents) == 0 {
		return nil
	}
	return p.Contents[0]["id"]
}

func TestHSDSAPIShapes(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		var p hsdsapi.Page
		get(t, ts, "/hsds/services?minimal=true&per_page=100", &p)
		for _, it := range p.Contents {
			for k := range it {
				if k != "id" && k != "last_modified" {
					t.Errorf("minimal service has %q", k)
				}
			}
		}
		get(t, ts, "/hsds/services?per_page=100", &p)
		if nested(p.Contents, "service_at_locations") != 0 {
			t.Errorf("services list nests service_at_locations without full")
		}
		get(t, ts, "/hsds/services?per_page=100&full=true", &p)
		if nested(p.Contents, "service_at_locations") == 0 {
			t.Errorf("services?full=true nests no service_at_locations")
		}
		org := d.Organizations[0].ID
		var o map[string]any
		get(t, ts, "/hsds/organizations/"+org, &o)
		svcs, _ := o["services"].([]any)
		if len(svcs) == 0 || nested(maps(svcs), "service_at_locations") != 0 {
			t.Errorf("organization: %d services, want its services flat", len(svcs))
		}
		get(t, ts, "/hsds/organizations/"+org+"?full_service=true", &o)
		svcs, _ = o["services"].([]any)
		if len(svcs) == 0 || nested(maps(svcs), "service_at_locations") == 0 {
			t.Errorf("organization?full_service=true: services not nested in full")
		}
		get(t, ts, "/hsds/organizations?per_page=100", &p)
		if nested(p.Contents, "locations") != 0 {
			t.Errorf("organizations list nests locations without full")
		}
		get(t, ts, "/hsds/organizations?per_page=100&full=true", &p)
		if nested(p.Contents, "locations") == 0 {
			t.Errorf("organizations?full=true nests no locations")
		}
	})
}

func maps(items []any) []map[string]any {
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// nested counts the objects of items that hold key.
func nested(items []map[string]any, key string) int {
	n := 0
	for _, it := range items {
		if _, ok := it[key]; ok {
			n++
		}
	}
	return n
}

// TestHSDSAPINDJSON: format=ndjson streams every result, one object a
// line, without paging and without the shelter.
func TestHSDSAPINDJSON(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		for path, want := range map[string]int{"/hsds/services?format=ndjson&per_page=7": 30,
			"/hsds/service_at_locations?format=ndjson": len(d.ServiceAtLocations) - 1, "/hsds/taxonomy_terms?format=ndjson": len(d.TaxonomyTerms) - 1} {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var v map[string]any
				if err := json.Unmarshal(sc.Bytes(), &v); err != nil || v["id"] == nil {
					t.Errorf("%s: line %q is not an object with an id", path, sc.Text())
				}
				lines = append(lines, sc.Text())
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) != want {
				t.Errorf("%s: %d %s, %d lines, want 200 application/x-ndjson and %d", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(lines), want)
			}
			noShelter(t, path, strings.Join(lines, "\n"), d)
		}
	})
}

// TestHSDSAPIRefusesWhatItDoesNotServe: an unknown parameter or a bad
// value is a 400 naming it, never a silently unfiltered answer.
func TestHSDSAPIRefusesWhatItDoesNotServe(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		for _, q := range []struct{ path, param string }{
			{"/hsds/?x=1", "x"},
			{"/hsds/services?postcode=00001", "postcode"},
			{"/hsds/services?proximity=1,2,3", "proximity"},
			{"/hsds/services?sort=name", "sort"},
			{"/hsds/services?minimal=yes", "minimal"},
			{"/hsds/services?minimal=true&full=true", "minimal"},
			{"/hsds/services?format=xml", "format"},
			{"/hsds/services?modified_after=yesterday", "modified_after"},
			{"/hsds/services/" + d.Services[0].ID + "?full=true", "full"},
			{"/hsds/organizations/" + d.Organizations[0].ID + "?full=true", "full"},
			{"/hsds/organizations?taxonomy_id=x", "taxonomy_id"},
			{"/hsds/taxonomies?taxonomy_id=x", "taxonomy_id"},
			{"/hsds/taxonomy_terms?top_only=maybe", "top_only"},
			{"/hsds/service_at_locations?proximity=abc", "proximity"},
			{"/hsds/service_at_locations?proximity=1000", "proximity"},
			{"/hsds/service_at_locations?postcode=00000&proximity=1000", "postcode"},
			{"/hsds/service_at_locations?proximity=30,-97", "proximity"},
			{"/hsds/service_at_locations?proximity=91,0,100", "proximity"},
			{"/hsds/service_at_locations?proximity=30,-97,0", "proximity"},
			{"/hsds/service_at_locations?search=" + strings.Repeat("x", 201), "search"},
		} {
			code, body := get(t, ts, q.path, nil)
			if code != 400 || !strings.Contains(body, `"kind": "invalid"`) || !strings.Contains(body, `"`+q.param+`"`) {
				t.Errorf("GET %s: %d %s, want 400 naming %s", q.path, code, body, q.param)
			}
		}
		for _, p := range []string{"/hsds/service_at_locations/no-such", "/hsds/taxonomies/no-such", "/hsds/taxonomy_terms/no-such"} {
			if code, _ := get(t, ts, p, nil); code != 404 {
				t.Errorf("GET %s: %d, want 404", p, code)
			}
		}
	})
}

// TestHSDSAPIPagesReimport: Haven reads its own HSDS API pages back, each
// object as the kind it is.
func TestHSDSAPIPagesReimport(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		for _, tt := range []struct {
			path  string
			count func(*haven.Directory) int
			want  int
			kind  string
		}{
			{"/hsds/organizations", func(d *haven.Directory) int { return len(d.Organizations) }, len(d.Organizations), ""},
			{"/hsds/organizations?full_service=true", func(d *haven.Directory) int { return len(d.Services) }, 30, ""},
			{"/hsds/services?per_page=100", func(d *haven.Directory) int { return len(d.Services) }, 30, ""},
			{"/hsds/services?full=true&per_page=100", func(d *haven.Directory) int { return len(d.Services) }, 30, ""},
			{"/hsds/service_at_locations?per_page=100", func(d *haven.Directory) int { return len(d.ServiceAtLocations) }, len(d.ServiceAtLocations) - 1, ""},
			// The local taxonomy has only the fields an organization has too.
			{"/hsds/taxonomies", func(d *haven.Directory) int { return len(d.Taxonomies) }, 2, "taxonomy"},
			{"/hsds/taxonomy_terms?per_page=100", func(d *haven.Directory) int { return len(d.TaxonomyTerms) }, len(d.TaxonomyTerms) - 1, ""},
		} {
			code, body := get(t, ts, tt.path, nil)
			if code != 200 {
				t.Fatalf("GET %s: %d", tt.path, code)
			}
			back, rep, err := hsds.ReadJSON(strings.NewReader(body), "page.json", hsds.Options{Kind: tt.kind, AcceptWarnings: true})
			if err != nil {
				t.Errorf("reading GET %s back: %v\n%s", tt.path, err, rep)
				continue
			}
			if got := tt.count(back); got != tt.want {
				t.Errorf("reading GET %s back: %d records, want %d", tt.path, got, tt.want)
			}
		}
	})
}
