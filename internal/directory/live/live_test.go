package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// editorCtx creates a directory editor and returns ctx with them acting.
func editorCtx(t *testing.T, ctx context.Context, db *sqlstoretest.Store) context.Context {
	t.Helper()
	u, err := db.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), haven.NewUser{Username: "dir.editor", Role: haven.RoleEditor, Password: "a long pass phrase"})
	if err != nil {
		t.Fatal(err)
	}
	return haven.WithActor(ctx, haven.Actor{UserID: u.ID, Role: u.Role})
}

// needOf returns a need code that service id offers in d.
func needOf(t *testing.T, d *haven.Directory, id string) string {
	t.Helper()
	for _, a := range d.Attributes {
		if n, ok := haven.NeedByCode(a.TaxonomyTermID); ok && a.LinkID == id {
			return n.Code
		}
	}
	t.Fatalf("service %s offers no need", id)
	return ""
}

// sitesOf counts the sites of service id that a query for need returns.
func sitesOf(t *testing.T, l *live.Index, need, id string) int {
	t.Helper()
	ans, err := l.Query(directory.Query{Needs: []string{need}, IncludeRemote: true, Limit: -1, NearMisses: -1, Role: haven.RoleAdvocate})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range ans.Results {
		if r.ServiceID == id {
			n++
		}
	}
	return n
}

func TestIndexFollowsTheStore(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := haven.WithSystem(context.Background(), access.JobDirectoryIndex)
		ectx := editorCtx(t, context.Background(), db)
		d := directory.GenerateDirectory(30, 4)
		if _, err := db.ImportDirectory(ectx, d, nil); err != nil {
			t.Fatal(err)
		}
		l, err := live.Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if l.Len() != len(directory.SitesFromDirectory(d)) || l.Version() != 1 {
			t.Errorf("built %d sites at version %d, want %d at 1", l.Len(), l.Version(), len(directory.SitesFromDirectory(d)))
		}
		closed, deleted := d.Services[2], d.Services[5]
		closedNeed, deletedNeed := needOf(t, d, closed.ID), needOf(t, d, deleted.ID)
		if sitesOf(t, l, closedNeed, closed.ID) == 0 || sitesOf(t, l, deletedNeed, deleted.ID) == 0 {
			t.Fatal("services not found before the change")
		}
		closed.Status = "inactive"
		if _, err := db.ImportDirectory(ectx, &haven.Directory{Services: []haven.Service{closed}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteDirectoryService(ectx, deleted.ID); err != nil {
			t.Fatal(err)
		}
		if err := l.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if got := sitesOf(t, l, closedNeed, closed.ID); got != 0 {
			t.Errorf("inactive service: %d sites, want 0", got)
		}
		if got := sitesOf(t, l, deletedNeed, deleted.ID); got != 0 {
			t.Errorf("deleted service: %d sites, want 0", got)
		}
		if l.Version() != 3 {
			t.Errorf("version=%d, want 3", l.Version())
		}
	})
}

func TestIndexWakesOnNotify(t *testing.T) {
	db := sqlstoretest.MustOpen(t, "postgres")
	ctx, cancel := context.WithCancel(haven.WithSystem(context.Background(), access.JobDirectoryIndex))
	defer cancel()
	ectx := editorCtx(t, context.Background(), db)
	l, err := live.Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	dsn := sqlstoretest.PostgresDSN()
	go l.Run(ctx, live.Options{ListenDSN: dsn, Channel: sqlstore.DirectoryChannel, Poll: time.Hour})
	// Wait for the listener: it refreshes once connected, so a change
	// made before that is caught up too; either way only LISTEN (not the
	// hourly poll) can bring the index to version 1.
	d := directory.GenerateDirectory(10, 9)
	if _, err := db.ImportDirectory(ectx, d, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for l.Version() != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.Version() != 1 || l.Len() != len(directory.SitesFromDirectory(d)) {
		t.Fatalf("after import: version=%d sites=%d, want 1 and %d", l.Version(), l.Len(), len(directory.SitesFromDirectory(d)))
	}
	if err := db.DeleteDirectoryService(ectx, d.Services[0].ID); err != nil {
		t.Fatal(err)
	}
	for l.Version() != 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.Version() != 2 || sitesOf(t, l, needOf(t, d, d.Services[0].ID), d.Services[0].ID) != 0 {
		t.Errorf("after a delete notified: version=%d, want 2 and the service gone", l.Version())
	}
}
