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
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// stmtCacheMax bounds the cache: queries built with a varying number of
// placeholders (IN lists, multi-row inserts) could otherwise fill it.
// Queries beyond it run unprepared, as without a cache.
const stmtCacheMax = 256

// stmt returns the cached statement for query, preparing it on first use,
// or nil when the engine needs no cache, the cache is full or the query
// does not prepare (the caller then runs it directly and gets its error).
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
	if len(c.m) >= stmtCacheMax {
		return nil
	}
	st, err := db.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

// close closes every cached statement.
func (c *stmtCache) close() {
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
