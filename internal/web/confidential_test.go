package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/hsdsapi"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

// canary marks every text that belongs to the shelter; no response to a
// role that may not see confidential locations may hold it.
const canary = "zqcanary"

// canaryDirectory is one public organization with a public service
// delivered at a public site and at a shelter. Every table that can belong
// to a location holds records of the shelter, reached each way Haven
// stores: directly, through the service-at-location, through a phone
// (languages), through the records an attribute links; and a phone that
// names only a contact, which Haven cannot place. The shelter's IDs carry
// the canary too, so that a leaked reference is caught as well as a leaked
// text. Organizations, services, service areas, cost options, required
// documents, taxonomies and terms belong to no location in Haven's model;
// they hold public text and must still be served. The shelter also has a
// contact (with a phone of its own), a contact at its service-at-location,
// an accessibility record, metadata about it and extra data of its own.
// A taxonomy term that only the shelter's attributes use goes with them.
func canaryDirectory() (*haven.Directory, haven.Need) {
	need, _ := haven.NeedByCode("shelter")
	lat, lon := 30.2672, -97.7431
	c := func(what string) string { return canary + "-" + what }
	d := &haven.Directory{
		Taxonomies:    []haven.Taxonomy{haven.NeedsTaxonomy},
		TaxonomyTerms: []haven.TaxonomyTerm{need.TaxonomyTerm()},
		Organizations: []haven.Organization{{ID: "org-public", Name: "Riverside Public Services"}},
		Services: []haven.Service{{ID: "svc-public", OrganizationID: "org-public", Name: "Riverside Emergency Housing",
			Description: "Emergency housing for anyone in need.", Status: "active"}},
		Locations: []haven.Location{
			{ID: "loc-public", OrganizationID: "org-public", Name: "Riverside Office", LocationType: "physical", Latitude: &lat, Longitude: &lon},
			{ID: c("loc"), OrganizationID: "org-public", Name: c("location-name"), Description: c("location-description"),
				LocationType: "physical", Latitude: &lat, Longitude: &lon, Confidential: true, TimeZone: "America/Chicago"},
		},
		ServiceAtLocations: []haven.ServiceAtLocation{
			{ID: "sal-public", ServiceID: "svc-public", LocationID: "loc-public"},
			{ID: c("sal"), ServiceID: "svc-public", LocationID: c("loc"), Description: c("sal-description")},
		},
		Addresses: []haven.Address{
			{ID: "addr-public", LocationID: "loc-public", Address1: "1 Main Street", City: "Austin", StateProvince: "TX", PostalCode: "78701", Country: "US"},
			{ID: c("addr"), LocationID: c("loc"), Address1: c("street"), City: c("city"), StateProvince: "TX", PostalCode: "78702", Country: "US"},
		},
		Phones: []haven.Phone{
			{ID: "phone-org", OrganizationID: "org-public", Number: "512-555-0100", Description: "Main line"},
			{ID: "phone-service", ServiceID: "svc-public", Number: "512-555-0101"},
			// The finding: a shelter phone that also names the organization.
			{ID: c("phone-loc"), OrganizationID: "org-public", LocationID: c("loc"), Number: c("512-555-0199"), Description: c("phone-description")},
			{ID: c("phone-sal"), ServiceID: "svc-public", ServiceAtLocationID: c("sal"), Number: c("512-555-0198")},
			{ID: c("phone-contact"), ContactID: c("contact"), Number: c("512-555-0197")},
			{ID: c("phone-contact-loc"), ContactID: c("contact-loc"), Number: c("512-555-0196")},
			{ID: "phone-contact-org", ContactID: "contact-org", Number: "512-555-0102"},
		},
		Schedules: []haven.Schedule{
			{ID: "sched-public", ServiceID: "svc-public", Freq: "WEEKLY", ByDay: "MO", OpensAt: "09:00", ClosesAt: "17:00"},
			{ID: c("sched-loc"), LocationID: c("loc"), Freq: "WEEKLY", ByDay: "TU", OpensAt: "09:00", ClosesAt: "17:00", Description: c("schedule-loc")},
			{ID: c("sched-sal"), ServiceID: "svc-public", ServiceAtLocationID: c("sal"), Freq: "WEEKLY", ByDay: "WE", Notes: c("schedule-sal")},
		},
		Languages: []haven.Language{
			{ID: "lang-public", ServiceID: "svc-public", Code: "es", Name: "Spanish"},
			{ID: c("lang-loc"), LocationID: c("loc"), Code: "fr", Note: c("language-loc")},
			{ID: c("lang-phone"), PhoneID: c("phone-loc"), Code: "ar", Note: c("language-phone")},
		},
		Contacts: []haven.DirectoryContact{{ID: "contact-org", OrganizationID: "org-public", Name: "Front desk"},
			{ID: c("contact-loc"), LocationID: c("loc"), Name: c("contact-name")},
			{ID: c("contact-sal"), ServiceAtLocationID: c("sal"), Email: c("contact@example.org")}},
		Accessibility: []haven.Accessibility{{ID: c("access"), LocationID: c("loc"), Description: c("ramp")}},
		Metadata: []haven.Metadata{{ID: c("meta"), ResourceID: c("loc"), ResourceType: "location", LastActionDate: "2026-01-01",
			LastActionType: "update", FieldName: "name", PreviousValue: c("old-name"), ReplacementValue: c("new-name"), UpdatedBy: "Editor"}},
		ServiceAreas:      []haven.ServiceArea{{ID: "area-public", ServiceID: "svc-public", Name: "Travis County"}},
		CostOptions:       []haven.CostOption{{ID: "cost-public", ServiceID: "svc-public", Option: "Free"}},
		RequiredDocuments: []haven.RequiredDocument{{ID: "doc-public", ServiceID: "svc-public", Document: "None"}},
		Attributes: []haven.Attribute{
			{ID: "attr-need", LinkID: "svc-public", TaxonomyTermID: need.TermID, LinkEntity: "service"},
		},
	}
	// A term of the shelter's own, used by nothing else.
	d.TaxonomyTerms = append(d.TaxonomyTerms, haven.TaxonomyTerm{ID: c("term"), Code: c("term-code"), Name: c("term-name"),
		TaxonomyID: haven.NeedsTaxonomy.ID})
	d.Attributes = append(d.Attributes, haven.Attribute{ID: c("attr-term"), LinkID: c("loc"), TaxonomyTermID: c("term"), LinkEntity: "location"})
	d.Locations[1].Extra = haven.Extra{"x_gate_code": json.RawMessage(`"` + c("gate-code") + `"`)}
	for _, link := range []string{"loc", "sal", "addr", "phone-loc", "phone-sal", "phone-contact", "sched-loc", "sched-sal", "lang-loc", "lang-phone",
		"contact-loc", "contact-sal", "access"} {
		d.Attributes = append(d.Attributes, haven.Attribute{ID: c("attr-" + link), LinkID: c(link), TaxonomyTermID: need.TermID,
			LinkEntity: "location", Value: c("attribute-" + link)})
	}
	return d, need
}

