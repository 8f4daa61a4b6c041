// Package live keeps a matching index (internal/directory) current with the
// directory in the store: built at start, brought up to date after every
// change, and, on PostgreSQL, woken by the NOTIFY each change sends so that
// every instance serving the same database answers from the same directory.
package live

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

// Index is a matching index that follows the store. It is safe for
// concurrent use: queries run while a change is applied.
type Index struct {
	store haven.DirectoryService
	// Logger receives refresh failures; nil logs nothing.
	Logger *slog.Logger

	mu      sync.RWMutex // guards x and version
	x       *directory.Index
	version int64

	refreshMu sync.Mutex // one refresh or save at a time

	snap    Snapshot
	saved   int64         // the version last saved to (or loaded from) the snapshot; -1: none
	saveNow chan struct{} // asks Run to save
}

// Build loads every service from store into a new index, without a
// snapshot.
func Build(ctx context.Context, store haven.DirectoryService) (*Index, error) {
	l, err := Open(ctx, store, Snapshot{}, nil)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// log logs at level ("info" or "warn") when l has a Logger.
func (l *Index) log(level, msg string, args ...any) {
	switch {
	case l.Logger == nil:
	case level == "warn":
		l.Logger.Warn(msg, args...)
	default:
		l.Logger.Info(msg, args...)
	}
}

// rebuild replaces the index with one built from the whole store. The
// version is read first, so that a change committed during the load is
// applied again by the next refresh (applying a change is idempotent).
func (l *Index) rebuild(ctx context.Context) error {
	v, err := l.store.DirectoryVersion(ctx)
	if err != nil {
		return err
	}
	d, err := l.store.DirectoryRecords(ctx, nil)
	if err != nil {
		return err
	}
	x := directory.New(directory.SitesFromDirectory(d))
	l.mu.Lock()
	l.x, l.version = x, v
	l.mu.Unlock()
	l.wantSave()
	return nil
}

// Query answers q from the current index.
func (l *Index) Query(q directory.Query) (directory.Answer, error) {
	l.mu.RLock()
	x := l.x
	l.mu.RUnlock()
	return x.Query(q)
}

// Version returns the directory version the index reflects.
func (l *Index) Version() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.version
}

// Len returns the number of sites in the index.
func (l *Index) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.x.Len()
}

// Refresh applies the changes committed since the index's version: the
// sites of each changed service are replaced (or removed), or the whole
// index is rebuilt after a bulk import. Call it after a change made in
// this process for the index to reflect it at once.
func (l *Index) Refresh(ctx context.Context) error {
	l.refreshMu.Lock()
	defer l.refreshMu.Unlock()
	v, ids, all, err := l.store.DirectoryChanges(ctx, l.Version())
	if err != nil || v <= l.Version() {
		return err
	}
	if all {
		return l.rebuild(ctx)
	}
	d, err := l.store.DirectoryRecords(ctx, ids)
	if err != nil {
		return err
	}
	changed, bySvc := changes(d, ids) // before the lock: queries wait on it
	l.mu.Lock()
	defer l.mu.Unlock()
	apply(l.x, changed, bySvc)
	l.version = v
	return nil
}

// Options tune Run.
type Options struct {
	// ListenDSN is the PostgreSQL URL to LISTEN on for changes made by
	// other instances; "" (SQLite) relies on polling alone.
	ListenDSN string
	// Channel is the notification channel (sqlstore.DirectoryChannel).
	Channel string
	// Poll is how often the version is checked besides notifications;
	// 0 means 2 s without ListenDSN and 30 s with it.
	Poll time.Duration
}

// Run keeps the index current until ctx ends: at once (an index loaded
// from a snapshot catches up), on each notification, and at every poll.
// A lost LISTEN connection is re-opened (catching up on what it missed);
// errors are logged, never fatal. With a snapshot, it saves the index
// after a rebuild and, when the directory has changed, every
// Snapshot.Every.
func (l *Index) Run(ctx context.Context, o Options) error {
	l.refreshLogged(ctx, "start")
	every := l.snap.Every
	if every <= 0 {
		every = 10 * time.Minute
	}
	saves := time.NewTicker(every)
	defer saves.Stop()
	poll := o.Poll
	if poll == 0 {
		poll = 2 * time.Second
		if o.ListenDSN != "" {
			poll = 30 * time.Second
		}
	}
	if o.ListenDSN != "" {
		go l.listen(ctx, o.ListenDSN, o.Channel)
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			l.refreshLogged(ctx, "poll")
		case <-l.saveNow:
			l.Save(ctx)
		case <-saves.C:
			l.Save(ctx)
		}
	}
}

func (l *Index) refreshLogged(ctx context.Context, why string) {
	if err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
		l.log("warn", "directory index refresh failed", "trigger", why, "err", err)
	}
}

// listen holds a dedicated connection LISTENing on channel and refreshes
// on every notification, reconnecting with backoff.
func (l *Index) listen(ctx context.Context, dsn, channel string) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := l.listenOnce(ctx, dsn, channel)
		if ctx.Err() != nil {
			return
		}
		if l.Logger != nil {
			l.Logger.Warn("directory LISTEN connection lost; reconnecting", "err", err, "in", backoff)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Minute)
	}
}

func (l *Index) listenOnce(ctx context.Context, dsn, channel string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	l.refreshLogged(ctx, "listen") // what happened while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		l.refreshLogged(ctx, "notify")
	}
}

// Within returns the locations within radiusKm of p from the current index
// (see directory.Index.Within).
func (l *Index) Within(p directory.Point, radiusKm float64, role haven.Role) ([]string, error) {
	l.mu.RLock()
	x := l.x
	l.mu.RUnlock()
	return x.Within(p, radiusKm, role)
}
