-- The only thing the bot keeps: which language a chat chose.
CREATE TABLE IF NOT EXISTS chat_language (
    chat_id INTEGER PRIMARY KEY NOT NULL,
    lang    TEXT    NOT NULL CHECK (lang IN ('en', 'ru', 'kk'))
);
