//! End to end through the real dispatcher and a fake Bot API: every command in every
//! language, /lang switching that survives a restart, groups and other bots.

use qantar_bot::lang::Lang;
use qantar_bot::render::{View, render};
use serde_json::Value;

use crate::expect::{expected, shown, text_of, texts};
use crate::fake_api::{BOT_USERNAME, Chat, From};
use crate::harness::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers_in_the_users_telegram_language() {
    let h = Harness::start().await;

    let cases = [
        ("/start", View::Start { picker: false }),
        ("/help", View::Help),
        ("/summary", View::Summary),
        ("/timeline", View::Timeline { page: 0 }),
        ("/sources", View::Sources),
        ("/petition", View::Petition),
        ("/lang", View::LangMenu),
        ("/start unknown_payload", View::Start { picker: false }),
        ("/summary_causes", View::Topic("causes".into())),
    ];
    // Telegram's language_code, and which of ours it is: none for a language we don't
    // speak or no code at all; those readers get English.
    let langs = [
        (Some("en-US"), Some(Lang::En)),
        (Some("ru-RU"), Some(Lang::Ru)),
        (Some("kk"), Some(Lang::Kk)),
        (Some("de"), None),
        (None, None),
    ];
    // One chat per (language, command): replies in a chat arrive in order, chats in parallel.
    let mut expectations = Vec::new();
    for (li, (code, ours)) in langs.iter().enumerate() {
        let lang = ours.unwrap_or(Lang::En);
        let unspoken = ours.is_none();
        for (ci, (text, view)) in cases.iter().enumerate() {
            let chat = 10_000 + (li * 100 + ci) as i64;
            let from = From {
                user_id: chat,
                language_code: *code,
            };
            h.api.send_text(Chat::Private(chat), &from, text);
            expectations.push((chat, lang, unspoken, view.clone(), *text));
        }
    }
    for (chat, lang, unspoken, view, text) in expectations {
        let want = render(&h.catalog, lang, &view);
        let got = h.api.wait_sent(chat, want.messages.len()).await;
        let text = &text;
        let mut want_shown = expected(&want);
        if text.starts_with("/start") && unspoken {
            // Readers whose Telegram language we don't speak are offered the picker.
            want_shown = expected(&render(&h.catalog, lang, &View::Start { picker: true }));
        }
        assert_eq!(shown(&got), want_shown, "{text} in {lang}");
        for call in &got {
            assert_eq!(call.body["parse_mode"], "HTML");
            let preview_off = call.body["link_preview_options"]["is_disabled"] == Value::Bool(true);
            assert_eq!(preview_off, view != View::Petition, "{text}: link previews");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_choice_is_saved_and_survives_a_restart() {
    let mut h = Harness::start().await;
    let chat = 4242;
    let from = From {
        user_id: chat,
        language_code: Some("en"),
    };

    h.api.send_text(Chat::Private(chat), &from, "/lang КАЗ");
    let got = h.api.wait_sent(chat, 1).await;
    assert_eq!(
        texts(&got)[0],
        text_of(&render(&h.catalog, Lang::Kk, &View::LangChanged), 0),
        "confirmation comes in the new language"
    );

    h.api.send_text(Chat::Private(chat), &from, "/lang klingon");
    let got = h.api.wait_sent(chat, 2).await;
    let refusal = &texts(&got)[1];
    assert_eq!(
        refusal,
        &text_of(
            &render(&h.catalog, Lang::Kk, &View::LangUnknown("klingon".into())),
            0
        )
    );
    assert!(refusal.contains("klingon") && refusal.contains("/lang_ru"));

    assert!(h.bot.terminate().success(), "SIGTERM exits 0");

    h.respawn();
    h.api.send_text(Chat::Private(chat), &from, "/help");
    let got = h.api.wait_sent(chat, 3).await;
    assert_eq!(
        texts(&got)[2],
        text_of(&render(&h.catalog, Lang::Kk, &View::Help), 0),
        "the saved Kazakh outlives the process and beats Telegram's en"
    );

    h.api.send_text(Chat::Private(chat), &from, "/lang_ru");
    h.api.send_text(Chat::Private(chat), &from, "/petition");
    let got = h.api.wait_sent(chat, 5).await;
    assert_eq!(
        texts(&got)[4],
        text_of(&render(&h.catalog, Lang::Ru, &View::Petition), 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_answer_only_what_is_ours() {
    let h = Harness::start().await;
    let group = Chat::Group(-100_200_300);
    let from = From {
        user_id: 55,
        language_code: Some("ru"),
    };
    // Not ours: another bot's command, chatter, a command addressed to no one.
    h.api.send_text(group, &from, "/help@other_bot");
    h.api.send_text(group, &from, "good morning, everyone");
    h.api.send_text(group, &from, "/weather");
    // Ours: addressed to us, in any case, known or not.
    h.api
        .send_text(group, &from, &format!("/sources@{BOT_USERNAME}"));
    h.api.send_text(
        group,
        &from,
        &format!("/petition@{}", BOT_USERNAME.to_uppercase()),
    );
    h.api
        .send_text(group, &from, &format!("/weather@{BOT_USERNAME}"));
    // The barrier: a plain /help, which a group gets answered too. Updates of one chat are
    // handled in order, so once its answer is in, everything before it has been handled.
    h.api.send_text(group, &from, "/help");

    let mut want = Vec::new();
    for view in [
        View::Sources,
        View::Petition,
        View::UnknownCommand("weather".into()),
        View::Help,
    ] {
        want.extend(expected(&render(&h.catalog, Lang::Ru, &view)));
    }
    let got = h.api.wait_sent(group.id(), want.len()).await;
    assert_eq!(shown(&got), want);
    // No sleep needed: a reply to what is not ours would have come before the barrier's.
    assert_eq!(
        h.api.sent_to(group.id()).len(),
        want.len(),
        "no reply to what is not ours"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chatter_gets_a_pointer_to_help() {
    let h = Harness::start().await;
    let from = From {
        user_id: 9,
        language_code: Some("kk-KZ"),
    };
    h.api
        .send_text(Chat::Private(9), &from, "сәлем! <b>what</b> is this?");
    h.api
        .send_text(Chat::Private(9), &from, "/frobnicate <now>");
    let got = h.api.wait_sent(9, 2).await;
    assert_eq!(
        texts(&got),
        vec![
            text_of(&render(&h.catalog, Lang::Kk, &View::NotACommand), 0),
            text_of(
                &render(
                    &h.catalog,
                    Lang::Kk,
                    &View::UnknownCommand("frobnicate".into())
                ),
                0
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn menus_and_descriptions_are_published_in_three_languages() {
    let h = Harness::start().await;
    let menus = h
        .api
        .wait_until(|api| {
            let calls = api.calls("setMyShortDescription");
            (calls.len() >= 3).then(|| api.calls("setMyCommands"))
        })
        .await
        .expect("menus published");
    let codes: Vec<Value> = menus
        .iter()
        .map(|c| c.body["language_code"].clone())
        .collect();
    assert_eq!(codes, vec![Value::Null, "ru".into(), "kk".into()]);
    for (call, lang) in menus.iter().zip(Lang::ALL) {
        let commands = call.body["commands"].as_array().unwrap();
        let names: Vec<&str> = commands
            .iter()
            .map(|c| c["command"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "start",
                "summary",
                "timeline",
                "map",
                "sources",
                "petition",
                "lang",
                "subscribe",
                "unsubscribe",
                "forget",
                "help"
            ]
        );
        let summary = h
            .catalog
            .locales
            .text(lang, qantar_bot::i18n::Msg::CmdSummary, None);
        assert_eq!(commands[1]["description"], Value::from(summary));
    }
    let descriptions = h.api.calls("setMyDescription");
    assert_eq!(descriptions.len(), 3);
    for call in descriptions {
        let text = call.body["description"].as_str().unwrap();
        assert!(!text.is_empty() && text.chars().count() <= 512);
    }
    for call in h.api.calls("setMyShortDescription") {
        let text = call.body["short_description"].as_str().unwrap();
        assert!(!text.is_empty() && text.chars().count() <= 120);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_store_still_answers_in_telegrams_language() {
    let h = Harness::start().await;
    let from = From {
        user_id: 77,
        language_code: Some("ru"),
    };
    // Wait until the bot is up (it migrated the store), then break the store under it.
    h.api.send_text(Chat::Private(77), &from, "/start");
    h.api.wait_sent(77, 1).await;
    let db = sqlx::SqlitePool::connect(&h.db_url()).await.unwrap();
    sqlx::query("DROP TABLE chat_lang")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;

    h.api.send_text(Chat::Private(77), &from, "/help");
    h.api.send_text(Chat::Private(77), &from, "/lang kk");
    let got = h.api.wait_sent(77, 3).await;
    assert_eq!(
        texts(&got)[1..],
        [
            text_of(&render(&h.catalog, Lang::Ru, &View::Help), 0),
            text_of(
                &render(&h.catalog, Lang::Ru, &View::LangSaveFailed(Lang::Kk)),
                0
            ),
        ]
    );
}
