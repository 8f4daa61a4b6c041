package live_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// summaryOf returns the summary of service id's first site.
func summaryOf(t *testing.T, l *live.Index, need, id string) directory.Summary {
	t.Helper()
	ans, err := l.Query(directory.Query{Needs: []string{need}, IncludeRemote: true, Limit: -1, NearMisses: -1,
		Role: haven.RoleAdvocate, Summaries: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ans.Results {
		if r.ServiceID == id {
			return r.Summary
		}
	}
	t.Fatalf("service %s not found", id)
	return directory.Summary{}
}

// TestSummariesFollowTheStore checks that a change to what a results page
// shows but matching does not use (an organization's name, a location's
// address or phone) reaches the index's summaries at the next refresh.
func TestSummariesFollowTheStore(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := haven.WithSystem(context.Background(), access.JobDirectoryIndex)
		ectx := editorCtx(t, context.Background(), db)
		d := directory.GenerateDirectory(12, 6)
		if _, err := db.ImportDirectory(ectx, d, nil); err != nil {
			t.Fatal(err)
		}
		l, err := live.Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var svc haven.Service
		var sal haven.ServiceAtLocation
		for _, s := range d.ServiceAtLocations {
			sal = s
			break
		}
		for _, s := range d.Services {
			if s.ID == sal.ServiceID {
				svc = s
			}
		}
		need := needOf(t, d, svc.ID)
		if got := summaryOf(t, l, need, svc.ID); got.Service != svc.Name || got.Organization == "" || got.Address == "" || got.Phone == "" {
			t.Fatalf("summary after build: %+v, want names, address and phone", got)
		}
		var org haven.Organization
		for _, o := range d.Organizations {
			if o.ID == svc.OrganizationID {
				org = o
			}
		}
		org.Name = "Renamed Organization"
		var addr haven.Address
		for _, a := range d.Addresses {
			if a.LocationID == sal.LocationID {
				addr = a
			}
		}
		addr.Address1 = "2 New Street"
		change := &haven.Directory{Organizations: []haven.Organization{org},
			Addresses: []haven.Address{addr},
			Phones:    []haven.Phone{{ID: "new-phone", ServiceAtLocationID: sal.ID, Number: "(555) 555-0199"}}}
		if _, err := db.ImportDirectory(ectx, change, nil); err != nil {
			t.Fatal(err)
		}
		if err := l.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		got := summaryOf(t, l, need, svc.ID)
		if got.Organization != "Renamed Organization" || !strings.HasPrefix(got.Address, "2 New Street") || got.Phone != "(555) 555-0199" {
			t.Errorf("summary after the change: %+v, want the new organization name, address and phone", got)
		}
	})
}
