//! The floor: the least a teloxide bot can do, answering every message with a fixed text.
//!
//! The load harness (`benches/load`) runs it beside `qantar-bot` against the same fake
//! Bot API, so our figures read as a share of what the framework itself allows. It uses
//! the same teloxide features, runtime, polling settings and per-chat workers as the
//! product, and nothing else: no store, no rendering, no logging.

use teloxide::prelude::*;

#[tokio::main]
async fn main() {
    // TELOXIDE_TOKEN and TELOXIDE_API_URL, as the product reads them.
    let bot = Bot::from_env();
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, "ok").await?;
        respond(())
    });
    Dispatcher::builder(bot, handler)
        .default_handler(|_| async {})
        .build()
        .dispatch()
        .await;
}
