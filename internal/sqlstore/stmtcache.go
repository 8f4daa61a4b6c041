package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by query text on SQLite, where
// compiling a statement is a large part of the cost of a short one: without
// it, modernc's SQLite parses and plans every Exec afresh. database/sql
// prepares a cached statement once on each connection that runs it and
// reuses it inside transactions (Tx.StmtContext). PostgreSQL needs none:
// pgx already caches prepared statements per connection.
type stmtCache struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool // being prepared
	closed  bool
	// preparing tracks the background prepares, which close waits for, so
	// that none opens a connection (and the WAL files) once the store is
	// closing.
	preparing sync.WaitGroup
}

// stmtCacheMax bounds the cache: queries built with a varying number of
// placeholders (IN lists, multi-row inserts) could otherwise fill it.
// Queries beyond it run unprepared, as without a cache.
const stmtCacheMax = 256

// stmt returns the cached statement for query, or nil when the engine
// needs no cache, the statement is not prepared yet, the cache is full or
// the query does not prepare (the caller then runs it directly and gets
// its error).
//
// A statement is prepared in the background on its first use, never while
// the caller waits: the caller is inside a transaction, which on SQLite
// holds the write lock, and preparing takes a second connection from the
// pool. When every other connection is waiting at BEGIN IMMEDIATE for that
// lock (a burst of sign-ins), none would come free until their busy
// timeout failed them, stalling every writer for ten seconds.
func (db *store) stmt(ctx context.Context, query string) *sql.Stmt {
	if !db.dialect.cacheStatements {
		return nil
	}
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if c.closed || c.pending[query] || len(c.m)+len(c.pending) >= stmtCacheMax {
		return nil
	}
	if c.pending == nil {
		c.pending = map[string]bool{}
	}
	c.pending[query] = true
	c.preparing.Go(func() { db.prepare(query) })
	return nil
}

// prepare prepares query on a connection of its own and caches it.
func (db *store) prepare(query string) {
	st, err := db.db.PrepareContext(context.Background(), query)
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if err != nil {
		return
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
}

// close waits for the background prepares and closes every cached
// statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.preparing.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// ExecContext runs query in the transaction, through the statement cache.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.db.stmt(ctx, query); st != nil {
		return tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction, through the statement cache.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.stmt(ctx, query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, through the statement
// cache.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.db.stmt(ctx, query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}
