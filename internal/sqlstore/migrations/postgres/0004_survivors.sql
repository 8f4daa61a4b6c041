-- Survivors' records. Columns ending in _enc hold AES-256-GCM ciphertexts
-- under the survivor's own data key, bound to table, column and record; the
-- rest are coded fields (see fields.go for the registry).
CREATE TABLE survivors (
    id                        TEXT PRIMARY KEY,
    case_number               TEXT NOT NULL UNIQUE,
    name_dob_index            BYTEA,
    age_band                  TEXT NOT NULL DEFAULT '',
    minor                     BOOLEAN NOT NULL DEFAULT FALSE,
    languages                 TEXT NOT NULL DEFAULT '[]',
    preferred_provider_gender TEXT NOT NULL DEFAULT '',
    contact_channels          TEXT NOT NULL DEFAULT '',
    do_not_contact            BOOLEAN NOT NULL DEFAULT FALSE,
    voicemail_safe            BOOLEAN NOT NULL DEFAULT FALSE,
    name_enc                  BYTEA,
    aliases_enc               BYTEA,
    date_of_birth_enc         BYTEA,
    phones_enc                BYTEA,
    emails_enc                BYTEA,
    addresses_enc             BYTEA,
    immigration_status_enc    BYTEA,
    notes_enc                 BYTEA,
    cultural_considerations_enc BYTEA,
    faith_considerations_enc  BYTEA,
    safe_contact_enc          BYTEA,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL
);
CREATE INDEX survivors_name_dob_index ON survivors (name_dob_index);

-- Survivors' data keys and the blind-index key live in the key store
-- (keystore.go), a database of their own.

-- Who works with each survivor.
CREATE TABLE care_team (
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (survivor_id, user_id)
);
CREATE INDEX care_team_user ON care_team (user_id);
