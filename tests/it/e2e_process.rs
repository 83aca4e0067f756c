//! The process as an operator sees it: tokens, signals and what reaches the log.

use std::process::Stdio;
use std::time::Duration;

use crate::fake_api::{Chat, FakeApi, From};
use crate::process::{Launch, TOKEN};

#[test]
fn a_missing_token_says_where_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let launch = Launch {
        token: None,
        ..Launch::new("http://127.0.0.1:9", dir.path())
    };
    let out = launch.command().stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("@BotFather") && stderr.contains("TELOXIDE_TOKEN"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
}

#[test]
fn a_malformed_token_is_refused_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let launch = Launch {
        token: Some("not-a-token-SECRETSECRET"),
        ..Launch::new("http://127.0.0.1:9", dir.path())
    };
    let out = launch.command().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("@BotFather"), "{stderr}");
    assert!(!stderr.contains("SECRETSECRET"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_telegram_rejects_stops_with_a_clear_error() {
    let api = FakeApi::start("999:ThisIsTheTokenTheServerExpectsXXXXXXXX").await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = Launch::new(&api.url, dir.path()).spawn();
    let status = bot.wait(Duration::from_secs(20));
    assert_eq!(status.code(), Some(1));
    let log = bot.log_text();
    assert!(log.contains("Telegram rejected the token"), "{log}");
    assert!(!log.contains(TOKEN.split(':').nth(1).unwrap()), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_keep_secrets_and_identities_out() {
    let api = FakeApi::start(TOKEN).await;
    for (level, identities_allowed) in [("info", false), ("trace", true)] {
        let dir = tempfile::tempdir().unwrap();
        let mut bot = Launch {
            rust_log: level,
            ..Launch::new(&api.url, dir.path())
        }
        .spawn();
        let chat = 313_374_242;
        let from = From {
            user_id: chat,
            language_code: Some("ru"),
        };
        api.send_text(Chat::Private(chat), &from, "/lang Zanzibarish");
        api.send_text(Chat::Private(chat), &from, "my secret plans");
        api.send_text(Chat::Private(chat), &from, "/timeline");
        let before = api.sent_to(chat).len();
        api.wait_sent(chat, before + 3).await;
        assert!(bot.terminate().success());
        let log = bot.log_text();
        assert!(!log.contains(TOKEN), "{level}: token in log");
        assert!(
            !log.contains(TOKEN.split(':').nth(1).unwrap()),
            "{level}: token secret in log"
        );
        if !identities_allowed {
            assert!(log.contains("command=timeline lang=ru"), "{log}");
            for leak in ["313374242", "Zanzibarish", "secret plans", "Reader"] {
                assert!(!log.contains(leak), "{level} log leaks {leak}:\n{log}");
            }
        } else {
            assert!(log.contains("TRACE"), "trace logging was on");
        }
    }
}
