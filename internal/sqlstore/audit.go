package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/auditlog"
)

// auditQueryer is what the audit log reads through: the pool or a Tx.
type auditQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// appendAudit writes e as the next entry of the log, with the tree hashes
// its append adds, in the caller's transaction. Advancing the one-row head
// first locks it (a row lock on PostgreSQL; SQLite's immediate transactions
// already exclude other writers), so appenders on any number of instances
// take indexes 0, 1, 2... in turn.
func (db *DB) appendAudit(ctx context.Context, tx *Tx, e haven.AuditEntry) error {
	err := tx.QueryRowContext(ctx, `UPDATE audit_head SET size = size + 1 WHERE id = 1 RETURNING size - 1`).Scan(&e.Index)
	if err != nil {
		return fmt.Errorf("lock audit head: %w", err)
	}
	e.Time = e.Time.UTC()
	hashes, err := auditlog.StoredHashes(e, auditHashReader(ctx, tx))
	if err != nil {
		return fmt.Errorf("audit hashes: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.Index, e.Time, e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.Reason)
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return insertAuditHashes(ctx, tx, tlog.StoredHashIndex(0, e.Index), hashes)
}

// insertAuditHashes stores hashes at consecutive indexes from first, in one
// statement.
func insertAuditHashes(ctx context.Context, tx *Tx, first int64, hashes []tlog.Hash) error {
	rows := make([]string, len(hashes))
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		rows[i] = fmt.Sprintf("($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, first+int64(i), h[:])
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_hashes (idx, hash) VALUES `+strings.Join(rows, ", "), args...)
	if err != nil {
		return fmt.Errorf("store audit hashes: %w", err)
	}
	return nil
}

// auditHashReader reads stored hashes through q, in the order asked.
func auditHashReader(ctx context.Context, q auditQueryer) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		if len(indexes) == 0 {
			return nil, nil
		}
		marks := make([]string, len(indexes))
		args := make([]any, len(indexes))
		for i, x := range indexes {
			marks[i], args[i] = fmt.Sprintf("$%d", i+1), x
		}
		got, err := queryAuditHashes(ctx, q, `WHERE idx IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			h, ok := got[x]
			if !ok {
				return nil, fmt.Errorf("audit hash %d is missing", x)
			}
			out[i] = h
		}
		return out, nil
	})
}

// queryAuditHashes returns the stored hashes that where selects, by index.
func queryAuditHashes(ctx context.Context, q auditQueryer, where string, args ...any) (map[int64]tlog.Hash, error) {
	rows, err := q.QueryContext(ctx, `SELECT idx, hash FROM audit_hashes `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit hashes: %w", err)
	}
	defer rows.Close()
	out := map[int64]tlog.Hash{}
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, fmt.Errorf("read audit hashes: %w", err)
		}
		var h tlog.Hash
		copy(h[:], b)
		if len(b) != tlog.HashSize {
			h[0] ^= 0xff // a hash of the wrong length never matches
		}
		out[idx] = h
	}
	return out, rows.Err()
}

// AuditSize returns the number of audit entries.
func (db *DB) AuditSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_entries`).Scan(&n)
	return n, err
}

// AuditEntries returns the entries with Index in [from, to), in order.
// Errors: Invalid.
func (db *DB) AuditEntries(ctx context.Context, from, to int64) ([]haven.AuditEntry, error) {
	if from < 0 || to < from {
		return nil, haven.Errorf(haven.Invalid, "audit range [%d, %d) is not valid", from, to)
	}
	return db.queryAuditEntries(ctx, `WHERE idx >= $1 AND idx < $2 ORDER BY idx`, from, to)
}

func (db *DB) queryAuditEntries(ctx context.Context, where string, args ...any) ([]haven.AuditEntry, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT idx, at, actor_id, action, object_type, object_id, outcome, reason
		FROM audit_entries `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit entries: %w", err)
	}
	defer rows.Close()
	var out []haven.AuditEntry
	for rows.Next() {
		var e haven.AuditEntry
		if err := rows.Scan(&e.Index, &e.Time, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.Outcome, &e.Reason); err != nil {
			return nil, fmt.Errorf("read audit entries: %w", err)
		}
		e.Time = e.Time.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// auditHead returns the size of the log that appenders have committed.
func auditHead(ctx context.Context, q auditQueryer) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read audit head: %w", err)
	}
	return n, nil
}

