-- Two-step enrolment in progress: the new TOTP secret is kept apart from
-- the active one, which stays in force until the new one is confirmed.
-- The pending secret is sealed by the vault, belongs to the session that
-- began it, and lapses after a few minutes.
ALTER TABLE users ADD COLUMN totp_pending_secret BLOB;
ALTER TABLE users ADD COLUMN totp_pending_session TEXT;
ALTER TABLE users ADD COLUMN totp_pending_at TIMESTAMP;
