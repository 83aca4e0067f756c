-- What the channel sends unprompted ("on this day", announcements), through one durable
-- queue. A job is one item for everyone: its id says which ('day:2027-01-05',
-- 'announce:<id>'), so an item is queued once however often it is confirmed or
-- scheduled, on any replica. Its totals stay after it completes; its rows do not.
CREATE TABLE IF NOT EXISTS outreach_job (
    id       TEXT    NOT NULL PRIMARY KEY,
    created  BIGINT  NOT NULL,                 -- unix milliseconds
    state    TEXT    NOT NULL CHECK (state IN ('running', 'done', 'cancelled')),
    total    BIGINT  NOT NULL DEFAULT 0,
    sent     BIGINT  NOT NULL DEFAULT 0,
    blocked  BIGINT  NOT NULL DEFAULT 0,
    failed   BIGINT  NOT NULL DEFAULT 0,
    finished BIGINT                             -- unix milliseconds
);

-- One row per (job, subscribed chat) until the job completes. Like every per-chat
-- table, it holds the chat only as its keyed hash and its sealed id. `lang` is the
-- subscription's language, used when the chat has no saved choice at delivery.
CREATE TABLE IF NOT EXISTS outreach_queue (
    job         TEXT    NOT NULL,
    chat_key    BYTEA   NOT NULL CHECK (octet_length(chat_key) = 32),
    chat_sealed BYTEA   NOT NULL,
    lang        TEXT    NOT NULL CHECK (lang IN ('en', 'ru', 'kk')),
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (job, chat_key)
);
CREATE INDEX IF NOT EXISTS outreach_queue_pending ON outreach_queue (state, job);

-- Channel posts of a job: channels are public and named in the configuration, so they
-- are kept by name.
CREATE TABLE IF NOT EXISTS outreach_channel_post (
    job     TEXT NOT NULL,
    channel TEXT NOT NULL,
    lang    TEXT NOT NULL CHECK (lang IN ('en', 'ru', 'kk')),
    state   TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    PRIMARY KEY (job, channel)
);

-- Which replica sends: the holder renews its lease; another takes over once it lapses.
CREATE TABLE IF NOT EXISTS outreach_lease (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    holder  TEXT    NOT NULL,
    expires BIGINT  NOT NULL                    -- unix milliseconds
);
