-- Anonymous usage counts for admins' /stats: how often each command ran in each
-- language on each day (UTC). No chat, user or text is recorded.
CREATE TABLE IF NOT EXISTS usage_daily (
    day     TEXT    NOT NULL,
    command TEXT    NOT NULL,
    lang    TEXT    NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (day, command, lang)
);
