-- The readable audit trail (issue 16). PostgreSQL gets three search
-- indexes on audit_entries here; SQLite does not: on SQLite they doubled
-- the cost of an audit append (+45 µs at the median of a survivor write,
-- which broke the 30% goal for encryption plus audit), and a single-instance
-- SQLite deployment's log is small enough to search by scanning newest
-- first. See docs/performance.md for both figures.

-- Staff training (issue 16). Rows hold staff data, never survivor data.
-- Each quiz attempt at a Haven module (internal/training/modules.json);
-- ce_hours is what a pass earned (0 for a fail).
CREATE TABLE training_completions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module_id    TEXT NOT NULL,
    correct      INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    passed       BOOLEAN NOT NULL,
    ce_hours     DOUBLE PRECISION NOT NULL,
    completed_at TIMESTAMP NOT NULL
);
CREATE INDEX training_completions_user ON training_completions (user_id, completed_at);
-- Trainings taken elsewhere. certificate is the uploaded file (PDF, PNG or
-- JPEG, at most 2 MiB) sealed under the master key (AES-256-GCM, bound to
-- the row), served only to its owner.
CREATE TABLE external_trainings (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider         TEXT NOT NULL,
    title            TEXT NOT NULL,
    hours            DOUBLE PRECISION NOT NULL,
    completed_on     TEXT NOT NULL,
    approved         BOOLEAN NOT NULL,
    certificate      BLOB,
    certificate_type TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX external_trainings_user ON external_trainings (user_id, completed_on);
-- A user's licence as the jurisdiction rules (internal/training/
-- jurisdictions.json) need it; renewal_on is YYYY-MM-DD.
CREATE TABLE licences (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    jurisdiction TEXT NOT NULL,
    licence_type TEXT NOT NULL,
    renewal_on   TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
-- The administrators' training settings: one row.
CREATE TABLE training_policy (
    id                          INTEGER PRIMARY KEY CHECK (id = 1),
    screening_requires_training BOOLEAN NOT NULL,
    modules_approved            BOOLEAN NOT NULL
);
INSERT INTO training_policy (id, screening_requires_training, modules_approved) VALUES (1, FALSE, FALSE);
