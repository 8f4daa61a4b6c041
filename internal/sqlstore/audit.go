package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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

// appendAudit writes e as the next entry of the log in the caller's
// transaction. On PostgreSQL it advances the one-row head, which locks it
// until the transaction ends, so appenders on any number of instances take
// indexes 0, 1, 2... in turn and commit in that order; on SQLite, whose
// immediate transactions already exclude other writers, it takes the index
// after the highest. The entry's hashes join the
// Merkle tree later, in batches (IntegrateAudit): the tree proves nothing
// about an entry until a signed checkpoint covers it, so hashing it inside
// the change's transaction would only make every change slower.
func (db *store) appendAudit(ctx context.Context, tx *Tx, e haven.AuditEntry) error {
	if _, err := tx.ExecContext(ctx, db.dialect.insertAuditEntry, auditArgs(e)...); err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// auditArgs are the arguments of an audit append: e's time, actor, action,
// object type, object ID, outcome and reason. The time is stored as it will
// be read back and hashed: in UTC, to the microsecond PostgreSQL keeps.
func auditArgs(e haven.AuditEntry) []any {
	return []any{e.Time.UTC().Truncate(time.Microsecond), e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.Reason}
}

// auditIntegrateBatch is how many entries one integration transaction
// hashes into the tree.
const auditIntegrateBatch = 4096

// auditHashRows is how many stored hashes one INSERT writes on SQLite: the
// driver looks up each numbered parameter's name by a linear scan, so a
// statement with n parameters costs O(n²) to bind.
const auditHashRows = 64

// IntegrateAudit adds the hashes of every committed entry not yet in the
// stored Merkle tree, in transactions of auditIntegrateBatch entries, and
// returns the tree's size. Integrators on several instances take turns on
// the tree's row lock. It hashes up to a gap in the entries and no further,
// returning an error that names the missing entry: a damaged log is for
// VerifyAudit to report, not to be sealed into the tree.
func (db *AuditService) IntegrateAudit(ctx context.Context) (int64, error) {
	// Most calls find nothing to do: answer them from one read, without
	// a write transaction (which would cost a WAL write even when idle).
	var head, size int64
	err := db.db.QueryRowContext(ctx, `SELECT h.size, t.size FROM audit_head h, audit_tree t WHERE h.id = 1 AND t.id = 1`).Scan(&head, &size)
	if err != nil {
		return 0, fmt.Errorf("read audit sizes: %w", err)
	}
	if head == size {
		return size, nil
	}
	for {
		var size int64
		var done bool
		var gap error
		err := db.inTx(ctx, func(tx *Tx) error {
			var err error
			size, done, gap, err = tx.integrateAudit(ctx, auditIntegrateBatch)
			return err
		})
		if err == nil {
			err = gap
		}
		if err != nil || done {
			return size, err
		}
	}
}

// integrateAudit hashes up to limit entries into the tree; done reports
// that no committed entry is left out. Entries up to a gap are hashed, and
// gap then describes it.
func (tx *Tx) integrateAudit(ctx context.Context, limit int) (size int64, done bool, gap, err error) {
	// The no-op update takes the row lock on PostgreSQL.
	if err := tx.QueryRowContext(ctx, `UPDATE audit_tree SET size = size WHERE id = 1 RETURNING size`).Scan(&size); err != nil {
		return 0, false, nil, fmt.Errorf("lock audit tree: %w", err)
	}
	entries, err := queryAuditEntries(ctx, tx, `WHERE idx >= $1 ORDER BY idx LIMIT $2`, size, limit)
	if err != nil || len(entries) == 0 {
		return size, true, nil, err
	}
	done = len(entries) < limit
	for i, e := range entries {
		if e.Index != size+int64(i) {
			gap = fmt.Errorf("audit entry %d is missing, so the log cannot be hashed past it: run haven audit verify", size+int64(i))
			entries, done = entries[:i], true
			break
		}
	}
	added := map[int64]tlog.Hash{}
	r := overlayHashReader(added, auditHashReader(ctx, tx))
	var hashes []tlog.Hash
	for _, e := range entries {
		hs, err := auditlog.StoredHashes(e, r)
		if err != nil {
			return size, false, nil, fmt.Errorf("audit hashes: %w", err)
		}
		first := tlog.StoredHashIndex(0, e.Index)
		for j, h := range hs {
			added[first+int64(j)] = h
		}
		hashes = append(hashes, hs...)
	}
	if err := tx.db.dialect.insertAuditHashes(ctx, tx, tlog.StoredHashIndex(0, size), hashes); err != nil {
		return size, false, nil, fmt.Errorf("store audit hashes: %w", err)
	}
	size += int64(len(entries))
	if _, err := tx.ExecContext(ctx, `UPDATE audit_tree SET size = $1 WHERE id = 1`, size); err != nil {
		return size, false, nil, fmt.Errorf("advance audit tree: %w", err)
	}
	return size, done, gap, nil
}

// overlayHashReader reads hashes from over where it has them and the rest,
// in one call, from r.
func overlayHashReader(over map[int64]tlog.Hash, r tlog.HashReader) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, x := range indexes {
			h, ok := over[x]
			if !ok {
				missing = append(missing, x)
			}
			out[i] = h
		}
		if len(missing) == 0 {
			return out, nil
		}
		got, err := r.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for i, x := range indexes {
			if _, ok := over[x]; !ok {
				out[i], got = got[0], got[1:]
			}
		}
		return out, nil
	})
}

