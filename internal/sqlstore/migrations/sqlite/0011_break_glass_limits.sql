-- Emergency access with limits (security finding 7): a grant taken after
-- another by the same user on the same record within 24 hours is a repeat,
-- which needed a fuller reason and comes first in the supervisors' queue.
-- A "not justified" review ends a grant by moving expires_at to the review.
ALTER TABLE break_glass ADD COLUMN repeated INTEGER NOT NULL DEFAULT 0;
CREATE INDEX break_glass_user_survivor_created ON break_glass (user_id, survivor_id, created_at);
