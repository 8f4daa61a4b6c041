-- Gap and equity analysis: the coded groups a survivor is counted by, and
-- the outcome staff later confirmed for a screening.
ALTER TABLE survivors ADD COLUMN gender TEXT NOT NULL DEFAULT '';
ALTER TABLE survivors ADD COLUMN region_of_origin TEXT NOT NULL DEFAULT '';
ALTER TABLE survivors ADD COLUMN trafficking_type TEXT NOT NULL DEFAULT '';
ALTER TABLE survivors ADD COLUMN area TEXT NOT NULL DEFAULT '';
ALTER TABLE screenings ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
-- When a referral first reached a service (in progress or completed): the
-- gap analysis's time to first service.
ALTER TABLE referrals ADD COLUMN served_at TIMESTAMPTZ;
UPDATE referrals SET served_at = (SELECT MIN(h.changed_at) FROM referral_history h
    WHERE h.referral_id = referrals.id AND h.status IN ('in-progress', 'completed'));