// insertHashRows stores hashes at consecutive indexes from first, with
// multi-row INSERTs of auditHashRows rows.
func insertHashRows(ctx context.Context, tx *Tx, first int64, hashes []tlog.Hash) error {
	for len(hashes) > 0 {
		n := min(len(hashes), auditHashRows)
		rows := make([]string, n)
		args := make([]any, 0, 2*n)
		for i, h := range hashes[:n] {
			rows[i] = fmt.Sprintf("($%d, $%d)", 2*i+1, 2*i+2)
			args = append(args, first+int64(i), h[:])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_hashes (idx, hash) VALUES `+strings.Join(rows, ", "), args...); err != nil {
			return err
		}
		first, hashes = first+int64(n), hashes[n:]
	}
	return nil
}

// insertHashArrays stores hashes at consecutive indexes from first in one
// statement, as two PostgreSQL arrays.
func insertHashArrays(ctx context.Context, tx *Tx, first int64, hashes []tlog.Hash) error {
	idx := make([]int64, len(hashes))
	hs := make([][]byte, len(hashes))
	for i := range hashes {
		idx[i], hs[i] = first+int64(i), hashes[i][:]
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, idx, hs)
	return err
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

// AuditSize returns the number of audit entries: the size of the log's
// head, which every append advances in its transaction.
func (db *AuditService) AuditSize(ctx context.Context) (int64, error) { return auditHead(ctx, db.db) }

// AuditEntries returns the entries with Index in [from, to), in order.
// Errors: Invalid.
func (db *AuditService) AuditEntries(ctx context.Context, from, to int64) ([]haven.AuditEntry, error) {
	if from < 0 || to < from {
		return nil, haven.Errorf(haven.Invalid, "audit range [%d, %d) is not valid", from, to)
	}
	return queryAuditEntries(ctx, db.db, `WHERE idx >= $1 AND idx < $2 ORDER BY idx`, from, to)
}

// queryAuditEntries returns the entries that where selects, through q.
func queryAuditEntries(ctx context.Context, q auditQueryer, where string, args ...any) ([]haven.AuditEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT idx, at, actor_id, action, object_type, object_id, outcome, reason
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

// auditTreeSize returns how many entries have their hashes stored.
func auditTreeSize(ctx context.Context, q auditQueryer) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT size FROM audit_tree WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read audit tree size: %w", err)
	}
	return n, nil
}

// auditSnapshot begins a read-only transaction that sees one committed state
// of the log however long it runs and whatever other instances append
// meanwhile: repeatable read on PostgreSQL, a deferred read transaction on
// SQLite (in WAL mode, a snapshot that takes no write lock). Without it, a
// verifier could count the hashes of entries appended after it read the
// entries, and report a tampering that did not happen.
func (db *store) auditSnapshot(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin audit snapshot: %w", err)
	}
	return tx, nil
}

// AuditRoot returns the Merkle tree root of the first size entries, from
// the stored hashes (integrating the log first). Errors: Invalid.
func (db *AuditService) AuditRoot(ctx context.Context, size int64) (tlog.Hash, error) {
	if err := db.checkAuditSize(ctx, size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(size, auditHashReader(ctx, db.db))
}

// checkAuditSize integrates the log and refuses a tree size beyond it.
func (db *AuditService) checkAuditSize(ctx context.Context, size int64) error {
	head, err := db.IntegrateAudit(ctx)
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
func (db *AuditService) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
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
func (db *AuditService) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
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
func (db *AuditService) SignCheckpoint(ctx context.Context, signer note.Signer) ([]byte, error) {
	if _, err := db.IntegrateAudit(ctx); err != nil {
		return nil, err
	}
	cp, err := db.checkpointToSign(ctx, signer.Name())
	if err != nil {
		return nil, err
	}
	msg, err := auditlog.Sign(cp, signer)
	if err != nil {
		return nil, err
	}
	_, err = db.execWrite(ctx, `INSERT INTO audit_checkpoints (size, signed_at, note) VALUES ($1, $2, $3)`, cp.Size, db.now(), string(msg))
	if err != nil {
		return nil, fmt.Errorf("store audit checkpoint: %w", err)
	}
	return msg, nil
}

// checkpointToSign returns the checkpoint of the stored tree, read in one
// snapshot with the latest stored checkpoint, after checking that it
// extends that one.
func (db *store) checkpointToSign(ctx context.Context, origin string) (auditlog.Checkpoint, error) {
	snap, err := db.auditSnapshot(ctx)
	if err != nil {
		return auditlog.Checkpoint{}, err
	}
	defer snap.Rollback()
	cp := auditlog.Checkpoint{Origin: origin}
	if cp.Size, err = auditTreeSize(ctx, snap); err != nil {
		return cp, err
	}
	if cp.Root, err = tlog.TreeHash(cp.Size, auditHashReader(ctx, snap)); err != nil {
		return cp, fmt.Errorf("audit tree root: %w", err)
	}
	prev, err := latestCheckpoint(ctx, snap)
	if err != nil || prev == nil {
		return cp, err
	}
	return cp, checkPrevious(ctx, snap, prev, cp)
}

// checkPrevious checks cp against the previous stored checkpoint's body,
// with the stored hashes that q reads.
func checkPrevious(ctx context.Context, q auditQueryer, prev []byte, cp auditlog.Checkpoint) error {
	old, err := auditlog.ParseCheckpoint(prev)
	if err != nil {
		return err
	}
	if err := auditlog.CheckCheckpoint(old, cp.Size, cp.Root, auditHashReader(ctx, q)); err != nil {
		return fmt.Errorf("refusing to sign an audit checkpoint: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the stored signed checkpoint of the largest
// size, or nil if none was signed.
func (db *AuditService) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	return latestCheckpoint(ctx, db.db)
}

// latestCheckpoint is LatestCheckpoint through q.
func latestCheckpoint(ctx context.Context, q auditQueryer) ([]byte, error) {
	return scanCheckpoint(q.QueryRowContext(ctx, `SELECT note FROM audit_checkpoints ORDER BY size DESC, id DESC LIMIT 1`))
}

// latestCheckpointOf returns, through q, the largest stored checkpoint
// whose origin (the signing key's name) is origin, or nil. Instances that
// each sign with their own key store checkpoints side by side; each key's
// checkpoints are checked with that key.
func latestCheckpointOf(ctx context.Context, q auditQueryer, origin string) ([]byte, error) {
	return scanCheckpoint(q.QueryRowContext(ctx, `SELECT note FROM audit_checkpoints
		WHERE substr(note, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT) ORDER BY size DESC, id DESC LIMIT 1`, origin+"\n"))
}

func scanCheckpoint(row *sql.Row) ([]byte, error) {
	var msg string
	err := row.Scan(&msg)
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
//
// It reads one snapshot of the log, so other instances may keep appending
// while it runs: the report covers the entries committed when it began.
func (db *AuditService) VerifyAudit(ctx context.Context, v note.Verifier, checkpoint []byte) (haven.AuditReport, error) {
	rep := haven.AuditReport{FirstBad: -1, CheckpointSize: -1}
	snap, err := db.auditSnapshot(ctx)
	if err != nil {
		return rep, err
	}
	defer snap.Rollback()
	cp, err := openCheckpoint(ctx, snap, v, checkpoint)
	if err != nil {
		return rep, err
	}
	hashed, err := auditTreeSize(ctx, snap)
	if err != nil {
		return rep, err
	}
	c := auditlog.NewChecker()
	computed := map[int64]tlog.Hash{} // the hashes of entries not yet in the stored tree
	err = checkAuditEntries(ctx, snap, c, hashed, computed)
	if err == nil {
		err = checkAuditTail(ctx, snap, c.Size(), hashed)
	}
	root, rerr := c.Root()
	if rerr != nil {
		return rep, rerr
	}
	rep.Checked, rep.Root = c.Size(), root.String()
	if err == nil && cp != nil {
		rep.CheckpointSize = cp.Size
		err = auditlog.CheckCheckpoint(*cp, c.Size(), root, overlayHashReader(computed, auditHashReader(ctx, snap)))
	}
	var bad *auditlog.BadEntryError
	if errors.As(err, &bad) {
		rep.FirstBad, rep.Message = bad.Index, bad.Error()
		return rep, nil
	} else if err != nil {
		return rep, err
	}
	rep.Message = fmt.Sprintf("audit log OK: %d entries, root %s", rep.Checked, rep.Root)
	if n := rep.Checked - hashed; n > 0 {
		rep.Message += fmt.Sprintf(" (the last %d hashed here, not yet in the stored tree)", n)
	}
	if cp != nil {
		rep.Message += fmt.Sprintf(", consistent with the signed checkpoint of %d entries", cp.Size)
	}
	return rep, nil
}

// openCheckpoint checks the signature of checkpoint, or of the latest one
// of v's key stored (read through q) when it is nil, and returns it; nil
// when there is none.
func openCheckpoint(ctx context.Context, q auditQueryer, v note.Verifier, checkpoint []byte) (*auditlog.Checkpoint, error) {
	if checkpoint == nil {
		var err error
		if v == nil {
			checkpoint, err = latestCheckpoint(ctx, q)
		} else {
			checkpoint, err = latestCheckpointOf(ctx, q, v.Name())
		}
		if err != nil || checkpoint == nil {
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

// checkAuditEntries feeds every entry that q reads, in index order, to c:
// the first hashed entries with their stored hashes, which c checks, and
// the rest alone, their computed hashes going into computed. It stops at
// the first bad entry.
func checkAuditEntries(ctx context.Context, q auditQueryer, c *auditlog.Checker, hashed int64, computed map[int64]tlog.Hash) error {
	for {
		from := c.Size()
		batch, err := queryAuditEntries(ctx, q, `WHERE idx >= $1 ORDER BY idx LIMIT $2`, from, auditVerifyBatch)
		if err != nil || len(batch) == 0 {
			return err
		}
		hashes, err := queryAuditHashes(ctx, q, `WHERE idx >= $1 AND idx < $2`,
			tlog.StoredHashIndex(0, from), tlog.StoredHashIndex(0, min(from+int64(len(batch)), max(hashed, from))))
		if err != nil {
			return err
		}
		for i, e := range batch {
			n := from + int64(i)
			if n < hashed {
				err = c.Add(e, storedRun(hashes, n))
			} else {
				var hs []tlog.Hash
				hs, err = c.Extend(e)
				for j, h := range hs {
					computed[tlog.StoredHashIndex(0, n)+int64(j)] = h
				}
			}
			if err != nil {
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

// checkAuditTail checks, through q, that nothing was cut from the end of a
// log of size entries, of which the first hashed are in the stored tree,
// without also cutting its hashes, tree size and head: entry size is then
// the first missing one.
func checkAuditTail(ctx context.Context, q auditQueryer, size, hashed int64) error {
	var hashes int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_hashes`).Scan(&hashes); err != nil {
		return fmt.Errorf("count audit hashes: %w", err)
	}
	head, err := auditHead(ctx, q)
	if err != nil {
		return err
	}
	if hashed > size {
		return &auditlog.BadEntryError{Index: size, Reason: fmt.Sprintf("the stored tree covers %d entries, %d are stored (entries deleted from the end)", hashed, size)}
	}
	if want := tlog.StoredHashCount(hashed); hashes != want {
		return &auditlog.BadEntryError{Index: hashed, Reason: fmt.Sprintf("%d hashes are stored, want %d for a tree of %d entries (entries deleted from the end)", hashes, want, hashed)}
	}
	if head != size {
		return &auditlog.BadEntryError{Index: min(head, size), Reason: fmt.Sprintf("the log head says %d entries, %d are stored", head, size)}
	}
	return nil
}
