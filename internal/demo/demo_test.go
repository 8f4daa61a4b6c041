package demo_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func init() { sqlstore.PasswordParams = password.Params{MemoryKiB: 64, Time: 1, Threads: 1} }

// TestLoadRunsAsTheDemoJob: serve --demo loads as the demo system job; a
// bare context may create no account.
func TestLoadRunsAsTheDemoJob(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		if _, err := demo.Load(context.Background(), demo.Store{Users: db, Survivors: db, CareTeams: db, Teams: db, Directory: db}); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("Load without a system job: err=%v, want Unauthenticated", err)
		}
		loaded, err := demo.Load(haven.WithSystem(context.Background(), access.JobDemo), demo.Store{Users: db, Survivors: db, CareTeams: db, Teams: db, Directory: db})
		if err != nil || !loaded {
			t.Fatalf("Load as %s: loaded=%v err=%v", access.JobDemo, loaded, err)
		}
		if n, _ := db.CountUsers(context.Background()); n != len(demo.Users) {
			t.Errorf("%d users, want %d", n, len(demo.Users))
		}
	})
}

// TestLoadBringsADirectoryNearTheClinic: the demo starts with services
// around its clinic, so that a newcomer's first search finds some.
func TestLoadBringsADirectoryNearTheClinic(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := haven.WithSystem(context.Background(), access.JobDemo)
		if _, err := demo.Load(ctx, demo.Store{Users: db, Survivors: db, CareTeams: db, Teams: db, Directory: db}); err != nil {
			t.Fatal(err)
		}
		d, err := db.DirectoryRecords(haven.WithSystem(context.Background(), access.JobDirectoryIndex), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Services) < 100 {
			t.Fatalf("%d demo services, want at least 100", len(d.Services))
		}
		idx := directory.New(directory.SitesFromDirectory(d))
		clinics, err := places.ParseLocations(demo.Clinic.Locations)
		if err != nil {
			t.Fatal(err)
		}
		for _, need := range []string{"shelter", "legal", "mental-health"} {
			for _, near := range []string{"postcode=" + demo.Clinic.ZIP, "city=Austin,+TX", "location=" + url.QueryEscape(demo.Clinic.Name), ""} {
				v, _ := url.ParseQuery("need=" + need + "&" + near)
				q, err := directory.ParseQuery(v, clinics)
				if err != nil {
					t.Fatalf("%s: %v", near, err)
				}
				q.Role = haven.RoleAdvocate
				if ans, err := idx.Query(q); err != nil || len(ans.Results) == 0 {
					t.Errorf("%s near the demo clinic (%s): %d results, %v; want some", need, near, len(ans.Results), err)
				}
			}
		}
	})
}

// TestDemoDirectorySitsAroundTheClinicsZIP: the demo's services are
// centred on the demo clinic's ZIP code as the place table knows it, so a
// ZIP code search finds them all around.
func TestDemoDirectorySitsAroundTheClinicsZIP(t *testing.T) {
	zip, err := places.Lookup(demo.Clinic.ZIP)
	if err != nil || zip.City != demo.Clinic.City {
		t.Fatalf("Lookup(%s)=%v, %v; want a ZIP code of %s", demo.Clinic.ZIP, zip, err, demo.Clinic.City)
	}
	d, err := directory.GenerateDirectoryAround(demo.Clinic.City, demo.DirectoryServices, 2026)
	if err != nil {
		t.Fatal(err)
	}
	var centre places.Place
	n := 0
	for _, l := range d.Locations {
		if l.Latitude != nil {
			centre.Lat += *l.Latitude
			centre.Lon += *l.Longitude
			n++
		}
	}
	centre.Lat, centre.Lon = centre.Lat/float64(n), centre.Lon/float64(n)
	if km := places.Distance(zip, centre); km > 2 {
		t.Errorf("the demo's services are centred %.1f km from ZIP code %s's centroid, want under 2", km, demo.Clinic.ZIP)
	}
}

// TestLoadMakesATeamWithACaseload: the demo supervisor supervises the demo
// staff's team, so their caseload lists the demo cases.
func TestLoadMakesATeamWithACaseload(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := haven.WithSystem(context.Background(), access.JobDemo)
		if _, err := demo.Load(ctx, demo.Store{Users: db, Survivors: db, CareTeams: db, Teams: db, Directory: db}); err != nil {
			t.Fatal(err)
		}
		var supID string
		if err := db.SQL().QueryRow(`SELECT id FROM users WHERE role = 'supervisor'`).Scan(&supID); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Caseload(haven.WithActor(context.Background(), haven.Actor{UserID: supID, Role: haven.RoleSupervisor}), "2026-05-01")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(demo.Survivors) {
			t.Fatalf("caseload has %d cases, want %d", len(rows), len(demo.Survivors))
		}
		for _, r := range rows {
			if r.Lead != "Demo Advocate" {
				t.Errorf("case %s led by %q, want Demo Advocate", r.CaseNumber, r.Lead)
			}
		}
	})
}

// TestDemoPartnerRunsServices: the demo partner's organization runs a
// housing and a shelter service of the demo directory, so that a
// referral from the demo reaches demo.partner's inbox.
func TestDemoPartnerRunsServices(t *testing.T) {
	d, err := directory.GenerateDirectoryAround(demo.Clinic.City, 300, 2026)
	if err != nil {
		t.Fatal(err)
	}
	demo.GivePartnerServicesForTest(d)
	n := 0
	for _, s := range d.Services {
		if s.OrganizationID == demo.PartnerOrganization.ID {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the partner's organization runs %d services, want 2", n)
	}
}
