-- The append-only, tamper-evident audit log (see docs/audit.md): opaque
-- identifiers only, never personal data. Entries are numbered from 0 without
-- gaps; audit_hashes holds the RFC 6962 tree's stored hashes (tlog indexing);
-- audit_head is the one row every appender locks and advances.
CREATE TABLE audit_entries (
    idx         INTEGER PRIMARY KEY CHECK (idx >= 0),
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE TABLE audit_hashes (
    idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash BLOB NOT NULL
);
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO audit_head (id, size) VALUES (1, 0);
-- Signed checkpoints (signed notes); copies belong outside the database too.
CREATE TABLE audit_checkpoints (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    size      INTEGER NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    note      TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_size ON audit_checkpoints (size);
