//! The Mini App's one endpoint on `QANTAR_WEB_LISTEN`: `POST /api/subscribe`, whose body
//! is the `initData` string as Telegram hands it to the page. Checked here, carried out
//! by `handle::mini_app`; the log gets the reason for a refusal, never the data.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use teloxide::Bot;

use crate::app::App;
use crate::handle::mini_app::{Outcome, subscribe_reader};
use crate::input::init_data::{self, Refused};

/// Telegram's `initData` is a few hundred bytes; anything much longer is not one.
pub const MAX_BODY: usize = 8 * 1024;

/// The Mini App's routes, merged into the web router on `QANTAR_WEB_LISTEN`. Without a
/// Mini App (no `QANTAR_WEB_URL`) they answer 404, as if they were not there.
pub fn routes(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/api/subscribe",
            post(subscribe).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .with_state(app)
}

async fn subscribe(
    State(app): State<Arc<App>>,
    bot: Option<Extension<Bot>>,
    body: axum::body::Bytes,
) -> Response {
    let Some(secret) = &app.web_secret else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = jiff::Timestamp::now().as_second();
    let checked = std::str::from_utf8(&body)
        .map_err(|_| Refused::Malformed)
        .and_then(|raw| init_data::validate(raw.trim(), secret, now));
    let user = match checked {
        Ok(user) => user,
        Err(reason) => {
            log::info!("refused a Mini App subscribe: {reason}");
            return (StatusCode::UNAUTHORIZED, reason.to_string()).into_response();
        }
    };
    match subscribe_reader(bot.map(|Extension(b)| b), &app, &user).await {
        Outcome::Subscribed { already } => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            format!(r#"{{"subscribed":true,"already":{already}}}"#),
        )
            .into_response(),
        Outcome::Unreachable => (
            StatusCode::FORBIDDEN,
            "the bot cannot write to you: open it and press Start first",
        )
            .into_response(),
        Outcome::TooFast => (StatusCode::TOO_MANY_REQUESTS, "too many requests").into_response(),
        // The store's error is logged where it happened.
        Outcome::StoreFailed => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not subscribed, try again later",
        )
            .into_response(),
    }
}