// AuditRoot returns the Merkle tree root of the first size entries, from
// the stored hashes. Errors: Invalid.
func (db *DB) AuditRoot(ctx context.Context, size int64) (tlog.Hash, error) {
	if err := db.checkAuditSize(ctx, size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(size, auditHashReader(ctx, db.db))
}

// checkAuditSize refuses a tree size beyond the log.
func (db *DB) checkAuditSize(ctx context.Context, size int64) error {
	head, err := auditHead(ctx, db.db)
	if err != nil {
		return err
	}
	if size < 0 || size > head {
		return haven.Errorf(haven.Invalid, "audit tree size %d is not in [0, %d]", size, head)
	}
	return nil
}

// InclusionProof proves that entry index is in the tree of the first size
// entries; check it with auditlog.CheckInclusion. Errors: Invalid.
func (db *DB) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := db.checkAuditSize(ctx, size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, haven.Errorf(haven.Invalid, "audit entry %d is not in a tree of %d entries", index, size)
	}
	return tlog.ProveRecord(size, index, auditHashReader(ctx, db.db))
}

// ConsistencyProof proves that the tree of the first oldSize entries is a
// prefix of that of the first newSize; check it with tlog.CheckTree.
// Errors: Invalid.
func (db *DB) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	if err := db.checkAuditSize(ctx, newSize); err != nil {
		return nil, err
	}
	if oldSize < 1 || oldSize > newSize {
		return nil, haven.Errorf(haven.Invalid, "audit tree size %d is not in [1, %d]", oldSize, newSize)
	}
	return tlog.ProveTree(newSize, oldSize, auditHashReader(ctx, db.db))
}

