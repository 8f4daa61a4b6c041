-- The dialect of a preferred language is free text (a regional variety can
-- point to a small community or a place of origin), so it is sealed under
-- the survivor's data key like the other sensitive fields (security finding
-- 10). The languages column keeps only the codes and interpreter need. The
-- store moves dialects already in the clear into this column when it
-- migrates (sealLegacyDialects), where it holds the keys this file cannot.
ALTER TABLE survivors ADD COLUMN language_dialects_enc BLOB;
