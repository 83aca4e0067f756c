-- Telegram's file_id of each picture the bot has uploaded (the map), keyed by the hex
-- SHA-256 of the picture's content, so a restart or another replica sends it again by
-- file_id instead of uploading it, and a changed picture gets a new key. No chat data.
CREATE TABLE IF NOT EXISTS picture_file (
    picture TEXT NOT NULL PRIMARY KEY,
    file_id TEXT NOT NULL
);
