-- Appending an audit entry writes only the entry (and advances audit_head)
-- in the transaction of the change it records; the entry's hashes join the
-- Merkle tree afterwards, in batches (IntegrateAudit: a background loop in
-- serve, and before every checkpoint, proof and root). audit_tree.size is
-- how many entries, from index 0, have their hashes stored in audit_hashes;
-- integrators lock its one row. See docs/audit.md.
CREATE TABLE audit_tree (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO audit_tree (id, size) SELECT 1, size FROM audit_head WHERE id = 1;
