-- Ciphertexts do not compress, so PostgreSQL's default storage for them
-- (EXTENDED: try to compress, then move out of line once a row passes about
-- 2 KB) only wastes a compression attempt and then writes the value to the
-- TOAST table and its index as well. MAIN keeps them in the row, moving a
-- value out of line only when the row would not fit in a page at all.
ALTER TABLE survivors
    ALTER COLUMN name_enc SET STORAGE MAIN,
    ALTER COLUMN aliases_enc SET STORAGE MAIN,
    ALTER COLUMN date_of_birth_enc SET STORAGE MAIN,
    ALTER COLUMN phones_enc SET STORAGE MAIN,
    ALTER COLUMN emails_enc SET STORAGE MAIN,
    ALTER COLUMN addresses_enc SET STORAGE MAIN,
    ALTER COLUMN immigration_status_enc SET STORAGE MAIN,
    ALTER COLUMN notes_enc SET STORAGE MAIN,
    ALTER COLUMN cultural_considerations_enc SET STORAGE MAIN,
    ALTER COLUMN faith_considerations_enc SET STORAGE MAIN,
    ALTER COLUMN safe_contact_enc SET STORAGE MAIN;
ALTER TABLE screenings
    ALTER COLUMN response_enc SET STORAGE MAIN,
    ALTER COLUMN result_enc SET STORAGE MAIN;
