//! Property tests over everything a person can type or send: command text and arguments,
//! deep-link payloads, callback data and inline queries. No input panics, and every
//! reply is valid Telegram HTML within its limits.

use proptest::prelude::*;
use qantar_bot::catalog::Catalog;
use qantar_bot::cli::preview::reply_offline;
use qantar_bot::decide::flood::Verdict;
use qantar_bot::decide::{Arrival, Facts, Step, decide};
use qantar_bot::i18n::Msg;
use qantar_bot::input::callback_data::{Callback, JobAct};
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
            1 => nasty_text(),
            1 => "[0-2]:[a-z]{0,3}:[a-z0-9_:-]{0,30}",
            6 => press_data(),
        ],
        lang in lang(),
        admin in any::<bool>(),
    ) {
        if let Ok((cb, apart)) = Callback::parse_press(&data) {
            prop_assert!(data.len() <= 64);
            // Exactly one spelling for each press.
            prop_assert_eq!(if apart { cb.new_message_data() } else { cb.to_string() }, data);
            // The press goes through the handlers' own decision, as an admin's would,
            // or a reader's, to whom an admin's button is out of date.
            let facts = Facts {
                private: true,
                saved: Some(lang),
                telegram: None,
                default: Lang::En,
                admin,
                flood: Verdict::Answer,
            };
            let arrival = Arrival::Button { data: Ok(cb), on_message: true };
            let plan = decide(&arrival, &facts, &CATALOG.content);
            for (lang, view) in views_of(plan.lang, plan.step) {
                assert_valid(&render(&CATALOG, lang, &view), "callback");
            }
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

/// Callback data of every kind of button, plain and apart, with the content's own ids
/// and days as well as made-up ones (unknown ids, days the map does not have).
fn press_data() -> impl Strategy<Value = String> {
    let content = &CATALOG.content;
    let events: Vec<String> = content.events.iter().map(|e| e.id.clone()).collect();
    let topics: Vec<String> = content
        .summary
        .topics
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let days: Vec<String> = qantar_bot::render::map::days(content)
        .iter()
        .map(|d| d.to_string())
        .collect();
    let id = "[a-z0-9_]{1,24}";
    let version = "[0-9a-f]{1,16}";
    let job = prop_oneof![
        "day:20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "announce:[a-z0-9_]{1,24}",
        "[a-z0-9_:-]{1,58}",
    ];
    let date = prop_oneof![
        proptest::sample::select(days.clone()),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]".prop_map(String::from),
    ];
    let kind = prop_oneof![
        ("(en|ru|kk|de)", "[scx]").prop_map(|(l, t)| format!("l:{l}:{t}")),
        "t:[0-9]{1,4}".prop_map(String::from),
        prop_oneof![proptest::sample::select(events), id.prop_map(String::from)]
            .prop_map(|e| format!("e:{e}")),
        Just("s".to_string()),
        prop_oneof![proptest::sample::select(topics), id.prop_map(String::from)]
            .prop_map(|t| format!("p:{t}")),
        "x:[yn]".prop_map(String::from),
        Just("sub".to_string()),
        Just("src".to_string()),
        Just("pt".to_string()),
        (id, proptest::option::of(version)).prop_map(|(id, v)| match v {
            Some(v) => format!("a:{id}:{v}"),
            None => format!("a:{id}"),
        }),
        Just("ac".to_string()),
        ("(cj|cjy|kj|rj)", job).prop_map(|(act, job)| format!("{act}:{job}")),
        date.clone().prop_map(|d| format!("m:{d}")),
        (date, version).prop_map(|(d, v)| format!("sd:{d}:{v}")),
    ];
    (kind, any::<bool>()).prop_map(|(kind, apart)| {
        if apart {
            format!("1:n:{kind}")
        } else {
            format!("1:{kind}")
        }
    })
}

/// The kind of a press, with no catch-all arm: a new kind of button does not compile
/// until `press_data` makes it and `views_of` shows it.
fn kind_of(cb: &Callback) -> &'static str {
    match cb {
        Callback::SetLang { .. } => "set_lang",
        Callback::TimelinePage(_) => "timeline_page",
        Callback::Event(_) => "event",
        Callback::Summary => "summary",
        Callback::Topic(_) => "topic",
        Callback::Purge(_) => "purge",
        Callback::Subscribe => "subscribe",
        Callback::Sources => "sources",
        Callback::Petition => "petition",
        Callback::Announce { .. } => "announce",
        Callback::AnnounceCancel => "announce_cancel",
        Callback::Job { .. } => "job",
        Callback::Map(_) => "map",
        Callback::SendDay { .. } => "send_day",
    }
}

/// How many kinds `kind_of` knows.
const KINDS: usize = 14;

#[test]
fn press_kinds_covered() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let strategy = press_data();
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..2_000 {
        let data = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok((cb, _)) = Callback::parse_press(&data) {
            seen.insert(kind_of(&cb));
        }
    }
    assert_eq!(seen.len(), KINDS, "kinds generated: {seen:?}");
}

/// Every view the handlers may show for `step` (those that need the store, in each of
/// the outcomes it may give), in the language each is shown in; none for a step that
/// only answers the press.
fn views_of(lang: Lang, step: Step) -> Vec<(Lang, View)> {
    let views = match step {
        Step::Show(view) => vec![view],
        Step::SaveLang { lang: new, then } => {
            return vec![(new, then), (lang, View::LangSaveFailed(new))];
        }
        // The purge itself touches the store; what it shows is a count.
        Step::Purge => vec![View::Purged(3), View::PurgeFailed],
        Step::Subscribe { .. } => vec![
            View::Subscribed,
            View::SubscribedAlready,
            View::SubscribeFailed,
            View::SubscribeAdminsOnly,
        ],
        Step::Announce { id, .. } => vec![
            View::AnnounceUnknown(id.clone()),
            View::AnnounceQueueFailed(id),
        ],
        Step::SendDay { day, .. } => vec![
            View::RehearseNothing(day),
            View::AnnounceQueueFailed(format!("day:{day}")),
        ],
        Step::Job { job, act } => match act {
            JobAct::AskCancel => vec![
                View::BroadcastNotRunning(job.clone()),
                View::BroadcastCancelFailed(job),
            ],
            JobAct::Cancel => vec![
                View::BroadcastCancelled(job.clone()),
                View::BroadcastNotRunning(job.clone()),
                View::BroadcastCancelFailed(job),
            ],
            JobAct::Keep => vec![View::JobKept(job)],
            JobAct::Resume => vec![
                View::JobResumed(job.clone()),
                View::JobNotCancelled(job.clone()),
                View::BroadcastCancelFailed(job),
            ],
        },
        // Answered with a short text under the button, within Telegram's 200 characters.
        Step::Stale => {
            let text = CATALOG.locales.text(lang, Msg::CallbackStale, None);
            assert!(!text.is_empty() && text.chars().count() <= 200, "{text}");
            vec![]
        }
        other => panic!("a parsed press planned {other:?}"),
    };
    views.into_iter().map(|v| (lang, v)).collect()
}
