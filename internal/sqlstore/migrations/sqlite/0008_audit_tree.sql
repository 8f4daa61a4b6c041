-- Appending an audit entry writes only the entry in the transaction of the
-- change it records; the entry's hashes join the Merkle tree afterwards, in
-- batches (IntegrateAudit: a background loop in serve, and before every
-- checkpoint, proof and root). audit_tree.size is how many entries, from
-- index 0, have their hashes stored in audit_hashes; integrators lock its
-- one row. See docs/audit.md.
CREATE TABLE audit_tree (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO audit_tree (id, size) SELECT 1, size FROM audit_head WHERE id = 1;
-- SQLite lets one writer in at a time, so an append numbers its entry from
-- the highest index; the head is read from the entries rather than kept in
-- a row of its own, which every change would otherwise write as one more
-- page.
DROP TABLE audit_head;
CREATE VIEW audit_head (id, size) AS SELECT 1, COALESCE(MAX(idx) + 1, 0) FROM audit_entries;
