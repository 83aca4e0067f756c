//! The floor: the least a teloxide bot can do, answering every message with a fixed text.
//!
//! The load harness (`benches/load`) runs it beside `qantar-bot` against the same fake
//! Bot API, so our figures read as a share of what the framework itself allows. It uses
//! the same teloxide features, runtime (one thread), polling settings and per-chat
//! workers as the product, and nothing else: no store, no rendering, no logging.
//! The harness's `--floor-multi-thread` runs it on tokio's default runtime instead.
//!
//! The fixed text is "ok". With `FLOOR_REPLY_BYTES=n` it is a text of about n bytes
//! instead: the harness's second, diagnostic floor, which sends replies as large as ours
//! so that what our replies' size costs (in serializing and on the wire) can be told
//! apart from what our code costs.

#![forbid(unsafe_code)]

use teloxide::prelude::*;

fn main() {
    // The product's runtime (one thread), or with FLOOR_MULTI_THREAD=1 tokio's default,
    // which `#[tokio::main]` gives and teloxide's examples use.
    let runtime = if std::env::var_os("FLOOR_MULTI_THREAD").is_some() {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build();
    match runtime {
        Ok(runtime) => runtime.block_on(serve()),
        Err(e) => eprintln!("cannot start the runtime: {e}"),
    }
}

async fn serve() {
    let text = match std::env::var("FLOOR_REPLY_BYTES").map(|v| v.parse::<usize>()) {
        Ok(Ok(bytes)) => text_of(bytes),
        _ => "ok".to_string(),
    };
    // TELOXIDE_TOKEN and TELOXIDE_API_URL, as the product reads them.
    let bot = Bot::from_env();
    let handler = Update::filter_message().endpoint(move |bot: Bot, msg: Message| {
        let text = text.clone();
        async move {
            bot.send_message(msg.chat.id, text).await?;
            respond(())
        }
    });
    Dispatcher::builder(bot, handler)
        .default_handler(|_| async {})
        .build()
        .dispatch()
        .await;
}

/// Kazakh prose (two bytes a letter, as most of our replies are) cut to at most `bytes`.
fn text_of(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes);
    for c in "Қаңтар оқиғалары туралы қысқаша. ".chars().cycle() {
        if text.len() + c.len_utf8() > bytes {
            break;
        }
        text.push(c);
    }
    if text.is_empty() {
        text.push_str("ok");
    }
    text
}
