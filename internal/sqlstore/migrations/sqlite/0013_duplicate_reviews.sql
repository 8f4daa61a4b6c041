-- Possible duplicates that their creator may not see (security finding 4):
-- the worker who created survivor_id is told nothing of other_id, which
-- waits here for a supervisor instead.
CREATE TABLE duplicate_reviews (
    id          TEXT PRIMARY KEY,
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    other_id    TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolved_at TIMESTAMP,
    resolution  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX duplicate_reviews_open ON duplicate_reviews (resolved_by, created_at);
