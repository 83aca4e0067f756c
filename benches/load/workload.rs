//! The updates the harness sends: private chats, a mix of commands that each get exactly
//! one message back, and users whose Telegram speaks en, ru, kk or none of ours.

use axum::body::Bytes;

/// Commands in rotation. Each is answered with one message by both bots (`/sources` and
/// `/summary` are left out: they are answered with several).
pub const COMMANDS: [&str; 5] = ["/start", "/help", "/timeline", "/lang kk", "/petition"];

/// Telegram language codes in rotation; `None` is a user whose Telegram sends none.
pub const LANGUAGE_CODES: [Option<&str>; 4] = [Some("en"), Some("ru-RU"), Some("kk"), None];

/// Chat ids start here, clear of anything else.
const FIRST_CHAT: i64 = 1_000_000;

/// One message from a user in their private chat.
#[derive(Debug, Clone)]
pub struct Update {
    pub chat: i64,
    pub language_code: Option<&'static str>,
    pub text: &'static str,
}

impl Update {
    pub fn to_json(&self, update_id: usize) -> Bytes {
        let command_len = self.text.split(' ').next().unwrap_or("").len();
        let language = match self.language_code {
            Some(code) => format!(r#","language_code":"{code}""#),
            None => String::new(),
        };
        format!(
            r#"{{"update_id":{update_id},"message":{{"message_id":{update_id},"date":1700000000,"chat":{{"id":{chat},"type":"private","first_name":"Reader"}},"from":{{"id":{chat},"is_bot":false,"first_name":"Reader"{language}}},"text":"{text}","entities":[{{"type":"bot_command","offset":0,"length":{command_len}}}]}}}}"#,
            chat = self.chat,
            text = self.text,
        )
        .into()
    }
}

/// `n` updates spread round-robin over `chats` chats numbered from `first` (an offset
/// into the harness's chat ids, so a warm-up can use other chats than the measurement).
/// Neighbouring updates, and a chat's successive updates, carry different commands.
pub fn updates(n: usize, chats: usize, first: usize) -> Vec<Update> {
    let chats = chats.max(1);
    (0..n)
        .map(|i| {
            let chat = first + i % chats;
            Update {
                chat: FIRST_CHAT + chat as i64,
                language_code: LANGUAGE_CODES[chat % LANGUAGE_CODES.len()],
                text: COMMANDS[(i + i / chats) % COMMANDS.len()],
            }
        })
        .collect()
}

/// The admin of broadcast runs (`QANTAR_ADMINS`), writing from their private chat.
pub const ADMIN: i64 = 4_242;

/// Subscribers' chat ids start here, clear of the interactive chats.
pub const SUBSCRIBER_FIRST: i64 = 10_000_000;

/// A command from the admin in their private chat.
pub fn admin_command(update_id: usize, text: &str) -> Bytes {
    let command_len = text.split(' ').next().unwrap_or("").len();
    format!(
        r#"{{"update_id":{update_id},"message":{{"message_id":{update_id},"date":1700000000,"chat":{{"id":{ADMIN},"type":"private","first_name":"Admin"}},"from":{{"id":{ADMIN},"is_bot":false,"first_name":"Admin","language_code":"en"}},"text":"{text}","entities":[{{"type":"bot_command","offset":0,"length":{command_len}}}]}}}}"#
    )
    .into()
}

/// The admin pressing a button whose callback data is `data` under the bot's message
/// `message_id` in their private chat.
pub fn admin_press(update_id: usize, message_id: i64, data: &str) -> Bytes {
    format!(
        r#"{{"update_id":{update_id},"callback_query":{{"id":"press{update_id}","from":{{"id":{ADMIN},"is_bot":false,"first_name":"Admin","language_code":"en"}},"message":{{"message_id":{message_id},"date":1700000000,"chat":{{"id":{ADMIN},"type":"private","first_name":"Admin"}},"from":{{"id":777000,"is_bot":true,"first_name":"Load","username":"qantar_load_bot"}},"text":"preview"}},"chat_instance":"1","data":"{data}"}}}}"#
    )
    .into()
}
