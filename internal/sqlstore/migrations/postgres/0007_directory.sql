-- The service directory in the Open Referral HSDS 3.0 model: one table per
-- HSDS entity. Each row holds the record's id, the references the store
-- follows (owners, links), the few columns it filters on, and the whole
-- record as JSON text. The JSON is the record of truth, so that every
-- supported field round-trips without a column per HSDS field to keep in
-- step with the specification; the columns are copies for lookups only.
-- References carry no FOREIGN KEY: a feed may point at an organization it
-- does not publish (accepted as a warning).
CREATE TABLE hsds_organizations (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL DEFAULT '',
    record TEXT NOT NULL
);
CREATE TABLE hsds_services (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT '',
    modified_at     TEXT NOT NULL DEFAULT '', -- last_modified in UTC, RFC 3339; '' if unknown
    search          TEXT NOT NULL DEFAULT '', -- name, alternate name and description, lower case
    record          TEXT NOT NULL
);
CREATE INDEX hsds_services_organization ON hsds_services (organization_id);
CREATE INDEX hsds_services_modified ON hsds_services (modified_at);
CREATE TABLE hsds_locations (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL DEFAULT '',
    confidential    INTEGER NOT NULL DEFAULT 0,
    record          TEXT NOT NULL
);
CREATE TABLE hsds_service_at_locations (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL DEFAULT '',
    location_id TEXT NOT NULL DEFAULT '',
    record      TEXT NOT NULL
);
CREATE INDEX hsds_service_at_locations_service ON hsds_service_at_locations (service_id);
CREATE TABLE hsds_addresses (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL DEFAULT '',
    record      TEXT NOT NULL
);
CREATE INDEX hsds_addresses_location ON hsds_addresses (location_id);
CREATE TABLE hsds_phones (
    id                     TEXT PRIMARY KEY,
    service_id             TEXT NOT NULL DEFAULT '',
    location_id            TEXT NOT NULL DEFAULT '',
    organization_id        TEXT NOT NULL DEFAULT '',
    service_at_location_id TEXT NOT NULL DEFAULT '',
    record                 TEXT NOT NULL
);
CREATE INDEX hsds_phones_service ON hsds_phones (service_id);
CREATE INDEX hsds_phones_location ON hsds_phones (location_id);
CREATE INDEX hsds_phones_organization ON hsds_phones (organization_id);
CREATE TABLE hsds_schedules (
    id                     TEXT PRIMARY KEY,
    service_id             TEXT NOT NULL DEFAULT '',
    location_id            TEXT NOT NULL DEFAULT '',
    service_at_location_id TEXT NOT NULL DEFAULT '',
    record                 TEXT NOT NULL
);
CREATE INDEX hsds_schedules_service ON hsds_schedules (service_id);
CREATE INDEX hsds_schedules_location ON hsds_schedules (location_id);
CREATE TABLE hsds_languages (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL DEFAULT '',
    location_id TEXT NOT NULL DEFAULT '',
    phone_id    TEXT NOT NULL DEFAULT '',
    record      TEXT NOT NULL
);
CREATE INDEX hsds_languages_service ON hsds_languages (service_id);
CREATE INDEX hsds_languages_location ON hsds_languages (location_id);
CREATE TABLE hsds_service_areas (
    id         TEXT PRIMARY KEY,
    service_id TEXT NOT NULL DEFAULT '',
    record     TEXT NOT NULL
);
CREATE INDEX hsds_service_areas_service ON hsds_service_areas (service_id);
CREATE TABLE hsds_cost_options (
    id         TEXT PRIMARY KEY,
    service_id TEXT NOT NULL DEFAULT '',
    record     TEXT NOT NULL
);
CREATE INDEX hsds_cost_options_service ON hsds_cost_options (service_id);
CREATE TABLE hsds_required_documents (
    id         TEXT PRIMARY KEY,
    service_id TEXT NOT NULL DEFAULT '',
    record     TEXT NOT NULL
);
CREATE INDEX hsds_required_documents_service ON hsds_required_documents (service_id);
CREATE TABLE hsds_taxonomies (
    id     TEXT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE hsds_taxonomy_terms (
    id     TEXT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE hsds_attributes (
    id               TEXT PRIMARY KEY,
    link_id          TEXT NOT NULL DEFAULT '',
    taxonomy_term_id TEXT NOT NULL DEFAULT '',
    record           TEXT NOT NULL
);
CREATE INDEX hsds_attributes_link ON hsds_attributes (link_id, taxonomy_term_id);

-- The directory's version: every change takes the one row's lock, so that
-- changes commit in version order, and lists the services it touched in
-- hsds_changes ('*' for all: a bulk import), which other instances read to
-- bring their matching index up to date.
CREATE TABLE hsds_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO hsds_version (id, version) VALUES (1, 0);
CREATE TABLE hsds_changes (
    version    BIGINT NOT NULL,
    service_id TEXT NOT NULL,
    PRIMARY KEY (version, service_id)
);
