package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore"
)

func TestServeDirectoryFollowsImports(t *testing.T) {
	dir := dataDir(t)
	mustRun(t, "demo", "directory", "--services", "20", "--data", dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := &Main{Stdout: io.Discard, Stderr: io.Discard}
	defer m.Close()
	sf := storeFlags{data: dir}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := server.New(logger, db)
	idx, err := m.startDirectory(ctx, db, sqlstore.NewDirectoryService(db), srv, &sf, filepath.Join(dir, "directory-index.snapshot"), nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/hsds/services?per_page=5")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		TotalItems int `json:"total_items"`
	}
	json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if resp.StatusCode != 200 || page.TotalItems != 20 {
		t.Errorf("GET /hsds/services: %d total=%d, want 200 and 20", resp.StatusCode, page.TotalItems)
	}
	before := idx.Len()
	// Another process (here another Main) adds services; the serving
	// index picks them up by polling the directory version (SQLite).
	mustRun(t, "demo", "directory", "--services", "40", "--data", dir)
	deadline := time.Now().Add(15 * time.Second)
	for idx.Version() != 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	want := len(directory.SitesFromDirectory(directory.GenerateDirectory(40, 1)))
	if idx.Version() != 2 || idx.Len() != want || before >= want {
		t.Errorf("index after a second import: version=%d sites=%d (before %d), want 2 and %d", idx.Version(), idx.Len(), before, want)
	}
}
