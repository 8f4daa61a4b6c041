package live

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

// Snapshot says where the index is kept between starts, so that a restart
// reads it instead of decoding every directory record (see
// directory.WriteSnapshot). It holds public sites only: the shelters are
// read from the store at every start.
type Snapshot struct {
	// Path is the snapshot file; "" keeps none.
	Path string
	// Source identifies the store (for example a hash of its address
	// without password): a snapshot of another store is never loaded.
	Source string
	// Every is how often Run saves the index when the directory has
	// changed since the last save; 0 means 10 minutes.
	Every time.Duration
}

// Open returns an index of the store, loaded from the snapshot when there
// is a usable one, else built from the store (and saved in the background
// by Run). A snapshot that is missing, damaged, of another format, of
// another store or of a later version than the store's is not used; one
// of an earlier version is used at once with the store's current shelters
// added, and Run's first refresh brings it up to date, applying the
// changes since, or rebuilding in the background while the snapshot
// serves.
func Open(ctx context.Context, store haven.DirectoryService, snap Snapshot, logger *slog.Logger) (*Index, error) {
	l := &Index{store: store, Logger: logger, snap: snap, saved: -1, saveNow: make(chan struct{}, 1)}
	if snap.Path != "" {
		ok, err := l.load(ctx)
		if err != nil || ok {
			return l, err
		}
	}
	return l, l.rebuild(ctx)
}

// load reads the snapshot into l, reporting whether it was usable.
func (l *Index) load(ctx context.Context) (bool, error) {
	x, info, err := directory.ReadSnapshot(l.snap.Path)
	if errors.Is(err, fs.ErrNotExist) {
		l.log("info", "no directory snapshot yet; building the index from the store", "path", l.snap.Path)
		return false, nil
	}
	if err != nil {
		l.log("warn", "directory snapshot refused; building the index from the store", "path", l.snap.Path, "err", err)
		return false, nil
	}
	v, err := l.store.DirectoryVersion(ctx)
	if err != nil {
		return false, err
	}
	if info.Source != l.snap.Source || info.Version > v {
		l.log("warn", "directory snapshot is of another database or of a later version; building the index from the store",
			"path", l.snap.Path, "snapshot_version", info.Version, "version", v)
		return false, nil
	}
	d, err := l.store.ConfidentialDirectoryRecords(ctx)
	if err != nil {
		return false, err
	}
	upsert(x, d, nil)
	l.x, l.version, l.saved = x, info.Version, info.Version
	l.log("info", "directory index loaded from its snapshot", "sites", x.Len(), "snapshot_version", info.Version, "version", v)
	return true, nil
}

// upsert replaces in x the sites of the services of d, and of ids (a
// service of ids that d lacks has been deleted or made inactive).
func upsert(x *directory.Index, d *haven.Directory, ids []string) {
	bySvc := map[string][]directory.Site{}
	for _, s := range directory.SitesFromDirectory(d) {
		bySvc[s.ServiceID] = append(bySvc[s.ServiceID], s)
	}
	for _, s := range d.Services {
		x.Upsert(s.ID, bySvc[s.ID]) // no sites: inactive
	}
	for _, id := range ids {
		x.Upsert(id, bySvc[id])
	}
}

// wantSave asks Run to save the index.
func (l *Index) wantSave() {
	select {
	case l.saveNow <- struct{}{}:
	default:
	}
}

// Save writes the index to the snapshot when it has changed since the
// last save. Refreshes wait meanwhile (the index must not change while its
// public sites are copied); queries do not.
func (l *Index) Save() {
	if l.snap.Path == "" {
		return
	}
	l.refreshMu.Lock()
	defer l.refreshMu.Unlock()
	l.mu.RLock()
	x, v := l.x, l.version
	l.mu.RUnlock()
	if v == l.saved {
		return
	}
	start := time.Now()
	if err := x.WriteSnapshot(l.snap.Path, directory.SnapshotInfo{Version: v, Source: l.snap.Source}); err != nil {
		l.log("warn", "directory snapshot not saved", "path", l.snap.Path, "err", err)
		return
	}
	l.saved = v
	l.log("info", "directory snapshot saved", "path", l.snap.Path, "version", v, "seconds", time.Since(start).Seconds())
}
