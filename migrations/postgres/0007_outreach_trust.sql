-- What is sent is what was previewed, and every recipient is counted once (issue 22).

-- A job's messages as rendered at Confirm (or when the day's job was queued), one per
-- audience ('chat': callback buttons; 'channel': deep links) and language, as JSON. The
-- sender sends these and never renders: a reload or a restart cannot change a job.
CREATE TABLE IF NOT EXISTS outreach_message (
    job      TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('chat', 'channel')),
    lang     TEXT NOT NULL CHECK (lang IN ('en', 'ru', 'kk')),
    body     TEXT NOT NULL,
    PRIMARY KEY (job, audience, lang)
);

-- Recipients who will not get a job: it was cancelled, or the chat unsubscribed, used
-- /forget or was purged before its turn. sent + blocked + failed + cancelled + pending
-- = total, always.
ALTER TABLE outreach_job ADD COLUMN IF NOT EXISTS cancelled BIGINT NOT NULL DEFAULT 0;

-- How many messages of a recipient's reply already went (a map, then a long text), so
-- a retry sends only the rest.
ALTER TABLE outreach_queue ADD COLUMN IF NOT EXISTS parts BIGINT NOT NULL DEFAULT 0;

-- A channel listed in two languages gets a post in each: the language is part of the
-- key. A post that fails in passing is retried after `next_at`, at most a few times.
ALTER TABLE outreach_channel_post ADD COLUMN IF NOT EXISTS parts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outreach_channel_post ADD COLUMN IF NOT EXISTS attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outreach_channel_post ADD COLUMN IF NOT EXISTS next_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outreach_channel_post DROP CONSTRAINT outreach_channel_post_pkey;
ALTER TABLE outreach_channel_post ADD PRIMARY KEY (job, channel, lang);
