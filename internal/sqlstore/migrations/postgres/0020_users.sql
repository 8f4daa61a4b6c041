-- User administration (issue 16): first passwords set by the user, the
-- two-step policy, and reviews of survivor-facing translations.

-- A temporary password must be changed at first sign-in.
ALTER TABLE users ADD COLUMN password_must_change BOOLEAN NOT NULL DEFAULT FALSE;

-- One-time set-password links: only a SHA-256 hash of the token is kept;
-- a link works once (its row is deleted) and lapses at expires_at.
CREATE TABLE password_links (
    token_hash BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX password_links_user ON password_links (user_id);

-- Settings administrators change at run time, one row per setting:
-- two_step_roles holds the roles, space-separated, that must use
-- two-step sign-in. updated_by is a user id.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- Reviews of survivor-facing texts. The catalogs are embedded files; a
-- review holds while the hashes of the English source and of the
-- translation still match them, so an edited text is "drafted" again.
CREATE TABLE translation_reviews (
    language    TEXT NOT NULL,
    msg_key     TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    text_hash   TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (language, msg_key)
);
