-- Whether a screening's questions were asked: false when the safety
-- checklist stopped it, so that a list never shows its level of concern
-- ("none") as if it were a negative screen. Screenings stored before this
-- column have NULL, read as screened, as they were shown until now.
ALTER TABLE screenings ADD COLUMN screened BOOLEAN;
