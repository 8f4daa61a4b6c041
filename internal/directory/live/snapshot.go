package live

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

// Snapshot says where the index is kept between starts, so that a restart
// reads it instead of decoding every directory record (see
// directory.WriteSnapshot). It holds the public sites in the clear and
// the shelters only sealed by the store (SealShelters), under the master
// key.
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
// another store or of a later version than the store's is not used. A
// usable one's shelters come from its sealed section, and the changes
// committed since it was saved are applied before it serves; when those
// cannot be listed (after a bulk import, or 1,000 versions), the shelters
// are read from the store as they are now, and Run's first refresh
// rebuilds the index in the background while the snapshot serves.
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
	l.x, l.version, l.saved = x, info.Version, info.Version
	from, err := l.addShelters(ctx, x, info, v)
	if err != nil {
		return false, err
	}
	l.log("info", "directory index loaded from its snapshot", "sites", x.Len(), "snapshot_version", info.Version, "version", v,
		"shelters_from", from)
	return true, nil
}

// addShelters adds to x, loaded from a snapshot of info at the store's
// version v or before, the shelters as they are at v: from the sealed
// section, with the changes since applied, or else from the store. It
// says which.
func (l *Index) addShelters(ctx context.Context, x *directory.Index, info directory.SnapshotInfo, v int64) (string, error) {
	if sites, ok := l.openShelters(ctx, info.Sealed); ok {
		_, _, all, err := l.store.DirectoryChanges(ctx, info.Version)
		if err != nil {
			return "", err
		}
		// Every change lists the services whose sites it may alter (a
		// place made confidential lists the services there): applying
		// them before serving leaves no shelter shown as a public site.
		if !all {
			upsertSites(x, sites, nil)
			return "snapshot", l.Refresh(ctx)
		}
	}
	d, err := l.store.ConfidentialDirectoryRecords(ctx)
	if err != nil {
		return "", err
	}
	upsert(x, d, nil)
	l.saved = -1 // save it again, with shelters that open
	l.wantSave()
	return "store", nil
}

// openShelters opens and decodes the sealed shelters of a snapshot; false
// when there are none or they do not open (another master key, say).
func (l *Index) openShelters(ctx context.Context, sealed []byte) ([]directory.Site, bool) {
	if len(sealed) == 0 {
		return nil, false
	}
	plain, err := l.store.OpenShelters(ctx, sealed)
	if err != nil {
		l.log("warn", "the directory snapshot's shelters do not open; reading them from the store", "err", err)
		return nil, false
	}
	var sites []directory.Site
	if err := gob.NewDecoder(bytes.NewReader(plain)).Decode(&sites); err != nil {
		l.log("warn", "the directory snapshot's shelters do not decode; reading them from the store", "err", err)
		return nil, false
	}
	return sites, true
}

// sealShelters encodes and seals the confidential sites of x for the
// snapshot; nil (the shelters are then read from the store at start) if
// the store cannot seal them.
func (l *Index) sealShelters(ctx context.Context, x *directory.Index) []byte {
	sites := x.ConfidentialSites()
	if len(sites) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(sites); err != nil {
		l.log("warn", "directory snapshot without its shelters", "err", err)
		return nil
	}
	sealed, err := l.store.SealShelters(ctx, b.Bytes())
	if err != nil {
		l.log("warn", "directory snapshot without its shelters", "err", err)
		return nil
	}
	return sealed
}

// upsert replaces in x the sites of the services of d, and of ids (a
// service of ids that d lacks has been deleted or made inactive).
func upsert(x *directory.Index, d *haven.Directory, ids []string) {
	changed, bySvc := changes(d, ids)
	apply(x, changed, bySvc)
}

// upsertSites replaces in x the sites of every service of sites, and of
// ids (which then have none).
func upsertSites(x *directory.Index, sites []directory.Site, ids []string) {
	changed, bySvc := group(sites, ids)
	apply(x, changed, bySvc)
}

// changes groups the sites of the services of d by service, listing each
// service of d and of ids once.
func changes(d *haven.Directory, ids []string) ([]string, map[string][]directory.Site) {
	for _, s := range d.Services {
		ids = append(ids, s.ID) // no sites: inactive
	}
	return group(directory.SitesFromDirectory(d), ids)
}

// group groups sites by service, listing each service of sites and of ids
// once.
func group(sites []directory.Site, ids []string) ([]string, map[string][]directory.Site) {
	bySvc := map[string][]directory.Site{}
	for _, s := range sites {
		if _, ok := bySvc[s.ServiceID]; !ok {
			ids = append(ids, s.ServiceID)
		}
		bySvc[s.ServiceID] = append(bySvc[s.ServiceID], s)
	}
	done := map[string]bool{}
	var uniq []string
	for _, id := range ids {
		if !done[id] {
			done[id] = true
			uniq = append(uniq, id)
		}
	}
	return uniq, bySvc
}

// apply replaces in x the sites of each service of ids by its bySvc.
func apply(x *directory.Index, ids []string, bySvc map[string][]directory.Site) {
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
func (l *Index) Save(ctx context.Context) {
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
	info := directory.SnapshotInfo{Version: v, Source: l.snap.Source, Sealed: l.sealShelters(ctx, x)}
	if err := x.WriteSnapshot(l.snap.Path, info); err != nil {
		l.log("warn", "directory snapshot not saved", "path", l.snap.Path, "err", err)
		return
	}
	l.saved = v
	l.log("info", "directory snapshot saved", "path", l.snap.Path, "version", v, "seconds", time.Since(start).Seconds())
}
