//! Property tests over everything a person can type or send: command text and arguments,
//! deep-link payloads, callback data and inline queries. No input panics, and every
//! reply is valid Telegram HTML within its limits.

use proptest::prelude::*;
use qantar_bot::catalog::Catalog;
use qantar_bot::cli::preview::reply_offline;
use qantar_bot::decide::flood::Verdict;
use qantar_bot::decide::{Arrival, Facts, Step, decide};
use qantar_bot::input::callback_data::Callback;
use qantar_bot::input::deep_link::Payload;
use qantar_bot::lang::Lang;
use qantar_bot::render::html::{check_telegram_html, utf16_len};
use qantar_bot::render::split::MESSAGE_LIMIT;
use qantar_bot::render::{Reply, View, inline_results, render};
use std::sync::LazyLock;

use crate::catalog::shipped;

static CATALOG: LazyLock<Catalog> = LazyLock::new(shipped);

/// Text a hostile or unlucky person might send: markup, right-to-left and zero-width
/// characters, emoji, Kazakh letters, commands, and very long runs of any of them.
fn nasty_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        Just("<b>".to_string()),
        Just("</a>".to_string()),
        Just("&amp;".to_string()),
        Just("&".to_string()),
        Just("\"".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{200f}".to_string()),
        Just("\u{feff}".to_string()),
        Just("😀".to_string()),
        Just("қазақша".to_string()),
        Just("/lang".to_string()),
        Just("@qantar_test_bot".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        "[a-z_]{1,40}",
    ];
    prop_oneof![
        8 => proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat()),
        1 => Just(String::new()),
        1 => (any::<char>(), 9_000..11_000usize).prop_map(|(c, n)| c.to_string().repeat(n)),
        1 => "[<>&\"a-z ]{10000}",
    ]
}

fn assert_valid(reply: &Reply, what: &str) {
    assert!(!reply.messages.is_empty(), "{what}: empty reply");
    for m in &reply.messages {
        assert!(utf16_len(&m.html) <= MESSAGE_LIMIT, "{what}: too long");
        assert!(!m.html.trim().is_empty(), "{what}: blank message");
        if let Err(e) = check_telegram_html(&m.html) {
            panic!("{what}: {e}");
        }
        for b in m.keyboard.iter().flatten() {
            match &b.action {
                qantar_bot::render::ButtonAction::Callback(cb) => {
                    assert!(cb.to_string().len() <= 64);
                }
                qantar_bot::render::ButtonAction::NewMessage(cb) => {
                    assert!(cb.new_message_data().len() <= 64);
                }
                _ => {}
            }
        }
    }
}

/// The message path without the network: parse, act, render, as the handler does.
fn reply_to(text: &str, lang: Lang) -> Option<Reply> {
    reply_offline(&CATALOG, lang, text, Some("qantar_test_bot"))
}

fn lang() -> impl Strategy<Value = Lang> {
    prop_oneof![Just(Lang::En), Just(Lang::Ru), Just(Lang::Kk)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_message_text_gets_a_valid_reply(text in nasty_text(), lang in lang()) {
        if let Some(reply) = reply_to(&text, lang) {
            assert_valid(&reply, "message");
        }
    }

    #[test]
    fn any_command_argument_gets_a_valid_reply(
        name in prop_oneof![
            Just("start"), Just("lang"), Just("summary"), Just("help"), Just("timeline"),
            Just("frobnicate"), Just("lang_xx"), Just("summary_yy")
        ],
        arg in nasty_text(),
        lang in lang(),
    ) {
        let text = format!("/{name} {arg}");
        let reply = reply_to(&text, lang).expect("a command for us");
        assert_valid(&reply, &text.chars().take(40).collect::<String>());
    }

    #[test]
    fn any_deep_link_payload_is_parsed_or_greets(payload in nasty_text(), lang in lang()) {
        let parsed = Payload::parse(&payload);
        if let Some(p) = &parsed {
            prop_assert!(payload.len() <= 64);
            let again = Payload::parse(&p.as_payload());
            prop_assert_eq!(again.as_ref(), Some(p));
        }
        let reply = reply_to(&format!("/start {payload}"), lang).expect("a command for us");
        assert_valid(&reply, "deep link");
    }

    #[test]
    fn any_callback_data_parses_or_is_refused(
        data in prop_oneof![
            nasty_text(),
            "[0-2]:[letpsx]:[a-z0-9_:]{0,30}",
            "1:t:[0-9]{0,5}",
            "1:n:[letpsx]:[a-z0-9_:]{0,30}",
        ],
        lang in lang(),
    ) {
        if let Ok((cb, apart)) = Callback::parse_press(&data) {
            prop_assert!(data.len() <= 64);
            // Exactly one spelling for each press.
            prop_assert_eq!(if apart { cb.new_message_data() } else { cb.to_string() }, data);
            // The press goes through the handlers' own decision, as an admin's would.
            let facts = Facts {
                private: true,
                saved: Some(lang),
                telegram: None,
                default: Lang::En,
                admin: true,
                flood: Verdict::Answer,
            };
            let arrival = Arrival::Button { data: Ok(cb), on_message: true };
            let view = match decide(&arrival, &facts, &CATALOG.content).step {
                Step::Show(view) | Step::SaveLang { then: view, .. } => view,
                // The purge itself touches the store; what it shows is a count.
                Step::Purge => View::Purged(3),
                other => panic!("a parsed press planned {other:?}"),
            };
            assert_valid(&render(&CATALOG, lang, &view), "callback");
        }
    }

    #[test]
    fn any_inline_query_gets_valid_articles(query in nasty_text(), lang in lang()) {
        let results = inline_results(&CATALOG, lang, &query, "qantar_test_bot");
        prop_assert!(results.len() <= 50);
        prop_assert!(results.len() >= 2, "the petition and the summary are always offered");
        let mut ids = std::collections::HashSet::new();
        for a in &results {
            prop_assert!(ids.insert(a.id.clone()), "duplicate result id");
            prop_assert!(!a.id.is_empty() && a.id.len() <= 64);
            prop_assert!(!a.title.trim().is_empty());
            prop_assert!(utf16_len(&a.html) <= MESSAGE_LIMIT);
            if let Err(e) = check_telegram_html(&a.html) {
                panic!("inline article {}: {e}", a.id);
            }
        }
    }

    #[test]
    fn user_language_input_never_panics(text in nasty_text()) {
        let _ = Lang::from_user_input(&text);
        let _ = Lang::from_ietf(&text);
        let _ = qantar_bot::content::search::fold(&text);
    }
}
