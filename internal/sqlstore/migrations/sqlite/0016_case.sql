-- The survivor's case (issue 12): the care team's lead, teams of staff and
-- their supervisors, the care plan's needs and their history, tasks,
-- encounters with the ICD-10-CM codes accepted for them, and the contacts
-- made under the safe-contact plan. Columns ending in _enc hold
-- AES-256-GCM ciphertexts under the survivor's data key, bound to table,
-- column and row id; the rest are coded. Every survivor-bound table goes
-- with its survivor (ON DELETE CASCADE) when the record is crypto-shredded.

-- One member of each care team leads it: at first, whoever opened the record.
ALTER TABLE care_team ADD COLUMN lead INTEGER NOT NULL DEFAULT 0;
UPDATE care_team SET lead = 1 WHERE user_id = (SELECT c2.user_id FROM care_team c2
    WHERE c2.survivor_id = care_team.survivor_id ORDER BY c2.added_at, c2.user_id LIMIT 1);
CREATE UNIQUE INDEX care_team_one_lead ON care_team (survivor_id) WHERE lead = 1;

-- Teams of staff. A supervisor of a team (supervisor = true) works the
-- cases whose care teams hold any member of it (access.TeamSupervisor).
CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));
CREATE TABLE team_members (
    team_id    TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    supervisor INTEGER NOT NULL DEFAULT 0,
    added_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- The care plan: one row per need. domain is a need code of haven.Needs
-- (the directory's 16 need domains); status is one of identified,
-- planned, in_progress, met, not_met, declined (the survivor declined:
-- respected, not a failure); the open statuses are identified, planned
-- and in_progress. The goal and the priority are the survivor's own words;
-- rank orders the plan. screening_id names the screening whose indicator
-- domain was offered and confirmed as this need, if any.
CREATE TABLE needs (
    id           TEXT PRIMARY KEY,
    survivor_id  TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    domain       TEXT NOT NULL,
    status       TEXT NOT NULL,
    rank         INTEGER NOT NULL DEFAULT 0,
    goal_enc     BLOB,
    priority_enc BLOB,
    screening_id TEXT,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX needs_survivor ON needs (survivor_id, status);

-- Every change of a need: its status then, who changed it and when, and
-- an optional note (sealed).
CREATE TABLE need_history (
    id          TEXT PRIMARY KEY,
    need_id     TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    note_enc    BLOB,
    changed_by  TEXT NOT NULL,
    changed_at  TIMESTAMP NOT NULL
);
CREATE INDEX need_history_need ON need_history (need_id, changed_at);

-- Tasks and follow-ups. due_on is a date (YYYY-MM-DD) in the clinic's
-- time zone, so that "overdue" is a string comparison on both engines;
-- status is open, done or cancelled. The text is sealed.
CREATE TABLE tasks (
    id           TEXT PRIMARY KEY,
    survivor_id  TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    need_id      TEXT REFERENCES needs (id) ON DELETE SET NULL,
    assignee_id  TEXT NOT NULL REFERENCES users (id),
    due_on       TEXT NOT NULL,
    status       TEXT NOT NULL,
    text_enc     BLOB NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    completed_at TIMESTAMP
);
CREATE INDEX tasks_assignee ON tasks (assignee_id, status, due_on);
CREATE INDEX tasks_survivor ON tasks (survivor_id, status, due_on);

-- Encounters: a dated note (sealed) with its author, and the ICD-10-CM
-- codes the clinician accepted from a screening's suggestions, each with
-- its 7th character chosen (A initial, D subsequent, S sequela).
CREATE TABLE encounters (
    id           TEXT PRIMARY KEY,
    survivor_id  TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    author_id    TEXT NOT NULL REFERENCES users (id),
    occurred_on  TEXT NOT NULL,
    screening_id TEXT,
    note_enc     BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX encounters_survivor ON encounters (survivor_id, occurred_on);
CREATE TABLE encounter_codes (
    encounter_id TEXT NOT NULL REFERENCES encounters (id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    PRIMARY KEY (encounter_id, code)
);

-- Contacts made under the safe-contact plan (a refused contact is never
-- made; the audit log keeps the refusal). outcome is coded (reached,
-- no_answer, message_left); the note is sealed.
CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    survivor_id TEXT NOT NULL REFERENCES survivors (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id),
    channel     TEXT NOT NULL,
    voicemail   INTEGER NOT NULL DEFAULT 0,
    outcome     TEXT NOT NULL DEFAULT '',
    note_enc    BLOB,
    made_at     TIMESTAMP NOT NULL
);
CREATE INDEX contacts_survivor ON contacts (survivor_id, made_at);
