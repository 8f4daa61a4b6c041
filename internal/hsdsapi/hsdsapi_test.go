package hsdsapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/hsdsapi"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// The synthetic local taxonomy apiServer adds: a parent term, its child
// (linked to the second service) and a term only the shelter uses.
const (
	localTaxonomy = "00000000-0000-4000-8000-0000000000f0"
	parentTerm    = "00000000-0000-4000-8000-0000000000f1"
	childTerm     = "00000000-0000-4000-8000-0000000000f2"
	shelterTerm   = "00000000-0000-4000-8000-0000000000f3"
)

// apiServer serves the HSDS API from db, loaded with a synthetic directory
// of 30 services whose first location is a shelter, with its matching
// index for proximity.
func apiServer(t *testing.T, db *sqlstoretest.Store) (*httptest.Server, *haven.Directory) {
	t.Helper()
	d := directory.GenerateDirectory(30, 11)
	d.Locations[0].Confidential = true
	d.Services[0].Name = "Harbor Legal Clinic"
	d.Taxonomies = append(d.Taxonomies, haven.Taxonomy{ID: localTaxonomy, Name: "Local terms", Description: "Synthetic local taxonomy."})
	d.TaxonomyTerms = append(d.TaxonomyTerms,
		haven.TaxonomyTerm{ID: parentTerm, Name: "Family support", Description: "Synthetic parent term.", TaxonomyID: localTaxonomy},
		haven.TaxonomyTerm{ID: childTerm, Name: "Parenting classes", Description: "Synthetic child term.", TaxonomyID: localTaxonomy, ParentID: parentTerm},
		haven.TaxonomyTerm{ID: shelterTerm, Name: "Safe house intake", Description: "A term only the shelter uses.", TaxonomyID: localTaxonomy})
	d.Attributes = append(d.Attributes,
		haven.Attribute{ID: "00000000-0000-4000-8000-0000000000a1", LinkID: d.Services[1].ID, TaxonomyTermID: childTerm, LinkEntity: "service"},
		haven.Attribute{ID: "00000000-0000-4000-8000-0000000000a2", LinkID: d.Locations[0].ID, TaxonomyTermID: shelterTerm, LinkEntity: "location"})
	if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	idx, err := live.Build(haven.WithSystem(context.Background(), access.JobDirectoryIndex), db)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	(&hsdsapi.API{Directory: db, Places: idx}).Mount(srv)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, d
}

func get(t *testing.T, ts *httptest.Server, path string, v any) (int, string) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

func TestHSDSAPIPages(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		var info hsdsapi.Info
		if code, _ := get(t, ts, "/hsds/", &info); code != 200 || info.Version != "3.0" {
			t.Errorf("GET /hsds/: %d %+v", code, info)
		}
		org := d.Services[1].OrganizationID
		wantOrg := 0
		for _, s := range d.Services {
			if s.OrganizationID == org {
				wantOrg++
			}
		}
		tests := []struct {
			query                   string
			total, pages, num, size int
			first, last             bool
		}{
			{"per_page=7&page=2", 30, 5, 2, 7, false, false},
			{"per_page=7&page=5", 30, 5, 5, 2, false, true},
			{"", 30, 1, 1, 30, true, true},
			{"search=harbor+legal", 1, 1, 1, 1, true, true},
			{"organization_id=" + org, wantOrg, 1, 1, wantOrg, true, true},
			{"modified_after=2999-01-01T00:00:00Z", 0, 0, 1, 0, true, true},
		}
		for _, tt := range tests {
			var p hsdsapi.Page
			code, body := get(t, ts, "/hsds/services?"+tt.query, &p)
			got := []any{code, p.TotalItems, p.TotalPages, p.PageNumber, p.Size, len(p.Contents), p.FirstPage, p.LastPage, p.Empty}
			want := []any{200, tt.total, tt.pages, tt.num, tt.size, tt.size, tt.first, tt.last, tt.total == 0}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("services?%s: status,total,pages,page,size,len,first,last,empty=%v, want %v\n%.300s", tt.query, got, want, body)
					break
				}
			}
		}
		for _, q := range []string{"per_page=0", "per_page=101", "page=0", "page=x", "modified_after=yesterday"} {
			if code, body := get(t, ts, "/hsds/services?"+q, nil); code != 400 || !strings.Contains(body, `"kind": "invalid"`) {
				t.Errorf("services?%s: %d %s, want 400 JSON", q, code, body)
			}
		}
		var orgs hsdsapi.Page
		if code, _ := get(t, ts, "/hsds/organizations?per_page=2", &orgs); code != 200 || orgs.TotalItems != len(d.Organizations) || orgs.Size != 2 {
			t.Errorf("organizations: %d total=%d size=%d, want %d and 2", code, orgs.TotalItems, orgs.Size, len(d.Organizations))
		}
	})
}

func TestHSDSAPIRecordsAndConfidentiality(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ts, d := apiServer(t, db)
		shelter := d.Locations[0]
		var svc string
		for _, s := range d.ServiceAtLocations {
			if s.LocationID == shelter.ID {
				svc = s.ServiceID
			}
		}
		var got map[string]any
		code, body := get(t, ts, "/hsds/services/"+svc, &got)
		if code != 200 || got["id"] != svc {
			t.Fatalf("GET service: %d %.300s", code, body)
		}
		validate(t, "service.json", got)
		var all hsdsapi.Page
		_, allBody := get(t, ts, "/hsds/services", &all)
		_, orgBody := get(t, ts, "/hsds/organizations/"+shelter.OrganizationID, nil)
		for name, b := range map[string]string{"service": body, "services": allBody, "organization": orgBody} {
			if strings.Contains(b, shelter.ID) {
				t.Errorf("%s page names the confidential location", name)
			}
		}
		var o map[string]any
		if code, _ := get(t, ts, "/hsds/organizations/"+d.Organizations[0].ID, &o); code != 200 || o["id"] != d.Organizations[0].ID {
			t.Errorf("GET organization: %d %v", code, o["id"])
		}
		validate(t, "organization.json", o)
		for _, p := range []string{"/hsds/services/" + url.PathEscape("no-such"), "/hsds/organizations/no-such"} {
			if code, _ := get(t, ts, p, nil); code != 404 {
				t.Errorf("GET %s: %d, want 404", p, code)
			}
		}
	})
}

// validate checks v against an HSDS 3.0 schema of the conformance folder.
func validate(t *testing.T, name string, v any) {
	t.Helper()
	root := os.Getenv("HAVEN_CONFORMANCE_DIR")
	if root == "" {
		root = "../../../shared/conformance"
	}
	dir, err := filepath.Abs(filepath.Join(root, "hsds-3.0", "schema"))
	if _, statErr := os.Stat(dir); err != nil || statErr != nil {
		if os.Getenv("HAVEN_CONFORMANCE_REQUIRED") == "1" {
			t.Fatalf("HSDS schemas absent: %v %v", err, statErr)
		}
		t.Logf("schema not validated: conformance folder absent (set HAVEN_CONFORMANCE_DIR)")
		return
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err := s.Validate(doc); err != nil {
		t.Errorf("response does not validate against %s: %v", name, err)
	}
}
