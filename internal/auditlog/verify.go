package auditlog

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/haven-care/haven"
)

// BadEntryError names the first entry of a log that does not verify.
type BadEntryError struct {
	Index  int64
	Reason string
}

func (e *BadEntryError) Error() string { return fmt.Sprintf("audit entry %d: %s", e.Index, e.Reason) }

// Checker recomputes a log's hashes entry by entry, in index order, and
// compares them with the stored ones. It keeps only the O(log n) hashes of
// the tree's right edge, so logs of any length fit in memory.
type Checker struct {
	size int64
	// edge holds, by stored-hash index, the roots of the complete subtrees
	// of the tree of size: all that later appends and the root read.
	edge map[int64]tlog.Hash
}

// NewChecker returns a Checker for a log starting at index 0.
func NewChecker() *Checker { return &Checker{edge: map[int64]tlog.Hash{}} }

// Size returns the number of entries checked.
func (c *Checker) Size() int64 { return c.size }

// Add checks the next entry e against stored, the hashes stored when it was
// appended (stored-hash indexes tlog.StoredHashIndex(0, e.Index) up to that
// of the next entry). It returns a *BadEntryError if e is out of place or
// any hash differs; the Checker is then unchanged.
func (c *Checker) Add(e haven.AuditEntry, stored []tlog.Hash) error {
	want, err := c.hashes(e)
	if err != nil {
		return err
	}
	if len(stored) != len(want) {
		return &BadEntryError{Index: c.size, Reason: fmt.Sprintf("%d stored hashes, want %d", len(stored), len(want))}
	}
	for i := range want {
		if stored[i] != want[i] {
			what := "leaf hash"
			if i > 0 {
				what = fmt.Sprintf("stored tree hash %d", tlog.StoredHashIndex(0, c.size)+int64(i))
			}
			return &BadEntryError{Index: c.size, Reason: what + " does not match the entry (entry or hash edited)"}
		}
	}
	c.push(want)
	return nil
}

// Extend adds the next entry e without stored hashes to compare (an entry
// appended but not yet hashed into the stored tree) and returns the hashes
// its append adds. It returns a *BadEntryError if e is out of place.
func (c *Checker) Extend(e haven.AuditEntry) ([]tlog.Hash, error) {
	hs, err := c.hashes(e)
	if err != nil {
		return nil, err
	}
	c.push(hs)
	return hs, nil
}

// hashes returns the hashes the append of e, the next entry, stores, or a
// *BadEntryError if e is out of place.
func (c *Checker) hashes(e haven.AuditEntry) ([]tlog.Hash, error) {
	if e.Index != c.size {
		return nil, &BadEntryError{Index: c.size, Reason: fmt.Sprintf("found entry numbered %d in its place (deleted, moved or inserted entries)", e.Index)}
	}
	return StoredHashes(e, c.reader())
}

// push records the hashes of the appended entry and drops those that no
// later append or root computation reads.
func (c *Checker) push(hashes []tlog.Hash) {
	first := tlog.StoredHashIndex(0, c.size)
	for i, h := range hashes {
		c.edge[first+int64(i)] = h
	}
	c.size++
	keep := map[int64]bool{}
	for level := 0; c.size>>level > 0; level++ {
		if (c.size>>level)&1 == 1 {
			keep[tlog.StoredHashIndex(level, (c.size>>level)-1)] = true
		}
	}
	for i := range c.edge {
		if !keep[i] {
			delete(c.edge, i)
		}
	}
}

func (c *Checker) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			h, ok := c.edge[x]
			if !ok {
				return nil, fmt.Errorf("audit checker: hash %d not kept", x)
			}
			out[i] = h
		}
		return out, nil
	})
}

// Root returns the Merkle tree root of the entries checked.
func (c *Checker) Root() (tlog.Hash, error) { return tlog.TreeHash(c.size, c.reader()) }

// CheckCheckpoint checks that cp commits to a prefix of the tree whose first
// size entries have root and whose stored hashes r reads: equal roots for a
// checkpoint of the same size, a consistency proof (tlog.ProveTree,
// tlog.CheckTree) for an older, smaller one. A checkpoint larger than the
// tree means entries were cut from the end: the error names the first
// missing one. Any other mismatch means history before cp.Size was
// rewritten, hashes included, and names entry 0, the first that can no
// longer be trusted.
func CheckCheckpoint(cp Checkpoint, size int64, root tlog.Hash, r tlog.HashReader) error {
	switch {
	case cp.Size > size:
		return &BadEntryError{Index: size, Reason: fmt.Sprintf("missing: the log has %d entries but a signed checkpoint covers %d (log truncated)", size, cp.Size)}
	case cp.Size == size && cp.Root != root:
		return &BadEntryError{Index: 0, Reason: fmt.Sprintf("the tree of %d entries does not match the signed checkpoint (history rewritten)", size)}
	case cp.Size == size:
		return nil
	case cp.Size == 0:
		if empty, _ := tlog.TreeHash(0, nil); cp.Root != empty {
			return &BadEntryError{Index: 0, Reason: "the signed checkpoint of 0 entries has a wrong root"}
		}
		return nil
	}
	proof, err := tlog.ProveTree(size, cp.Size, r)
	if err != nil {
		return fmt.Errorf("consistency proof %d→%d: %w", cp.Size, size, err)
	}
	if err := tlog.CheckTree(proof, size, root, cp.Size, cp.Root); err != nil {
		return &BadEntryError{Index: 0, Reason: fmt.Sprintf("the log is not an extension of the signed checkpoint of %d entries (history rewritten)", cp.Size)}
	}
	return nil
}

// CheckInclusion checks a proof (from tlog.ProveRecord) that e is entry
// e.Index of the tree of size entries with root.
func CheckInclusion(proof tlog.RecordProof, size int64, root tlog.Hash, e haven.AuditEntry) error {
	return tlog.CheckRecord(proof, size, root, e.Index, LeafHash(e))
}
