package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/hsdsapi"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore"
)

// startDirectory builds the matching index from the store, keeps it
// current for as long as ctx lives (LISTEN on PostgreSQL, polling on
// SQLite) and mounts the HSDS API and the JSON API's directory search.
//
// The index starts from its snapshot (see live.Open) when snapshot names
// a usable one, so that a restart does not decode every record.
func (m *Main) startDirectory(ctx context.Context, db *sqlstore.DB, dir *sqlstore.DirectoryService, srv *server.Server, sf *storeFlags,
	snapshot string, clinics places.Locations, logger *slog.Logger) (*live.Index, error) {
	start := time.Now()
	// The index loads shelters too and hides them per role when it
	// answers; it reads the store as the system job that may.
	ctx = haven.WithSystem(ctx, access.JobDirectoryIndex)
	idx, err := live.Open(ctx, dir, live.Snapshot{Path: snapshot, Source: storeFingerprint(sf.dsn())}, logger)
	if err != nil {
		return nil, err
	}
	logger.Info("directory index ready", "sites", idx.Len(), "version", idx.Version(), "seconds", time.Since(start).Seconds())
	opts := live.Options{Channel: sqlstore.DirectoryChannel}
	if db.Engine() == "postgres" {
		opts.ListenDSN = sf.dsn()
	}
	go idx.Run(ctx, opts)
	go places.Preload()
	(&hsdsapi.API{Directory: dir, Places: idx}).Mount(srv)
	(&api.DirectorySearch{Index: idx, Clinics: clinics}).Mount(srv)
	return idx, nil
}

// storeFingerprint identifies the database dsn names, without its
// password, so that a snapshot of one database is never loaded for
// another.
func storeFingerprint(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		dsn = u.String()
	} else if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if abs, err := filepath.Abs(p); err == nil {
			dsn = "sqlite:" + abs
		}
	}
	sum := sha256.Sum256([]byte(dsn))
	return hex.EncodeToString(sum[:16])
}