// leakServer serves every surface that shows the directory (the HSDS API,
// the JSON API's search, the web pages) from one store holding the canary
// directory.
func leakServer(t *testing.T, db *sqlstoretest.Store) (*env, haven.Need) {
	t.Helper()
	ctx := context.Background()
	d, need := canaryDirectory()
	if _, err := db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	idx, err := live.Build(haven.WithSystem(ctx, access.JobDirectoryIndex), db)
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Config{Auth: db, Directory: idx, DirectoryRecords: db, ServiceWriter: db, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(slog.New(slog.DiscardHandler), db)
	s.APITokens = db
	(&hsdsapi.API{Directory: db, Places: idx}).Mount(s)
	(&api.DirectorySearch{Index: idx}).Mount(s)
	h.Mount(s)
	e := &env{db: db, srv: httptest.NewServer(s.Handler())}
	t.Cleanup(e.srv.Close)
	return e, need
}

func TestConfidentialLocationLeaksThroughNoSurface(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e, need := leakServer(t, db)
		ctx := context.Background()
		near := "need=" + need.Code + "&lat=30.2672&lon=-97.7431&radius_km=5&limit=100"

		public := map[string]string{}
		for _, p := range []string{"/hsds/", "/hsds/services", "/hsds/services?per_page=1&page=1", "/hsds/services?search=riverside",
			"/hsds/services?organization_id=org-public", "/hsds/services?taxonomy_term_id=" + need.TermID,
			"/hsds/services?modified_after=2000-01-01T00:00:00Z", "/hsds/services/svc-public", "/hsds/organizations",
			"/hsds/organizations?per_page=1", "/hsds/organizations/org-public", "/hsds/services/" + canary + "-sal",
			"/hsds/services?search=" + canary, "/hsds/services?full=true", "/hsds/services?minimal=true", "/hsds/services?format=ndjson",
			"/hsds/service_at_locations", "/hsds/service_at_locations?full=true", "/hsds/service_at_locations?format=ndjson&full=true",
			"/hsds/service_at_locations?postcode=78702", "/hsds/service_at_locations?proximity=30.2672,-97.7431,1000",
			"/hsds/service_at_locations/" + canary + "-sal", "/hsds/service_at_locations/sal-public",
			"/hsds/organizations?full=true", "/hsds/organizations?full_service=true&format=ndjson", "/hsds/organizations/org-public?full_service=true",
			"/hsds/taxonomies", "/hsds/taxonomy_terms", "/hsds/taxonomy_terms?format=ndjson", "/hsds/taxonomy_terms/" + canary + "-term",
			"/hsds/taxonomy_terms?search=" + canary} {
			resp, err := http.Get(e.srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			public[p] = string(b)
		}
		// The organization keeps the phone that names only it, and the
		// service its own records.
		for p, want := range map[string]string{"/hsds/organizations/org-public": "512-555-0100", "/hsds/services/svc-public": "512-555-0101",
			"/hsds/organizations/org-public?full_service=true": "512-555-0102", "/hsds/service_at_locations?proximity=30.2672,-97.7431,1000": "sal-public",
			"/hsds/service_at_locations/sal-public": "Riverside Emergency Housing"} {
			if !strings.Contains(public[p], want) {
				t.Errorf("GET %s lacks the public phone %s: %.400s", p, want, public[p])
			}
		}
		for _, role := range []haven.Role{haven.RolePartner, haven.RoleAnalyst, haven.RoleAdmin} {
			nu := haven.NewUser{Username: string(role), Role: role, Password: testPassword}
			if role == haven.RolePartner {
				nu.OrganizationID = "org-public"
			}
			u, err := db.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), nu)
			if err != nil {
				t.Fatal(err)
			}
			actor := haven.WithActor(ctx, haven.Actor{UserID: u.ID, Role: role})
			token, _, err := db.CreateAPIToken(actor, "leak test", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/directory/search?"+near, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			public[fmt.Sprintf("API search as %s (%d)", role, resp.StatusCode)] = string(b)
			if role == haven.RoleAdmin {
				continue // signs in with a second factor; the API covers the role
			}
			c := client(t)
			signIn(t, e, c, string(role), "")
			for _, p := range []string{"/directory", "/directory?" + near, "/directory?" + near + "&include_remote=true",
				"/directory/services/svc-public/edit", "/directory/services/svc-public", "/directory/services/svc-public?" + near} {
				resp, body := get(t, c, e.srv.URL+p)
				public[fmt.Sprintf("web %s as %s (%d)", p, role, resp.StatusCode)] = body
			}
		}
		exp, err := db.ExportDirectory(haven.WithSystem(ctx, access.JobExportHSDS), false)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(exp)
		public["export without confidential"] = string(b)
		if !strings.Contains(string(b), "512-555-0100") {
			t.Errorf("export lacks the organization's own phone")
		}
		for where, body := range public {
			if i := strings.Index(strings.ToLower(body), canary); i >= 0 {
				t.Errorf("%s leaks the shelter: …%s…", where, body[max(0, i-120):min(len(body), i+80)])
			}
		}

		// A role that places survivors in shelters still finds it.
		mustUser(t, db, "advocate", "", haven.RoleAdvocate)
		c := client(t)
		signIn(t, e, c, "advocate", "")
		if _, body := get(t, c, e.srv.URL+"/directory?"+url.Values{"need": {need.Code}, "lat": {"30.2672"}, "lon": {"-97.7431"},
			"radius_km": {"5"}}.Encode()); !strings.Contains(body, canary+"-location-name") {
			t.Errorf("an advocate does not find the shelter")
		}
		// Its details name it and warn, but offer no map link that would
		// send its position to a map site; the public office keeps its own.
		_, body := get(t, c, e.srv.URL+"/directory/services/svc-public")
		for _, want := range []string{canary + "-location-name", "Confidential location", "1 Main Street, Austin, TX 78701",
			"512-555-0101", "Riverside Public Services", "Monday 09:00–17:00"} {
			if !strings.Contains(body, want) {
				t.Errorf("the advocate's service details lack %q", want)
			}
		}
		if n := strings.Count(body, "openstreetmap.org"); n != 1 {
			t.Errorf("service details hold %d map links, want 1 (the public office only)", n)
		}
	})
}
