-- Indexes on the columns the directory's reads look records up by that
-- 0007 left without one (issue 19). The matching index reads the services
-- with a shelter at every start (its snapshot holds public sites only) and
-- each refresh reads the changed services: without these, every batch of
-- 500 services scanned the whole phone and schedule tables, and finding
-- the shelters scanned every service-at-location (5.3 s at start for the
-- 3,583 such services of a 100,000-service directory; 0.2 s with them).
CREATE INDEX hsds_phones_service_at_location ON hsds_phones (service_at_location_id);
CREATE INDEX hsds_schedules_service_at_location ON hsds_schedules (service_at_location_id);
CREATE INDEX hsds_languages_phone ON hsds_languages (phone_id);
CREATE INDEX hsds_service_at_locations_location ON hsds_service_at_locations (location_id);
CREATE INDEX hsds_locations_confidential ON hsds_locations (id) WHERE confidential = 1;
