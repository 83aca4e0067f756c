//! Operations end to end: webhooks with their secret, /healthz and /metrics, admin-only
//! commands, /forget, and (with PostgreSQL) two replicas sharing one store.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use qantar_bot::lang::Lang;
use qantar_bot::render::{View, render};
use serde_json::json;

use crate::catalog::shipped;
use crate::expect::{expected, shown, texts};
use crate::fake_api::{Chat, FakeApi, From};
use crate::harness::Harness;
use crate::process::TEST_DATA_KEY;
use crate::process::{BotProcess, Launch, TOKEN};

const SECRET: &str = "test-secret_0123456789";

pub(crate) fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// A minimal HTTP/1.1 exchange: status code and body.
pub(crate) fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("the bot listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Waits until the bot's HTTP side answers /healthz at all.
async fn wait_listening(addr: SocketAddr, bot: &BotProcess) {
    for _ in 0..400 {
        if TcpStream::connect(addr).is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never listened on {addr}:\n{}", bot.log_text());
}

fn message_update(update_id: i64, chat: i64, code: &str, text: &str) -> String {
    let mut message = json!({
        "message_id": update_id,
        "date": 1_700_000_000,
        "chat": {"id": chat, "type": "private", "first_name": "Reader"},
        "from": {"id": chat, "is_bot": false, "first_name": "Reader", "language_code": code},
        "text": text,
    });
    if text.starts_with('/') {
        let len = text.split_whitespace().next().unwrap_or("").len();
        message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
    }
    json!({"update_id": update_id, "message": message}).to_string()
}

fn webhook_launch<'a>(
    api: &'a FakeApi,
    dir: &'a std::path::Path,
    listen: SocketAddr,
) -> Launch<'a> {
    Launch {
        extra_env: vec![
            (
                "QANTAR_WEBHOOK_URL",
                "https://bot.example.org/telegram/hook".into(),
            ),
            ("QANTAR_LISTEN", listen.to_string()),
            ("QANTAR_WEBHOOK_SECRET", SECRET.into()),
        ],
        ..Launch::new(&api.url, dir)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_updates_need_the_secret() {
    let api = FakeApi::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let listen = free_addr();
    let mut bot = webhook_launch(&api, dir.path(), listen).spawn();
    wait_listening(listen, &bot).await;
    let registered = api
        .wait_until(|api| api.calls("setWebhook").first().cloned())
        .await
        .expect("the webhook is registered");
    assert_eq!(
        registered.body["url"],
        "https://bot.example.org/telegram/hook"
    );
    assert_eq!(registered.body["secret_token"], SECRET);
    assert!(
        api.calls("getUpdates").is_empty(),
        "no polling in webhook mode"
    );

    let catalog = shipped();
    let path = "/telegram/hook";
    let update = message_update(1, 6001, "kk", "/petition");
    let (status, _) = tokio::task::spawn_blocking({
        let update = update.clone();
        move || http(listen, "POST", path, &[], &update)
    })
    .await
    .unwrap();
    assert_eq!(status, 401, "no secret");
    let (status, _) = tokio::task::spawn_blocking({
        let update = update.clone();
        move || {
            http(
                listen,
                "POST",
                path,
                &[("X-Telegram-Bot-Api-Secret-Token", "wrong")],
                &update,
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(status, 401, "wrong secret");
    assert!(
        api.sent_to(6001).is_empty(),
        "refused updates are not processed"
    );

    let (status, _) = tokio::task::spawn_blocking(move || {
        http(
            listen,
            "POST",
            path,
            &[("X-Telegram-Bot-Api-Secret-Token", SECRET)],
            &update,
        )
    })
    .await
    .unwrap();
    assert_eq!(status, 200);
    // The 200 came only after the reply went out: it is already recorded.
    assert_eq!(
        shown(&api.sent_to(6001)),
        expected(&render(&catalog, Lang::Kk, &View::Petition))
    );
    assert!(bot.terminate().success());
    assert!(
        api.calls("deleteWebhook").is_empty(),
        "replicas share the webhook: it stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics() {
    let api = FakeApi::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let listen = free_addr();
    let bot = webhook_launch(&api, dir.path(), listen).spawn();
    wait_listening(listen, &bot).await;
    let get = |path: &'static str| {
        tokio::task::spawn_blocking(move || http(listen, "GET", path, &[], ""))
    };

    let (status, body) = get("/healthz").await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("generation 1"));
    // What Docker's HEALTHCHECK runs.
    let healthcheck = || {
        let mut cmd = webhook_launch(&api, dir.path(), listen).command();
        cmd.arg("healthcheck").output().unwrap().status.code()
    };
    assert_eq!(healthcheck(), Some(0));

    for (i, text) in ["/timeline", "/help", "/lang ru", "/help"]
        .iter()
        .enumerate()
    {
        let update = message_update(10 + i as i64, 6101, "kk", text);
        let (status, _) = tokio::task::spawn_blocking(move || {
            http(
                listen,
                "POST",
                "/telegram/hook",
                &[("X-Telegram-Bot-Api-Secret-Token", SECRET)],
                &update,
            )
        })
        .await
        .unwrap();
        assert_eq!(status, 200);
    }
    let (status, metrics) = get("/metrics").await.unwrap();
    assert_eq!(status, 200);
    for line in [
        "qantar_updates_total{kind=\"message\"} 4",
        "qantar_commands_total{command=\"help\",lang=\"kk\"} 1",
        "qantar_commands_total{command=\"help\",lang=\"ru\"} 1",
        "qantar_commands_total{command=\"timeline\",lang=\"kk\"} 1",
        "qantar_replies_total 4",
        "qantar_reply_latency_seconds_count 4",
        "qantar_content_generation 1",
    ] {
        assert!(metrics.contains(line), "missing {line}:\n{metrics}");
    }
    assert!(!metrics.contains("6101"), "no chat ids in metrics");

    // Break the store: health says so.
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}/prefs.db", dir.path().display()))
        .await
        .unwrap();
    sqlx::query("DROP TABLE chat_lang")
        .execute(&db)
        .await
        .unwrap();
    let (status, body) = get("/healthz").await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("store: down"));
    assert_eq!(healthcheck(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_mode_serves_metrics_when_asked() {
    let listen = free_addr();
    let h = Harness::builder()
        .env("QANTAR_METRICS_LISTEN", listen.to_string())
        .start()
        .await;
    wait_listening(listen, &h.bot).await;
    h.api.send_text(
        Chat::Private(6201),
        &From {
            user_id: 6201,
            language_code: None,
        },
        "/sources",
    );
    h.api.wait_sent(6201, 1).await;
    let (status, metrics) =
        tokio::task::spawn_blocking(move || http(listen, "GET", "/metrics", &[], ""))
            .await
            .unwrap();
    assert_eq!(status, 200);
    assert!(
        metrics.contains("qantar_commands_total{command=\"sources\",lang=\"en\"} 1"),
        "{metrics}"
    );
    let (status, _) = tokio::task::spawn_blocking(move || http(listen, "GET", "/healthz", &[], ""))
        .await
        .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_are_for_admins_only() {
    let h = Harness::builder()
        .env("QANTAR_ADMINS", "42,6301")
        .start()
        .await;
    let admin = From {
        user_id: 6301,
        language_code: Some("ru"),
    };
    let someone = From {
        user_id: 6302,
        language_code: Some("ru"),
    };

    // Anyone else: exactly what an unknown command gets.
    h.api.send_text(Chat::Private(6302), &someone, "/stats");
    h.api.send_text(Chat::Private(6302), &someone, "/reload");
    let got = h.api.wait_sent(6302, 2).await;
    assert_eq!(
        shown(&got),
        [
            expected(&render(
                &h.catalog,
                Lang::Ru,
                &View::UnknownCommand("stats".into())
            )),
            expected(&render(
                &h.catalog,
                Lang::Ru,
                &View::UnknownCommand("reload".into())
            )),
        ]
        .concat()
    );
    // In a group, unaddressed, it is not ours to answer at all.
    h.api.send_text(Chat::Group(-6300), &someone, "/stats");
    h.api
        .send_text(Chat::Group(-6300), &someone, "/help@qantar_test_bot");
    let got = h.api.wait_sent(-6300, 1).await;
    assert_eq!(
        shown(&got),
        expected(&render(&h.catalog, Lang::Ru, &View::Help))
    );

    // The admin gets counts by command, language and day, and no identities.
    h.api.send_text(Chat::Private(6301), &admin, "/timeline");
    h.api.send_text(Chat::Private(6301), &admin, "/stats");
    let got = h.api.wait_sent(6301, 2).await;
    let stats = &texts(&got)[1];
    assert!(stats.contains(&qantar_bot::usage::today()), "{stats}");
    assert!(stats.contains("timeline: ru 1"), "{stats}");
    assert!(
        stats.contains("stats: ru 1") || stats.contains("unknown: ru 2"),
        "{stats}"
    );
    assert!(
        !stats.contains("6302") && !stats.contains("6301"),
        "no ids: {stats}"
    );

    h.api.send_text(Chat::Private(6301), &admin, "/reload");
    let got = h.api.wait_sent(6301, 3).await;
    assert_eq!(
        shown(&got[2..]),
        expected(&render(&h.catalog, Lang::Ru, &View::Reloaded(2)))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_deletes_the_chats_choice_and_subscription() {
    let h = Harness::start().await;
    let reader = From {
        user_id: 6401,
        language_code: Some("en"),
    };
    h.api.send_text(Chat::Private(6401), &reader, "/lang kk");
    h.api.send_text(Chat::Private(6401), &reader, "/subscribe");
    h.api.send_text(Chat::Private(6401), &reader, "/forget");
    h.api.send_text(Chat::Private(6401), &reader, "/help");
    let got = h.api.wait_sent(6401, 4).await;
    assert_eq!(
        shown(&got[1..2]),
        expected(&render(&h.catalog, Lang::Kk, &View::Subscribed))
    );
    assert_eq!(
        shown(&got[2..]),
        [
            expected(&render(&h.catalog, Lang::En, &View::Forgotten)),
            expected(&render(&h.catalog, Lang::En, &View::Help)),
        ]
        .concat(),
        "confirmed in the language Telegram reports, which is what the chat gets from now on"
    );
    let db = sqlx::SqlitePool::connect(&h.db_url()).await.unwrap();
    // The store of this test holds this one chat only: every per-chat table is empty.
    for table in ["chat_lang", "subscription"] {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(rows, 0, "nothing left in {table}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn two_replicas_share_one_postgres_store() {
    let url = std::env::var("QANTAR_TEST_POSTGRES_URL")
        .expect("set QANTAR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)");
    let api = FakeApi::start(TOKEN).await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (listen_a, listen_b) = (free_addr(), free_addr());
    let replica = |dir, listen| {
        let mut launch = webhook_launch(&api, dir, listen);
        launch.extra_env.push(("DATABASE_URL", url.clone()));
        // Replicas share one data key; tests on this database all use the test key.
        launch
            .extra_env
            .push(("QANTAR_DATA_KEY", TEST_DATA_KEY.into()));
        launch.spawn()
    };
    let a = replica(dir_a.path(), listen_a);
    let b = replica(dir_b.path(), listen_b);
    wait_listening(listen_a, &a).await;
    wait_listening(listen_b, &b).await;
    let chat = 7_000_000 + i64::from(std::process::id() % 100_000);
    let post = |listen: SocketAddr, id: i64, text: &'static str| {
        let update = message_update(id, chat, "en", text);
        tokio::task::spawn_blocking(move || {
            http(
                listen,
                "POST",
                "/telegram/hook",
                &[("X-Telegram-Bot-Api-Secret-Token", SECRET)],
                &update,
            )
        })
    };
    assert_eq!(post(listen_a, 1, "/lang kk").await.unwrap().0, 200);
    assert_eq!(post(listen_b, 2, "/help").await.unwrap().0, 200);
    let catalog = shipped();
    let got = api.wait_sent(chat, 2).await;
    assert_eq!(
        shown(&got[1..]),
        expected(&render(&catalog, Lang::Kk, &View::Help)),
        "replica B answers in the language chosen through replica A"
    );
    assert_eq!(post(listen_b, 3, "/forget").await.unwrap().0, 200);
}
