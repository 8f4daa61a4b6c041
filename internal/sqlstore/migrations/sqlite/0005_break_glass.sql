-- Emergency (break-glass) access: read-only, one hour, reviewed by a
-- supervisor. The typed reason is sealed under the survivor's data key.
CREATE TABLE break_glass (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    reason_enc  BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at TIMESTAMP,
    review      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX break_glass_user_survivor ON break_glass (user_id, survivor_id, expires_at);
CREATE INDEX break_glass_unreviewed ON break_glass (reviewed_by, created_at);
