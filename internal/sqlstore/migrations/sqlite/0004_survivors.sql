-- Survivors' records. Columns ending in _enc hold AES-256-GCM ciphertexts
-- under the survivor's own data key, bound to table, column and record; the
-- rest are coded fields (see fields.go for the registry).
CREATE TABLE survivors (
    id                        TEXT PRIMARY KEY,
    case_number               TEXT NOT NULL UNIQUE,
    name_dob_index            BLOB,
    age_band                  TEXT NOT NULL DEFAULT '',
    minor                     INTEGER NOT NULL DEFAULT 0,
    languages                 TEXT NOT NULL DEFAULT '[]',
    preferred_provider_gender TEXT NOT NULL DEFAULT '',
    contact_channels          TEXT NOT NULL DEFAULT '',
    do_not_contact            INTEGER NOT NULL DEFAULT 0,
    voicemail_safe            INTEGER NOT NULL DEFAULT 0,
    name_enc                  BLOB,
    aliases_enc               BLOB,
    date_of_birth_enc         BLOB,
    phones_enc                BLOB,
    emails_enc                BLOB,
    addresses_enc             BLOB,
    immigration_status_enc    BLOB,
    notes_enc                 BLOB,
    cultural_considerations_enc BLOB,
    faith_considerations_enc  BLOB,
    safe_contact_enc          BLOB,
    created_at                TIMESTAMP NOT NULL,
    updated_at                TIMESTAMP NOT NULL
);
CREATE INDEX survivors_name_dob_index ON survivors (name_dob_index);

-- Survivors' data keys and the blind-index key live in the key store
-- (keystore.go), a database of their own.

-- Who works with each survivor.
CREATE TABLE care_team (
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (survivor_id, user_id)
);
CREATE INDEX care_team_user ON care_team (user_id);
