-- The care plan (issue 12): what each history entry of a need records
-- (created, status, words — the goal or priority edited —, rank, or a
-- note only), and at most one open need per domain in a plan, kept by the
-- database as well as by the store so that two workers adding the same
-- domain at once cannot both succeed.
ALTER TABLE need_history ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
CREATE UNIQUE INDEX needs_open_domain ON needs (survivor_id, domain)
    WHERE status IN ('identified', 'planned', 'in_progress');
