-- Service accounts: users that machine clients act as through API tokens
-- and that never sign in with a password (their password hash is of a
-- random secret no one keeps). See haven.NewServiceAccount.
ALTER TABLE users ADD COLUMN service_account BOOLEAN NOT NULL DEFAULT FALSE;