// SignCheckpoint signs a checkpoint of the whole log with signer, stores it
// and returns it. It refuses to sign a tree that is not an extension of the
// latest stored checkpoint. It trusts the stored hashes since then: run
// VerifyAudit first to check them against the entries.
func (db *DB) SignCheckpoint(ctx context.Context, signer note.Signer) ([]byte, error) {
	size, err := auditHead(ctx, db.db)
	if err != nil {
		return nil, err
	}
	root, err := tlog.TreeHash(size, auditHashReader(ctx, db.db))
	if err != nil {
		return nil, fmt.Errorf("audit tree root: %w", err)
	}
	if prev, err := db.LatestCheckpoint(ctx); err != nil {
		return nil, err
	} else if prev != nil {
		if err := db.checkPrevious(ctx, prev, size, root); err != nil {
			return nil, err
		}
	}
	msg, err := auditlog.Sign(auditlog.Checkpoint{Origin: signer.Name(), Size: size, Root: root}, signer)
	if err != nil {
		return nil, err
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, signed_at, note) VALUES ($1, $2, $3)`, size, db.now(), string(msg))
	if err != nil {
		return nil, fmt.Errorf("store audit checkpoint: %w", err)
	}
	return msg, nil
}

// checkPrevious checks the tree of size entries with root against the
// previous stored checkpoint's body.
func (db *DB) checkPrevious(ctx context.Context, prev []byte, size int64, root tlog.Hash) error {
	cp, err := auditlog.ParseCheckpoint(prev)
	if err != nil {
		return err
	}
	if err := auditlog.CheckCheckpoint(cp, size, root, auditHashReader(ctx, db.db)); err != nil {
		return fmt.Errorf("refusing to sign an audit checkpoint: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the stored signed checkpoint of the largest
// size, or nil if none was signed.
func (db *DB) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var msg string
	err := db.db.QueryRowContext(ctx, `SELECT note FROM audit_checkpoints ORDER BY size DESC, id DESC LIMIT 1`).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read audit checkpoint: %w", err)
	}
	return []byte(msg), nil
}

// auditVerifyBatch is how many entries VerifyAudit reads at a time.
const auditVerifyBatch = 1000

// VerifyAudit recomputes every entry's hashes and compares them with the
// stored ones and the tree root, then checks the log against a signed
// checkpoint: the one given, or the latest stored if checkpoint is nil.
// The report names the first entry that was edited, deleted, moved or
// inserted. A checkpoint whose signature v does not accept is an error.
func (db *DB) VerifyAudit(ctx context.Context, v note.Verifier, checkpoint []byte) (haven.AuditReport, error) {
	rep := haven.AuditReport{FirstBad: -1, CheckpointSize: -1}
	cp, err := db.openCheckpoint(ctx, v, checkpoint)
	if err != nil {
		return rep, err
	}
	c := auditlog.NewChecker()
	err = db.checkAuditEntries(ctx, c)
	if err == nil {
		err = db.checkAuditTail(ctx, c.Size())
	}
	root, rerr := c.Root()
	if rerr != nil {
		return rep, rerr
	}
	rep.Checked, rep.Root = c.Size(), root.String()
	if err == nil && cp != nil {
		rep.CheckpointSize = cp.Size
		err = auditlog.CheckCheckpoint(*cp, c.Size(), root, auditHashReader(ctx, db.db))
	}
	var bad *auditlog.BadEntryError
	if errors.As(err, &bad) {
		rep.FirstBad, rep.Message = bad.Index, bad.Error()
		return rep, nil
	} else if err != nil {
		return rep, err
	}
	rep.Message = fmt.Sprintf("audit log OK: %d entries, root %s", rep.Checked, rep.Root)
	if cp != nil {
		rep.Message += fmt.Sprintf(", consistent with the signed checkpoint of %d entries", cp.Size)
	}
	return rep, nil
}

// openCheckpoint checks the signature of checkpoint, or of the latest stored
// one when it is nil, and returns it; nil when there is none.
func (db *DB) openCheckpoint(ctx context.Context, v note.Verifier, checkpoint []byte) (*auditlog.Checkpoint, error) {
	if checkpoint == nil {
		var err error
		if checkpoint, err = db.LatestCheckpoint(ctx); err != nil || checkpoint == nil {
			return nil, err
		}
	}
	if v == nil {
		return nil, fmt.Errorf("no verifier key to check the audit checkpoint with")
	}
	cp, err := auditlog.Open(checkpoint, v)
	if err != nil {
		return nil, err
	}
	return &cp, nil
}

// checkAuditEntries feeds every entry, in index order, with its stored
// hashes to c. It stops at the first bad entry.
func (db *DB) checkAuditEntries(ctx context.Context, c *auditlog.Checker) error {
	for {
		from := c.Size()
		batch, err := db.queryAuditEntries(ctx, `WHERE idx >= $1 ORDER BY idx LIMIT $2`, from, auditVerifyBatch)
		if err != nil || len(batch) == 0 {
			return err
		}
		hashes, err := queryAuditHashes(ctx, db.db, `WHERE idx >= $1 AND idx < $2`,
			tlog.StoredHashIndex(0, from), tlog.StoredHashIndex(0, from+int64(len(batch))))
		if err != nil {
			return err
		}
		for i, e := range batch {
			if err := c.Add(e, storedRun(hashes, from+int64(i))); err != nil {
				return err
			}
		}
	}
}

// storedRun returns the hashes stored by the append of entry n, up to the
// first missing one.
func storedRun(hashes map[int64]tlog.Hash, n int64) []tlog.Hash {
	var out []tlog.Hash
	for x := tlog.StoredHashIndex(0, n); x < tlog.StoredHashIndex(0, n+1); x++ {
		h, ok := hashes[x]
		if !ok {
			break
		}
		out = append(out, h)
	}
	return out
}

// checkAuditTail checks that nothing was cut from the end of a log of size
// entries without also cutting its hashes and head: entry size is then the
// first missing one.
func (db *DB) checkAuditTail(ctx context.Context, size int64) error {
	var hashes int64
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_hashes`).Scan(&hashes); err != nil {
		return fmt.Errorf("count audit hashes: %w", err)
	}
	head, err := auditHead(ctx, db.db)
	if err != nil {
		return err
	}
	if want := tlog.StoredHashCount(size); hashes != want {
		return &auditlog.BadEntryError{Index: size, Reason: fmt.Sprintf("%d hashes are stored, want %d for %d entries (entries deleted from the end)", hashes, want, size)}
	}
	if head != size {
		return &auditlog.BadEntryError{Index: min(head, size), Reason: fmt.Sprintf("the log head says %d entries, %d are stored", head, size)}
	}
	return nil
}
