-- Server-side sessions: only a SHA-256 hash of each token is stored.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Sign-in throttling, shared by every instance: keyed by a hash of the
-- username or client, so that it holds no identifier in the clear.
CREATE TABLE login_throttle (
    key_hash     BLOB PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TIMESTAMP NOT NULL
);

-- TOTP multi-factor: the secret is sealed by the vault; last_step blocks
-- replay of a code within its window.
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- One-use recovery codes for a lost authenticator, stored hashed.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- Scoped API tokens for machine clients, stored hashed and revocable.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP,
    last_used   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
