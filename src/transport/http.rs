//! The HTTP side: /healthz and /metrics for operators, and the webhook endpoint when
//! Telegram pushes updates instead of being polled.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use crate::app::App;

/// How long /healthz waits for the store before calling it down.
const STORE_PING_LIMIT: Duration = Duration::from_secs(2);

/// /healthz and /metrics.
pub fn ops_routes(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(app)
}

/// 200 when content is loaded and the store answers; 503 otherwise.
async fn healthz(State(app): State<Arc<App>>) -> impl IntoResponse {
    let content = app.catalog.generation() >= 1 && !app.catalog.get().content.events.is_empty();
    let store = tokio::time::timeout(STORE_PING_LIMIT, app.store.ping())
        .await
        .unwrap_or(false);
    let stalls = app.watch.stalls();
    let status = if content && store && stalls.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = format!(
        "content: {} (generation {})\nstore: {}\n",
        if content { "ok" } else { "missing" },
        app.catalog.generation(),
        if store { "ok" } else { "down" }
    );
    if stalls.is_empty() {
        body.push_str("outreach: ok\n");
    }
    for s in stalls {
        body.push_str(&s.reason());
        body.push('\n');
    }
    (status, body)
}

async fn metrics_text(State(app): State<Arc<App>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        app.metrics.render(),
    )
}

/// Binds `addr` and serves `router` until `stop` is cancelled; requests in flight finish.
pub async fn serve(
    addr: SocketAddr,
    router: Router,
    stop: CancellationToken,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    log::info!("HTTP listening on {addr}");
    Ok(tokio::spawn(async move {
        let shutdown = stop.cancelled_owned();
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            log::error!("HTTP server failed: {e}");
        }
    }))
}
