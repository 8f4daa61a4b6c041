package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// shelterDirectory returns a synthetic directory in which one active
// service's location is a shelter, with that service's ID and a need it
// offers.
func shelterDirectory(t *testing.T) (d *haven.Directory, shelterID, serviceID, need string) {
	t.Helper()
	d = directory.GenerateDirectory(60, 13)
	active := map[string]bool{}
	for _, s := range d.Services {
		active[s.ID] = s.Status == "active"
	}
	for _, sal := range d.ServiceAtLocations {
		if active[sal.ServiceID] {
			shelterID, serviceID = sal.LocationID, sal.ServiceID
			break
		}
	}
	for i := range d.Locations {
		if d.Locations[i].ID == shelterID {
			d.Locations[i].Confidential = true
		}
	}
	for _, a := range d.Attributes {
		if n, ok := haven.NeedByCode(a.TaxonomyTermID); ok && a.LinkID == serviceID {
			need = n.Code
		}
	}
	return d, shelterID, serviceID, need
}

func searchAPI(t *testing.T, url, token, query string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/directory/search?"+query, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDirectorySearchAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		d, shelterID, serviceID, need := shelterDirectory(t)
		if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		idx, err := live.Build(haven.WithSystem(context.Background(), access.JobDirectoryIndex), db)
		if err != nil {
			t.Fatal(err)
		}
		s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
		s.APITokens = db
		(&api.DirectorySearch{Index: idx}).Mount(s)
		ts := httptest.NewServer(s.Handler())
		defer ts.Close()
		advocate := mustToken(t, db, mustAPIUser(t, db, "advocate", haven.RoleAdvocate), haven.ScopeAPIRead)
		analyst := mustToken(t, db, mustAPIUser(t, db, "analyst", haven.RoleAnalyst), haven.ScopeAPIRead)

		code, body := searchAPI(t, ts.URL, advocate, "need="+need+"&limit=100")
		var got api.SearchResults
		if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
			t.Fatalf("advocate search: %d %v %.300s", code, err, body)
		}
		found := false
		for _, r := range got.Results {
			found = found || r.LocationID == shelterID && r.ServiceID == serviceID && r.ServiceName != "" && r.LocationName != ""
		}
		if !found || got.Matched != len(got.Results) {
			t.Errorf("advocate: shelter result found=%v, matched=%d of %d results", found, got.Matched, len(got.Results))
		}
		code, body = searchAPI(t, ts.URL, analyst, "need="+need+"&limit=100")
		if code != 200 || strings.Contains(body, shelterID) {
			t.Errorf("analyst search: %d, names the shelter=%v", code, strings.Contains(body, shelterID))
		}
		tests := []struct {
			token, query string
			code         int
			want         string
		}{
			{advocate, "limit=5", 400, `"need"`},
			{advocate, "need=" + need + "&lat=north&lon=1", 400, `"lat"`},
			{advocate, "need=" + need + "&open_at=soon", 400, `"open_at"`},
			{advocate, "need=" + need + "&limit=500", 400, `"limit"`},
			{"", "need=" + need, 401, ""},
		}
		for _, tt := range tests {
			if code, body := searchAPI(t, ts.URL, tt.token, tt.query); code != tt.code || !strings.Contains(body, tt.want) {
				t.Errorf("search?%s: %d %.200s, want %d with %s", tt.query, code, body, tt.code, tt.want)
			}
		}
	})
}

// TestDirectorySearchAPINearAPlace: a client searches near a ZIP code, a
// city or a saved clinic location, the clinic's own when it names none,
// and the answer says where; a place that cannot be found is a 400 that
// names the parameter and says what to do.
func TestDirectorySearchAPINearAPlace(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		d, err := directory.GenerateDirectoryAround("Austin", 120, 7)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		idx, err := live.Build(haven.WithSystem(context.Background(), access.JobDirectoryIndex), db)
		if err != nil {
			t.Fatal(err)
		}
		clinics, err := places.ParseLocations("Main clinic=78701; Far clinic=10001")
		if err != nil {
			t.Fatal(err)
		}
		s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
		s.APITokens = db
		(&api.DirectorySearch{Index: idx, Clinics: clinics}).Mount(s)
		ts := httptest.NewServer(s.Handler())
		defer ts.Close()
		token := mustToken(t, db, mustAPIUser(t, db, "advocate", haven.RoleAdvocate), haven.ScopeAPIRead)
		schema := openAPISchemas(t)["DirectorySearchResults"]
		for _, tt := range []struct {
			query, near string
			found       bool
		}{
			{"postcode=78701", "78701 Austin, TX", true},
			{"city=Austin,+TX", "Austin, TX", true},
			{"near=78702", "78702 Austin, TX", true},
			{"", "Main clinic", true},
			{"location=Far+clinic", "Far clinic", false},
			{"postcode=10001", "10001 New York, NY", false},
		} {
			code, body := searchAPI(t, ts.URL, token, "need=food,mental-health,housing&"+tt.query)
			var doc any
			if err := json.Unmarshal([]byte(body), &doc); err != nil || code != 200 {
				t.Fatalf("%s: %d %v %.300s", tt.query, code, err, body)
			}
			if err := schema.Validate(doc); err != nil {
				t.Errorf("%s: the answer breaks openapi.json: %v", tt.query, err)
			}
			var got api.SearchResults
			json.Unmarshal([]byte(body), &got)
			if got.Near == nil || got.Near.Name != tt.near {
				t.Errorf("%s: near %+v, want %q", tt.query, got.Near, tt.near)
			}
			if found := len(got.Results) > 0; found != tt.found {
				t.Errorf("%s: %d results, want some=%v (the directory is around Austin)", tt.query, len(got.Results), tt.found)
			}
		}
		for _, tt := range []struct{ query, want string }{
			{"postcode=00000", `"postcode": "ZIP code 00000 is not in Haven's place table`},
			{"postcode=787", `"postcode": "\"787\" is not a ZIP code`},
			{"city=Austin", `cities: Austin, TX; Austin, AR`},
			{"city=Atlantis", `"city": "\"Atlantis\" is not a US city`},
			{"location=Moon+base", `"location": "no saved clinic location is called`},
			{"postcode=78701&lat=30&lon=-97", `"lat": "give one place`},
		} {
			if code, body := searchAPI(t, ts.URL, token, "need=food&"+tt.query); code != 400 || !strings.Contains(body, tt.want) {
				t.Errorf("%s: %d %.300s, want 400 with %s", tt.query, code, body, tt.want)
			}
		}
	})
}
