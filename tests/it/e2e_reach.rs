//! Buttons, paging, deep links and inline mode, end to end through the fake Bot API.

use qantar_bot::input::callback_data::{AfterLang, Callback};
use qantar_bot::lang::Lang;
use qantar_bot::render::{View, inline_results, page_count, render};
use serde_json::Value;

use crate::expect::{expected, keyboard_json, shown};
use crate::fake_api::{BOT_USERNAME, Call, Chat, FakeApi, From};
use crate::harness::Harness;

fn user(id: i64, code: Option<&'static str>) -> From {
    From {
        user_id: id,
        language_code: code,
    }
}

/// Waits for the `n`-th call (1-based) of `method` that matches `pred`.
async fn nth_call(api: &FakeApi, method: &str, n: usize, pred: impl Fn(&Call) -> bool) -> Call {
    api.wait_until(|api| {
        let calls: Vec<Call> = api.calls(method).into_iter().filter(|c| pred(c)).collect();
        calls.get(n - 1).cloned()
    })
    .await
    .unwrap_or_else(|| panic!("no {method} call #{n}"))
}

fn edits_of(api: &FakeApi, chat: i64) -> Vec<Call> {
    api.calls("editMessageText")
        .into_iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
        .collect()
}

async fn wait_edits(api: &FakeApi, chat: i64, n: usize) -> Vec<Call> {
    api.wait_until(|api| {
        let edits = edits_of(api, chat);
        (edits.len() >= n).then_some(edits)
    })
    .await
    .unwrap_or_else(|| panic!("chat {chat}: expected {n} edits"))
}

