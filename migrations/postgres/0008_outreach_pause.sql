-- /pause: while this row exists nothing unprompted is sent (jobs still queue, so /resume
-- continues where it stopped). It survives a restart; `by_admin` is the admin's
-- Telegram user id (an operator named in QANTAR_ADMINS, not a reader).
CREATE TABLE IF NOT EXISTS outreach_pause (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    since    BIGINT  NOT NULL,                 -- unix milliseconds
    by_admin BIGINT  NOT NULL
);
