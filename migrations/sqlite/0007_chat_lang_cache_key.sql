-- The language cache is loaded at start from the first 8 bytes of each chat's lookup
-- hash. Kept as an integer of their own, they load in half the time of
-- `hex(substr(chat_key, 1, 8))` (about 10 against 19 ms a language for 100,000
-- chats): no hex to format and parse, and a smaller index to scan. SQL cannot turn a
-- blob's bytes into an integer, so the bot fills the column for older rows at start
-- (`sqlite::load_cache`) and sets it on every write.
ALTER TABLE chat_lang ADD COLUMN cache_key INTEGER;
DROP INDEX IF EXISTS chat_lang_by_lang;
CREATE INDEX IF NOT EXISTS chat_lang_cache_key ON chat_lang (lang, cache_key);
