//! Start-up and the polling loop: load and validate everything first, then talk to
//! Telegram; stop cleanly on SIGINT or SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::dispatching::Dispatcher;
use teloxide::dispatching::ShutdownToken;
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::update_listeners::Polling;
use tokio::sync::watch;

use super::{App, menus, schema};
use crate::catalog::Catalog;
use crate::config::Token;
use crate::lang::Lang;
use crate::problem::Problems;
use crate::store::{Store, StoreError};

pub struct RunOptions {
    pub token: Token,
    pub api_url: Option<String>,
    pub content_dir: PathBuf,
    pub locales_dir: PathBuf,
    pub database_url: String,
    /// Chats whose language is kept in memory (0: off); see `store::LangCache`.
    pub lang_cache: usize,
    pub default_lang: Lang,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("content or locales are broken:\n{0}")]
    Content(Problems),
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    #[error("TELOXIDE_API_URL is not a valid URL")]
    ApiUrl,
    #[error("Telegram rejected the token: check TELOXIDE_TOKEN against what @BotFather gave you")]
    TokenRejected,
}

/// How long one getUpdates waits for news. Short enough that a stop never waits long.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(options: RunOptions) -> Result<(), RunError> {
    let catalog =
        Catalog::load(&options.content_dir, &options.locales_dir).map_err(RunError::Content)?;
    let catalog = Arc::new(catalog);
    let store = Store::open(&options.database_url, options.lang_cache).await?;

    let mut bot = Bot::new(options.token.expose());
    if let Some(url) = &options.api_url {
        bot = bot.set_api_url(url.parse().map_err(|_| RunError::ApiUrl)?);
    }

    let stop = stop_signal();
    let Some(_me) = wait_for_me(&bot, stop.clone()).await? else {
        store.close().await;
        return Ok(());
    };
    {
        let (bot, catalog) = (bot.clone(), catalog.clone());
        tokio::spawn(async move { menus::publish(&bot, &catalog).await });
    }

    let app = Arc::new(App {
        catalog,
        store: store.clone(),
        default_lang: options.default_lang,
    });
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema())
        .dependencies(dptree::deps![app])
        // One worker per chat keeps a chat's replies in order; inline queries have no
        // chat, so key them by user rather than funnel them all through one worker.
        .distribution_function(|update| {
            update
                .chat()
                .map(|c| c.id.0)
                .or_else(|| update.from().map(|u| u.id.0 as i64))
        })
        // teloxide's default logs whole updates: user text and identities. Kinds only.
        .default_handler(|update| async move {
            log::debug!("ignored update of kind {}", update_kind(&update));
        })
        .error_handler(Arc::new(LogError("handler")))
        .build();
    watch_for_stop(dispatcher.shutdown_token(), stop);

    let listener = Polling::builder(bot)
        .timeout(POLL_TIMEOUT)
        .delete_webhook()
        .await
        .build();
    log::info!("polling for updates");
    let result = dispatcher
        .try_dispatch_with_listener(listener, Arc::new(LogError("update listener")))
        .await;
    store.close().await;
    match result {
        Ok(()) => {
            log::info!("stopped");
            Ok(())
        }
        Err(RequestError::Api(ApiError::InvalidToken)) => Err(RunError::TokenRejected),
        Err(e) => {
            // getMe worked a moment ago; a failure now is the network, and a restart fixes it.
            log::error!("could not start dispatching: {e}");
            Ok(())
        }
    }
}

/// Asks getMe until it answers, so a bot started while Telegram is unreachable waits
/// instead of dying. `None` means a stop was requested meanwhile.
async fn wait_for_me(bot: &Bot, mut stop: watch::Receiver<bool>) -> Result<Option<Me>, RunError> {
    let mut backoff = Duration::from_millis(500);
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(Some(me)),
            Err(RequestError::Api(ApiError::InvalidToken)) => return Err(RunError::TokenRejected),
            Err(e) => log::warn!("getMe failed, retrying in {}ms: {e}", backoff.as_millis()),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.wait_for(|s| *s) => return Ok(None),
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Flips to true on SIGINT or SIGTERM (Docker and systemd stop with the latter).
fn stop_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        log::info!("stop requested; finishing replies in flight");
        let _ = tx.send(true);
    });
    rx
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            log::warn!("cannot listen for SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Hands a stop request to the dispatcher, which lets in-flight handlers finish.
fn watch_for_stop(token: ShutdownToken, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        if stop.wait_for(|s| *s).await.is_err() {
            return;
        }
        // The dispatcher may not have started yet; keep asking until it takes the request.
        loop {
            match token.shutdown() {
                Ok(done) => {
                    done.await;
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });
}

fn update_kind(update: &Update) -> &'static str {
    use teloxide::types::UpdateKind as K;
    match &update.kind {
        K::Message(_) => "message",
        K::EditedMessage(_) => "edited_message",
        K::ChannelPost(_) => "channel_post",
        K::CallbackQuery(_) => "callback_query",
        K::InlineQuery(_) => "inline_query",
        K::MyChatMember(_) => "my_chat_member",
        K::ChatMember(_) => "chat_member",
        _ => "other",
    }
}

/// Logs errors by their Display, never `{:?}` of a value that may hold the bot.
struct LogError(&'static str);

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for LogError {
    fn handle_error(
        self: Arc<Self>,
        error: E,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(async move { log::error!("{}: {error}", self.0) })
    }
}
