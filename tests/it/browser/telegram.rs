//! The pages as a Mini App, in Chromium, with Telegram's side played by a stub of its
//! documented bridge (`window.TelegramWebviewProxy.postEvent`, and
//! `Telegram.WebView.receiveEvent` for what Telegram sends back): the root opens the
//! reader's language and the `startapp` event, the page takes Telegram's theme, shows
//! Telegram's back button after a step and goes back when it is pressed, opens sources
//! outside the app, and Subscribe subscribes the reader's chat.

use serde_json::Value;

use super::cdp::Browser;
use crate::e2e_miniapp::{init_data, now};
use crate::e2e_ops::free_addr;
use crate::fake_api::Chat;
use crate::harness::Harness;
use crate::process::TOKEN;

/// What Telegram's app provides in the page: every postEvent is kept in
/// `window.__telegram` (per document) for the test to read.
const BRIDGE: &str = "window.__telegram = []; window.TelegramWebviewProxy = { postEvent: \
    function (type, data) { window.__telegram.push([type, JSON.parse(data || '{}')]); } };";

fn posted(events: &Value, kind: &str) -> Vec<Value> {
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e[0] == kind)
        .map(|e| e[1].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn inside_telegram_the_pages_follow_the_reader_and_subscribe_their_chat() {
    let listen = free_addr();
    let h = Harness::builder()
        .env("QANTAR_WEB_LISTEN", listen.to_string())
        .env("QANTAR_WEB_URL", "https://record.example/")
        .start()
        .await;
    while std::net::TcpStream::connect(listen).is_err() {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let reader = 77_001;
    let data = init_data(TOKEN, reader, Some("kk"), now());
    let theme = r##"{"bg_color":"#17212b","text_color":"#f5f5f5","hint_color":"#708499","link_color":"#6ab3f3","button_color":"#5288c1","button_text_color":"#ffffff"}"##;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let launch = format!(
        "http://{listen}/#tgWebAppData={}&tgWebAppVersion=8.0&tgWebAppPlatform=android&tgWebAppThemeParams={}&tgWebAppStartParam=akimat_fire",
        enc(&data),
        enc(theme)
    );

    let browser = Browser::launch().await;
    let mut page = browser.page().await;
    page.before_every_document(BRIDGE).await;
    page.goto(&launch).await;
    // The menu button and startapp links open the root: it goes on to the reader's
    // language and the event the link names.
    page.wait_until(
        "location.pathname === '/kk/timeline/akimat-fire/' && document.readyState === 'complete'",
    )
    .await;
    assert_eq!(
        page.eval("getComputedStyle(document.body).backgroundColor")
            .await,
        "rgb(23, 33, 43)",
        "Telegram's theme"
    );
    let events = page.eval("window.__telegram").await;
    assert_eq!(posted(&events, "web_app_ready").len(), 1, "{events}");
    assert!(
        posted(&events, "web_app_setup_back_button").is_empty(),
        "no back button on the first page: {events}"
    );

    // A source opens in the reader's browser, not inside the app.
    let href = page
        .eval(
            "(() => { const a = document.querySelector('.sources a[href^=\"http\"]'); \
             a.click(); return a.href; })()",
        )
        .await;
    let events = page.eval("window.__telegram").await;
    assert_eq!(
        posted(&events, "web_app_open_link"),
        vec![serde_json::json!({ "url": href })]
    );
    assert_eq!(
        page.eval("location.pathname").await,
        "/kk/timeline/akimat-fire/"
    );

    // A step inside the app brings Telegram's back button; pressing it goes back.
    page.eval("document.querySelector('a[rel=next]').click()")
        .await;
    page.wait_until(
        "location.pathname !== '/kk/timeline/akimat-fire/' && document.readyState === 'complete'",
    )
    .await;
    let events = page.eval("window.__telegram").await;
    assert_eq!(
        posted(&events, "web_app_setup_back_button"),
        vec![serde_json::json!({ "is_visible": true })],
        "{events}"
    );
    page.eval("Telegram.WebView.receiveEvent('back_button_pressed', null)")
        .await;
    page.wait_until(
        "location.pathname === '/kk/timeline/akimat-fire/' && document.readyState === 'complete'",
    )
    .await;

    // Subscribe, shown only inside Telegram, subscribes the reader's private chat.
    assert_eq!(
        page.eval("document.querySelector('.tg-only').hidden").await,
        false
    );
    page.eval("document.getElementById('subscribe').click()")
        .await;
    page.wait_until("document.getElementById('subscribe-status').textContent !== ''")
        .await;
    let done = page
        .eval("document.getElementById('subscribe').dataset.done")
        .await;
    assert_eq!(
        page.eval("document.getElementById('subscribe-status').textContent")
            .await,
        done
    );
    let confirmation = h.api.wait_sent(reader, 1).await;
    assert_eq!(confirmation.len(), 1);
    let _ = Chat::Private(reader);
    assert!(
        page.record.problems().is_empty(),
        "{:?}",
        page.record.problems()
    );
}