fn answer_for(api: &FakeApi, id: &str) -> Option<Call> {
    api.calls("answerCallbackQuery")
        .into_iter()
        .find(|c| c.body["callback_query_id"] == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_buttons_save_answer_and_edit_in_place() {
    let h = Harness::start().await;

    // /lang shows the three buttons.
    let chat = Chat::Private(501);
    let en = user(501, Some("en"));
    h.api.send_text(chat, &en, "/lang");
    let got = h.api.wait_sent(501, 1).await;
    assert_eq!(
        shown(&got),
        expected(&render(&h.catalog, Lang::En, &View::LangMenu))
    );
    let buttons = &got[0].body["reply_markup"]["inline_keyboard"][0];
    let labels: Vec<&str> = buttons
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["English", "Русский", "Қазақша"]);

    // Pressing Қазақша saves it, answers the press and edits the message into Kazakh.
    let message_id = h.api.sent_message_id(501, 0);
    let data = Callback::SetLang {
        lang: Lang::Kk,
        then: AfterLang::Confirm,
    }
    .to_string();
    let press = h.api.press(chat, &en, message_id, &data);
    let edits = wait_edits(&h.api, 501, 1).await;
    assert_eq!(edits[0].body["message_id"], message_id);
    assert_eq!(
        shown(&edits),
        expected(&render(&h.catalog, Lang::Kk, &View::LangChanged))
    );
    let answer = answer_for(&h.api, &press).expect("the press is answered");
    assert_eq!(answer.body["text"], "✓ Қазақша");

    // The choice stuck: the next command is answered in Kazakh though Telegram says en.
    h.api.send_text(chat, &en, "/petition");
    let got = h.api.wait_sent(501, 2).await;
    assert_eq!(
        shown(&got[1..]),
        expected(&render(&h.catalog, Lang::Kk, &View::Petition))
    );

    // A first /start from a reader whose Telegram language we don't speak offers the
    // picker; choosing Русский edits the greeting into Russian.
    let chat = Chat::Private(502);
    let de = user(502, Some("de-AT"));
    h.api.send_text(chat, &de, "/start");
    let got = h.api.wait_sent(502, 1).await;
    assert_eq!(
        shown(&got),
        expected(&render(&h.catalog, Lang::En, &View::Start { picker: true }))
    );
    let data = Callback::SetLang {
        lang: Lang::Ru,
        then: AfterLang::Start,
    }
    .to_string();
    h.api.press(chat, &de, h.api.sent_message_id(502, 0), &data);
    let edits = wait_edits(&h.api, 502, 1).await;
    assert_eq!(
        shown(&edits),
        expected(&render(
            &h.catalog,
            Lang::Ru,
            &View::Start { picker: false }
        ))
    );
    // Once chosen, /start no longer offers the picker.
    h.api.send_text(chat, &de, "/start");
    let got = h.api.wait_sent(502, 2).await;
    assert_eq!(
        shown(&got[1..]),
        expected(&render(
            &h.catalog,
            Lang::Ru,
            &View::Start { picker: false }
        ))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_pages_and_opens_events_in_place() {
    let h = Harness::start().await;
    let pages = page_count(&h.catalog.content);

    for (chat_id, code, lang) in [(601, "ru", Lang::Ru), (602, "kk", Lang::Kk)] {
        let chat = Chat::Private(chat_id);
        let reader = user(chat_id, Some(code));
        h.api.send_text(chat, &reader, "/timeline");
        let got = h.api.wait_sent(chat_id, 1).await;
        assert_eq!(
            shown(&got),
            expected(&render(&h.catalog, lang, &View::Timeline { page: 0 }))
        );
        let message_id = h.api.sent_message_id(chat_id, 0);

        // ▶ to page 2, then all the way to the end: each press edits the same message.
        let mut edits = 0;
        for page in 1..pages {
            h.api.press(
                chat,
                &reader,
                message_id,
                &Callback::TimelinePage(page).to_string(),
            );
            edits += 1;
            let got = wait_edits(&h.api, chat_id, edits).await;
            let last = got.last().unwrap();
            assert_eq!(last.body["message_id"], message_id);
            assert_eq!(
                shown(std::slice::from_ref(last)),
                expected(&render(&h.catalog, lang, &View::Timeline { page }))
            );
        }
        // The end of the timeline carries Sign and Share, then Subscribe.
        let last = edits_of(&h.api, chat_id).pop().unwrap();
        let rows = last.body["reply_markup"]["inline_keyboard"]
            .as_array()
            .unwrap()
            .clone();
        let sign_row = &rows[rows.len() - 2];
        assert_eq!(sign_row[0]["url"], h.catalog.content.petition.url.as_str());
        assert_eq!(sign_row[1]["switch_inline_query"], "");
        assert_eq!(rows[rows.len() - 1][0]["callback_data"], "1:sub");

        // Open an event: full text and its sources' links; back returns to its page.
        let event = &h.catalog.content.events[5];
        h.api.press(
            chat,
            &reader,
            message_id,
            &Callback::Event(event.id.clone()).to_string(),
        );
        edits += 1;
        let got = wait_edits(&h.api, chat_id, edits).await;
        let opened = got.last().unwrap();
        assert_eq!(
            shown(std::slice::from_ref(opened)),
            expected(&render(&h.catalog, lang, &View::Event(event.id.clone())))
        );
        let html = opened.body["text"].as_str().unwrap();
        for id in &event.sources {
            if let Some(url) = &h.catalog.content.source(id).unwrap().url {
                assert!(html.contains(&format!("href=\"{url}\"")), "{url}");
            }
        }
        let back = &opened.body["reply_markup"]["inline_keyboard"][0][0];
        assert_eq!(back["callback_data"], Callback::TimelinePage(1).to_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_topics_are_buttons() {
    let h = Harness::start().await;
    let chat = Chat::Private(701);
    let reader = user(701, Some("kk"));
    h.api.send_text(chat, &reader, "/summary");
    let got = h.api.wait_sent(701, 1).await;
    assert_eq!(
        shown(&got),
        expected(&render(&h.catalog, Lang::Kk, &View::Summary))
    );
    let topic_data: Vec<String> = got[0].body["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().clone())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
        .filter(|data| data.starts_with("1:p:"))
        .collect();
    assert_eq!(topic_data.len(), h.catalog.content.summary.topics.len());

    let message_id = h.api.sent_message_id(701, 0);
    h.api.press(chat, &reader, message_id, &topic_data[2]);
    let got = wait_edits(&h.api, 701, 1).await;
    let topic = &h.catalog.content.summary.topics[2];
    assert_eq!(
        shown(&got),
        expected(&render(
            &h.catalog,
            Lang::Kk,
            &View::Topic(topic.id.clone())
        ))
    );
    h.api
        .press(chat, &reader, message_id, &Callback::Summary.to_string());
    let got = wait_edits(&h.api, 701, 2).await;
    assert_eq!(
        shown(&got[1..]),
        expected(&render(&h.catalog, Lang::Kk, &View::Summary))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_deep_link_opens_its_view() {
    let h = Harness::start().await;
    let event = h.catalog.content.events[3].id.clone();
    let topic = h.catalog.content.summary.topics[1].id.clone();
    let greeting = View::Start { picker: false };
    let cases: Vec<(String, Option<Lang>, View)> = vec![
        ("petition".into(), None, View::Petition),
        ("timeline".into(), None, View::Timeline { page: 0 }),
        ("sources".into(), None, View::Sources),
        ("summary".into(), None, View::Summary),
        (format!("summary_{topic}"), None, View::Topic(topic.clone())),
        (format!("event_{event}"), None, View::Event(event.clone())),
        ("lang_kk".into(), Some(Lang::Kk), greeting.clone()),
        ("lang_ru".into(), Some(Lang::Ru), greeting.clone()),
        ("lang_en".into(), Some(Lang::En), greeting.clone()),
        ("event_no_such_event".into(), None, greeting.clone()),
        ("summary_nothing".into(), None, greeting.clone()),
        ("bogus".into(), None, greeting.clone()),
        ("lang_xx".into(), None, greeting.clone()),
        ("<script>".into(), None, greeting.clone()),
    ];
    let mut chat_id = 800;
    for (code, telegram_lang) in [("ru-RU", Lang::Ru), ("en", Lang::En)] {
        for (payload, switch, view) in &cases {
            chat_id += 1;
            let reader = user(chat_id, Some(code));
            h.api.send_text(
                Chat::Private(chat_id),
                &reader,
                &format!("/start {payload}"),
            );
            let lang = switch.unwrap_or(telegram_lang);
            let want = expected(&render(&h.catalog, lang, view));
            let got = h.api.wait_sent(chat_id, want.len()).await;
            assert_eq!(shown(&got), want, "start={payload} for a {code} reader");
        }
    }
    // A language deep link is a saved choice, like /lang: chat 807 opened lang_kk.
    let sent_before = h.api.sent_to(807).len();
    h.api
        .send_text(Chat::Private(807), &user(807, Some("ru")), "/help");
    let got = h.api.wait_sent(807, sent_before + 1).await;
    assert_eq!(
        shown(&got[sent_before..]),
        expected(&render(&h.catalog, Lang::Kk, &View::Help))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_queries_offer_articles_in_the_users_language() {
    let h = Harness::start().await;

    let answered = |api: &FakeApi, id: &str| -> Option<Call> {
        api.calls("answerInlineQuery")
            .into_iter()
            .find(|c| c.body["inline_query_id"] == id)
    };

    // Empty query: petition and summary first, in Russian for a Russian user.
    let ru = user(901, Some("ru"));
    let id = h.api.inline_query(&ru, "");
    let call = h
        .api
        .wait_until(|api| answered(api, &id))
        .await
        .expect("answered");
    let results = call.body["results"].as_array().unwrap();
    assert!(results.len() <= 50 && results.len() >= 2);
    assert_eq!(results[0]["id"], "petition");
    assert_eq!(results[1]["id"], "summary");
    assert_eq!(results[0]["type"], "article");
    assert_eq!(
        results[0]["title"],
        h.catalog.content.petition.title.ru.as_str()
    );
    assert_eq!(call.body["is_personal"], true);
    let cache = call.body["cache_time"].as_u64().unwrap();
    assert!((1..=300).contains(&cache), "{cache}");

    // Words typed on a Russian keyboard find the Kazakh spelling; the Kazakh reader gets
    // Kazakh text, each article with its sources and the petition button.
    let kk = user(902, Some("kk"));
    for query in ["жанаозен", "ЖАҢАӨЗЕН", "Zhanaozen"] {
        let id = h.api.inline_query(&kk, query);
        let call = h
            .api
            .wait_until(|api| answered(api, &id))
            .await
            .expect("answered");
        let results = call.body["results"].as_array().unwrap();
        let want = inline_results(&h.catalog, Lang::Kk, query, BOT_USERNAME);
        let ids: Vec<&str> = results.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let want_ids: Vec<&str> = want.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, want_ids, "{query}");
        assert_eq!(ids[0], "e:zhanaozen", "{query}");
        let first = &results[0];
        let message = &first["input_message_content"];
        assert_eq!(message["parse_mode"], "HTML");
        assert_eq!(message["message_text"], want[0].html.as_str());
        assert!(want[0].html.contains("Жаңаөзен"));
        assert!(
            want[0].html.contains("href=\"https://"),
            "sources are linked"
        );
        assert_eq!(first["reply_markup"], keyboard_json(&want[0].keyboard));
        assert_eq!(
            first["reply_markup"]["inline_keyboard"][0][0]["url"],
            h.catalog.content.petition.url.as_str()
        );
        let open = first["reply_markup"]["inline_keyboard"][0][1]["url"]
            .as_str()
            .unwrap();
        assert_eq!(
            open,
            format!("https://t.me/{BOT_USERNAME}?start=event_zhanaozen")
        );
    }

    // Nothing matches: still the petition and the summary, never an error.
    let id = h.api.inline_query(&kk, "xyzzy nothing matches");
    let call = h
        .api
        .wait_until(|api| answered(api, &id))
        .await
        .expect("answered");
    let ids: Vec<Value> = call.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, vec![Value::from("petition"), Value::from("summary")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_stale_buttons_get_a_polite_answer() {
    let h = Harness::start().await;
    let chat = Chat::Private(1001);
    let reader = user(1001, Some("ru"));
    h.api.send_text(chat, &reader, "/timeline");
    h.api.wait_sent(1001, 1).await;
    let message_id = h.api.sent_message_id(1001, 0);
    let stale = h
        .catalog
        .locales
        .text(Lang::Ru, qantar_bot::i18n::Msg::CallbackStale, None);
    let forged = [
        "garbage",
        "0:t:1",
        "1:e:../../etc/passwd",
        "1:l:de:s",
        "1:t:99999",
        "<b>1:s</b>",
        "",
    ];
    let mut ids = Vec::new();
    for data in forged {
        ids.push(h.api.press(chat, &reader, message_id, data));
    }
    // Followed by a real press, so we know every forged one was handled first.
    h.api.press(
        chat,
        &reader,
        message_id,
        &Callback::TimelinePage(1).to_string(),
    );
    wait_edits(&h.api, 1001, 1).await;
    for (id, data) in ids.iter().zip(forged) {
        let answer = nth_call(&h.api, "answerCallbackQuery", 1, |c| {
            c.body["callback_query_id"] == *id
        })
        .await;
        assert_eq!(answer.body["text"], stale.as_str(), "{data:?}");
    }
    assert_eq!(edits_of(&h.api, 1001).len(), 1, "forged data edits nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscribe_button_answers_in_a_new_message_and_keeps_the_greeting() {
    let h = Harness::start().await;
    let reader = From {
        user_id: 8801,
        language_code: Some("kk"),
    };
    h.api.send_text(Chat::Private(8801), &reader, "/start");
    let greeting = h.api.wait_sent(8801, 1).await;
    let buttons = &greeting[0].body["reply_markup"]["inline_keyboard"];
    assert_eq!(buttons[0][0]["callback_data"], "1:sub");
    let message_id = h.api.sent_message_id(8801, 0);
    h.api
        .press(Chat::Private(8801), &reader, message_id, "1:sub");
    let got = h.api.wait_sent(8801, 2).await;
    assert_eq!(
        shown(&got[1..]),
        expected(&render(&h.catalog, Lang::Kk, &View::Subscribed))
    );
    // Pressed again: already subscribed, again in a message of its own.
    h.api
        .press(Chat::Private(8801), &reader, message_id, "1:sub");
    let got = h.api.wait_sent(8801, 3).await;
    assert_eq!(
        shown(&got[2..]),
        expected(&render(&h.catalog, Lang::Kk, &View::SubscribedAlready))
    );
    assert!(
        edits_of(&h.api, 8801).is_empty(),
        "the greeting stays as it was"
    );
}
