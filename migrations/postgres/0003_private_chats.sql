-- Readers are never stored by their chat id. A chat is known by `chat_key`, an
-- HMAC-SHA-256 of its id under the data key (for lookups and uniqueness), and by
-- `chat_sealed`, the id sealed with XChaCha20-Poly1305 under that key, so the bot can
-- reach the chat again and the key can be rotated. The bot moves the rows of the plain
-- `chat_language` table here on its first start with a key (SQL has no key), then
-- drops that table.
CREATE TABLE IF NOT EXISTS chat_lang (
    chat_key    BYTEA NOT NULL PRIMARY KEY CHECK (octet_length(chat_key) = 32),
    chat_sealed BYTEA NOT NULL,
    lang        TEXT NOT NULL CHECK (lang IN ('en', 'ru', 'kk'))
);

-- A chat's subscription to what the channel sends: its language when it subscribed
-- (the chat's saved choice, if any, wins at delivery) and the day it subscribed.
CREATE TABLE IF NOT EXISTS subscription (
    chat_key    BYTEA NOT NULL PRIMARY KEY CHECK (octet_length(chat_key) = 32),
    chat_sealed BYTEA NOT NULL,
    lang        TEXT NOT NULL CHECK (lang IN ('en', 'ru', 'kk')),
    since       TEXT NOT NULL
);

-- Which data key each per-chat table is written under, as a check value derived from
-- the key (never the key): a start with another key is refused, and `rekey` knows
-- which tables it has already moved.
CREATE TABLE IF NOT EXISTS data_key_check (
    tbl         TEXT NOT NULL PRIMARY KEY,
    check_value BYTEA NOT NULL
);

-- Anonymous totals that outlive the rows they count (chats removed because Telegram
-- said they blocked the bot or no longer exist, rows purged).
CREATE TABLE IF NOT EXISTS anonymous_total (
    name  TEXT    NOT NULL PRIMARY KEY,
    count BIGINT  NOT NULL
);
