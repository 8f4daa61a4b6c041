// Package auditlog makes Haven's audit log tamper-evident: a deterministic
// byte encoding of each entry, leaf hashes in an RFC 6962 Merkle tree
// (golang.org/x/mod/sumdb/tlog), and checkpoints of the tree signed with
// Ed25519 in the signed-note format (golang.org/x/mod/sumdb/note).
//
// The package holds no storage: internal/sqlstore keeps the entries and
// stored hashes and calls this package to compute and check them.
package auditlog

import (
	"encoding/binary"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/haven-care/haven"
)

// encodingTag starts every encoded entry, so that a future change of format
// cannot produce the bytes of an old one.
const encodingTag = "haven.audit.v1\x00"

// Encode returns the canonical bytes of e: the tag, the index as a big-endian
// uint64, the time in UTC as big-endian Unix seconds (int64) and nanoseconds
// (uint32), then actor ID, action, object type, object ID, outcome and
// reason, each as a big-endian uint32 length followed by its bytes. Fixed
// widths and length prefixes make the encoding unambiguous: no two distinct
// entries share one.
func Encode(e haven.AuditEntry) []byte {
	fields := []string{e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.Reason}
	size := len(encodingTag) + 8 + 8 + 4
	for _, f := range fields {
		size += 4 + len(f)
	}
	b := make([]byte, 0, size)
	b = append(b, encodingTag...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Index))
	t := e.Time.UTC()
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// LeafHash returns the Merkle leaf hash of e: tlog.RecordHash of its
// encoding.
func LeafHash(e haven.AuditEntry) tlog.Hash { return tlog.RecordHash(Encode(e)) }

// StoredHashes returns the hashes to store when e is appended as entry
// e.Index of a log whose earlier stored hashes r reads.
func StoredHashes(e haven.AuditEntry, r tlog.HashReader) ([]tlog.Hash, error) {
	return tlog.StoredHashes(e.Index, Encode(e), r)
}
