-- On PostgreSQL this migration keeps ciphertexts in their rows instead of
-- compressing and moving them out of line. SQLite neither compresses nor
-- moves values below a page, so it has nothing to change; the file exists
-- because both engines have the same migrations.
SELECT 1;
