-- Sign-in throttling, reworked: every attempt reserves a slot against each
-- of its keys before any password or code is checked (see signin.go), and
-- keys are HMACs under a secret derived from the blind-index key rather
-- than a constant, so the old rows would never match again.
DROP TABLE login_throttle;
CREATE TABLE signin_throttle (
    key_hash     BLOB PRIMARY KEY,
    attempts     INTEGER NOT NULL,
    locked_until TIMESTAMP NOT NULL,
    last_at      TIMESTAMP NOT NULL
);
