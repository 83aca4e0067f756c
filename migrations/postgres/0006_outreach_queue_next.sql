-- The sender reads a job's pending recipients in key order, a batch at a time. With
-- (state, job) alone PostgreSQL either sorted every pending row for each batch or
-- walked the primary key past every row already sent; with the key in the index it
-- reads the next batch and stops. (SQLite's index already ends with the key: in a
-- WITHOUT ROWID table every index carries the primary key.)
CREATE INDEX IF NOT EXISTS outreach_queue_next ON outreach_queue (state, job, chat_key);
DROP INDEX IF EXISTS outreach_queue_pending;
