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
use tokio::sync::watch;

use super::poller::{self, Ledger, LedgerPolling};
use super::{App, menus, reload, schema};
use crate::catalog::{Catalog, LiveCatalog};
use crate::config::Token;
use crate::flood::FloodGuard;
use crate::lang::Lang;
use crate::metrics;
use crate::problem::Problems;
use crate::store::{Store, StoreError};

pub struct RunOptions {
    pub token: Token,
    pub api_url: Option<String>,
    pub api_timeout: Duration,
    pub content_dir: PathBuf,
    pub locales_dir: PathBuf,
    pub database_url: String,
    pub default_lang: Lang,
    pub flood_burst: u32,
    pub flood_per_minute: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("content or locales are broken:\n{0}")]
    Content(Problems),
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    #[error("TELOXIDE_API_URL is not a valid URL")]
    ApiUrl,
    #[error("cannot set up the HTTP client")]
    HttpClient,
    #[error("Telegram rejected the token: check TELOXIDE_TOKEN against what @BotFather gave you")]
    TokenRejected,
}

/// How long one getUpdates waits for news at most. Short enough that a stop never
/// waits long; always a few seconds under the HTTP timeout, or every idle poll would
/// end as a timeout error.
const POLL_TIMEOUT_MAX: Duration = Duration::from_secs(10);

pub async fn run(options: RunOptions) -> Result<(), RunError> {
    let catalog =
        Catalog::load(&options.content_dir, &options.locales_dir).map_err(RunError::Content)?;
    let catalog = Arc::new(LiveCatalog::new(catalog));
    metrics::global().set_content_generation(catalog.generation());
    let store = Store::open(&options.database_url).await?;

    let client = teloxide::net::default_reqwest_settings()
        .timeout(options.api_timeout)
        .build()
        .map_err(|_| RunError::HttpClient)?;
    let mut bot = Bot::with_client(options.token.expose(), client);
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
        tokio::spawn(async move { menus::publish(&bot, &catalog.get()).await });
    }
    reload::on_hangup(
        bot.clone(),
        Arc::clone(&catalog),
        reload::Sources {
            content_dir: options.content_dir.clone(),
            locales_dir: options.locales_dir.clone(),
        },
    );

    let ledger = Arc::new(Ledger::default());
    let app = Arc::new(App {
        catalog,
        store: store.clone(),
        default_lang: options.default_lang,
        flood: FloodGuard::new(
            options.flood_burst,
            f64::from(options.flood_per_minute) / 60.0,
        ),
        ledger: Arc::clone(&ledger),
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

    let poll_timeout = options
        .api_timeout
        .saturating_sub(Duration::from_secs(5))
        .clamp(Duration::from_secs(1), POLL_TIMEOUT_MAX);
    remove_webhook(&bot).await;
    let listener = LedgerPolling::new(bot.clone(), Arc::clone(&ledger), poll_timeout);
    log::info!("polling for updates");
    let result = dispatcher
        .try_dispatch_with_listener(listener, Arc::new(LogError("update listener")))
        .await;
    // Every handler has finished: tell Telegram, so a restart starts where we stopped.
    poller::confirm(&bot, &ledger).await;
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

/// Polling and a webhook exclude each other: a webhook left by an earlier deployment
/// would make every getUpdates fail.
async fn remove_webhook(bot: &Bot) {
    match bot.get_webhook_info().await {
        Ok(info) if info.url.is_none() => {}
        Ok(_) => {
            if let Err(e) = bot.delete_webhook().await {
                log::warn!("could not remove the webhook: {e}");
            }
        }
        Err(e) => log::warn!("getWebhookInfo failed: {e}"),
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
