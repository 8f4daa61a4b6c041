package live_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// everything lists what role finds of every need, anywhere.
func everything(t *testing.T, l *live.Index, role haven.Role) []string {
	t.Helper()
	var out []string
	for _, n := range haven.Needs {
		ans, err := l.Query(directory.Query{Needs: []string{n.Code}, IncludeRemote: true, Limit: -1, NearMisses: -1, Role: role, Summaries: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ans.Results {
			out = append(out, fmt.Sprintf("%s %s %s %q", n.Code, r.ServiceID, r.LocationID, r.Summary.Display))
		}
	}
	slices.Sort(out)
	return out
}

// sameAs fails unless l answers every role as a, an index built afresh.
func sameAs(t *testing.T, what string, l, a *live.Index) {
	t.Helper()
	for _, role := range []haven.Role{haven.RoleAdvocate, haven.RolePartner} {
		if got, want := everything(t, l, role), everything(t, a, role); !slices.Equal(got, want) {
			t.Errorf("%s: %s finds %d sites, a rebuilt index %d (or other ones)", what, role, len(got), len(want))
		}
	}
}

func TestIndexSnapshot(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := haven.WithSystem(context.Background(), access.JobDirectoryIndex)
		ectx := editorCtx(t, context.Background(), db)
		d := directory.GenerateDirectory(60, 5)
		if _, err := db.ImportDirectory(ectx, d, nil); err != nil {
			t.Fatal(err)
		}
		snap := live.Snapshot{Path: filepath.Join(t.TempDir(), "directory.snapshot"), Source: "db-a"}
		first, err := live.Open(ctx, db, snap, nil)
		if err != nil {
			t.Fatal(err)
		}
		first.Save(ctx)
		if _, err := os.Stat(snap.Path); err != nil {
			t.Fatalf("no snapshot saved: %v", err)
		}

		// Fresh: loaded at the store's version, shelters from the sealed
		// section.
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, nil))
		l, err := live.Open(ctx, db, snap, logger)
		if err != nil {
			t.Fatal(err)
		}
		sameAs(t, "fresh snapshot", l, first)
		if !strings.Contains(logs.String(), "shelters_from=snapshot") {
			t.Errorf("shelters not from the snapshot; log:\n%s", logs.String())
		}
		b, _ := os.ReadFile(snap.Path)
		for _, loc := range d.Locations {
			if loc.Confidential && bytes.Contains(b, []byte(loc.ID)) {
				t.Errorf("the snapshot holds the shelter %s in the clear", loc.ID)
			}
		}
		// The same snapshot whose sealed section does not open.
		x, info, err := directory.ReadSnapshot(snap.Path)
		if err != nil {
			t.Fatal(err)
		}
		unsealed := live.Snapshot{Path: snap.Path + ".unsealed", Source: snap.Source}
		info.Sealed = []byte("not sealed by the store")
		if err := x.WriteSnapshot(unsealed.Path, info); err != nil {
			t.Fatal(err)
		}

		// Stale: a public place becomes a shelter and a service goes.
		var public haven.Location
		for _, loc := range d.Locations {
			if !loc.Confidential {
				public = loc
				break
			}
		}
		public.Confidential = true
		if _, err := db.ImportDirectory(ectx, &haven.Directory{Locations: []haven.Location{public}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteDirectoryService(ectx, d.Services[3].ID); err != nil {
			t.Fatal(err)
		}
		rebuilt, err := live.Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		hidden := func(what string, l *live.Index) {
			t.Helper()
			for _, s := range everything(t, l, haven.RolePartner) {
				if strings.Contains(s, public.ID) {
					t.Errorf("%s: a partner finds the new shelter: %s", what, s)
				}
			}
		}
		// With its sealed shelters, the changes since are applied before
		// it serves.
		stale, err := live.Open(ctx, db, snap, nil)
		if err != nil {
			t.Fatal(err)
		}
		if stale.Version() != 3 {
			t.Errorf("stale snapshot ready at version %d, want 3 (changes applied)", stale.Version())
		}
		hidden("stale snapshot", stale)
		sameAs(t, "stale snapshot", stale, rebuilt)
		// Without them, the shelters come from the store as they are now,
		// so the new one is hidden at once; a refresh brings the rest.
		logs.Reset()
		old, err := live.Open(ctx, db, unsealed, logger)
		if err != nil {
			t.Fatal(err)
		}
		if old.Version() != 1 || !strings.Contains(logs.String(), "do not open") || !strings.Contains(logs.String(), "shelters_from=store") {
			t.Errorf("unsealed stale snapshot: version %d, want 1; log:\n%s", old.Version(), logs.String())
		}
		hidden("unsealed stale snapshot", old)
		if err := old.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		sameAs(t, "unsealed stale snapshot after refresh", old, rebuilt)
		stale.Save(ctx)

		// Damaged, or of another database: rebuilt from the store.
		b, _ = os.ReadFile(snap.Path)
		b[len(b)/3] ^= 1
		if err := os.WriteFile(snap.Path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		damaged, err := live.Open(ctx, db, snap, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameAs(t, "damaged snapshot", damaged, rebuilt)
		damaged.Save(ctx)
		logs.Reset()
		if _, err := live.Open(ctx, db, live.Snapshot{Path: snap.Path, Source: "db-b"}, logger); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), "another database") {
			t.Errorf("a snapshot of another database was not refused; log:\n%s", logs.String())
		}
	})
}
