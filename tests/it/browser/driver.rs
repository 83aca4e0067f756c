//! The driver's own checks, against a page of the test's own: each thing the page tests
//! look for (a console error, an exception, a failed or outside request, bytes on the
//! wire) is caught when it happens, so a clean record means something.

use std::net::SocketAddr;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::routing::get;

use super::cdp::Browser;

const SCRIPT_BYTES: usize = 50_000;

const BROKEN: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>broken</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/missing.css"><script src="/big.js"></script>
</head><body><p id="p">text</p><img src="http://127.0.0.2:9/outside.png" alt="">
<script>console.error("boom", 42); throw new Error("thrown on purpose");</script></body></html>"#;

const CLEAN: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>clean</title><link rel="icon" href="data:,"><script src="/big.js"></script></head><body><p id="p">text</p>
<script>document.getElementById("p").dataset.ran = "yes";</script></body></html>"#;

async fn serve() -> SocketAddr {
    let html = |body: &'static str| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body);
    let app = Router::new()
        .route("/broken", get(move || async move { html(BROKEN) }))
        .route("/clean", get(move || async move { html(CLEAN) }))
        .route(
            "/big.js",
            get(|| async {
                let body = format!("//{}\n", "x".repeat(SCRIPT_BYTES));
                ([(header::CONTENT_TYPE, "text/javascript")], body)
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn the_driver_sees_console_errors_exceptions_and_failed_or_outside_requests() {
    let addr = serve().await;
    let browser = Browser::launch().await;
    let mut page = browser.page().await;

    page.goto(&format!("http://{addr}/clean")).await;
    assert_eq!(page.record.problems(), Vec::<String>::new());
    assert_eq!(
        page.eval("document.getElementById('p').dataset.ran").await,
        "yes"
    );
    let script = page
        .record
        .requests
        .iter()
        .find(|r| r.url.ends_with("/big.js"));
    let bytes = script.and_then(|r| r.bytes).expect("big.js was loaded");
    assert!(bytes >= SCRIPT_BYTES as u64, "{bytes} bytes on the wire");
    // The page and its script; the inline icon (data:) may or may not be asked for.
    let fetched = page
        .record
        .requests
        .iter()
        .filter(|r| !r.url.starts_with("data:"));
    assert_eq!(fetched.count(), 2, "{:#?}", page.record.requests);

    page.goto(&format!("http://{addr}/broken")).await;
    let problems = page.record.problems().join("\n");
    for expected in [
        "console.error: boom 42",
        "uncaught exception: Error: thrown on purpose",
        "HTTP 404: http://127.0.0.1",
        "request failed",
        "request outside 127.0.0.1: http://127.0.0.2:9/outside.png",
    ] {
        assert!(
            problems.contains(expected),
            "{expected:?} missing from:\n{problems}"
        );
    }
}
