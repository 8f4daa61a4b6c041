-- Screening instruments a clinic imported (FHIR R4 Questionnaire JSON, kept
-- as given so it exports without loss). The instruments Haven ships are
-- built in and not stored here.
CREATE TABLE instruments (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    json        TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (url, version)
);

-- Screenings: the QuestionnaireResponse and its full result are sealed
-- under the survivor's data key; the coded outcome stays in the clear for
-- suppressed aggregates (see fields.go).
CREATE TABLE screenings (
    id            TEXT PRIMARY KEY,
    survivor_id   TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    instrument_id TEXT NOT NULL,
    concern       TEXT NOT NULL,
    flagged       TEXT NOT NULL DEFAULT '',
    minor         INTEGER NOT NULL DEFAULT 0,
    response_enc  BLOB NOT NULL,
    result_enc    BLOB NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX screenings_survivor ON screenings (survivor_id, created_at);
