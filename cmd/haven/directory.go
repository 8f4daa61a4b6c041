package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/hsdsapi"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore"
)

// startDirectory builds the matching index from the store, keeps it
// current for as long as ctx lives (LISTEN on PostgreSQL, polling on
// SQLite) and mounts the HSDS API and the JSON API's directory search.
func (m *Main) startDirectory(ctx context.Context, db *sqlstore.DB, dir *sqlstore.DirectoryService, srv *server.Server, sf *storeFlags, logger *slog.Logger) (*live.Index, error) {
	start := time.Now()
	// The index loads shelters too and hides them per role when it
	// answers; it reads the store as the system job that may.
	ctx = haven.WithSystem(ctx, access.JobDirectoryIndex)
	idx, err := live.Build(ctx, dir)
	if err != nil {
		return nil, err
	}
	idx.Logger = logger
	logger.Info("directory index built", "sites", idx.Len(), "version", idx.Version(), "seconds", time.Since(start).Seconds())
	opts := live.Options{Channel: sqlstore.DirectoryChannel}
	if db.Engine() == "postgres" {
		opts.ListenDSN = sf.dsn()
	}
	go idx.Run(ctx, opts)
	(&hsdsapi.API{Directory: dir, Places: idx}).Mount(srv)
	(&api.DirectorySearch{Index: idx}).Mount(srv)
	return idx, nil
}
