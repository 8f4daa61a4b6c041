-- Disclosures outside the care team (PRODUCT.md §7). A request names its
-- requester and agency (the recipient, not survivor data), the requester's
-- contact in Haven, its legal basis, the consent it rests on if any, the
-- deadline and the fields it discloses (registry keys, table.column). The
-- documents received and the supervisor's reason are sealed under the
-- survivor's data key. The package's PDF and JSON are sealed too, built
-- once at approval; their SHA-256 are kept in the clear.
CREATE TABLE disclosures (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    survivor_id      TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    requester        TEXT NOT NULL,
    agency           TEXT NOT NULL,
    contact_id       TEXT REFERENCES users (id),
    basis            TEXT NOT NULL,
    consent_id       TEXT REFERENCES consents (id) ON DELETE SET NULL,
    documents_enc    BYTEA NOT NULL,
    deadline         TEXT NOT NULL,
    fields           TEXT NOT NULL,
    legal_hold_until TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    prepared_by      TEXT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    submitted_at     TIMESTAMPTZ NOT NULL,
    rounds           INTEGER NOT NULL,
    decided_by       TEXT REFERENCES users (id),
    decided_at       TIMESTAMPTZ,
    decision_enc     BYTEA,
    pdf_enc          BYTEA,
    json_enc         BYTEA,
    pdf_hash         TEXT NOT NULL DEFAULT '',
    json_hash        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX disclosures_survivor ON disclosures (survivor_id, created_at);
CREATE INDEX disclosures_status ON disclosures (status, submitted_at);
-- The accounting of disclosures (HIPAA 164.528): one row per disclosure
-- made, holding no personal data (categories, recipient agency, dates,
-- basis, number, hash) and no foreign key to the record, so that it
-- outlives the record's crypto-shredding; kept six years (kept_until).
CREATE TABLE disclosure_accounting (
    number       TEXT PRIMARY KEY,
    survivor_id  TEXT NOT NULL,
    disclosed_at TIMESTAMPTZ NOT NULL,
    agency       TEXT NOT NULL,
    basis        TEXT NOT NULL,
    categories   TEXT NOT NULL,
    hash         TEXT NOT NULL,
    kept_until   TIMESTAMPTZ NOT NULL
);
CREATE INDEX disclosure_accounting_survivor ON disclosure_accounting (survivor_id, disclosed_at);
-- A task's kind: '' for the tasks staff add; survivor_notification,
-- mandated_report and guardian_notification for those disclosures open,
-- which have rules of their own for completing them.
ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT '';
-- A minor's mandated report (PRODUCT.md §8): the jurisdiction's agency,
-- its task, and once made what was reported (field keys), to whom, when,
-- the agency's report number (sealed) and its disclosure number in the
-- accounting. The guardian-notification task stays blocked until the
-- safety check records that the guardian is not implicated.
CREATE TABLE mandated_reports (
    id                      TEXT PRIMARY KEY,
    survivor_id             TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    jurisdiction            TEXT NOT NULL,
    agency_kind             TEXT NOT NULL,
    agency                  TEXT NOT NULL,
    due_on                  TEXT NOT NULL,
    task_id                 TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    guardian_task_id        TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    opened_by               TEXT NOT NULL REFERENCES users (id),
    opened_at               TIMESTAMPTZ NOT NULL,
    fields                  TEXT NOT NULL DEFAULT '',
    reported_to             TEXT NOT NULL DEFAULT '',
    reported_on             TEXT NOT NULL DEFAULT '',
    report_number_enc       BYTEA,
    number                  TEXT NOT NULL DEFAULT '',
    guardian_not_implicated BOOLEAN,
    guardian_note_enc       BYTEA,
    guardian_checked_by     TEXT REFERENCES users (id),
    guardian_checked_at     TIMESTAMPTZ
);
CREATE INDEX mandated_reports_survivor ON mandated_reports (survivor_id, opened_at);
CREATE INDEX mandated_reports_guardian ON mandated_reports (guardian_task_id);
-- An adult survivor's choices about telling their family, every change
-- kept: whether anyone may be told, who (sealed) and what (categories).
CREATE TABLE family_choices (
    id          TEXT PRIMARY KEY,
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    notify      BOOLEAN NOT NULL,
    who_enc     BYTEA,
    what        TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX family_choices_survivor ON family_choices (survivor_id, recorded_at);
