-- The readable audit trail (issue 16): searches by object (a survivor's
-- access report), by actor and by time walk these indexes newest first
-- instead of the whole log. See docs/performance.md for the figures.
-- (SQLite has none: there they doubled the cost of an append.)
CREATE INDEX audit_entries_object ON audit_entries (object_id, idx);
CREATE INDEX audit_entries_actor ON audit_entries (actor_id, idx);
CREATE INDEX audit_entries_at ON audit_entries (at);

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
    completed_at TIMESTAMPTZ NOT NULL
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
    certificate      BYTEA,
    certificate_type TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX external_trainings_user ON external_trainings (user_id, completed_on);
-- A user's licence as the jurisdiction rules (internal/training/
-- jurisdictions.json) need it; renewal_on is YYYY-MM-DD.
CREATE TABLE licences (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    jurisdiction TEXT NOT NULL,
    licence_type TEXT NOT NULL,
    renewal_on   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
-- The administrators' training settings: one row.
CREATE TABLE training_policy (
    id                          INTEGER PRIMARY KEY CHECK (id = 1),
    screening_requires_training BOOLEAN NOT NULL,
    modules_approved            BOOLEAN NOT NULL
);
INSERT INTO training_policy (id, screening_requires_training, modules_approved) VALUES (1, FALSE, FALSE);
