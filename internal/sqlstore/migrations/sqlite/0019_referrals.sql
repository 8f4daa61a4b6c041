-- Closed-loop referrals (PRODUCT.md §5). A referral names the directory
-- service and its organization, the care-plan need it serves, the consent
-- that covers it and the kinds of information its packet carries (a
-- subset of the consent's); status is a FHIR Task status of the subset
-- requested, accepted, rejected, cancelled, in-progress, on-hold,
-- completed, failed; reason is coded (no-capacity, ineligible,
-- language-mismatch, survivor-declined, unreachable, other) for the gap
-- analysis. The message to the organization and the notes on each change
-- are sealed under the survivor's data key. reminded_at is set, once, by
-- whichever instance first raises the sender's follow-up task for a
-- referral that has waited too long.
CREATE TABLE referrals (
    id              TEXT PRIMARY KEY,
    survivor_id     TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    service_id      TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    need_id         TEXT REFERENCES needs (id) ON DELETE SET NULL,
    consent_id      TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    purpose         TEXT NOT NULL,
    categories      TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    note_enc        BLOB,
    sender_id       TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    reminded_at     TIMESTAMP
);
CREATE INDEX referrals_survivor ON referrals (survivor_id, created_at);
CREATE INDEX referrals_inbox ON referrals (organization_id, created_at);
CREATE INDEX referrals_waiting ON referrals (status, updated_at);
CREATE TABLE referral_history (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    note_enc    BLOB,
    changed_by  TEXT NOT NULL,
    changed_at  TIMESTAMP NOT NULL
);
CREATE INDEX referral_history_referral ON referral_history (referral_id, changed_at);
CREATE INDEX users_organization ON users (organization_id, role);
