//! The handler tree: one branch per kind of update we serve. Built once by `schema()`
//! and shared by the binary and the tests.

use std::sync::Arc;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

use super::App;
use super::{callbacks, inline, messages};
use crate::lang::Lang;

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        // The guard lives as long as this update's handling and then tells the poller
        // it may be confirmed to Telegram; see `poller`.
        .map(|update: Update, app: Arc<App>| app.ledger.guard(update.id.0))
        .branch(Update::filter_message().endpoint(messages::on_message))
        .branch(Update::filter_callback_query().endpoint(callbacks::on_callback))
        .branch(Update::filter_inline_query().endpoint(inline::on_inline_query))
}

/// The saved choice for `key` (a chat id; for a user, their private chat's id) and the
/// language to answer in. A failing store falls back to Telegram's language.
pub async fn resolve_lang(app: &App, key: i64, telegram: Option<&str>) -> (Option<Lang>, Lang) {
    let saved = match app.store.language(key).await {
        Ok(saved) => saved,
        Err(e) => {
            crate::metrics::global().store_error("read");
            log::warn!("store read failed, using Telegram's language: {e}");
            None
        }
    };
    (saved, Lang::negotiate(saved, telegram, app.default_lang))
}
