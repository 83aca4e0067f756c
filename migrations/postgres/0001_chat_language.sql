-- The only thing the bot keeps about a chat: which language it chose.
CREATE TABLE IF NOT EXISTS chat_language (
    chat_id BIGINT PRIMARY KEY,
    lang    TEXT   NOT NULL CHECK (lang IN ('en', 'ru', 'kk'))
);
