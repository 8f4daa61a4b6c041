package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/haven-care/haven"
)

// Tx is one transaction of one exported store method. It carries the
// method's time and actor so that the audit entry it writes matches the
// change it records.
type Tx struct {
	*sql.Tx
	db    *store
	now   time.Time
	actor haven.Actor
	// job is the system job acting when no one is signed in; the audit
	// log records it as the actor "system:<job>".
	job haven.SystemJob
	// readOnly marks a transaction of inReadTx, which writes nothing:
	// the entries of its audited reads wait in reads for recordReads.
	readOnly bool
	reads    []haven.AuditEntry
}

// inTx runs fn in a transaction and commits if it returns nil. Every
// exported method that changes data runs in exactly one.
func (db *store) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.runTx(ctx, nil, fn)
}

// inReadTx runs fn, which only reads, in a read-only transaction (no
// write lock on PostgreSQL, where readers run side by side), then records the reads fn audited (auditRead) with those
// of other requests in one group commit (recordReads). It returns once the
// entries are committed, and fails if they are not: a read is never served
// unrecorded.
func (db *store) inReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	var reads []haven.AuditEntry
	err := db.runTx(ctx, &sql.TxOptions{ReadOnly: true}, func(tx *Tx) error {
		err := fn(tx)
		reads = tx.reads
		return err
	})
	if err != nil {
		return err
	}
	return db.recordReads(reads)
}

// runTx runs fn in a transaction begun with opts and commits if fn returns
// nil. On SQLite it first takes the store's one transaction slot (lockTx).
func (db *store) runTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	unlock, err := db.lockTx(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	sqltx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqltx.Rollback()
	actor, _ := haven.ActorFrom(ctx)
	job, _ := haven.SystemFrom(ctx)
	tx := &Tx{Tx: sqltx, db: db, now: db.now(), actor: actor, job: job, readOnly: opts != nil && opts.ReadOnly}
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// audit appends ev to the audit log inside tx, so that the entry exists if
// and only if the change does.
func (tx *Tx) audit(ctx context.Context, ev haven.AuditEvent) error {
	if tx.readOnly {
		return errReadOnlyAudit
	}
	return tx.db.appendAudit(ctx, tx, tx.entry(ev))
}

// execAudited runs query, an INSERT, UPDATE or DELETE, and appends ev to
// the audit log in the same transaction. On PostgreSQL the append rides in
// the same statement (see dialect.withAuditEntry), saving a round trip.
// The entry is written whether or not the statement changes a row, as
// with audit after ExecContext: use it where the statement succeeding is
// the change, such as an INSERT.
func (tx *Tx) execAudited(ctx context.Context, ev haven.AuditEvent, query string, args ...any) (sql.Result, error) {
	attach := tx.db.dialect.withAuditEntry
	if attach == nil {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		return res, tx.audit(ctx, ev)
	}
	return tx.ExecContext(ctx, attach(query, len(args)), append(args, auditArgs(tx.entry(ev))...)...)
}

// entry is ev as an entry written now by the transaction's actor.
func (tx *Tx) entry(ev haven.AuditEvent) haven.AuditEntry {
	if ev.Outcome == "" {
		ev.Outcome = haven.OutcomeSuccess
	}
	actorID := tx.actor.UserID
	if actorID == "" && tx.job != "" {
		actorID = "system:" + string(tx.job)
	}
	return haven.AuditEntry{Time: tx.now, ActorID: actorID, AuditEvent: ev}
}

// readAudits holds the audit entries of the reads one page makes, so
// that they are written in one transaction rather than one each
// (DeferReadAudits).
type readAudits struct {
	mu      sync.Mutex
	entries []haven.AuditEntry
}

type readAuditsKey struct{}

// auditRead records a read: in a read-only transaction (inReadTx), after
// it, in a group commit; in a write transaction, in it, as audit does;
// either way, when ctx defers its page's read entries (DeferReadAudits),
// the entry, stamped now, waits for FlushReadAudits instead. A change is
// never deferred: its entry commits with it (audit).
func (tx *Tx) auditRead(ctx context.Context, ev haven.AuditEvent) error {
	b, ok := ctx.Value(readAuditsKey{}).(*readAudits)
	if !ok && tx.readOnly {
		tx.reads = append(tx.reads, tx.entry(ev))
		return nil
	}
	if !ok {
		return tx.audit(ctx, ev)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries = append(b.entries, tx.entry(ev))
	return nil
}

// DeferReadAudits returns a context under which the store's audited reads
// keep their audit entries for FlushReadAudits instead of committing one
// transaction each. The caller must flush before it shows anything it
// read: a read is never served unrecorded. On PostgreSQL each committed
// entry is a WAL flush, so a page of ten reads saves nine.
func (db *AuditService) DeferReadAudits(ctx context.Context) context.Context {
	return context.WithValue(ctx, readAuditsKey{}, &readAudits{})
}

// FlushReadAudits writes the read entries ctx holds, in one transaction
// (with those of other requests, see recordReads), and empties it. It decides no access: the entries record reads that
// their own methods already decided.
func (db *AuditService) FlushReadAudits(ctx context.Context) error {
	b, ok := ctx.Value(readAuditsKey{}).(*readAudits)
	if !ok {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := db.recordReads(b.entries); err != nil {
		return err
	}
	b.entries = nil
	return nil
}
