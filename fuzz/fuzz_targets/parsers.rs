//! Fuzzes every parser at the edge (message text, deep-link payloads, callback data,
//! inline queries) and the replies they lead to: no panic, and every reply valid
//! Telegram HTML within 4096 UTF-16 units.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qantar_bot::input::callback_data::Callback;
use qantar_bot::catalog::Catalog;
use qantar_bot::input::deep_link::Payload;
use qantar_bot::lang::Lang;
use qantar_bot::cli::preview::reply_offline;
use qantar_bot::render::html::{check_telegram_html, utf16_len};
use qantar_bot::render::split::MESSAGE_LIMIT;
use qantar_bot::render::{Reply, inline_results};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Catalog::load(&root.join("content"), &root.join("locales"))
        .unwrap_or_else(|p| panic!("shipped content must load:\n{p}"))
});

fn check(html: &str) {
    assert!(utf16_len(html) <= MESSAGE_LIMIT, "message too long");
    if let Err(e) = check_telegram_html(html) {
        panic!("invalid Telegram HTML: {e}");
    }
}

fn check_reply(reply: &Reply) {
    assert!(!reply.messages.is_empty());
    for m in &reply.messages {
        check(&m.html);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let lang = Lang::ALL[usize::from(selector) % 3];
    match selector / 3 % 5 {
        0 => {
            if let Some(reply) = reply_offline(&CATALOG, lang, &text, Some("qantar_bot")) {
                check_reply(&reply);
            }
        }
        1 => {
            let _ = Payload::parse(&text);
            if let Some(reply) = reply_offline(&CATALOG, lang, &format!("/start {text}"), None) {
                check_reply(&reply);
            }
        }
        2 => {
            if let Ok((cb, apart)) = Callback::parse_press(&text) {
                let spelled = if apart { cb.new_message_data() } else { cb.to_string() };
                assert_eq!(spelled, text, "callback data has one spelling");
            }
        }
        3 => {
            let results = inline_results(&CATALOG, lang, &text, "qantar_bot");
            assert!(results.len() <= 50);
            for a in &results {
                check(&a.html);
            }
        }
        _ => {
            let _ = Lang::from_user_input(&text);
            let _ = Lang::from_ietf(&text);
            if let Some(reply) = reply_offline(&CATALOG, lang, &format!("/lang {text}"), None) {
                check_reply(&reply);
            }
        }
    }
});
