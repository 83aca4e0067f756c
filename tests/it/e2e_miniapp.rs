//! The Mini App end to end: with `QANTAR_WEB_URL`, the greeting and the timeline in a
//! private chat carry "🌐 Open the record", the menu button opens the pages, and
//! `POST /api/subscribe` subscribes the reader a correctly signed `initData` names, and
//! no one else; without it, none of that appears.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use hmac::{Hmac, Mac};
use qantar_bot::i18n::Msg;
use qantar_bot::input::callback_data::Callback;
use qantar_bot::lang::Lang;
use qantar_bot::render::{View, render};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::e2e_ops::{free_addr, http};
use crate::expect::{Shown, expected, shown};
use crate::fake_api::{Chat, Fault, From};
use crate::harness::Harness;
use crate::process::{BotProcess, TOKEN};

const WEB_URL: &str = "https://record.example/";

async fn with_mini_app() -> (Harness, SocketAddr) {
    let listen = free_addr();
    let h = Harness::builder()
        .env("QANTAR_WEB_URL", WEB_URL)
        .env("QANTAR_WEB_LISTEN", listen.to_string())
        .start()
        .await;
    wait_listening(listen, &h.bot).await;
    (h, listen)
}

async fn wait_listening(addr: SocketAddr, bot: &BotProcess) {
    for _ in 0..800 {
        if TcpStream::connect(addr).is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never listened on {addr}:\n{}", bot.log_text());
}

/// What the reply to `view` shows with the Mini App's row under its last message.
fn with_open_row(h: &Harness, lang: Lang, view: &View) -> Vec<Shown> {
    let mut want = expected(&render(&h.catalog, lang, view));
    let label = h.catalog.locales.text(lang, Msg::ButtonOpenRecord, None);
    let row = json!([{"text": label, "web_app": {"url": format!("{WEB_URL}{lang}/")}}]);
    let last = want.last_mut().expect("a reply has a message");
    match &mut last.keyboard {
        Value::Null => last.keyboard = json!({"inline_keyboard": [row]}),
        keyboard => keyboard["inline_keyboard"]
            .as_array_mut()
            .expect("rows")
            .push(row),
    }
    want
}

fn has_web_app(calls: &[crate::fake_api::Call]) -> bool {
    calls
        .iter()
        .any(|c| c.body["reply_markup"].to_string().contains("web_app"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chats_get_the_open_the_record_button_and_the_menu_opens_it() {
    let (h, _) = with_mini_app().await;

    let (chat, en) = (
        730_914_101,
        From {
            user_id: 730_914_101,
            language_code: Some("en-GB"),
        },
    );
    h.api.send_text(Chat::Private(chat), &en, "/start");
    let got = h.api.wait_sent(chat, 1).await;
    let want = with_open_row(&h, Lang::En, &View::Start { picker: false });
    assert_eq!(shown(&got), want);
    assert_eq!(
        want[0].keyboard["inline_keyboard"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()[0]["text"],
        "🌐 Open the record",
        "the issue's label"
    );

    // A reader whose language we don't speak picks one under the greeting: the greeting
    // edited into that language keeps the row, in that language.
    let (chat, de) = (
        730_914_102,
        From {
            user_id: 730_914_102,
            language_code: Some("de"),
        },
    );
    h.api.send_text(Chat::Private(chat), &de, "/start");
    let got = h.api.wait_sent(chat, 1).await;
    assert_eq!(
        shown(&got),
        with_open_row(&h, Lang::En, &View::Start { picker: true })
    );
    let greeting = h.api.sent_message_id(chat, 0);
    let pick = Callback::SetLang {
        lang: Lang::Kk,
        then: qantar_bot::input::callback_data::AfterLang::Start,
    };
    h.api
        .press(Chat::Private(chat), &de, greeting, &pick.to_string());
    let edited = edits(&h, chat, 1).await;
    assert_eq!(
        shown(&edited),
        with_open_row(&h, Lang::Kk, &View::Start { picker: false })
    );

    // Every page of the timeline, sent or turned to.
    let (chat, ru) = (
        730_914_103,
        From {
            user_id: 730_914_103,
            language_code: Some("ru"),
        },
    );
    h.api.send_text(Chat::Private(chat), &ru, "/timeline");
    let got = h.api.wait_sent(chat, 1).await;
    assert_eq!(
        shown(&got),
        with_open_row(&h, Lang::Ru, &View::Timeline { page: 0 })
    );
    let page = h.api.sent_message_id(chat, 0);
    h.api.press(
        Chat::Private(chat),
        &ru,
        page,
        &Callback::TimelinePage(1).to_string(),
    );
    let edited = edits(&h, chat, 1).await;
    assert_eq!(
        shown(&edited),
        with_open_row(&h, Lang::Ru, &View::Timeline { page: 1 })
    );

    // Other replies, and groups (Telegram takes web_app buttons in private chats only),
    // are as they always were.
    h.api.send_text(Chat::Private(chat), &ru, "/help");
    let got = h.api.wait_sent(chat, 2).await;
    assert_eq!(
        shown(&got[1..]),
        expected(&render(&h.catalog, Lang::Ru, &View::Help))
    );
    let group = -100_730_914_104;
    for text in ["/timeline", "/start"] {
        h.api.send_text(Chat::Group(group), &en, text);
    }
    let got = h.api.wait_sent(group, 2).await;
    assert_eq!(
        shown(&got[..1]),
        expected(&render(&h.catalog, Lang::En, &View::Timeline { page: 0 }))
    );
    assert!(!has_web_app(&got), "no Mini App button in a group");

    let menu = h
        .api
        .wait_until(|api| api.calls("setChatMenuButton").pop())
        .await
        .expect("the menu button is set");
    assert_eq!(
        menu.body,
        json!({"menu_button": {"type": "web_app", "text": "Record", "web_app": {"url": WEB_URL}}}),
        "the default for every private chat (no chat_id), opening the pages"
    );
}

async fn edits(h: &Harness, chat: i64, n: usize) -> Vec<crate::fake_api::Call> {
    h.api
        .wait_until(|api| {
            let got: Vec<_> = api
                .calls("editMessageText")
                .into_iter()
                .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
                .collect();
            (got.len() >= n).then_some(got)
        })
        .await
        .unwrap_or_else(|| panic!("chat {chat}: expected {n} edits"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_web_url_there_is_no_mini_app() {
    let listen = free_addr();
    // The pages may be served without being a Mini App.
    let h = Harness::builder()
        .env("QANTAR_WEB_LISTEN", listen.to_string())
        .start()
        .await;
    wait_listening(listen, &h.bot).await;
    let (chat, from) = (
        730_914_201,
        From {
            user_id: 730_914_201,
            language_code: Some("en"),
        },
    );
    h.api.send_text(Chat::Private(chat), &from, "/start");
    h.api.send_text(Chat::Private(chat), &from, "/timeline");
    let got = h.api.wait_sent(chat, 2).await;
    assert_eq!(
        shown(&got[..1]),
        expected(&render(
            &h.catalog,
            Lang::En,
            &View::Start { picker: false }
        ))
    );
    assert_eq!(
        shown(&got[1..]),
        expected(&render(&h.catalog, Lang::En, &View::Timeline { page: 0 }))
    );
    assert!(!has_web_app(&got));

    let signed = init_data(TOKEN, chat, Some("en"), now());
    let (status, _) = http(listen, "POST", "/api/subscribe", &[], &signed);
    assert_eq!(status, 404, "no Mini App, no endpoint");

    h.bot.wait_log("menus and descriptions published", 1).await;
    // The menu button is set after the menus, by the same task: give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(h.api.calls("setChatMenuButton").is_empty());
    h.api.send_text(Chat::Private(chat), &from, "/unsubscribe");
    let got = h.api.wait_sent(chat, 3).await;
    assert_eq!(
        shown(&got[2..]),
        expected(&render(&h.catalog, Lang::En, &View::NotSubscribed))
    );
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `initData` as Telegram would hand it to the page, signed with `token` as Telegram's
/// documentation says (written out here, apart from the bot's own code).
pub(crate) fn init_data(
    token: &str,
    user: i64,
    language_code: Option<&str>,
    auth_date: i64,
) -> String {
    let mut user_json = json!({"id": user, "first_name": "Reader", "username": "reader_x"});
    if let Some(code) = language_code {
        user_json["language_code"] = json!(code);
    }
    let fields = [
        ("query_id", "AAH-test-query".to_string()),
        ("user", user_json.to_string()),
        ("auth_date", auth_date.to_string()),
        ("signature", "c2lnbmF0dXJl".to_string()),
    ];
    let mut lines: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    lines.sort();
    let mut secret = Hmac::<Sha256>::new_from_slice(b"WebAppData").unwrap();
    secret.update(token.as_bytes());
    let secret = secret.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).unwrap();
    mac.update(lines.join("\n").as_bytes());
    let hash: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &fields {
        query.append_pair(k, v);
    }
    query.append_pair("hash", &hash);
    query.finish()
}

fn hash_of(raw: &str) -> &str {
    raw.rsplit_once("hash=").unwrap().1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscribe_endpoint_takes_only_a_fresh_initdata_signed_for_this_bot() {
    let (h, listen) = with_mini_app().await;
    let post = |body: &str| http(listen, "POST", "/api/subscribe", &[], body);

    // Signed with the bot's token, just now: subscribed, in the reader's language, and
    // told so in the chat as /subscribe tells it.
    let reader = 730_914_301;
    let good = init_data(TOKEN, reader, Some("kk"), now());
    let (status, body) = post(&good);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"subscribed": true, "already": false})
    );
    let got = h.api.wait_sent(reader, 1).await;
    assert_eq!(
        shown(&got),
        expected(&render(&h.catalog, Lang::Kk, &View::Subscribed))
    );
    let (status, body) = post(&good);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"subscribed": true, "already": true}),
        "twice is still one subscription"
    );

    // A reader who never started the bot (or blocked it) cannot be written to: not
    // subscribed, and told so rather than "subscribed".
    let stranger = 730_914_305;
    h.api
        .inject("sendMessage", Some(stranger), 1, Fault::blocked());
    let (status, body) = post(&init_data(TOKEN, stranger, Some("en"), now()));
    assert_eq!(status, 403, "{body}");

    // Refused: a forged hash, a correctly signed one two days old, one signed with
    // another bot's token. Each names a reader of its own, to show none was subscribed.
    let forged_reader = 730_914_302;
    let signed = init_data(TOKEN, forged_reader, Some("en"), now());
    let forged = signed.replace(hash_of(&signed), &"ab".repeat(32));
    let expired_reader = 730_914_303;
    let expired = init_data(TOKEN, expired_reader, Some("en"), now() - 2 * 24 * 60 * 60);
    let other_reader = 730_914_304;
    let other_bot = init_data(
        "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-else",
        other_reader,
        Some("en"),
        now(),
    );
    for (what, raw) in [
        ("forged", forged.as_str()),
        ("expired", expired.as_str()),
        ("another bot's", other_bot.as_str()),
        ("empty", ""),
        ("not initData", "hello"),
    ] {
        let (status, body) = post(raw);
        assert_eq!(status, 401, "{what}: {body}");
    }
    let (status, _) = http(listen, "GET", "/api/subscribe", &[], "");
    assert_eq!(status, 405);
    let (status, _) = post(&format!("{good}&pad={}", "x".repeat(10_000)));
    assert_eq!(status, 413, "a body far longer than initData is not read");

    // As the readers would find out: the first is subscribed, the others are not.
    let kk = From {
        user_id: reader,
        language_code: Some("kk"),
    };
    h.api.send_text(Chat::Private(reader), &kk, "/unsubscribe");
    let got = h.api.wait_sent(reader, 2).await;
    assert_eq!(
        shown(&got[1..]),
        expected(&render(&h.catalog, Lang::Kk, &View::Unsubscribed))
    );
    for refused in [forged_reader, expired_reader, other_reader, stranger] {
        let from = From {
            user_id: refused,
            language_code: Some("en"),
        };
        h.api
            .send_text(Chat::Private(refused), &from, "/unsubscribe");
        // Delivered ones only: the stranger's confirmation was refused by Telegram.
        let got = h
            .api
            .wait_until(|api| Some(api.delivered_to(refused)).filter(|d| !d.is_empty()))
            .await
            .expect("an answer to /unsubscribe");
        assert_eq!(
            shown(&got),
            expected(&render(&h.catalog, Lang::En, &View::NotSubscribed)),
            "reader {refused} was never subscribed"
        );
    }

    // The log says why, and nothing of the data.
    let log = h.bot.wait_log("refused a Mini App subscribe", 5).await;
    assert!(log.contains("refused a Mini App subscribe: signature does not match"));
    assert!(log.contains("refused a Mini App subscribe: older than a day"));
    for secret in [
        good.as_str(),
        hash_of(&good),
        hash_of(&expired),
        hash_of(&other_bot),
        "reader_x",
        "AAH-test-query",
        TOKEN,
    ] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
    for id in [reader, forged_reader, expired_reader, other_reader] {
        assert!(!log.contains(&id.to_string()), "the log shows {id}:\n{log}");
    }
}

#[test]
fn links_list_the_mini_apps_startapp_links_only_with_a_web_url() {
    let dir = tempfile::tempdir().unwrap();
    let links = |web_url: Option<&str>| {
        let launch = crate::process::Launch::new("http://127.0.0.1:9", dir.path());
        let mut cmd = launch.command();
        cmd.args(["links", "--username", "QantarBot"]);
        if let Some(url) = web_url {
            cmd.env("QANTAR_WEB_URL", url);
        }
        let out = cmd.output().expect("links runs");
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(!links(None).contains("startapp"));
    let listed = links(Some(WEB_URL));
    let catalog = crate::catalog::shipped();
    assert!(listed.contains("https://t.me/QantarBot?startapp  "));
    for event in &catalog.content.events {
        let url = format!("https://t.me/QantarBot?startapp={}", event.id);
        assert!(listed.contains(&format!("{url}  ")), "{url}");
        // Telegram's rule for a start parameter, which the page's script reads.
        let ok = (1..=64).contains(&event.id.len())
            && event
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        assert!(ok, "{}", event.id);
    }
}
