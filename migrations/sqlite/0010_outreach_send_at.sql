-- A scheduled announcement: confirmed now, sent from `not_before` (unix milliseconds).
-- Until then its job runs but nothing of it goes; 0 (every older job) is "at once".
ALTER TABLE outreach_job ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
