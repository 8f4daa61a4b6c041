-- The consent ledger (PRODUCT.md §6). A consent names its recipient (an
-- organization of the directory by HSDS id, or a need code for any
-- provider of that kind), a purpose and the data categories it covers
-- (space-separated codes of haven.DataCategories), how it was given
-- (written or verbal), who witnessed it and who explained it in which
-- language, and when it expires; revoked_at ends it at once. These are
-- coded so that a partner's access can be decided in one indexed query;
-- the worker's note is sealed under the survivor's data key.
CREATE TABLE consents (
    id             TEXT PRIMARY KEY,
    survivor_id    TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    recipient_kind TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    categories     TEXT NOT NULL,
    method         TEXT NOT NULL,
    witness_id     TEXT REFERENCES users (id),
    language       TEXT NOT NULL,
    explained_by   TEXT NOT NULL REFERENCES users (id),
    note_enc       BYTEA,
    given_at       TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_by     TEXT REFERENCES users (id)
);
CREATE INDEX consents_survivor ON consents (survivor_id, given_at);
CREATE INDEX consents_recipient ON consents (recipient, expires_at);
