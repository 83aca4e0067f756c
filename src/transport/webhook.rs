//! Webhook mode: Telegram POSTs each update to us. Every request must carry the secret
//! token; the answer (200) goes back only once the update has been handled, so an
//! update a crash interrupts is sent again by Telegram, as with polling.
//!
//! Our own endpoint rather than teloxide's `webhooks-axum`: that one logs the raw body
//! of an update it cannot parse (a person's message, at error level) and compares the
//! secret in variable time.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;

use crate::app::App;
use crate::transport::ledger::Ledger;
use crate::transport::updates::UpdateStream;

const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Compares in constant time (`subtle`), so timing tells nothing of the secret but its
/// length.
fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[derive(Clone)]
struct Endpoint {
    secret: Arc<str>,
    app: Arc<App>,
    ledger: Arc<Ledger>,
    tx: mpsc::Sender<Result<Update, std::convert::Infallible>>,
}

async fn receive(State(ep): State<Endpoint>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers.get(SECRET_HEADER).map(|v| v.as_bytes());
    if !given.is_some_and(|g| same(g, ep.secret.as_bytes())) {
        ep.app.metrics.api_error("webhook_unauthorized");
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(_) => {
            // Only the length: the body may be a person's message.
            log::warn!(
                "webhook: skipped a body that is not an update ({} bytes)",
                body.len()
            );
            return StatusCode::OK;
        }
    };
    if let UpdateKind::Error(_) = update.kind {
        log::warn!("webhook: skipped an update in a shape we cannot read");
        return StatusCode::OK;
    }
    let id = update.id.0;
    if !ep.ledger.admit_unordered(id) {
        // Telegram re-sent what we are still handling; that handling will answer it.
        return StatusCode::OK;
    }
    let done = ep.ledger.when_done(id);
    if ep.tx.send(Ok(update)).await.is_err() {
        ep.ledger.done(id);
        // Stopping: Telegram will send it again to whoever is up.
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    // Past the grace, answer anyway: Telegram should not hold a connection for one
    // slow chat (the reply still goes out).
    let _ = tokio::time::timeout(crate::transport::ledger::GRACE, done).await;
    StatusCode::OK
}

/// The webhook route at `path`, and the listener the dispatcher reads from.
pub fn endpoint(
    path: &str,
    secret: &str,
    app: Arc<App>,
    ledger: Arc<Ledger>,
) -> (Router, WebhookListener) {
    let (tx, rx) = mpsc::channel(256);
    let router = Router::new()
        .route(path, post(receive))
        .with_state(Endpoint {
            secret: Arc::from(secret),
            app,
            ledger,
            tx,
        });
    let (token, flag) = mk_stop_token();
    (
        router,
        WebhookListener {
            rx: Some(rx),
            token,
            flag,
        },
    )
}

pub struct WebhookListener {
    rx: Option<mpsc::Receiver<Result<Update, std::convert::Infallible>>>,
    token: StopToken,
    flag: StopFlag,
}

impl UpdateListener for WebhookListener {
    type Err = std::convert::Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }
}

impl<'a> AsUpdateStream<'a> for WebhookListener {
    type StreamErr = std::convert::Infallible;
    type Stream = UpdateStream<std::convert::Infallible>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let rx = self.rx.take().unwrap_or_else(|| mpsc::channel(1).1);
        UpdateStream::new(rx, Some(self.flag.clone()))
    }
}

/// Tells Telegram where to post, with the secret and the updates we handle.
pub async fn register(
    bot: &Bot,
    url: &url::Url,
    secret: &str,
) -> Result<(), teloxide::RequestError> {
    bot.set_webhook(url.clone())
        .secret_token(secret.to_string())
        .allowed_updates([
            AllowedUpdate::Message,
            AllowedUpdate::CallbackQuery,
            AllowedUpdate::InlineQuery,
        ])
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
