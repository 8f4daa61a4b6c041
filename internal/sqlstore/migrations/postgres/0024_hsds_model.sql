-- The rest of the HSDS 3.0 model, and the columns the HSDS API filters on.
-- Each new table is kept as 0007's are: the record as JSON (the record of
-- truth, with the custom columns and unknown fields a feed carries), its
-- owners' IDs as copies for lookups.
CREATE TABLE hsds_contacts (
    id                     TEXT PRIMARY KEY,
    organization_id        TEXT NOT NULL DEFAULT '',
    service_id             TEXT NOT NULL DEFAULT '',
    service_at_location_id TEXT NOT NULL DEFAULT '',
    location_id            TEXT NOT NULL DEFAULT '',
    record                 TEXT NOT NULL
);
CREATE INDEX hsds_contacts_organization ON hsds_contacts (organization_id);
CREATE INDEX hsds_contacts_service ON hsds_contacts (service_id);
CREATE INDEX hsds_contacts_location ON hsds_contacts (location_id);
CREATE INDEX hsds_contacts_sal ON hsds_contacts (service_at_location_id);
CREATE TABLE hsds_funding (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL DEFAULT '',
    service_id      TEXT NOT NULL DEFAULT '',
    record          TEXT NOT NULL
);
CREATE INDEX hsds_funding_organization ON hsds_funding (organization_id);
CREATE INDEX hsds_funding_service ON hsds_funding (service_id);
CREATE TABLE hsds_programs (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL DEFAULT '',
    record          TEXT NOT NULL
);
CREATE INDEX hsds_programs_organization ON hsds_programs (organization_id);
CREATE TABLE hsds_accessibility (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL DEFAULT '',
    record      TEXT NOT NULL
);
CREATE INDEX hsds_accessibility_location ON hsds_accessibility (location_id);
CREATE TABLE hsds_organization_identifiers (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL DEFAULT '',
    record          TEXT NOT NULL
);
CREATE INDEX hsds_organization_identifiers_organization ON hsds_organization_identifiers (organization_id);
CREATE TABLE hsds_metadata (
    id          TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL DEFAULT '',
    record      TEXT NOT NULL
);
CREATE INDEX hsds_metadata_resource ON hsds_metadata (resource_id);
CREATE TABLE hsds_meta_table_descriptions (
    id     TEXT PRIMARY KEY,
    record TEXT NOT NULL
);

-- A phone may belong to a contact only; the contact says where it is.
ALTER TABLE hsds_phones ADD COLUMN contact_id TEXT NOT NULL DEFAULT '';
CREATE INDEX hsds_phones_contact ON hsds_phones (contact_id);
-- postcode: services at locations with an address of a postal code.
ALTER TABLE hsds_addresses ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
CREATE INDEX hsds_addresses_postal_code ON hsds_addresses (postal_code);
-- search on organizations, taxonomies and terms; terms by taxonomy and parent.
ALTER TABLE hsds_organizations ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE hsds_taxonomies ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE hsds_taxonomies ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE hsds_taxonomy_terms ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE hsds_taxonomy_terms ADD COLUMN taxonomy_id TEXT NOT NULL DEFAULT '';
ALTER TABLE hsds_taxonomy_terms ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
ALTER TABLE hsds_taxonomy_terms ADD COLUMN search TEXT NOT NULL DEFAULT '';
CREATE INDEX hsds_taxonomy_terms_taxonomy ON hsds_taxonomy_terms (taxonomy_id);
CREATE INDEX hsds_taxonomy_terms_parent ON hsds_taxonomy_terms (parent_id);
CREATE INDEX hsds_attributes_term ON hsds_attributes (taxonomy_term_id);
-- modified_at to the nanosecond, fixed width so that text orders as time:
-- an edit within the second of the last one is after it.
UPDATE hsds_services SET modified_at = substr(modified_at, 1, 19) || '.000000000Z' WHERE length(modified_at) = 20;
-- Fill the new columns from the stored records.
UPDATE hsds_phones SET contact_id = coalesce((record::jsonb ->> 'ContactID'), '');
UPDATE hsds_addresses SET postal_code = coalesce((record::jsonb ->> 'PostalCode'), '');
UPDATE hsds_organizations SET search = lower(coalesce((record::jsonb ->> 'Name'), '') || chr(10) || coalesce((record::jsonb ->> 'AlternateName'), '') || chr(10) || coalesce((record::jsonb ->> 'Description'), ''));
UPDATE hsds_taxonomies SET name = coalesce((record::jsonb ->> 'Name'), ''),
    search = lower(coalesce((record::jsonb ->> 'Name'), '') || chr(10) || coalesce((record::jsonb ->> 'Description'), ''));
UPDATE hsds_taxonomy_terms SET name = coalesce((record::jsonb ->> 'Name'), ''),
    taxonomy_id = coalesce((record::jsonb ->> 'TaxonomyID'), ''), parent_id = coalesce((record::jsonb ->> 'ParentID'), ''),
    search = lower(coalesce((record::jsonb ->> 'Code'), '') || chr(10) || coalesce((record::jsonb ->> 'Name'), '') || chr(10) || coalesce((record::jsonb ->> 'Description'), ''));
